import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { isAlive } from '../../stack/processes.js';

// stack/supervise.ts as scripts/demo.sh runs it, supervising small shell scripts; its JSON lines
// (stderr) say what it did. Delays are compared as the supervisor computed them, never timed.
const repository = path.resolve(import.meta.dirname, '../..');

interface LogLine {
  msg: string;
  process: string;
  pid?: number;
  exitCode?: number | null;
  signal?: string | null;
  delayMs?: number;
}

interface Supervisor {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the lines so far once `count` lines match `msg`. */
  until: (msg: string, count: number) => Promise<LogLine[]>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function superviseScript(script: string, backoff: string[]): Supervisor {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'stack/supervise.ts', '--name', 'flaky', ...backoff, '--', 'sh', '-c', script],
    { cwd: repository, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.push(child);
  const lines: LogLine[] = [];
  const waiters: (() => void)[] = [];
  let buffered = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    for (const waiter of waiters) waiter();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const until = (msg: string, count: number) =>
    new Promise<LogLine[]>((resolve, reject) => {
      const check = () => {
        if (lines.filter((line) => line.msg === msg).length >= count) resolve([...lines]);
      };
      waiters.push(check);
      check();
      exited.then((code) =>
        reject(new Error(`the supervisor exited (${code}) before ${count} "${msg}" lines`)),
      );
    });
  return { child, lines, until, exited };
}

test('a process that keeps failing is restarted with doubling delays, capped, and reset by a long run', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-supervise-'));
  const counter = path.join(directory, 'runs');
  try {
    // Runs 0-4 and 6 exit 3 at once; run 5 lasts longer than --reset-after-ms first.
    const script = `n=$(cat ${counter} 2>/dev/null || echo 0); echo $((n + 1)) > ${counter}; if [ "$n" = 5 ]; then sleep 2; fi; exit 3`;
    const supervisor = superviseScript(script, [
      '--initial-delay-ms',
      '100',
      '--max-delay-ms',
      '800',
      '--reset-after-ms',
      '1000',
    ]);
    const lines = await supervisor.until('restarting', 7);
    const restarts = lines.filter((line) => line.msg === 'restarting').slice(0, 7);
    expect(restarts.map((line) => line.delayMs)).toEqual([100, 200, 400, 800, 800, 100, 200]);
    for (const line of restarts) expect(line).toMatchObject({ process: 'flaky', exitCode: 3, signal: null });
    expect(lines.filter((line) => line.msg === 'started').length).toBeGreaterThanOrEqual(7);
    supervisor.child.kill('SIGTERM');
    expect(await supervisor.exited).toBe(0);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('SIGTERM to the supervisor stops its process and restarts nothing', async () => {
  const supervisor = superviseScript('exec sleep 600', []);
  const [start] = await supervisor.until('started', 1);
  const pid = start?.pid as number;
  expect(isAlive(pid)).toBe(true);
  supervisor.child.kill('SIGTERM');
  expect(await supervisor.exited).toBe(0);
  expect(isAlive(pid)).toBe(false);
  expect(supervisor.lines.map((line) => line.msg)).toEqual(['started', 'stopped']);
  expect(supervisor.lines[1]).toMatchObject({ process: 'flaky', signal: 'SIGTERM' });
});
