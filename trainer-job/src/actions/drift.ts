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
import { trainingDataVersion } from '../drift/training-reference.js';
import { writeJson } from '../options.js';
import { mlflowFromEnv, withCatalogDatabasePool } from '../services.js';

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
    if (test.unknownWords?.length)
      lines.push(
        `           new words: ${test.unknownWords.map(({ word, count }) => `${word} (${count})`).join(', ')}`,
      );
    else if (test.unknownWordsSkipped)
      lines.push(`           new words not counted: ${test.unknownWordsSkipped}`);
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
  const report = await withCatalogDatabasePool(3, async (pool) => {
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
  const acknowledgement = await withCatalogDatabasePool(3, (pool) =>
    acknowledgeDriftReport(pool, {
      reportId,
      action: flags.action,
      by: flags.by,
      ...(flags.reason ? { reason: flags.reason } : {}),
    }),
  );
  writeJson(acknowledgement);
}
