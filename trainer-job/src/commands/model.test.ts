import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repository = resolve(import.meta.dirname, '../../..');
let directory: string;

function runCli(
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(repository, 'trainer-job/src/cli.ts'), ...args],
      { cwd: repository, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const header = 'productid,designation,description,prdtypecode';
const rows = [
  ['Piscine tubulaire ronde', '<p>Pompe de filtration &amp; bâche</p>', 2583],
  ['Piscine hors-sol acier', '', 2583],
  ['Bâche pour piscine', 'Bâche d&#39;hiver, "renforcée"', 2583],
  ['Pompe filtration piscine', 'Filtre à sable', 2583],
  ['Roman policier poche', 'Un roman noir', 10],
  ['Livre roman ancien', '', 10],
  ['Roman jeunesse livre', 'Livre de poche', 10],
  ['Livre de cuisine', 'Recettes du monde, roman', 10],
];

function csv(lines: Array<[string, string, number] | (string | number)[]>): string {
  const quote = (value: string | number) => `"${String(value).replaceAll('"', '""')}"`;
  return `${header}\n${lines.map((line, index) => [index + 1, ...line].map(quote).join(',')).join('\n')}\n`;
}

function file(name: string, contents: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, contents);
  return path;
}

function expectOneLineError(result: { code: number | null; stderr: string }, message: string | RegExp): void {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'prodclass-model-cli-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('prodclass model', () => {
  it('fits, evaluates and predicts', async () => {
    const data = file('train.csv', csv(rows));
    const bundle = join(directory, 'model.bundle');
    const fitted = await runCli([
      'model',
      'fit',
      '--data',
      data,
      '--out',
      bundle,
      '--min-df',
      '1',
      '--max-df',
      '1',
    ]);
    expect(fitted.stderr).toMatch(/iteration 1 loss \d/);
    expect(fitted.code).toBe(0);
    expect(JSON.parse(fitted.stdout)).toMatchObject({ rows: 8, classes: 2, converged: true });

    const evaluated = await runCli(['model', 'eval', '--model', bundle, '--data', data, '--json']);
    expect(evaluated.code).toBe(0);
    const metrics = JSON.parse(evaluated.stdout);
    for (const key of [
      'accuracy',
      'f1_weighted',
      'f1_macro',
      'precision_weighted',
      'recall_weighted',
      'per_class',
      'confusion_matrix',
    ]) {
      expect(metrics).toHaveProperty(key);
    }
    expect(metrics.accuracy).toBe(1);

    const predicted = await runCli(
      ['model', 'predict', '--model', bundle, '--top-k', '2'],
      '{"designation":"Piscine ronde","description":null}\n{"designation":"Un roman"}\n',
    );
    expect(predicted.code).toBe(0);
    const lines = predicted.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.prdtypecode)).toEqual([2583, 10]);
    expect(lines[0]).toMatchObject({ category: 'Piscine et accessoires' });
    expect(lines[0].top_k).toHaveLength(2);
    expect(lines[0].confidence).toBe(lines[0].top_k[0].probability);
  });

  it('refuses a corrupted bundle', async () => {
    const bundle = join(directory, 'model.bundle');
    const bytes = readFileSync(bundle);
    bytes[bytes.length - 9] = (bytes[bytes.length - 9] as number) ^ 1;
    const corrupted = file('corrupted.bundle', bytes);
    const result = await runCli(['model', 'predict', '--model', corrupted], '{"designation":"x"}\n');
    expectOneLineError(
      result,
      /^prodclass: .*corrupted\.bundle is corrupted or truncated: its sha256 checksum does not match/,
    );
  });

  it('refuses an empty training file', async () => {
    const result = await runCli([
      'model',
      'fit',
      '--data',
      file('empty.csv', ''),
      '--out',
      join(directory, 'x.bundle'),
    ]);
    expectOneLineError(
      result,
      /^prodclass: .*empty\.csv: no products \(the file is empty or has only a header\)$/,
    );
  });

  it('refuses a training file with one class', async () => {
    const data = file('one-class.csv', csv(rows.filter((row) => row[2] === 2583)));
    const result = await runCli([
      'model',
      'fit',
      '--data',
      data,
      '--out',
      join(directory, 'x.bundle'),
      '--min-df',
      '1',
    ]);
    expectOneLineError(
      result,
      'prodclass: the training data has only one class (2583); a classifier needs at least two classes',
    );
  });

  it('refuses a row without a designation', async () => {
    const data = file('no-designation.csv', csv([...rows.slice(0, 3), ['', 'une description', 10]]));
    const result = await runCli(['model', 'fit', '--data', data, '--out', join(directory, 'x.bundle')]);
    expectOneLineError(result, /^prodclass: .*no-designation\.csv:5: the designation is empty$/);
  });

  it('refuses a file that is not UTF-8, naming the line of the first such byte', async () => {
    const latin1 = Buffer.from(csv(rows), 'latin1');
    const data = file('cp1252.csv', latin1);
    const result = await runCli([
      'model',
      'eval',
      '--model',
      join(directory, 'model.bundle'),
      '--data',
      data,
    ]);
    expectOneLineError(
      result,
      /^prodclass: .*cp1252\.csv:2: not valid UTF-8 \(is the file in another encoding\?\)$/,
    );
  });

  it('refuses a missing file', async () => {
    const result = await runCli([
      'model',
      'eval',
      '--model',
      join(directory, 'model.bundle'),
      '--data',
      join(directory, 'nope.csv'),
    ]);
    expectOneLineError(result, /^prodclass: .*nope\.csv: no such file$/);
  });

  it('refuses a predict line without a designation', async () => {
    const result = await runCli(
      ['model', 'predict', '--model', join(directory, 'model.bundle')],
      '{"description":"x"}\n',
    );
    expectOneLineError(
      result,
      'prodclass: stdin line 1: expected an object with a non-empty string "designation"',
    );
  });
});
