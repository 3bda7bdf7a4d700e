import type pg from 'pg';

/** A row of data_loads, as `data history --json` prints it. */
export interface DataLoad {
  id: number;
  name: string;
  status: 'running' | 'completed' | 'failed';
  requested_percentage: number;
  cumulative_percentage: number;
  rows_added: number | null;
  cumulative_rows: number | null;
  started_at: string;
  completed_at: string | null;
  source_fingerprint: string;
  dataset_fingerprint: string | null;
  history_watermark: number | null;
  metadata: Record<string, unknown>;
  requested_by: string;
  error: string | null;
}

const columns = `id, name, status, requested_percentage::float8 as requested_percentage,
  cumulative_percentage::float8 as cumulative_percentage, rows_added, cumulative_rows,
  started_at, completed_at, source_fingerprint, dataset_fingerprint,
  history_watermark::float8 as history_watermark, metadata, requested_by, error`;

interface DataLoadRow extends Omit<DataLoad, 'started_at' | 'completed_at'> {
  started_at: Date;
  completed_at: Date | null;
}

function toDataLoad(row: DataLoadRow): DataLoad {
  return {
    ...row,
    started_at: row.started_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

/** Every load, oldest first. */
export async function listLoads(client: pg.Client): Promise<DataLoad[]> {
  const { rows } = await client.query<DataLoadRow>(`select ${columns} from data_loads order by id`);
  return rows.map(toDataLoad);
}

/** The completed loads in the order they grew the catalog. */
export async function completedLoads(client: pg.Client): Promise<DataLoad[]> {
  const { rows } = await client.query<DataLoadRow>(
    `select ${columns} from data_loads where status = 'completed' order by cumulative_percentage`,
  );
  return rows.map(toDataLoad);
}

export async function loadNamed(client: pg.Client, name: string): Promise<DataLoad | undefined> {
  const { rows } = await client.query<DataLoadRow>(`select ${columns} from data_loads where name = $1`, [
    name,
  ]);
  return rows[0] && toDataLoad(rows[0]);
}

/** The completed load that grew the catalog furthest, or an error when nothing was loaded yet. */
export async function latestCompletedLoad(client: pg.Client): Promise<DataLoad> {
  const loads = await completedLoads(client);
  const latest = loads.at(-1);
  if (!latest) throw new Error('no load has completed yet: load data first (prodclass data load)');
  return latest;
}

/** The completed load `name`, or an error that says why there is none. */
export async function completedLoadNamed(client: pg.Client, name: string): Promise<DataLoad> {
  const load = await loadNamed(client, name);
  if (!load) throw new Error(`there is no load named "${name}" (see prodclass data history)`);
  if (load.status !== 'completed') throw new Error(`load "${name}" is ${load.status}, not completed`);
  return load;
}
