import type { RegisteredModelVersion } from '@prodclass/registry/mlflow/client';
import { type Html, html } from '../html.js';
import type { LoggedClassTerms, LoggedTerm, VersionLearnedTerms } from '../learned-terms.js';

const formatWeight = (weight: number) => `${weight > 0 ? '+' : '−'}${Math.abs(weight).toFixed(3)}`;

function termCells(term: LoggedTerm | undefined, direction: 'up' | 'down'): Html {
  return term
    ? html`<td><span class="word-${direction}-1">${term.feature}</span></td><td class="num">${formatWeight(term.weight)}</td>`
    : html`<td>—</td><td class="num">—</td>`;
}

/** One class's terms side by side: towards it (positive coefficients) and away from it. */
function classTable(entry: LoggedClassTerms): Html {
  const name = entry.category ?? 'unknown class';
  const rows = Math.max(entry.positive.length, entry.negative.length);
  return html`<table><caption><strong>${name}</strong> (${entry.prdtypecode}), intercept ${formatWeight(entry.intercept)}</caption>
<thead><tr><th scope="col" class="num">Rank</th><th scope="col">Towards ${name}</th><th scope="col" class="num">Weight</th>
<th scope="col">Away from ${name}</th><th scope="col" class="num">Weight</th></tr></thead>
<tbody>${Array.from(
    { length: rows },
    (_, rank) =>
      html`<tr><th scope="row" class="num">${rank + 1}</th>${termCells(entry.positive[rank], 'up')}${termCells(entry.negative[rank], 'down')}</tr>`,
  )}</tbody></table>`;
}

/** A GET form choosing whose terms to show, so the choice is a plain link too. */
function versionChooser(versions: RegisteredModelVersion[], selected: string): Html {
  return html`<form method="get" action="/models#learned-terms" class="inline-action">
<label>Terms of <select name="version">${versions.map(
    (version) =>
      html`<option value="${version.version}"${version.version === selected ? html` selected` : ''}>v${version.version}${version.aliases.length ? ` (@${version.aliases.join(', @')})` : ''}</option>`,
  )}</select></label> <button type="submit">Show terms</button></form>`;
}

/** The learned-terms section of the Models page for the selected version. */
export function learnedTermsView(
  versions: RegisteredModelVersion[],
  terms: VersionLearnedTerms | undefined,
): Html {
  if (!terms) return html`<p>No version to show the terms of.</p>`;
  let body: Html;
  if (terms.state === 'not-logged')
    body = html`<p class="notice" id="learned-terms-missing">v${terms.version} was trained before learned terms were logged: its run has no <code>evaluation/learned_terms.json</code>. Retrain to see them.</p>`;
  else if (terms.state === 'unreadable') body = html`<p class="problem">${terms.problem}</p>`;
  else
    body = html`<p>Each class's largest coefficients over the TF-IDF terms of v${terms.version} (logit units per unit of TF-IDF):
blue terms raise the class's score, orange (dashed) ones lower it.</p>
<div class="learned-terms">${terms.classes.map(classTable)}</div>`;
  return html`${versionChooser(versions, terms.version)}${body}`;
}
