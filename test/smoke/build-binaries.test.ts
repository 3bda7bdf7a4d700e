import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-build-binaries-'));

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A stand-in for `go` whose builds take a second and are counted, so overlapping builds show. */
function writeFakeGo(): string {
  const bin = path.join(work, 'fake-go-bin');
  fs.mkdirSync(bin);
  const script = [
    '#!/bin/sh',
    'if [ "$1" = build ]; then',
    `  echo build >> "${path.join(work, 'builds.log')}"`,
    '  while [ "$1" != -o ]; do shift; done',
    '  sleep 1',
    '  printf "#!/bin/sh\\n" > "$2" && chmod +x "$2"',
    'fi',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(bin, 'go'), script, { mode: 0o755 });
  return bin;
}

function build(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(repoRoot, 'stack', 'build-binaries.sh'), 'helm'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('two stacks building the same binary at once: one build, both get the binary', async () => {
  const env = { ...process.env, PATH: `${writeFakeGo()}:${process.env.PATH}`, PRODCLASS_CACHE: work };
  const results = await Promise.all([build(env), build(env)]);
  for (const result of results) {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/\/bin\/helm-v[\d.]+\/helm$/);
  }
  expect(fs.readFileSync(path.join(work, 'builds.log'), 'utf8').trim().split('\n')).toHaveLength(1);
});
