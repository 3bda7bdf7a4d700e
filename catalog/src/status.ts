import { classByCode } from '@prodclass/textmodel/classes';
import type pg from 'pg';
import { completedLoads } from './data-loads.js';
import { defaultLoadName } from './load-names.js';
import { hundredthsOf, percentageOf, rowsAt } from './percentage.js';

/** The seed's first load and weekly step, in percent of the source. */
export const initialPercentage = 40;
export const defaultIncrement = 3;

export interface ClassCount {
  prdtypecode: number;
  name: string;
  products: number;
}

export interface CatalogStatus {
  current_percentage: number;
  total_rows: number;
  last_load_date: string | null;
  /** The seed's next load (40% first, then +3%); null once the whole source is loaded. */
  next_increment: { name: string; cumulative_percentage: number; rows_added: number | null } | null;
  running_loads: string[];
  class_distribution: ClassCount[];
}

export async function catalogStatus(client: pg.Client): Promise<CatalogStatus> {
  const completed = await completedLoads(client);
  const last = completed.at(-1);
  const state = await client.query<{ total_rows: number; last_load_date: Date | null }>(
    'select total_rows, last_load_date from current_data_state',
  );
  const distribution = await client.query<{ prdtypecode: number; products: number }>(
    'select prdtypecode, products from class_distribution order by products desc, prdtypecode',
  );
  const running = await client.query<{ name: string }>(
    `select name from data_loads where status = 'running' order by id`,
  );
  const currentHundredths = last ? hundredthsOf(last.cumulative_percentage, 'the current percentage') : 0;
  const nextHundredths = last
    ? Math.min(10_000, currentHundredths + defaultIncrement * 100)
    : initialPercentage * 100;
  const sourceRows = typeof last?.metadata.source_rows === 'number' ? last.metadata.source_rows : undefined;
  return {
    current_percentage: percentageOf(currentHundredths),
    total_rows: state.rows[0]?.total_rows ?? 0,
    last_load_date: state.rows[0]?.last_load_date?.toISOString() ?? null,
    next_increment:
      currentHundredths >= 10_000
        ? null
        : {
            name: defaultLoadName(completed.length, percentageOf(nextHundredths)),
            cumulative_percentage: percentageOf(nextHundredths),
            rows_added:
              sourceRows === undefined
                ? null
                : rowsAt(sourceRows, nextHundredths) - rowsAt(sourceRows, currentHundredths),
          },
    running_loads: running.rows.map((row) => row.name),
    class_distribution: distribution.rows.map(({ prdtypecode, products }) => ({
      prdtypecode,
      name: classByCode(prdtypecode)?.name ?? 'unknown',
      products,
    })),
  };
}
