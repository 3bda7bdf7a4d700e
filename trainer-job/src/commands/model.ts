import { impactDefaults, impactFlags } from '@prodclass/registry/contract/impact-command';
import { type Command, InvalidArgumentError } from 'commander';
import type { ImpactFlags } from '../actions/impact.js';
import type { FitFlags } from '../actions/model.js';
import { addHyperparameterOptions, integerAtLeast } from '../options.js';

const actions = () => import('../actions/model.js');
const impactActions = () => import('../actions/impact.js');

/** The most terms `--explain` lists each way, as the model server's `explain`. */
const maxExplainTerms = 20;

function explainTerms(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > maxExplainTerms) {
    throw new InvalidArgumentError(`must be an integer from 0 to ${maxExplainTerms}`);
  }
  return number;
}

export function registerModelCommands(program: Command): void {
  const model = program
    .command('model')
    .description('fit, evaluate and apply the text model (TF-IDF + logistic regression)');

  addHyperparameterOptions(
    model
      .command('fit')
      .description(
        'fit the text model on a labelled CSV (productid,designation,description,prdtypecode) and write a model bundle',
      )
      .requiredOption('--data <csv>', 'labelled training products')
      .requiredOption('--out <bundle>', 'where to write the model bundle'),
  ).action(async (flags: FitFlags) => (await actions()).fit(flags));

  model
    .command('eval')
    .description('score a model bundle on a labelled CSV')
    .requiredOption('--model <bundle>', 'model bundle')
    .requiredOption('--data <csv>', 'labelled products')
    .option('--json', 'print the metrics as JSON instead of a text report', false)
    .action(async (flags: { model: string; data: string; json: boolean }) =>
      (await actions()).evaluate(flags),
    );

  model
    .command('predict')
    .description('classify JSON lines {designation, description?} from stdin; one JSON line out per product')
    .requiredOption('--model <bundle>', 'model bundle')
    .option('--top-k <k>', 'how many classes to list per product', integerAtLeast(1), 5)
    .option(
      '--explain <k>',
      `take the predicted class and the runner-up apart: the k terms (0 to ${maxExplainTerms}) that raised and lowered each most`,
      explainTerms,
      0,
    )
    .action(async (flags: { model: string; topK: number; explain: number }) =>
      (await actions()).predict(flags),
    );

  model
    .command('impact')
    .description(
      'score a catalog snapshot with the champion (the version an alias points at) and a candidate version: share of products whose class would change and the largest flips, as JSON',
    )
    .option(
      `${impactFlags.registeredModel} <name>`,
      'MLflow registered model',
      impactDefaults.registeredModel,
    )
    .requiredOption(`${impactFlags.candidate} <n>`, 'the candidate version', integerAtLeast(1))
    .option(
      `${impactFlags.championAlias} <alias>`,
      'alias of the champion version',
      impactDefaults.championAlias,
    )
    .option(
      `${impactFlags.dataVersion} <name>`,
      `completed load whose catalog is scored (${impactDefaults.dataVersion}: the newest)`,
      impactDefaults.dataVersion,
    )
    .action(async (flags: ImpactFlags) => (await impactActions()).impact(flags));
}
