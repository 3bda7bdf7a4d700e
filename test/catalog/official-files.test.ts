import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CatalogFileError } from '../../core/src/catalog/catalog-file-error.js';
import type { CatalogRow } from '../../core/src/catalog/catalog-row.js';
import { readOfficialFiles } from '../../core/src/catalog/official-reader.js';
import { writeOfficialFiles } from '../../core/src/catalog/official-writer.js';
import { generateSyntheticCatalog } from '../../core/src/synthetic/generator.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const header = ',designation,description,productid,imageid\n';
const labelsHeader = ',prdtypecode\n';
let scratch: string;
let database: TestDatabase;

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-official-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
  await database?.drop();
});

let caseNumber = 0;
async function filesWith(products: string, labels: string): Promise<string> {
  const directory = path.join(scratch, `case-${++caseNumber}`);
  await fs.mkdir(directory);
  await fs.writeFile(path.join(directory, 'X_train_update.csv'), products);
  await fs.writeFile(path.join(directory, 'Y_train_CVw08PX.csv'), labels);
  return directory;
}

const malformed: [string, string, string, string, string][] = [
  [
    'an unbalanced quote',
    `${header}0,Lampe,,101,9001\n1,"Cahier,,102,9002\n2,Drap,,103,9003\n`,
    `${labelsHeader}0,2060\n1,2522\n2,1920\n`,
    'X_train_update.csv:3',
    'a quoted field is never closed',
  ],
  [
    'a wrong column count',
    `${header}0,"Lampe\nsur pied",,101,9001\n1,Cahier,,102\n`,
    `${labelsHeader}0,2060\n1,2522\n`,
    'X_train_update.csv:4',
    'expected 5 fields, found 4',
  ],
  [
    'a product without a label',
    `${header}0,Lampe,,101,9001\n1,Cahier,,102,9002\n`,
    `${labelsHeader}0,2060\n`,
    'X_train_update.csv:3',
    'index 1 has no label',
  ],
  [
    'a non-integer code',
    `${header}0,Lampe,,101,9001\n`,
    `${labelsHeader}0,20.60\n`,
    'Y_train_CVw08PX.csv:2',
    'prdtypecode must be an integer, found "20.60"',
  ],
  [
    'a duplicate productid',
    `${header}0,Lampe,,101,9001\n1,Cahier,,101,9002\n`,
    `${labelsHeader}0,2060\n1,2522\n`,
    'X_train_update.csv:3',
    'productid 101 already appears on line 2',
  ],
  [
    'an empty designation',
    `${header}0,Lampe,,101,9001\n1,,description,102,9002\n`,
    `${labelsHeader}0,2060\n1,2522\n`,
    'X_train_update.csv:3',
    'designation is empty',
  ],
  [
    'a label without a product',
    `${header}0,Lampe,,101,9001\n`,
    `${labelsHeader}0,2060\n1,2522\n`,
    'Y_train_CVw08PX.csv:3',
    'index 1 has no product',
  ],
];

describe('the importer of the official files', () => {
  test('reads RFC 4180 quoting: quotes, commas and newlines inside fields, joined with Y on the index', async () => {
    const directory = await filesWith(
      `${header}0,"Lampe ""Vintage"", 40 cm","<p>ligne 1\nligne 2</p>",101,9001\n` +
        `1,Cahier A4,,102,9002\n2,"Drap\r\nhousse","a ""b"" c",103,9003\n`,
      `${labelsHeader}2,1920\n0,2060\n1,2522\n`,
    );
    expect(await readOfficialFiles(directory)).toEqual([
      {
        productid: 101,
        imageid: 9001,
        designation: 'Lampe "Vintage", 40 cm',
        description: '<p>ligne 1\nligne 2</p>',
        prdtypecode: 2060,
      },
      { productid: 102, imageid: 9002, designation: 'Cahier A4', description: null, prdtypecode: 2522 },
      {
        productid: 103,
        imageid: 9003,
        designation: 'Drap\r\nhousse',
        description: 'a "b" c',
        prdtypecode: 1920,
      },
    ]);
  });

  test('reads back exactly what the synthetic generator wrote', async () => {
    const rows: CatalogRow[] = [...generateSyntheticCatalog({ rows: 2_000, seed: 7 })];
    const directory = path.join(scratch, 'generated');
    await writeOfficialFiles(rows, directory);
    expect(await readOfficialFiles(directory)).toEqual(rows);
  });

  test.each(malformed)(
    'rejects %s, naming the file, the line and the reason',
    async (_, products, labels, place, reason) => {
      const directory = await filesWith(products, labels);
      const failure = await readOfficialFiles(directory).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CatalogFileError);
      expect((failure as Error).message).toContain(
        `${path.join(directory, place.split(':')[0] as string)}:${place.split(':')[1]}: `,
      );
      expect((failure as Error).message).toContain(reason);
    },
  );
});

describe('prodclass data load --source DIR', () => {
  test('a malformed file changes nothing in the catalog and the error names its line', async () => {
    const [, products, labels] = malformed[4] as [string, string, string, string, string];
    const directory = await filesWith(products, labels);
    const result = await runCli(['data', 'load', '--source', directory, '--to-percent', '40'], {
      DATABASE_URL: database.url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `prodclass: ${path.join(directory, 'X_train_update.csv')}:3: productid 101`,
    );
    const client = await database.connect();
    const { rows } = await client.query(
      'select (select count(*)::int from data_loads) as loads, (select count(*)::int from products) as products',
    );
    expect(rows).toEqual([{ loads: 0, products: 0 }]);
  });

  test('official files load, and empty descriptions become NULL', async () => {
    const directory = await filesWith(
      `${header}0,Lampe,,101,9001\n1,Cahier,"Grand, ligné",102,9002\n2,Drap,,103,9003\n3,Jeu,Neuf,104,9004\n`,
      `${labelsHeader}0,2060\n1,2522\n2,1920\n3,40\n`,
    );
    const result = await runCli(['data', 'load', '--source', directory, '--to-percent', '100'], {
      DATABASE_URL: database.url,
    });
    expect(result.code).toBe(0);
    const client = await database.connect();
    const { rows } = await client.query(
      'select productid::int, description, prdtypecode from products order by productid',
    );
    expect(rows).toEqual([
      { productid: 101, description: null, prdtypecode: 2060 },
      { productid: 102, description: 'Grand, ligné', prdtypecode: 2522 },
      { productid: 103, description: null, prdtypecode: 1920 },
      { productid: 104, description: 'Neuf', prdtypecode: 40 },
    ]);
  });
});
