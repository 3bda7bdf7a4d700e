import { type DataLoad, loadNamed, withDatabase } from '@prodclass/core';

/** Reads the data_loads rows the load Jobs record, by load name. */
export class DataLoadRecords {
  constructor(private readonly databaseUrl: string) {}

  named(name: string): Promise<DataLoad | undefined> {
    return withDatabase(this.databaseUrl, (client) => loadNamed(client, name));
  }
}
