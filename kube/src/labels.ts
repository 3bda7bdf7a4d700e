/** The labels on every Job, Deployment and Service the operator makes; the local runner selects by them. */
export const labels = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  instance: 'app.kubernetes.io/instance',
  track: 'mlops.prodclass.dev/track',
} as const;

export const managedBy = 'prodclass-operator';
/** Selects every Job, Deployment and Service this operator made. */
export const managedSelector = `${labels.managedBy}=${managedBy}`;

/** The labels the Job controller puts on a Job's Pods (the local runner too). */
export const jobPodLabels = {
  jobName: 'batch.kubernetes.io/job-name',
  controllerUid: 'batch.kubernetes.io/controller-uid',
  legacyJobName: 'job-name',
  legacyControllerUid: 'controller-uid',
} as const;
