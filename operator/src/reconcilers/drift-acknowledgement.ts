import { isNotFound } from '@prodclass/kube/api';
import { type ConditionUpdate, timestamp } from '@prodclass/kube/conditions';
import type { EventKind } from '@prodclass/kube/events';
import { keyOf, type OwnerReference } from '@prodclass/kube/objects';
import { describeController } from '../manager/controller-description.js';
import { driftAcknowledgements, driftMonitors } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import {
  type DriftAcknowledgement,
  type DriftAcknowledgementStatus,
  driftAcknowledgementType,
  validDriftAcknowledgementSpec,
} from '../resources/drift-acknowledgement.js';
import { type DriftMonitor, driftMonitorType } from '../resources/types.js';
import { validSpec } from './valid-spec.js';

/** The monitor from the cache, or from the API server when the cache has not seen it yet. */
async function findMonitor(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
): Promise<DriftMonitor | undefined> {
  const cached = ctx.caches.of(driftMonitors).get(namespace, name);
  if (cached) return cached;
  return ctx.api
    .request<DriftMonitor>('GET', driftMonitorType.path(namespace, name))
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
}

/**
 * Makes the monitor an owner of the acknowledgement (not its controller: the monitor does not
 * manage it), so it is garbage-collected with the monitor. Returns the object as stored.
 */
async function ownedBy(
  ctx: ReconcileContext,
  acknowledgement: DriftAcknowledgement,
  monitor: DriftMonitor,
): Promise<DriftAcknowledgement> {
  const owners = acknowledgement.metadata.ownerReferences ?? [];
  const uid = monitor.metadata.uid;
  if (!uid || owners.some((owner) => owner.uid === uid)) return acknowledgement;
  const owner: OwnerReference = {
    apiVersion: driftMonitorType.apiVersion,
    kind: driftMonitorType.kind,
    name: monitor.metadata.name,
    uid,
  };
  const { namespace = '', name, resourceVersion } = acknowledgement.metadata;
  return ctx.api.mergePatch<DriftAcknowledgement>(driftAcknowledgementType, namespace, name, {
    metadata: { resourceVersion, ownerReferences: [...owners, owner] },
  });
}

type AcknowledgementWriter = StatusWriter<DriftAcknowledgementStatus, DriftAcknowledgement>;

/** Recorded and Ready say the same: whether the acknowledgement is in the table. */
function record(
  writer: AcknowledgementWriter,
  update: DriftAcknowledgementStatus,
  condition: Omit<ConditionUpdate, 'type'>,
  event: EventKind,
): Promise<boolean> {
  return writer
    .set(update)
    .condition({ type: 'Recorded', ...condition }, { type: 'Ready', ...condition })
    .announce({ type: event, reason: condition.reason, message: condition.message })
    .write();
}

/**
 * DriftAcknowledgement: records, once, who acknowledged a DriftMonitor's report, with which action
 * and why, in drift_acknowledgements. The row carries the resource's uid, so a reconcile repeated
 * after a crash (the row written, the status not) finds it instead of writing a second one. A
 * monitor or report that does not exist fails the acknowledgement for good (the spec is immutable).
 */
export const driftAcknowledgementController = describeController({
  for: driftAcknowledgements,
  async reconcile(ctx, writer: AcknowledgementWriter, log) {
    const found = writer.object;
    const status = writer.status;
    if (status.phase !== undefined && status.observedGeneration === found.metadata.generation)
      return undefined;
    const fail = (reason: string, message: string) =>
      record(writer, { phase: 'Failed' }, { status: 'False', reason, message }, 'Warning').then(
        () => undefined,
      );

    const spec = await validSpec(found.spec, validDriftAcknowledgementSpec, (message) =>
      fail('InvalidSpec', message),
    );
    if (!spec) return undefined;
    const { namespace = '', name } = found.metadata;
    const monitor = await findMonitor(ctx, namespace, spec.driftMonitor);
    if (!monitor) return fail('MonitorNotFound', `DriftMonitor ${spec.driftMonitor} not found`);
    const current = await ownedBy(ctx, found, monitor);
    writer.rebase(current);

    const report = await ctx.driftChecks.report(spec.report);
    if (report?.monitor !== keyOf(monitor))
      return fail('ReportNotFound', `DriftMonitor ${spec.driftMonitor} has no report ${spec.report}`);

    const requestUid = current.metadata.uid;
    if (!requestUid) throw new Error(`DriftAcknowledgement ${keyOf(current)} has no uid`);
    const recorded = await ctx.driftChecks.acknowledge({
      reportId: spec.report,
      action: spec.action,
      by: spec.by,
      reason: spec.reason,
      requestUid,
    });
    const message = `${spec.action} by ${spec.by} recorded as acknowledgement ${recorded.id} of report ${spec.report}`;
    const changed = await record(
      writer,
      {
        phase: 'Recorded',
        acknowledgementId: recorded.id,
        acknowledgedAt: timestamp(recorded.acknowledgedAt),
      },
      { status: 'True', reason: 'Recorded', message },
      'Normal',
    );
    if (changed)
      ctx.events.record(monitor, 'Normal', 'Acknowledged', `${message} (DriftAcknowledgement ${name})`);
    log.info('drift report acknowledged', { report: spec.report, action: spec.action, id: recorded.id });
    return undefined;
  },
});
