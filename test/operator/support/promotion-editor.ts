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
