import { liveQuality, type QualityReport } from '@prodclass/catalog/quality/live-quality';
import { qualityExposition } from '../quality/prometheus-text.js';
import { withCatalogDatabase } from '../services.js';

export interface ReportFlags {
  model?: string;
  window: number;
  to?: Date;
  json: boolean;
  prometheus: boolean;
  service?: string;
}

const share = (value: number | null) => (value === null ? '-' : value.toFixed(4));

function summary(report: QualityReport): string {
  const lines = [
    `live quality of predictions made ${report.from.toISOString()} .. ${report.to.toISOString()}`,
  ];
  if (report.versions.length === 0) lines.push('  no predictions were logged in this window');
  for (const quality of report.versions) {
    const lag = quality.labelLagP50Seconds === null ? '-' : `${quality.labelLagP50Seconds.toFixed(0)} s`;
    lines.push(
      `  ${quality.modelName} version ${quality.modelVersion}: served ${quality.served}, labeled ${quality.labeled} (coverage ${share(quality.coverage)}), accuracy ${share(quality.accuracy)} (estimated ${share(quality.estimatedAccuracy)}), weighted F1 ${share(quality.weightedF1)}, label lag p50 ${lag}`,
    );
    const recalls = Object.entries(quality.recall)
      .map(([code, recall]) => `${code} ${recall.toFixed(3)}`)
      .join(', ');
    if (recalls) lines.push(`    recall: ${recalls}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function report(flags: ReportFlags): Promise<void> {
  if (flags.json && flags.prometheus) throw new Error('--json and --prometheus: choose one');
  if (flags.service !== undefined && !flags.prometheus)
    throw new Error('--service only labels the --prometheus output');
  const to = flags.to ?? new Date();
  const window = {
    from: new Date(to.getTime() - flags.window),
    to,
    ...(flags.model ? { modelName: flags.model } : {}),
  };
  const quality = await withCatalogDatabase((client) => liveQuality(client, window));
  if (flags.json) process.stdout.write(`${JSON.stringify(quality)}\n`);
  else if (flags.prometheus)
    process.stdout.write(qualityExposition(quality.versions, (model) => flags.service ?? model));
  else process.stdout.write(summary(quality));
}
