// The operator's small Kubernetes client, for other workspaces (the console): JSON over one
// keep-alive pool, the kubeconfig / ServiceAccount loader and the list+watch cache.

export { jsonLogger, type Logger, type LogLevel } from '../log.js';
export { isNotFound, KubeApi, KubeApiError, type ObjectList } from './api.js';
export { type Condition, timestamp } from './conditions.js';
export { type Connection, loadConnection } from './connection.js';
export { Informer, type InformerEvent } from './informer.js';
export {
  deploymentType,
  jobType,
  type KubeObject,
  keyOf,
  type ObjectMeta,
  type ResourceType,
  resourceType,
  serviceType,
} from './objects.js';
