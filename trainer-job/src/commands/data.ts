import {
  type LoadOptions,
  loadDefaults,
  loadFlags,
  syntheticSourceName,
} from '@prodclass/registry/contract/load-command';
import { trainDefaults } from '@prodclass/registry/contract/train-command';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { BalanceFlags, GenerateFlags } from '../actions/data.js';

const actions = () => import('../actions/data.js');

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError('must be a positive integer');
  return number;
}

function seedNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number))
    throw new InvalidArgumentError('must be an integer ≥ 0');
  return number;
}

function percentage(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d{1,2})?$/.test(value) || number <= 0)
    throw new InvalidArgumentError('must be a positive number with at most two decimals');
  return number;
}

function fraction(value: string): number {
  const number = Number(value);
  if (!/^0?\.\d+$/.test(value) || number <= 0 || number >= 1)
    throw new InvalidArgumentError('must be a number between 0 and 1');
  return number;
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('the versioned product catalog');

  data
    .command('generate')
    .description('write a synthetic catalog in the official file format')
    .requiredOption('--rows <n>', 'number of products', positiveInteger)
    .option('--seed <n>', 'generator seed', seedNumber, loadDefaults.syntheticSeed)
    .requiredOption('--out <dir>', 'directory for X_train_update.csv and Y_train_CVw08PX.csv')
    .action(async (flags: GenerateFlags) => (await actions()).generate(flags));

  const flag = loadFlags;
  data
    .command('load')
    .description('load the next slice of the source into the catalog')
    .requiredOption(
      `${flag.source} <dir|url|${syntheticSourceName}>`,
      `a directory or an http(s) URL holding the official files, or "${syntheticSourceName}"`,
    )
    .addOption(
      new Option(`${flag.toPercent} <p>`, 'load up to this share of the source').argParser(percentage),
    )
    .addOption(
      new Option(`${flag.increment} <p>`, 'load this many more percentage points')
        .argParser(percentage)
        .conflicts('toPercent' satisfies keyof LoadOptions),
    )
    .option(`${flag.name} <name>`, 'load name (default: initial_<p>pct, then week_<n>)')
    .option(
      `${flag.seed} <n>`,
      'seed of the fixed permutation the slices come from',
      seedNumber,
      loadDefaults.seed,
    )
    .option(
      `${flag.syntheticRows} <n>`,
      'rows of the synthetic source',
      positiveInteger,
      loadDefaults.syntheticRows,
    )
    .option(
      `${flag.syntheticSeed} <n>`,
      'seed of the synthetic source',
      seedNumber,
      loadDefaults.syntheticSeed,
    )
    .action(async (options: LoadOptions) => (await actions()).load(options));

  data
    .command('status')
    .description('how much of the source is loaded, and the class distribution')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => (await actions()).status(flags));

  data
    .command('history')
    .description('every load, oldest first')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => (await actions()).history(flags));

  data
    .command('export')
    .description('write the catalog as of a load to CSV, with its dataset fingerprint')
    .requiredOption('--as-of <load>', 'name of a completed load')
    .requiredOption('--out <file>', 'CSV file to write')
    .action(async (flags: { asOf: string; out: string }) => (await actions()).exportCatalog(flags));

  data
    .command('balance')
    .description(
      'write a balanced training set (split first, oversample the training part) and log it to MLflow',
    )
    .requiredOption('--as-of <load>', 'name of a completed load')
    .requiredOption('--out <file>', 'Parquet file to write')
    .option(
      '--test-size <fraction>',
      'share of each class held out for testing',
      fraction,
      trainDefaults.testSize,
    )
    .option('--seed <n>', 'seed of the split and of the oversampling', seedNumber, trainDefaults.seed)
    .action(async (flags: BalanceFlags) => (await actions()).balance(flags));
}
