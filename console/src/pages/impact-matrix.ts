import type { ModelPromotion } from '@prodclass/api/resources';
import { classByCode } from '@prodclass/textmodel/classes';
import { type Html, html } from '../html.js';

const className = (code: number) => `${classByCode(code)?.name ?? 'unknown'} (${code})`;
const ascending = (codes: Iterable<number>) => [...new Set(codes)].sort((a, b) => a - b);

/**
 * A promotion's catalog impact preview as a matrix: the champion's class by row, the candidate's
 * by column, products per flip in the cells (only the largest flips are recorded; other cells are
 * empty). Undefined when the promotion has no recorded preview.
 */
export function impactMatrix(promotion: ModelPromotion): Html | undefined {
  const preview = promotion.status?.impactPreview;
  if (!preview?.flips || preview.products === undefined || preview.changedShare === undefined)
    return undefined;
  const { flips, championVersion, candidateVersion } = preview;
  const caption = html`<caption><strong>${promotion.metadata.name}</strong>: ${(preview.changedShare * 100).toFixed(1)}% of ${preview.products} products of ${preview.dataVersion ?? 'the catalog'} would change class (v${championVersion} → v${candidateVersion}); the ${flips.length} largest flips, in products</caption>`;
  if (flips.length === 0)
    return html`<table class="compact impact-matrix">${caption}<tbody><tr><td>No product changes class.</td></tr></tbody></table>`;
  const counts = new Map(flips.map((flip) => [`${flip.from}>${flip.to}`, flip.count]));
  const to = ascending(flips.map((flip) => flip.to));
  return html`<table class="compact impact-matrix">${caption}
<thead><tr><th scope="col">Champion v${championVersion} ↓ · candidate v${candidateVersion} →</th>${to.map(
    (code) => html`<th scope="col" class="num">${className(code)}</th>`,
  )}</tr></thead>
<tbody>${ascending(flips.map((flip) => flip.from)).map(
    (from) =>
      html`<tr><th scope="row">${className(from)}</th>${to.map(
        (code) => html`<td class="num">${counts.get(`${from}>${code}`) ?? ''}</td>`,
      )}</tr>`,
  )}</tbody></table>`;
}

/** The Models page's section of recorded impact previews; empty when no promotion has one. */
export function impactPreviews(promotions: readonly ModelPromotion[]): Html {
  const matrices = promotions.flatMap((promotion) => impactMatrix(promotion) ?? []);
  if (matrices.length === 0) return html``;
  return html`<section aria-labelledby="impact"><h2 id="impact">Catalog impact previews</h2>
<p>Before the alias moved, a Job scored the catalog with the champion and the candidate (ModelPromotion <code>spec.impactPreview</code>).</p>
${matrices}</section>`;
}
