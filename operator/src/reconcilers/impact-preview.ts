import { conditionOf, timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { controllerReference } from '@prodclass/kube/objects';
import { impactCommandArgs, impactDefaults } from '@prodclass/registry/contract/impact-command';
import type { ImpactResult } from '@prodclass/registry/contract/job-result';
import { cliJob, jobState } from '../children/jobs.js';
import { childName } from '../children/names.js';
import type { ReconcileResult } from '../controller.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import type { ModelPromotion, ModelPromotionSpec, ModelPromotionStatus } from '../resources/types.js';
import { createJob, findJob, readJobResult } from './job-lookup.js';

type PromotionWriter = StatusWriter<ModelPromotionStatus, ModelPromotion>;

export const impactPreviewed = 'ImpactPreviewed';
const previewing = 'Previewing';
const noChampion = 'NoChampion';

/** Whether the preview has been recorded (or found needless): the alias may move. */
export function impactPreviewDone(status: ModelPromotionStatus): boolean {
  const condition = conditionOf(status.conditions, impactPreviewed);
  return condition?.status === 'True' || condition?.reason === noChampion;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The condition message: the share changed and the largest flip. */
export function impactSummary(result: ImpactResult): string {
  const largest = result.flips[0];
  return `${percent(result.changedShare)} of ${result.products} products of ${result.dataVersion} would change class (v${result.championVersion} → v${result.candidateVersion})${largest ? `; largest flip ${largest.from} → ${largest.to} (${largest.count})` : ''}`;
}

/** The `prodclass model impact` arguments of a promotion: its version against its alias, on the latest load. */
export function impactArgs(spec: ModelPromotionSpec): string[] {
  return impactCommandArgs({
    registeredModel: spec.registeredModel,
    candidate: spec.version,
    championAlias: spec.alias,
    dataVersion: impactDefaults.dataVersion,
  });
}

function waiting(writer: PromotionWriter, jobName: string, message: string): Promise<{ result: undefined }> {
  return writer
    .set({ phase: 'Pending', impactPreview: { jobName } })
    .condition(
      { type: impactPreviewed, status: 'Unknown', reason: previewing, message },
      { type: 'Ready', status: 'False', reason: previewing, message },
    )
    .write()
    .then(() => ({ result: undefined }));
}

function failed(writer: PromotionWriter, reason: string, message: string): Promise<{ result: undefined }> {
  return writer
    .set({ phase: 'Failed' })
    .condition(
      { type: impactPreviewed, status: 'False', reason, message },
      { type: 'Promoted', status: 'False', reason: 'ImpactPreviewFailed', message },
      { type: 'Ready', status: 'False', reason: 'ImpactPreviewFailed', message },
    )
    .announce({ type: 'Warning', reason: 'ImpactPreviewFailed', message })
    .write()
    .then(() => ({ result: undefined }));
}

/**
 * spec.impactPreview, before the alias moves: one Job (`<name>-impact`, found by its deterministic
 * name before any is created, so a restarted operator adopts it) runs `prodclass model impact`, and
 * its result goes to status.impactPreview with an ImpactPreviewed condition. Undefined once the
 * preview is recorded, or needless (the alias points at no version or at the candidate already);
 * otherwise the result of the reconcile (waiting for the Job, or failed for good when it failed).
 */
export async function previewImpact(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  aliasNow: string | undefined,
  log: Logger,
): Promise<{ result: ReconcileResult | undefined } | undefined> {
  if (impactPreviewDone(writer.status)) return undefined;
  if (aliasNow === undefined || aliasNow === String(spec.version)) {
    const message =
      aliasNow === undefined
        ? `${spec.registeredModel}@${spec.alias} points at no version: no champion to compare with`
        : `${spec.registeredModel}@${spec.alias} points at v${aliasNow} already`;
    writer.condition({ type: impactPreviewed, status: 'False', reason: noChampion, message });
    return undefined;
  }
  const promotion = writer.object;
  const { namespace = '', name } = promotion.metadata;
  const jobName = childName(name, 'impact');
  const job = await findJob(ctx, namespace, jobName, writer.status.impactPreview?.jobName !== undefined);
  if (!job) {
    if (writer.status.impactPreview?.jobName)
      return failed(
        writer,
        'JobDeleted',
        `Job ${jobName} was deleted before its impact preview was recorded`,
      );
    const outcome = await createJob(
      ctx,
      cliJob(ctx.settings, {
        name: jobName,
        namespace,
        owner: controllerReference(promotion),
        component: 'impact-preview',
        args: impactArgs(spec),
        backoffLimit: 1,
      }),
    );
    log.info('impact preview job', { job: jobName, outcome });
    return waiting(
      writer,
      jobName,
      `Job ${jobName} scores the catalog with v${aliasNow} and v${spec.version}`,
    );
  }
  const state = jobState(job);
  if (state.state === 'failed') return failed(writer, 'JobFailed', `Job ${jobName}: ${state.message}`);
  if (state.state !== 'complete') return waiting(writer, jobName, `waiting for Job ${jobName}`);
  const lookup = await readJobResult(ctx, job, 'impact');
  if (!lookup.found) return failed(writer, lookup.reason, lookup.message);
  const { kind: _, registeredModel: __, ...figures } = lookup.result;
  const message = impactSummary(lookup.result);
  await writer
    .set({ impactPreview: { jobName, ...figures, completionTime: timestamp() } })
    .condition({ type: impactPreviewed, status: 'True', reason: 'Previewed', message })
    .announce({ type: 'Normal', reason: 'ImpactPreviewed', message })
    .write();
  return undefined;
}
