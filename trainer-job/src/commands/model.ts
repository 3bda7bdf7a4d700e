import type { Command } from 'commander';
import type { FitFlags } from '../actions/model.js';
import { addHyperparameterOptions, integerAtLeast } from '../options.js';

const actions = () => import('../actions/model.js');

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
    .action(async (flags: { model: string; topK: number }) => (await actions()).predict(flags));
}
