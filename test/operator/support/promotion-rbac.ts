import { kubectl } from './cluster.js';

/** Lets `user` read and patch the namespace's ModelPromotions, without the verb approve. */
export async function grantPromotionEditor(namespace: string, user: string): Promise<void> {
  await kubectl(
    'create',
    'role',
    'promotion-editor',
    '-n',
    namespace,
    '--verb=get,list,watch,patch',
    '--resource=modelpromotions.mlops.prodclass.dev',
  );
  await kubectl(
    'create',
    'rolebinding',
    'promotion-editors',
    '-n',
    namespace,
    '--role=promotion-editor',
    `--user=${user}`,
  );
}

export type RbacSubject = { user: string } | { group: string } | { serviceAccount: string };

/**
 * Binds the chart's ClusterRole `prodclass-promotion-approver` (the verb approve on ModelPromotions,
 * manifests/approval) to a user, a group or a service account (`namespace:name`) in the namespace.
 */
export async function grantPromotionApprover(
  namespace: string,
  subject: RbacSubject,
  bindingName = 'promotion-approvers',
): Promise<void> {
  const [kind, name] = Object.entries(subject)[0] as [string, string];
  const flag = kind === 'serviceAccount' ? '--serviceaccount' : `--${kind}`;
  await kubectl(
    'create',
    'rolebinding',
    bindingName,
    '-n',
    namespace,
    '--clusterrole=prodclass-promotion-approver',
    `${flag}=${name}`,
  );
}
