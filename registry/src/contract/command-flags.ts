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

type FlagValue = string | number | boolean | Readonly<Record<string, string | number>> | undefined;

/**
 * The arguments of a command: its path, then each given option in the table's order. `true` is the
 * bare flag, `false` and undefined are left out (the parser's defaults apply), a record repeats the
 * flag once per `key=value`.
 */
export function commandArgs<Options>(
  command: readonly string[],
  flags: FlagTable<Options>,
  options: Partial<Options>,
): string[] {
  const args = [...command];
  for (const [option, flag] of Object.entries(flags) as [keyof Options, string][]) {
    const value = options[option] as FlagValue;
    if (value === undefined || value === false) continue;
    if (value === true) args.push(flag);
    else if (typeof value === 'object')
      for (const [key, entry] of Object.entries(value)) args.push(flag, `${key}=${entry}`);
    else args.push(flag, String(value));
  }
  return args;
}
