import type { ModelPromotion, PredictionService } from '@prodclass/api/resources';
import { promotionTags } from '@prodclass/registry/contract/mlflow-tags';
import type { RegisteredModelVersion } from '@prodclass/registry/mlflow/client';
import type { StoredPromotion } from '@prodclass/registry/promotion/promotions-table';
import { productClasses } from '@prodclass/textmodel/classes';
import { horizontalBarChart, palette } from '../bar-chart.js';
import { type Html, html } from '../html.js';
import type { VersionLearnedTerms } from '../learned-terms.js';
import type { PredictionResult } from '../prediction.js';
import { awaitingApproval } from './approvals.js';
import { impactPreviews } from './impact-matrix.js';
import { actionForm, formatTime, layout, type PageContext } from './layout.js';
import { learnedTermsView } from './learned-terms.js';
import { modelPromotionRow } from './rows.js';
import { contributionsView } from './word-contributions.js';

/** Products for the simulator (invented listings in the catalog's style). */
export const exampleProducts = [
  {
    designation: 'Piscine tubulaire ronde 3,05 m x 0,76 m',
    description: 'Filtration à cartouche incluse, liner PVC renforcé.',
  },
  {
    designation: 'Chaise de bureau ergonomique',
    description: 'Dossier réglable, accoudoirs 3D, assise en mousse haute densité.',
  },
  {
    designation: 'Figurine Star Wars Dark Vador 30 cm',
    description: 'Jouet de collection articulé avec sabre laser lumineux.',
  },
  {
    designation: 'Cartouche d’encre noire compatible',
    description: 'Pour imprimantes jet d’encre, 600 pages.',
  },
  {
    designation: 'Drone quadricoptère avec caméra HD',
    description: 'Télécommande 2,4 GHz, batterie 20 minutes de vol.',
  },
] as const;

export interface ModelsPageModel {
  registeredModel: string;
  alias: string;
  versions: RegisteredModelVersion[];
  /** Undefined when MLflow could not be read; the page says why. */
  registryProblem: string | undefined;
  history: StoredPromotion[];
  promotions: ModelPromotion[];
  services: PredictionService[];
  /** The selected version's learned terms; undefined when no version is registered. */
  learnedTerms: VersionLearnedTerms | undefined;
  /** Whether the console holds a FEEDBACK_TOKEN, so the simulator can send corrections. */
  feedbackEnabled: boolean;
  /** The answer to the last correction sent. */
  feedback?: { ok: boolean; message: string };
  prediction?: {
    service: string;
    designation: string;
    description: string;
    result?: PredictionResult;
    error?: string;
  };
}

function versionsTable(model: ModelsPageModel): Html {
  if (model.registryProblem) return html`<p class="problem">${model.registryProblem}</p>`;
  if (model.versions.length === 0)
    return html`<p>No version of <code>${model.registeredModel}</code> is registered yet.</p>`;
  return html`<table><caption>Versions of <code>${model.registeredModel}</code> in the MLflow registry, newest first</caption>
<thead><tr><th scope="col" class="num">Version</th><th scope="col">Aliases</th><th scope="col">Status</th><th scope="col">Decision</th>
<th scope="col" class="num">F1 (challenger)</th><th scope="col">Registered</th></tr></thead>
<tbody>${model.versions.map(
    (
      version,
    ) => html`<tr><th scope="row" class="num"><a href="/models?version=${version.version}#learned-terms">v${version.version}</a></th>
<td>${version.aliases.length ? version.aliases.map((alias) => html`<span class="alias">@${alias}</span> `) : '—'}</td>
<td>${version.status}</td>
<td>${version.tags[promotionTags.decision] ?? '—'}</td>
<td class="num">${version.tags[promotionTags.challengerF1] ? Number(version.tags[promotionTags.challengerF1]).toFixed(3) : '—'}</td>
<td>${formatTime(version.createdAt.toISOString())}</td></tr>`,
  )}</tbody></table>`;
}

function promoteForms(context: PageContext, model: ModelsPageModel): Html {
  const current = model.versions.find((version) => version.aliases.includes(model.alias));
  const earlier = model.history
    .filter((record) => record.decision !== 'rejected' && String(record.version) !== current?.version)
    .at(-1);
  const choices = model.versions.filter((version) => version.version !== current?.version);
  return html`<div class="actions">
${actionForm(
  context,
  '/actions/model-promotion',
  html`<fieldset><legend>Promote a version to @${model.alias}</legend><div class="fields">
<label>Version <select name="version" required>${choices.map(
    (version) => html`<option value="${version.version}">v${version.version}</option>`,
  )}</select></label>
<label class="wide">Reason <input name="reason" maxlength="200" value="promoted from the console"></label>
</div></fieldset>`,
  'Promote',
)}
${
  earlier
    ? actionForm(
        context,
        '/actions/model-promotion',
        html`<input type="hidden" name="version" value="${earlier.version}"><input type="hidden" name="reason" value="rolled back from the console">
<p>@${model.alias} is at ${current ? `v${current.version}` : 'no version'}; the version before it was <strong>v${earlier.version}</strong>.</p>`,
        `Roll back to v${earlier.version}`,
        'rollback',
      )
    : html`<p>No earlier version of @${model.alias} to roll back to.</p>`
}
</div>`;
}

function historyTable(model: ModelsPageModel): Html {
  if (model.history.length === 0) return html`<p>No decision about @${model.alias} is recorded yet.</p>`;
  return html`<table><caption>Decisions about @${model.alias} (table <code>promotions</code>), newest first</caption>
<thead><tr><th scope="col">Decided</th><th scope="col" class="num">Version</th><th scope="col">Decision</th><th scope="col">Reason</th>
<th scope="col" class="num">F1</th><th scope="col" class="num">Champion</th><th scope="col">Requested by</th></tr></thead>
<tbody>${[...model.history].reverse().map(
    (record) => html`<tr><td>${formatTime(record.decided_at)}</td><td class="num">v${record.version}</td>
<td>${record.decision}</td><td>${record.reason}</td>
<td class="num">${record.challenger_f1?.toFixed(3) ?? '—'}</td>
<td class="num">${record.champion_version === null ? '—' : `v${record.champion_version} (${record.champion_f1?.toFixed(3) ?? '—'})`}</td>
<td>${record.requested_by}</td></tr>`,
  )}</tbody></table>`;
}

function simulator(context: PageContext, model: ModelsPageModel): Html {
  const prediction = model.prediction;
  if (model.services.length === 0)
    return html`<p>No PredictionService in this namespace: the simulator needs one to call.</p>`;
  const form = actionForm(
    context,
    '/models/predict',
    html`<fieldset><legend>Product</legend><div class="fields">
<label>PredictionService <select name="service">${model.services.map(
      (service) =>
        html`<option value="${service.metadata.name}"${prediction?.service === service.metadata.name ? html` selected` : ''}>${service.metadata.name}</option>`,
    )}</select></label>
<label>Example <select name="example" id="example-product"><option value="">(type your own)</option>${exampleProducts.map(
      (example, index) =>
        html`<option value="${index}"${prediction?.designation === example.designation ? html` selected` : ''} data-designation="${example.designation}" data-description="${example.description}">${example.designation}</option>`,
    )}</select></label>
<label class="wide">Designation <input name="designation" id="designation" required maxlength="1000" value="${prediction?.designation ?? exampleProducts[1].designation}"></label>
<label class="wide">Description <textarea name="description" id="description" rows="3" maxlength="20000">${prediction?.description ?? exampleProducts[1].description}</textarea></label>
</div></fieldset>`,
    'Predict',
    'simulator',
  );
  let result: Html = html``;
  if (prediction?.error) result = html`<p class="problem" role="alert">${prediction.error}</p>`;
  else if (prediction?.result) {
    const top = prediction.result;
    result = html`<div class="prediction" id="prediction-result"><p>Predicted <strong>${top.category}</strong> (${top.prdtypecode})
with ${(top.confidence * 100).toFixed(1)}% confidence by ${top.model.name} v${top.model.version}.</p>
${horizontalBarChart({
  title: 'Top 5 classes',
  axisLabel: 'probability (%)',
  bars: top.top_k.map((entry, index) => ({
    label: `${entry.category} (${entry.prdtypecode})`,
    value: entry.probability * 100,
    colour: index === 0 ? palette.orange : palette.blue,
  })),
  max: 100,
  format: (value) => `${value.toFixed(1)}%`,
})}
${top.explanation?.[0] ? contributionsView(prediction, top.explanation[0]) : ''}
${correctionForm(context, model, prediction.service, top)}</div>`;
  }
  const feedback = model.feedback
    ? html`<p class="${model.feedback.ok ? 'notice' : 'problem'}" id="feedback-result" role="${model.feedback.ok ? 'status' : 'alert'}">${model.feedback.message}</p>`
    : '';
  return html`${feedback}${form}${result}`;
}

const classesByCode = [...productClasses].sort((a, b) => a.code - b.code);

/** "This is wrong, the right code is …": a label for the prediction, sent to the service's /feedback. */
function correctionForm(
  context: PageContext,
  model: ModelsPageModel,
  service: string,
  result: PredictionResult,
): Html {
  if (!result.prediction_id)
    return html`<p>This prediction has no <code>prediction_id</code> (its server logs nothing), so it cannot be corrected.</p>`;
  if (!model.feedbackEnabled)
    return html`<p>Corrections are off: set the console's <code>FEEDBACK_TOKEN</code> to the model servers' to send them.</p>`;
  return actionForm(
    context,
    '/models/feedback',
    html`<input type="hidden" name="service" value="${service}"><input type="hidden" name="prediction_id" value="${result.prediction_id}">
<fieldset><legend>Wrong category?</legend><div class="fields">
<label class="wide">This is wrong, the right code is <select name="prdtypecode" id="right-code" required><option value="">choose the right code…</option>${classesByCode.map(
      (productClass) =>
        html`<option value="${productClass.code}"${productClass.code === result.prdtypecode ? html` disabled` : ''}>${productClass.code} ${productClass.name}</option>`,
    )}</select></label>
</div></fieldset>`,
    'Send the right code',
    'correction',
  );
}

export function modelsPage(context: PageContext, model: ModelsPageModel): Html {
  return layout(
    context,
    '/models',
    'Models',
    html`<section aria-labelledby="registry"><h2 id="registry">Registry</h2>${versionsTable(model)}</section>
${awaitingApproval(context, model.promotions)}
<section aria-labelledby="promote"><h2 id="promote">Promote or roll back</h2>
<p>Each action applies a ModelPromotion; the operator moves the alias, or refuses a rejected version and says why.</p>
${promoteForms(context, model)}
<table><caption>ModelPromotion resources, newest first; status updates live</caption>
<thead><tr><th scope="col">Name</th><th scope="col" class="num">Version</th><th scope="col">Alias</th><th scope="col">Phase</th>
<th scope="col" class="num">Previous</th><th scope="col">Reason</th><th scope="col">Promoted</th></tr></thead>
<tbody data-kind="ModelPromotion">${model.promotions.map(modelPromotionRow)}</tbody></table></section>
${impactPreviews(model.promotions)}
<section aria-labelledby="history"><h2 id="history">Promotion history</h2>${historyTable(model)}</section>
<section aria-labelledby="simulator"><h2 id="simulator">Prediction simulator</h2>${simulator(context, model)}</section>
<section aria-labelledby="learned-terms"><h2 id="learned-terms">Learned terms</h2>${learnedTermsView(model.versions, model.learnedTerms)}</section>`,
  );
}
