import { defaultAlias, defaultRegisteredModel, latestDataVersion } from '@prodclass/api/defaults';
import { commandArgs, flagTable } from './command-flags.js';

/** `prodclass model impact`'s options, as its parser yields them. */
export interface ImpactOptions {
  registeredModel: string;
  candidate: number;
  championAlias: string;
  /** A completed load's name, or `latest` for the newest. */
  dataVersion: string;
}

export const impactFlags = flagTable({
  registeredModel: '--registered-model',
  candidate: '--candidate',
  championAlias: '--champion-alias',
  dataVersion: '--data-version',
});

export const impactDefaults = {
  registeredModel: defaultRegisteredModel,
  championAlias: defaultAlias,
  dataVersion: latestDataVersion,
} satisfies Partial<ImpactOptions>;

/** The `prodclass model impact` arguments for these options. */
export function impactCommandArgs(options: ImpactOptions): string[] {
  return commandArgs<ImpactOptions>(['model', 'impact'], impactFlags, options);
}
