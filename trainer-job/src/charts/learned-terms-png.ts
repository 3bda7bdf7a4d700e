import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { classByCode } from '@prodclass/textmodel/classes';
import type { ClassLearnedTerms, LearnedTerm } from '@prodclass/textmodel/model/learned-terms';
import { chartFont, fitText } from './canvas-text.js';

// Okabe–Ito blue and vermillion: told apart with every common colour-vision deficiency.
const positiveColour = '#0072b2';
const negativeColour = '#d55e00';
const columns = 3;
const panelWidth = 480;
const rowHeight = 17;
const labelWidth = 125;
const barArea = 80;

function drawTerms(
  context: SKRSContext2D,
  terms: readonly LearnedTerm[],
  x: number,
  y: number,
  scale: number,
  colour: string,
): void {
  terms.forEach((term, index) => {
    const rowY = y + index * rowHeight;
    context.fillStyle = '#1a1a1a';
    context.textAlign = 'right';
    context.fillText(fitText(context, term.feature, labelWidth - 6), x + labelWidth - 4, rowY + 12);
    const width = Math.max(1, Math.abs(term.weight) * scale);
    context.fillStyle = colour;
    context.fillRect(x + labelWidth, rowY + 3, width, rowHeight - 6);
    context.fillStyle = '#1a1a1a';
    context.textAlign = 'left';
    context.fillText(term.weight.toFixed(2), x + labelWidth + width + 3, rowY + 12);
  });
}

/**
 * One panel per class: the terms with the largest positive coefficients (blue, towards the class)
 * beside those with the most negative (vermillion, away from it). Returns PNG bytes.
 */
export function renderLearnedTermsPng(classes: readonly ClassLearnedTerms[], title: string): Buffer {
  const rows = Math.max(
    1,
    ...classes.map(({ positive, negative }) => Math.max(positive.length, negative.length)),
  );
  const panelHeight = 30 + rows * rowHeight + 14;
  const top = 78;
  const width = columns * panelWidth + 20;
  const height = top + Math.ceil(Math.max(1, classes.length) / columns) * panelHeight + 10;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#1a1a1a';
  context.font = `bold 18px "${chartFont}"`;
  context.fillText(fitText(context, title, width - 40), 20, 30);
  context.font = `13px "${chartFont}"`;
  context.fillStyle = positiveColour;
  context.fillRect(20, 44, 14, 12);
  context.fillStyle = '#1a1a1a';
  context.fillText('coefficient > 0: the term pushes a listing towards the class', 40, 55);
  context.fillStyle = negativeColour;
  context.fillRect(20, 60, 14, 12);
  context.fillStyle = '#1a1a1a';
  context.fillText('coefficient < 0: away from it (TF-IDF values are at most 1)', 40, 71);
  const maxWeight = Math.max(
    1e-12,
    ...classes.flatMap(({ positive, negative }) =>
      [...positive, ...negative].map((term) => Math.abs(term.weight)),
    ),
  );
  const scale = barArea / maxWeight;
  classes.forEach((learned, index) => {
    const x = 10 + (index % columns) * panelWidth;
    const y = top + Math.floor(index / columns) * panelHeight;
    const name = classByCode(learned.classCode)?.name;
    context.font = `bold 13px "${chartFont}"`;
    context.fillStyle = '#1a1a1a';
    context.textAlign = 'left';
    context.fillText(
      fitText(context, `${learned.classCode}${name ? ` ${name}` : ''}`, panelWidth - 20),
      x + 4,
      y + 18,
    );
    context.font = `12px "${chartFont}"`;
    drawTerms(context, learned.positive, x, y + 26, scale, positiveColour);
    drawTerms(context, learned.negative, x + panelWidth / 2, y + 26, scale, negativeColour);
  });
  return canvas.toBuffer('image/png');
}
