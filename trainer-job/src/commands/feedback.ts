import type { Command } from 'commander';
import { requester } from '../requester.js';

const actions = () => import('../actions/feedback.js');

export function registerFeedbackCommands(program: Command): void {
  const feedback = program
    .command('feedback')
    .description('labels of served predictions: their true product-type codes (docs/quality.md)');
  feedback
    .command('load')
    .description('write the labels of a CSV file, all or nothing; a bad line is reported as FILE:LINE')
    .argument(
      '<file>',
      'CSV with prdtypecode, prediction_id or productid, and optionally labeled_at, labeled_by',
    )
    .option('--by <name>', 'who labeled, for lines without labeled_by', requester())
    .action(async (file: string, flags: { by: string }) => (await actions()).loadLabels(file, flags.by));
}
