import { type DataLoad, listLoads } from '@prodclass/catalog/data-loads';
import { withDatabase } from '@prodclass/catalog/database';
import { type LoadTarget, loadCatalog } from '@prodclass/catalog/load';
import { writeOfficialFiles } from '@prodclass/catalog/official-writer';
import { progressToStderr } from '@prodclass/catalog/progress';
import { exportSnapshot } from '@prodclass/catalog/snapshot';
import {
  type CatalogSource,
  downloadedOfficialSource,
  officialSource,
  syntheticSource,
} from '@prodclass/catalog/source';
import { type CatalogStatus, catalogStatus } from '@prodclass/catalog/status';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { loadResultOf } from '@prodclass/registry/contract/job-result';
import {
  type LoadOptions,
  loadDefaults,
  loadFlags,
  syntheticSourceName,
} from '@prodclass/registry/contract/load-command';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { createBalancedTrainingSet } from '../balance/balance-run.js';
import { databaseUrlFromEnv, requiredUrlFromEnv } from '../env.js';
import { writeJobResult } from '../job-result-file.js';

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

const write = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

function statusText(status: CatalogStatus): string {
  const next = status.next_increment;
  const lines = [
    `Loaded: ${status.current_percentage}% of the source, ${status.total_rows} products`,
    `Last load: ${status.last_load_date ?? 'never'}`,
    `Next increment: ${next ? `${next.name} up to ${next.cumulative_percentage}%${next.rows_added === null ? '' : ` (+${next.rows_added} rows)`}` : 'none (100% loaded)'}`,
  ];
  if (status.running_loads.length > 0) lines.push(`Running: ${status.running_loads.join(', ')}`);
  lines.push('Classes:');
  for (const entry of status.class_distribution)
    lines.push(
      `  ${String(entry.prdtypecode).padStart(4)}  ${String(entry.products).padStart(6)}  ${entry.name}`,
    );
  return `${lines.join('\n')}\n`;
}

function historyText(loads: DataLoad[]): string {
  if (loads.length === 0) return 'No loads yet.\n';
  const header = ['name', 'status', 'to %', 'added', 'rows', 'started', 'completed'];
  const rows = loads.map((load) => [
    load.name,
    load.status,
    String(load.cumulative_percentage),
    String(load.rows_added ?? ''),
    String(load.cumulative_rows ?? ''),
    load.started_at,
    load.completed_at ?? (load.error ? `(${load.error})` : ''),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return `${[header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('the versioned product catalog');

  data
    .command('generate')
    .description('write a synthetic catalog in the official file format')
    .requiredOption('--rows <n>', 'number of products', positiveInteger)
    .option('--seed <n>', 'generator seed', seedNumber, 42)
    .requiredOption('--out <dir>', 'directory for X_train_update.csv and Y_train_CVw08PX.csv')
    .action(async (options: { rows: number; seed: number; out: string }) => {
      const written = await writeOfficialFiles(
        generateSyntheticCatalog({ rows: options.rows, seed: options.seed }),
        options.out,
        (rows) => progressToStderr('generate', { rows_written: rows, rows_total: options.rows }),
      );
      write(written);
    });

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
    .action(async (options: LoadOptions) => {
      let target: LoadTarget;
      if (options.toPercent !== undefined) target = { toPercent: options.toPercent };
      else if (options.increment !== undefined) target = { increment: options.increment };
      else throw new Error(`say how much to load: ${flag.toPercent} P or ${flag.increment} P`);
      if (options.name !== undefined && options.name.trim() === '')
        throw new Error(`${flag.name} must not be empty`);
      const url = databaseUrlFromEnv();
      progressToStderr('source-reading', { source: options.source });
      const source: CatalogSource =
        options.source === syntheticSourceName
          ? syntheticSource(options.syntheticRows, options.syntheticSeed)
          : /^https?:\/\//.test(options.source)
            ? await downloadedOfficialSource(options.source)
            : await officialSource(options.source);
      progressToStderr('source-read', { rows: source.rows.length, fingerprint: source.fingerprint });
      const outcome = await withDatabase(url, (client) =>
        loadCatalog(client, { source, target, name: options.name, seed: options.seed }, progressToStderr),
      );
      const message =
        outcome.outcome === 'already-completed'
          ? `load "${outcome.load.name}" was already completed: nothing to do`
          : `load "${outcome.load.name}" completed: +${outcome.load.rows_added} rows, ${outcome.load.cumulative_rows} in all`;
      writeJobResult(loadResultOf(outcome.load));
      write({ outcome: outcome.outcome, message, load: outcome.load });
    });

  data
    .command('status')
    .description('how much of the source is loaded, and the class distribution')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await withDatabase(databaseUrlFromEnv(), catalogStatus);
      if (options.json) write(status);
      else process.stdout.write(statusText(status));
    });

  data
    .command('history')
    .description('every load, oldest first')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const loads = await withDatabase(databaseUrlFromEnv(), listLoads);
      if (options.json) write(loads);
      else process.stdout.write(historyText(loads));
    });

  data
    .command('export')
    .description('write the catalog as of a load to CSV, with its dataset fingerprint')
    .requiredOption('--as-of <load>', 'name of a completed load')
    .requiredOption('--out <file>', 'CSV file to write')
    .action(async (options: { asOf: string; out: string }) => {
      write(
        await withDatabase(databaseUrlFromEnv(), (client) =>
          exportSnapshot(client, options.asOf, options.out),
        ),
      );
    });

  data
    .command('balance')
    .description(
      'write a balanced training set (split first, oversample the training part) and log it to MLflow',
    )
    .requiredOption('--as-of <load>', 'name of a completed load')
    .requiredOption('--out <file>', 'Parquet file to write')
    .option('--test-size <fraction>', 'share of each class held out for testing', fraction, 0.2)
    .option('--seed <n>', 'seed of the split and of the oversampling', seedNumber, 42)
    .action(async (options: { asOf: string; out: string; testSize: number; seed: number }) => {
      const databaseUrl = databaseUrlFromEnv();
      const mlflow = new MlflowClient(
        requiredUrlFromEnv('MLFLOW_TRACKING_URI', ['http:', 'https:'], 'logging the balanced set'),
      );
      const result = await withDatabase(databaseUrl, (client) =>
        createBalancedTrainingSet(
          client,
          mlflow,
          { loadName: options.asOf, file: options.out, testSize: options.testSize, seed: options.seed },
          progressToStderr,
        ),
      );
      write(result);
    });
}
