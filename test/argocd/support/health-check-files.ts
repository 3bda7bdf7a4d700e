/** The kinds that run to completion once share one health check; the others have their own. */
const runToCompletion = new Set(['DataIncrement', 'TrainingRun', 'ModelPromotion', 'DriftAcknowledgement']);

/** The file under manifests/argocd/health that holds `kind`'s Argo CD health check. */
export const healthCheckFile = (kind: string) =>
  runToCompletion.has(kind) ? 'run-to-completion.lua' : `${kind.toLowerCase()}.lua`;
