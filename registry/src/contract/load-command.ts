import { defaultSeed, defaultSyntheticRows } from '@prodclass/api/defaults';
import { commandArgs, flagTable } from './command-flags.js';

/** The `--source` of the generated catalog, instead of a directory or URL of the official files. */
export const syntheticSourceName = 'synthetic';

/** `prodclass data load`'s options, as its parser yields them. */
export interface LoadOptions {
  /** A directory or http(s) URL holding the official files, or `synthetic`. */
  source: string;
  toPercent?: number;
  increment?: number;
  name?: string;
  seed: number;
  syntheticRows: number;
  syntheticSeed: number;
}

/** In the order the operator has always written them. */
export const loadFlags = flagTable({
  source: '--source',
  syntheticRows: '--synthetic-rows',
  syntheticSeed: '--synthetic-seed',
  toPercent: '--to-percent',
  increment: '--increment',
  name: '--name',
  seed: '--seed',
});

export const loadDefaults = {
  seed: defaultSeed,
  syntheticRows: defaultSyntheticRows,
  syntheticSeed: defaultSeed,
} satisfies Partial<LoadOptions>;

/** The `prodclass data load` arguments for these options; those left out take the CLI's defaults. */
export function loadCommandArgs(options: Partial<LoadOptions> & Pick<LoadOptions, 'source'>): string[] {
  return commandArgs<LoadOptions>(['data', 'load'], loadFlags, options);
}
