export { type OperatorSettings, settingsFromEnv } from './config.js';
export { type Promote, VersionRejected } from './external/promotion.js';
export { jsonLogger, type Logger } from './log.js';
export { type RunningOperator, startOperator } from './operator.js';
