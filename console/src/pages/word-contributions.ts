import { type Html, html } from '../html.js';

/** A term of a prediction's explanation, as the model server answers it. */
export interface ExplainedTerm {
  term: string;
  feature: string;
  contribution: number;
}

export interface ClassExplanation {
  prdtypecode: number;
  category: string;
  up: ExplainedTerm[];
  down: ExplainedTerm[];
}

const wordPattern = /[\p{L}\p{M}\p{N}]+/gu;

/** A word as the model's cleaning compares it: lowercase, accents dropped. */
function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Each input word's share of the explained class's logit, by folded word: a term's contribution
 * split evenly among the words of its feature (a two-word term gives half to each).
 */
export function wordScores(explanation: ClassExplanation): Map<string, number> {
  const scores = new Map<string, number>();
  for (const { feature, contribution } of [...explanation.up, ...explanation.down]) {
    const words = feature.split(' ');
    for (const word of words) scores.set(word, (scores.get(word) ?? 0) + contribution / words.length);
  }
  return scores;
}

/** 1 (weak) to 3 (strong): the class names of binned intensities, so no inline style is needed. */
function intensity(score: number, largest: number): number {
  const share = Math.abs(score) / largest;
  return share > 2 / 3 ? 3 : share > 1 / 3 ? 2 : 1;
}

function formatScore(score: number): string {
  return `${score > 0 ? '+' : '−'}${Math.abs(score).toFixed(2)}`;
}

/**
 * `text` with each word that moved the class's logit marked: blue towards the class, orange
 * away from it, darker for more; each mark is focusable and says its contribution in words.
 */
export function highlightedText(text: string, scores: ReadonlyMap<string, number>, category: string): Html {
  const largest = Math.max(1e-12, ...[...scores.values()].map(Math.abs));
  const parts: (Html | string)[] = [];
  let last = 0;
  for (const match of text.matchAll(wordPattern)) {
    const score = scores.get(fold(match[0]));
    if (score === undefined || score === 0) continue;
    parts.push(text.slice(last, match.index));
    const direction = score > 0 ? 'up' : 'down';
    const meaning = `${formatScore(score)} ${score > 0 ? 'towards' : 'away from'} ${category}`;
    parts.push(
      html`<mark class="word-${direction}-${intensity(score, largest)}" tabindex="0" title="${meaning}">${match[0]}<span class="visually-hidden"> (${meaning})</span></mark>`,
    );
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}

/** The words of the input coloured by what they did to the predicted class, a legend, and the terms as a table. */
export function contributionsView(
  input: { designation: string; description: string },
  explanation: ClassExplanation,
): Html {
  const scores = wordScores(explanation);
  const terms = [...explanation.up, ...explanation.down];
  return html`<section class="contributions" aria-labelledby="contributions-title">
<h3 id="contributions-title">Why ${explanation.category}</h3>
<p>Words of the listing coloured by how much they raised or lowered the score of ${explanation.category}
(the model's exact contributions; tab through the marked words to hear each one's).</p>
<ul class="legend" aria-label="Legend">
<li><span class="swatch word-up-3" aria-hidden="true"></span> strongly towards</li>
<li><span class="swatch word-up-1" aria-hidden="true"></span> slightly towards</li>
<li><span class="swatch word-down-1" aria-hidden="true"></span> slightly away</li>
<li><span class="swatch word-down-3" aria-hidden="true"></span> strongly away</li>
</ul>
<p class="highlighted" id="highlighted-designation">${highlightedText(input.designation, scores, explanation.category)}</p>
${input.description.trim() ? html`<p class="highlighted" id="highlighted-description">${highlightedText(input.description, scores, explanation.category)}</p>` : ''}
<table class="compact"><caption>Terms behind ${explanation.category} (${explanation.prdtypecode}), in logit units</caption>
<thead><tr><th scope="col">Term</th><th scope="col" class="num">Contribution</th></tr></thead>
<tbody>${terms.map(
    (term) => html`<tr><td>${term.term}</td><td class="num">${formatScore(term.contribution)}</td></tr>`,
  )}</tbody></table>
</section>`;
}
