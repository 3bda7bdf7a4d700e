/** The parts of every Kubernetes object the operator reads, as plain JSON (timestamps are strings). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** A REST resource: where its objects live on the API server. */
export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  /** `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]`; all namespaces without `namespace`. */
  path(namespace?: string, name?: string): string;
}

export function resourceType(apiVersion: string, kind: string, plural: string): ResourceType {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return {
    apiVersion,
    kind,
    plural,
    path: (namespace, name) =>
      `${root}${namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`,
  };
}

export const jobType = resourceType('batch/v1', 'Job', 'jobs');
export const deploymentType = resourceType('apps/v1', 'Deployment', 'deployments');
export const serviceType = resourceType('v1', 'Service', 'services');
export const podType = resourceType('v1', 'Pod', 'pods');
export const eventType = resourceType('v1', 'Event', 'events');
export const leaseType = resourceType('coordination.k8s.io/v1', 'Lease', 'leases');

export function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The owner reference that makes `owner` the controller of a child (garbage-collected with it). */
export function controllerReference(
  owner: KubeObject & { apiVersion: string; kind: string },
): OwnerReference {
  if (!owner.metadata.uid) throw new Error(`${owner.kind} ${owner.metadata.name} has no uid yet`);
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The namespace/name key of the object's controller, if it is of `kind`. */
export function controllerKey(object: KubeObject, kind: string): string | undefined {
  const owner = object.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === kind);
  return owner ? `${object.metadata.namespace ?? ''}/${owner.name}` : undefined;
}
