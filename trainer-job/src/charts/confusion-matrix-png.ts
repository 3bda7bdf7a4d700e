import { createCanvas } from '@napi-rs/canvas';
import { chartFont, fitText } from './canvas-text.js';

/** White to dark blue by the share of the true class's rows. */
function cellColour(share: number): string {
  const mix = (from: number, to: number) => Math.round(from + (to - from) * share);
  return `rgb(${mix(255, 8)}, ${mix(255, 48)}, ${mix(255, 107)})`;
}

/**
 * A confusion matrix (rows: true class, columns: predicted class) as a heat map coloured by each
 * row's share (recall on the diagonal), with the counts written in the cells. Returns PNG bytes.
 */
export function renderConfusionMatrixPng(
  matrix: readonly (readonly number[])[],
  labels: readonly (number | string)[],
  title: string,
): Buffer {
  if (matrix.length !== labels.length || matrix.some((row) => row.length !== labels.length)) {
    throw new Error(
      `a confusion matrix for ${labels.length} labels must be ${labels.length} x ${labels.length}`,
    );
  }
  const cell = 34;
  const left = 90;
  const top = 110;
  const size = labels.length * cell;
  const width = left + size + 40;
  const height = top + size + 60;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#1a1a1a';
  context.font = `bold 18px "${chartFont}"`;
  context.fillText(fitText(context, title, width - 40), 20, 30);
  context.font = `13px "${chartFont}"`;
  context.textAlign = 'center';
  context.fillText('predicted class', left + size / 2, 52);
  context.save();
  context.translate(18, top + size / 2);
  context.rotate(-Math.PI / 2);
  context.fillText('true class', 0, 0);
  context.restore();

  context.font = `11px "${chartFont}"`;
  labels.forEach((label, index) => {
    context.textAlign = 'right';
    context.fillText(String(label), left - 6, top + index * cell + cell / 2 + 4);
    context.save();
    context.translate(left + index * cell + cell / 2 + 4, top - 6);
    context.rotate(-Math.PI / 2);
    context.textAlign = 'left';
    context.fillText(String(label), 0, 0);
    context.restore();
  });

  matrix.forEach((row, trueIndex) => {
    const rowTotal = row.reduce((sum, count) => sum + count, 0);
    row.forEach((count, predictedIndex) => {
      const share = rowTotal > 0 ? count / rowTotal : 0;
      const x = left + predictedIndex * cell;
      const y = top + trueIndex * cell;
      context.fillStyle = cellColour(share);
      context.fillRect(x, y, cell, cell);
      if (count > 0) {
        context.fillStyle = share > 0.5 ? '#ffffff' : '#1a1a1a';
        context.font = `${count >= 1000 ? 9 : 11}px "${chartFont}"`;
        context.textAlign = 'center';
        context.fillText(String(count), x + cell / 2, y + cell / 2 + 4);
      }
    });
  });
  context.strokeStyle = '#999999';
  context.strokeRect(left, top, size, size);
  context.font = `11px "${chartFont}"`;
  context.fillStyle = '#555555';
  context.textAlign = 'left';
  context.fillText('colour: share of the true class (row); numbers: counts', left, top + size + 24);
  return canvas.toBuffer('image/png');
}
