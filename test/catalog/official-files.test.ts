import { isUtf8 } from 'node:buffer';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CatalogFileError } from '@prodclass/catalog/catalog-file-error';
import type { CatalogRow } from '@prodclass/catalog/catalog-row';
import { readOfficialFiles } from '@prodclass/catalog/official-reader';
import { writeOfficialFiles } from '@prodclass/catalog/official-writer';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
async function filesWith(products: string | Buffer, labels: string | Buffer): Promise<string> {
  const directory = path.join(scratch, `case-${++caseNumber}`);
  await fs.mkdir(directory);
  await fs.writeFile(path.join(directory, 'X_train_update.csv'), products);
  await fs.writeFile(path.join(directory, 'Y_train_CVw08PX.csv'), labels);
  return directory;
}

const notUtf8 = 'not valid UTF-8 (is the file in another encoding?)';
const unclosedQuote = (field: string) =>
  `the ${field} of the record starting on this line opens a quote that is never closed (a closing quote is followed by a comma or the end of the line; a quote inside a field is written "")`;

const malformed: [string, string | Buffer, string | Buffer, string, string][] = [
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
  [
    'a duplicate productid after line breaks inside fields, in a CRLF file',
    `${header.replace('\n', '\r\n')}0,"Lampe\r\nsur pied","a\r\nb\rc",101,9001\r\n1,Cahier,,101,9002\r\n`,
    `${labelsHeader}0,2060\n1,2522\n`,
    'X_train_update.csv:5',
    'productid 101 already appears on line 2',
  ],
  [
    'a byte that is not UTF-8 in the labels',
    `${header}0,Lampe,,101,9001\n1,Cahier,,102,9002\n`,
    Buffer.concat([Buffer.from(`${labelsHeader}0,2060\n1,2522`), Buffer.from([0xff]), Buffer.from('\n')]),
    'Y_train_CVw08PX.csv:3',
    notUtf8,
  ],
  [
    'a quote inside a field that does not start with one',
    `${header}0,Lampe,,101,9001\n1,Cahier "A4",,102,9002\n`,
    `${labelsHeader}0,2060\n1,2522\n`,
    'X_train_update.csv:3',
    'the designation of the record starting on this line has a quote but does not start with one (quote the whole field and write the quote as "")',
  ],
];

/** Files whose quoting is broken, and the one line and the field their error must name. */
const brokenQuotes: [string, string, number, string][] = [
  [
    'an unbalanced quote up to the end of the file',
    `${header}0,Lampe,,101,9001\n1,"Cahier,,102,9002\n2,Drap,,103,9003\n`,
    3,
    'designation',
  ],
  [
    'an unbalanced quote found wrong at a later quoted field',
    `${header}0,Lampe,,101,9001\n1,"Cahier,,102,9002\n2,Drap,,103,9003\n3,"Jeu, neuf",,104,9004\n4,Bol,,105,9005\n`,
    3,
    'designation',
  ],
  [
    'an unbalanced quote in the description of a record of several lines',
    `${header}0,"Lampe\nsur pied","sans fin,101,9001\n1,Cahier,,102,9002\n2,"Drap",,103,9003\n`,
    2,
    'description',
  ],
  [
    'an unbalanced quote after a field with a CRLF inside, in a CRLF file',
    `${header.replace('\n', '\r\n')}0,"Lampe\r\nsur pied",,101,9001\r\n1,"Cahier,,102,9002\r\n2,Drap,,103,9003\r\n`,
    4,
    'designation',
  ],
  [
    'a quote that is not doubled',
    `${header}0,Lampe,,101,9001\n1,"Cahier "A4" ligné",,102,9002\n`,
    3,
    'designation',
  ],
];

/**
 * The cp1252 bytes of a text. The synthetic catalog only uses characters of Latin-1 outside
 * U+0080..U+009F, which cp1252 encodes as the same single byte.
 */
function cp1252(text: string): Buffer {
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    if (code > 0xff || (code >= 0x80 && code < 0xa0))
      throw new Error(`no test encoding for U+${code.toString(16)}`);
  }
  return Buffer.from(text, 'latin1');
}

/** The first physical line of `bytes` that is not valid UTF-8 on its own (0: none). */
function firstLineNotUtf8(bytes: Buffer): number {
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    if (!isUtf8(bytes.subarray(start, end === -1 ? bytes.length : end))) return line;
    if (end === -1) return 0;
    start = end + 1;
  }
  return 0;
}

/** A directory with the official files of `rows` generated rows, and the text of both files. */
async function generatedFiles(rows: number, seed: number) {
  const directory = path.join(scratch, `generated-${++caseNumber}`);
  const written = await writeOfficialFiles(generateSyntheticCatalog({ rows, seed }), directory);
  return {
    directory,
    products: await fs.readFile(written.products, 'utf8'),
    labels: await fs.readFile(written.labels, 'utf8'),
  };
}

async function failureOf(directory: string): Promise<Error> {
  const failure = await readOfficialFiles(directory).then(
    () => new Error('the files were read without an error'),
    (error: unknown) => error as Error,
  );
  expect(failure).toBeInstanceOf(CatalogFileError);
  return failure;
}

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
      const failure = await failureOf(directory);
      expect(failure.message).toContain(
        `${path.join(directory, place.split(':')[0] as string)}:${place.split(':')[1]}: `,
      );
      expect(failure.message).toContain(reason);
    },
  );

  test.each(brokenQuotes)(
    'names one line, where the record starts, for %s',
    async (_, products, line, field) => {
      const directory = await filesWith(products, `${labelsHeader}0,2060\n1,2522\n2,1920\n3,40\n4,2060\n`);
      const failure = await failureOf(directory);
      expect(failure.message).toBe(
        `${path.join(directory, 'X_train_update.csv')}:${line}: ${unclosedQuote(field)}`,
      );
    },
  );
});

describe('the encoding of the official files', () => {
  test('a cp1252 copy of a generated file is refused at the line of its first byte that is not UTF-8', async () => {
    const generated = await generatedFiles(201, 13);
    const products = cp1252(generated.products);
    const line = firstLineNotUtf8(products);
    expect(line).toBeGreaterThan(1);
    const directory = await filesWith(products, generated.labels);
    const failure = await failureOf(directory);
    expect(failure.message).toBe(`${path.join(directory, 'X_train_update.csv')}:${line}: ${notUtf8}`);
  });

  test('a single byte that is not UTF-8 is refused with its line, far into a generated file', async () => {
    const generated = await generatedFiles(3_000, 14);
    const valid = Buffer.from(generated.products);
    let lineStart = 0;
    for (let line = 1; line < 2_345; line++) lineStart = valid.indexOf(0x0a, lineStart) + 1;
    const products = Buffer.concat([
      valid.subarray(0, lineStart + 2),
      Buffer.from([0xe9]),
      valid.subarray(lineStart + 2),
    ]);
    expect(valid.length).toBeGreaterThan(256 * 1024);
    const directory = await filesWith(products, generated.labels);
    const failure = await failureOf(directory);
    expect(failure.message).toBe(`${path.join(directory, 'X_train_update.csv')}:2345: ${notUtf8}`);
  });

  test('a file that ends in the middle of a character is refused', async () => {
    const directory = await filesWith(
      Buffer.concat([Buffer.from(`${header}0,Lampe,,101,9001\n1,Caf`), Buffer.from([0xc3])]),
      `${labelsHeader}0,2060\n1,2522\n`,
    );
    const failure = await failureOf(directory);
    expect(failure.message).toBe(`${path.join(directory, 'X_train_update.csv')}:3: ${notUtf8}`);
  });

  test('files with a UTF-8 BOM and CRLF line ends are read as before', async () => {
    const generated = await generatedFiles(500, 15);
    const withBomAndCrlf = (text: string) => `\ufeff${text.replaceAll('\n', '\r\n')}`;
    const directory = await filesWith(withBomAndCrlf(generated.products), withBomAndCrlf(generated.labels));
    expect(await readOfficialFiles(directory)).toEqual([
      ...generateSyntheticCatalog({ rows: 500, seed: 15 }),
    ]);
  });
});

describe('prodclass data load --source DIR', () => {
  test('a malformed file changes nothing in the catalog and the error names its line', async () => {
    const [, products, labels] = malformed.find(([name]) => name === 'a duplicate productid') ?? [];
    if (products === undefined || labels === undefined) throw new Error('no duplicate productid case');
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

  test('a file in another encoding is refused: the catalog keeps exactly the loads before it', async () => {
    const generated = await generatedFiles(200, 16);
    const own = await createTestDatabase();
    try {
      const load = (percent: string) =>
        runCli(['data', 'load', '--source', generated.directory, '--to-percent', percent], {
          DATABASE_URL: own.url,
        });
      expect((await load('40')).code).toBe(0);
      const productsFile = path.join(generated.directory, 'X_train_update.csv');
      const products = cp1252(generated.products);
      await fs.writeFile(productsFile, products);
      const refused = await load('100');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `prodclass: ${productsFile}:${firstLineNotUtf8(products)}: ${notUtf8}`,
      );
      const client = await own.connect();
      const { rows } = await client.query(
        `select name, status, rows_added::int, (select count(*)::int from products) as products
         from data_loads order by id`,
      );
      expect(rows).toEqual([{ name: 'initial_40.0pct', status: 'completed', rows_added: 80, products: 80 }]);
    } finally {
      await own.drop();
    }
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
