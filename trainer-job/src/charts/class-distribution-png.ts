import { createCanvas } from '@napi-rs/canvas';
import { classByCode } from '@prodclass/textmodel/classes';
import { chartFont, fitText } from './canvas-text.js';

/** The label for a class: its code and, for a known product-type code, its name. */
function classLabel(key: number | string): string {
  const productClass = classByCode(Number(key));
  return productClass ? `${key} ${productClass.name}` : String(key);
}

/**
 * A horizontal bar chart of rows per class, largest first, with each bar's count and share.
 * Returns PNG bytes.
 */
export function renderClassDistributionPng(
  counts: ReadonlyMap<number | string, number>,
  title: string,
): Buffer {
  const entries = [...counts].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const max = Math.max(1, ...entries.map(([, count]) => count));
  const barHeight = 22;
  const labelWidth = 300;
  const barArea = 520;
  const width = labelWidth + barArea + 150;
  const top = 60;
  const height = top + Math.max(1, entries.length) * barHeight + 40;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#1a1a1a';
  context.font = `bold 18px "${chartFont}"`;
  context.fillText(fitText(context, title, width - 40), 20, 32);
  context.font = `13px "${chartFont}"`;
  context.fillStyle = '#555555';
  context.fillText(`${total.toLocaleString('en-US')} rows, ${entries.length} classes`, 20, 50);
  entries.forEach(([key, count], index) => {
    const y = top + index * barHeight;
    const barWidth = Math.max(1, (count / max) * barArea);
    context.fillStyle = '#1a1a1a';
    context.font = `13px "${chartFont}"`;
    context.textAlign = 'right';
    context.fillText(fitText(context, classLabel(key), labelWidth - 30), labelWidth - 10, y + 15);
    context.fillStyle = '#3b78b8';
    context.fillRect(labelWidth, y + 3, barWidth, barHeight - 6);
    context.fillStyle = '#1a1a1a';
    context.textAlign = 'left';
    const share = total > 0 ? ((100 * count) / total).toFixed(1) : '0.0';
    context.fillText(`${count.toLocaleString('en-US')} (${share}%)`, labelWidth + barWidth + 6, y + 15);
  });
  return canvas.toBuffer('image/png');
}
