import type { ModelPromotion } from '@prodclass/api/resources';
import { type Html, html } from '../html.js';
import { actionForm, type PageContext } from './layout.js';

type Offline = NonNullable<NonNullable<ModelPromotion['status']>['evidence']>['offline'];

const score = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));

function evidenceSummary(promotion: ModelPromotion, offline: Offline): Html {
  if (!offline) return html`<p>No offline comparison is recorded for v${promotion.spec.version}.</p>`;
  return html`<dl class="evidence">
<dt>Training's decision</dt><dd>${offline.decision ?? '—'}${offline.reason ? `: ${offline.reason}` : ''}</dd>
<dt>Candidate F1 (own test set)</dt><dd>${score(offline.candidateF1)}</dd>
<dt>On ${offline.comparisonRows ?? '—'} comparison rows</dt><dd>v${promotion.spec.version} ${score(offline.candidateComparisonF1)} against champion ${offline.championVersion ? `v${offline.championVersion}` : '—'} ${score(offline.championF1)}</dd>
<dt>McNemar mid-p</dt><dd>${offline.mcnemarMidP === undefined ? '—' : offline.mcnemarMidP.toPrecision(2)}</dd>
</dl>`;
}

function decisionForm(context: PageContext, name: string, decision: 'approve' | 'reject'): Html {
  return actionForm(
    context,
    '/actions/promotion-decision',
    html`<input type="hidden" name="promotion" value="${name}"><input type="hidden" name="decision" value="${decision}">`,
    decision === 'approve' ? `Approve ${name}` : `Reject ${name}`,
    decision === 'approve' ? '' : 'rollback',
  );
}

/**
 * Promotions in phase AwaitingApproval, each with its evidence and Approve / Reject buttons; the
 * API server decides (RBAC verb `approve` and the approval admission policy), as the signed-in user.
 */
export function awaitingApproval(context: PageContext, promotions: ModelPromotion[]): Html {
  const waiting = promotions.filter((promotion) => promotion.status?.phase === 'AwaitingApproval');
  if (waiting.length === 0) return html``;
  return html`<section aria-labelledby="approvals"><h2 id="approvals">Waiting for approval</h2>
<p>Approving or rejecting records your user name on the promotion; the API server allows it only if RBAC grants you the verb <code>approve</code> on modelpromotions. The page shows promotions waiting when it was loaded.</p>
${waiting.map(
  (promotion) => html`<article aria-labelledby="approval-${promotion.metadata.name}">
<h3 id="approval-${promotion.metadata.name}">${promotion.metadata.name}: v${promotion.spec.version} to @${promotion.spec.alias}</h3>
${evidenceSummary(promotion, promotion.status?.evidence?.offline)}
<div class="actions">${decisionForm(context, promotion.metadata.name, 'approve')}${decisionForm(context, promotion.metadata.name, 'reject')}</div>
</article>`,
)}</section>`;
}
