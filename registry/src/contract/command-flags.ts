type Camel<Name extends string> = Name extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : Name;

/** The attribute commander stores a long flag's value under: `--data-version` → `dataVersion`. */
export type FlagAttribute<Flag extends string> = Flag extends `--${infer Name}` ? Camel<Name> : never;

/** A command's long flags, by the option each sets. */
export type FlagTable<Options> = { readonly [Key in keyof Options]-?: `--${string}` };

/**
 * A table of long flags keyed by the attribute commander stores each under, checked at compile
 * time: a flag renamed without its key (or the reverse) does not build.
 */
export function flagTable<const Table extends Record<string, `--${string}`>>(
  table: Table & {
    readonly [Key in keyof Table]: FlagAttribute<Table[Key]> extends Key ? Table[Key] : never;
  },
): Table {
  return table;
}

type FlagValue =
  | string
  | number
  | boolean
  | readonly string[]
  | Readonly<Record<string, string | number>>
  | undefined;

/**
 * The arguments of a command: its path, then each given option in the table's order. `true` is the
 * bare flag, `false` and undefined are left out (the parser's defaults apply), a list repeats the
 * flag once per entry, a record once per `key=value`.
 */
export function commandArgs<Options>(
  command: readonly string[],
  flags: FlagTable<Options>,
  options: Partial<Options>,
): string[] {
  return [
    ...command,
    ...(Object.entries(flags) as [keyof Options, string][]).flatMap(([option, flag]) =>
      flagArgs(flag, options[option] as FlagValue),
    ),
  ];
}

function flagArgs(flag: string, value: FlagValue): string[] {
  if (value === undefined || value === false) return [];
  if (value === true) return [flag];
  if (Array.isArray(value)) return value.flatMap((entry) => [flag, entry]);
  if (typeof value === 'object')
    return Object.entries(value).flatMap(([key, entry]) => [flag, `${key}=${entry}`]);
  return [flag, String(value)];
}
