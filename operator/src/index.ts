export { type OperatorSettings, settingsFromEnv } from './config.js';
export { type Promote, VersionRejected } from './external/promotion.js';
export { type RunningOperator, startOperator } from './operator.js';
