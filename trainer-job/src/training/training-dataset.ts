import { completedLoadNamed, latestCompletedLoad } from '@prodclass/catalog/data-loads';
import { type CatalogDataset, readCatalogDataset } from '@prodclass/catalog/snapshot';
import type pg from 'pg';

/** The catalog as of a completed load (the latest completed load when no name is given). */
export async function loadTrainingDataset(
  db: pg.Client,
  dataVersion: string | undefined,
): Promise<CatalogDataset> {
  const load = dataVersion ? await completedLoadNamed(db, dataVersion) : await latestCompletedLoad(db);
  return readCatalogDataset(db, load);
}
