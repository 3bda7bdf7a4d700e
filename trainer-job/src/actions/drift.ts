import { withDatabasePool } from '@prodclass/catalog/database';
import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import {
  type DriftReport,
  defaultDriftTests,
  defaultSeverityThresholds,
  type ReferenceWindow,
} from '@prodclass/catalog/drift/report';
import {
  acknowledgeDriftReport,
  type DriftAction,
  saveDriftReport,
} from '@prodclass/catalog/drift/report-store';
import { migrate } from '@prodclass/catalog/migrate';
import type pg from 'pg';
import { trainingDataVersion } from '../drift/training-reference.js';
import { databaseUrlFromEnv } from '../env.js';
import { writeJson } from '../options.js';
import { mlflowFromEnv } from '../services.js';

export interface CheckFlags {
  model: string;
  version?: string;
  current: number;
  reference: number | 'training';
  minSamples: number;
  monitor: string;
  save: boolean;
  json: boolean;
}

/**
 * A pool for the check's parallel queries, the database's schema brought up to date first on the
 * pool's first connection, which the check's first query then reuses (one connection fewer to open).
 */
async function withPool<T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  return withDatabasePool(databaseUrlFromEnv(), 3, async (pool) => {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    return work(pool);
  });
}

function summary(report: DriftReport): string {
  const lines = [
    `drift report ${report.id}: ${report.outcome}, severity ${report.severity}`,
    `  current  ${report.current.from.toISOString()} .. ${report.current.to.toISOString()}: ${report.current.samples} predictions`,
    `  reference ${report.reference.kind}: ${report.reference.samples} rows`,
  ];
  for (const test of report.tests) {
    const value = test.notApplicable ? `not applicable: ${test.notApplicable}` : test.statistic.toFixed(4);
    const p = test.pValue === null ? '' : ` (p = ${test.pValue.toPrecision(3)})`;
    lines.push(`  ${test.severity.padEnd(8)} ${`${test.feature}/${test.test}`.padEnd(28)} ${value}${p}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function check(flags: CheckFlags): Promise<void> {
  const to = new Date();
  const from = new Date(to.getTime() - flags.current);
  let reference: ReferenceWindow;
  if (flags.reference === 'training') {
    if (!flags.version)
      throw new Error('--reference training needs --version: the training data of which version?');
    const dataVersion = await trainingDataVersion(
      mlflowFromEnv('the training reference'),
      flags.model,
      flags.version,
    );
    reference = { kind: 'trainingData', modelVersion: flags.version, dataVersion };
  } else {
    reference = { kind: 'window', from: new Date(from.getTime() - flags.reference), to: from };
  }
  const report = await withPool(async (pool) => {
    const checked = await checkDrift(pool, {
      monitor: flags.monitor,
      modelName: flags.model,
      ...(flags.version ? { modelVersion: flags.version } : {}),
      current: { from, to },
      reference,
      tests: defaultDriftTests,
      thresholds: defaultSeverityThresholds,
      minSamples: flags.minSamples,
    });
    if (flags.save) await saveDriftReport(pool, checked);
    return checked;
  });
  if (flags.json) writeJson(report);
  else process.stdout.write(summary(report));
}

export interface AckFlags {
  action: DriftAction;
  by: string;
  reason?: string;
}

export async function acknowledge(reportId: string, flags: AckFlags): Promise<void> {
  const acknowledgement = await withPool((pool) =>
    acknowledgeDriftReport(pool, {
      reportId,
      action: flags.action,
      by: flags.by,
      ...(flags.reason ? { reason: flags.reason } : {}),
    }),
  );
  writeJson(acknowledgement);
}
