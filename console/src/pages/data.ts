import type { DataIncrement } from '@prodclass/api/resources';
import type { DataLoad } from '@prodclass/catalog/data-loads';
import type { CatalogStatus } from '@prodclass/catalog/status';
import { horizontalBarChart } from '../bar-chart.js';
import type { SampleProduct } from '../database.js';
import { type Html, html } from '../html.js';
import { actionForm, formatTime, layout, type PageContext } from './layout.js';
import { dataIncrementRow } from './rows.js';

export interface DataPageModel {
  status: CatalogStatus;
  loads: DataLoad[];
  samples: SampleProduct[];
  increments: DataIncrement[];
  /** The DataIncrement whose source the next load reuses; none before the first. */
  lastIncrement: DataIncrement | undefined;
}

function summary(status: CatalogStatus): Html {
  return html`<dl class="cards">
<div><dt>Products loaded</dt><dd>${status.total_rows.toLocaleString('en-US')}</dd></div>
<div><dt>Share of the source</dt><dd>${status.current_percentage}%</dd></div>
<div><dt>Classes present</dt><dd>${status.class_distribution.length}</dd></div>
<div><dt>Last load</dt><dd>${formatTime(status.last_load_date)}</dd></div>
</dl>`;
}

function nextLoad(context: PageContext, model: DataPageModel): Html {
  const next = model.status.next_increment;
  if (!next) return html`<p>The whole source is loaded.</p>`;
  if (!model.lastIncrement)
    return html`<p>No DataIncrement exists in this namespace yet: apply the first one
(<code>manifests/samples/01-dataincrement-initial.yaml</code>); later loads reuse its source.</p>`;
  const rows = next.rows_added === null ? '' : ` (about ${next.rows_added.toLocaleString('en-US')} products)`;
  return actionForm(
    context,
    '/actions/data-increment',
    html`<p>The next load takes the catalog to <strong>${next.cumulative_percentage}%</strong>${rows},
from the source of DataIncrement <code>${model.lastIncrement.metadata.name}</code>.</p>`,
    'Load the next +3%',
    'inline-action',
  );
}

function loadHistory(loads: DataLoad[]): Html {
  if (loads.length === 0) return html`<p>No load yet.</p>`;
  return html`<table>
<caption>Load history (table <code>data_loads</code>), newest first</caption>
<thead><tr><th scope="col">Data version</th><th scope="col">Status</th><th scope="col">Share</th>
<th scope="col" class="num">Rows added</th><th scope="col" class="num">Total rows</th>
<th scope="col">Dataset fingerprint</th><th scope="col">Completed</th><th scope="col">Requested by</th></tr></thead>
<tbody>
${[...loads].reverse().map(
  (
    load,
  ) => html`<tr><th scope="row">${load.name}</th><td>${load.status}${load.error ? html` — ${load.error}` : ''}</td>
<td class="num">${load.cumulative_percentage}%</td>
<td class="num">${load.rows_added?.toLocaleString('en-US') ?? '—'}</td>
<td class="num">${load.cumulative_rows?.toLocaleString('en-US') ?? '—'}</td>
<td><code title="${load.dataset_fingerprint ?? ''}">${load.dataset_fingerprint?.slice(0, 16) ?? '—'}</code></td>
<td>${formatTime(load.completed_at)}</td><td>${load.requested_by}</td></tr>`,
)}
</tbody></table>`;
}

function samples(products: SampleProduct[]): Html {
  if (products.length === 0) return html`<p>No product loaded yet.</p>`;
  return html`<table>
<caption>Sample products: the most recently loaded</caption>
<thead><tr><th scope="col">Product id</th><th scope="col">Designation</th><th scope="col">Class</th></tr></thead>
<tbody>${products.map(
    (product) =>
      html`<tr><td class="num">${product.productid}</td><td>${product.designation}</td>
<td>${product.className} (${product.prdtypecode})</td></tr>`,
  )}</tbody></table>`;
}

export function dataPage(context: PageContext, model: DataPageModel): Html {
  const distribution = model.status.class_distribution;
  return layout(
    context,
    '/data',
    'Data',
    html`${summary(model.status)}
<section aria-labelledby="next-load"><h2 id="next-load">Next load</h2>${nextLoad(context, model)}</section>
<section aria-labelledby="increments"><h2 id="increments">DataIncrements</h2>
<table><caption>DataIncrement resources, newest first; status updates live</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Data version</th><th scope="col" class="num">Share</th>
<th scope="col" class="num">Rows added</th><th scope="col" class="num">Total rows</th><th scope="col">Fingerprint</th><th scope="col">Completed</th></tr></thead>
<tbody data-kind="DataIncrement">${model.increments.map(dataIncrementRow)}</tbody></table></section>
<section aria-labelledby="classes"><h2 id="classes">Class distribution</h2>
${
  distribution.length === 0
    ? html`<p>No product loaded yet.</p>`
    : horizontalBarChart({
        title: `Products per class (${model.status.total_rows.toLocaleString('en-US')} products, ${distribution.length} classes)`,
        axisLabel: 'products (count)',
        bars: distribution.map((entry) => ({
          label: `${entry.name} (${entry.prdtypecode})`,
          value: entry.products,
        })),
      })
}</section>
<section aria-labelledby="history"><h2 id="history">Load history</h2>${loadHistory(model.loads)}</section>
<section aria-labelledby="samples"><h2 id="samples">Sample products</h2>${samples(model.samples)}</section>`,
  );
}
