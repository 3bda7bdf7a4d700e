import { completedLoads, type DataLoad, loadNamed } from '@prodclass/catalog/data-loads';
import { withDatabase } from '@prodclass/catalog/database';

/** Reads the data_loads rows the load Jobs record, by load name. */
export class DataLoadRecords {
  constructor(private readonly databaseUrl: string) {}

  named(name: string): Promise<DataLoad | undefined> {
    return withDatabase(this.databaseUrl, (client) => loadNamed(client, name));
  }

  /** The share of the source the catalog holds after its latest completed load, in percent (0 before any). */
  async loadedPercentage(): Promise<number> {
    const loads = await withDatabase(this.databaseUrl, (client) => completedLoads(client));
    return loads.at(-1)?.cumulative_percentage ?? 0;
  }
}
