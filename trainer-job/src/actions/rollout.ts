import { type ShadowComparison, shadowComparison } from '@prodclass/catalog/rollout/shadow-comparison';
import { withCatalogDatabase } from '../services.js';

export interface ShadowReportFlags {
  model: string;
  candidateVersion?: string;
  window: number;
  to?: Date;
  flips: number;
  json: boolean;
}

const milliseconds = (value: number | null) => (value === null ? '-' : `${value.toFixed(3)} ms`);

function summary(from: Date, to: Date, comparisons: ShadowComparison[], flips: number): string {
  const lines = [`shadow predictions made ${from.toISOString()} .. ${to.toISOString()}`];
  if (comparisons.length === 0) lines.push('  no shadow predictions were logged in this window');
  for (const comparison of comparisons) {
    lines.push(
      `  candidate version ${comparison.candidateVersion} against version ${comparison.primaryVersion}: ${comparison.pairs} pairs, agreement ${comparison.agreement.toFixed(4)} (${comparison.agreeing})`,
      `    time per prediction: primary p50 ${milliseconds(comparison.primary.p50Ms)} p99 ${milliseconds(comparison.primary.p99Ms)}, candidate p50 ${milliseconds(comparison.candidate.p50Ms)} p99 ${milliseconds(comparison.candidate.p99Ms)}`,
    );
    const changed = comparison.matrix
      .filter((cell) => cell.primaryCode !== cell.candidateCode)
      .slice(0, flips);
    if (changed.length > 0) {
      lines.push(
        `    most frequent flips (primary → candidate): ${changed.map((cell) => `${cell.primaryCode} → ${cell.candidateCode} ${cell.count}`).join(', ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function shadowReport(flags: ShadowReportFlags): Promise<void> {
  if (!Number.isInteger(flags.flips) || flags.flips < 0) throw new Error('--flips must be a whole number');
  const to = flags.to ?? new Date();
  const from = new Date(to.getTime() - flags.window);
  const comparisons = await withCatalogDatabase((client) =>
    shadowComparison(client, {
      modelName: flags.model,
      ...(flags.candidateVersion ? { candidateVersion: flags.candidateVersion } : {}),
      from,
      to,
    }),
  );
  if (flags.json) process.stdout.write(`${JSON.stringify({ from, to, comparisons })}\n`);
  else process.stdout.write(summary(from, to, comparisons, flags.flips));
}
