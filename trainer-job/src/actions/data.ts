import { type DataLoad, listLoads } from '@prodclass/catalog/data-loads';
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
import { type LoadOptions, loadFlags, syntheticSourceName } from '@prodclass/registry/contract/load-command';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { createBalancedTrainingSet } from '../balance/balance-run.js';
import { requiredUrlFromEnv } from '../env.js';
import { writeJobResult } from '../job-result-file.js';
import { writeJson } from '../options.js';
import { withCatalogDatabase } from '../services.js';

export interface GenerateFlags {
  rows: number;
  seed: number;
  out: string;
}

export async function generate(flags: GenerateFlags): Promise<void> {
  const written = await writeOfficialFiles(
    generateSyntheticCatalog({ rows: flags.rows, seed: flags.seed }),
    flags.out,
    (rows) => progressToStderr('generate', { rows_written: rows, rows_total: flags.rows }),
  );
  writeJson(written);
}

export async function load(options: LoadOptions): Promise<void> {
  const flag = loadFlags;
  let target: LoadTarget;
  if (options.toPercent !== undefined) target = { toPercent: options.toPercent };
  else if (options.increment !== undefined) target = { increment: options.increment };
  else throw new Error(`say how much to load: ${flag.toPercent} P or ${flag.increment} P`);
  if (options.name !== undefined && options.name.trim() === '')
    throw new Error(`${flag.name} must not be empty`);
  // The schema is checked before the source is read, which may be a long download.
  const outcome = await withCatalogDatabase(async (client) => {
    progressToStderr('source-reading', { source: options.source });
    const source: CatalogSource =
      options.source === syntheticSourceName
        ? syntheticSource(options.syntheticRows, options.syntheticSeed)
        : /^https?:\/\//.test(options.source)
          ? await downloadedOfficialSource(options.source)
          : await officialSource(options.source);
    progressToStderr('source-read', { rows: source.rows.length, fingerprint: source.fingerprint });
    return loadCatalog(client, { source, target, name: options.name, seed: options.seed }, progressToStderr);
  });
  const message =
    outcome.outcome === 'already-completed'
      ? `load "${outcome.load.name}" was already completed: nothing to do`
      : `load "${outcome.load.name}" completed: +${outcome.load.rows_added} rows, ${outcome.load.cumulative_rows} in all`;
  writeJobResult(loadResultOf(outcome.load));
  writeJson({ outcome: outcome.outcome, message, load: outcome.load });
}

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

export async function status(flags: { json?: boolean }): Promise<void> {
  const catalog = await withCatalogDatabase(catalogStatus);
  if (flags.json) writeJson(catalog);
  else process.stdout.write(statusText(catalog));
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

export async function history(flags: { json?: boolean }): Promise<void> {
  const loads = await withCatalogDatabase(listLoads);
  if (flags.json) writeJson(loads);
  else process.stdout.write(historyText(loads));
}

export async function exportCatalog(flags: { asOf: string; out: string }): Promise<void> {
  writeJson(await withCatalogDatabase((client) => exportSnapshot(client, flags.asOf, flags.out)));
}

export interface BalanceFlags {
  asOf: string;
  out: string;
  testSize: number;
  seed: number;
}

export async function balance(flags: BalanceFlags): Promise<void> {
  const mlflow = new MlflowClient(
    requiredUrlFromEnv('MLFLOW_TRACKING_URI', ['http:', 'https:'], 'logging the balanced set'),
  );
  const result = await withCatalogDatabase((client) =>
    createBalancedTrainingSet(
      client,
      mlflow,
      { loadName: flags.asOf, file: flags.out, testSize: flags.testSize, seed: flags.seed },
      progressToStderr,
    ),
  );
  writeJson(result);
}
