import type { SKRSContext2D } from '@napi-rs/canvas';

export const chartFont = 'DejaVu Sans';

/** Shortens a label with an ellipsis until it fits `maxWidth` pixels in the context's current font. */
export function fitText(context: SKRSContext2D, text: string, maxWidth: number): string {
  if (context.measureText(text).width <= maxWidth) return text;
  let shortened = text;
  while (shortened.length > 1 && context.measureText(`${shortened}…`).width > maxWidth) {
    shortened = shortened.slice(0, -1);
  }
  return `${shortened}…`;
}
