import { randomUUID } from 'node:crypto';

/** The files of the `model` artifact directory a registered version points at. */
export const modelDirectory = { path: 'model', bundle: 'model.bundle', mlmodel: 'MLmodel' } as const;

const signature = {
  inputs: [
    { type: 'string', name: 'designation', required: true },
    { type: 'string', name: 'description', required: false },
  ],
  outputs: [
    { type: 'long', name: 'prdtypecode', required: true },
    { type: 'double', name: 'confidence', required: true },
  ],
};

/**
 * The MLmodel file that makes MLflow's UI show the directory as a model: a `prodclass` flavour
 * naming the bundle, the run, creation time, a model UUID and the input/output signature.
 */
export function mlmodelYaml(runId: string, bundleFormatVersion: number, createdAt = new Date()): string {
  const utc = createdAt.toISOString().replace('T', ' ').replace('Z', '000');
  return [
    `artifact_path: ${modelDirectory.path}`,
    'flavors:',
    '  prodclass:',
    `    bundle: ${modelDirectory.bundle}`,
    `    bundle_format_version: ${bundleFormatVersion}`,
    '    predict: POST /predict of the prodclass model server',
    `model_uuid: ${randomUUID().replaceAll('-', '')}`,
    `run_id: ${runId}`,
    'signature:',
    `  inputs: '${JSON.stringify(signature.inputs)}'`,
    `  outputs: '${JSON.stringify(signature.outputs)}'`,
    `utc_time_created: '${utc}'`,
    '',
  ].join('\n');
}
