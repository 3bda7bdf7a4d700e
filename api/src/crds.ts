import yaml from 'js-yaml';
import { customResourceDefinition, group, type KindDefinition } from './crd.js';
import { dataIncrement } from './kinds/data-increment.js';
import { driftAcknowledgement } from './kinds/drift-acknowledgement.js';
import { driftMonitor } from './kinds/drift-monitor.js';
import { modelPromotion } from './kinds/model-promotion.js';
import { predictionService } from './kinds/prediction-service.js';
import { retrainSchedule } from './kinds/retrain-schedule.js';
import { trainingRun } from './kinds/training-run.js';

export const kinds: KindDefinition[] = [
  dataIncrement,
  driftAcknowledgement,
  driftMonitor,
  modelPromotion,
  predictionService,
  retrainSchedule,
  trainingRun,
];

/** Where the CRDs are committed: the source for kubectl, and the copies Helm and kustomize load. */
export const crdDirectories = ['crds', 'charts/prodclass/crds', 'manifests/base/crds'];

export const generateCommand = 'npm run generate:crds';

/** Each CRD's file name and YAML text, as `npm run generate:crds` writes them. */
export function crdFiles(): { name: string; text: string }[] {
  return kinds.map((definition) => ({
    name: `${group}_${definition.plural}.yaml`,
    text: `# Generated from api/src/kinds/ by \`${generateCommand}\`; edit the schema there, not this file.\n${yaml.dump(
      customResourceDefinition(definition),
      { lineWidth: 110, noRefs: true, quotingType: '"' },
    )}`,
  }));
}
