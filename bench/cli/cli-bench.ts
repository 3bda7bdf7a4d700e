/**
 * The prodclass CLI as whole processes: `--version`, `--help` and `drift check` over 1,000,000 logged
 * predictions (800,000 in the 30-day reference window, 200,000 in the 7-day current one), each run
 * through the checkout's `scripts/prodclass` as a user runs it, beside `node -e 0` (node's own
 * start-up, the yardstick). Every round runs each command of each checkout and the yardstick once, in
 * an order that rotates from round to round, so load from other work on the machine falls on all of
 * them alike. Each run's wall time is measured from spawning to its exit, its CPU time (user + system,
 * in 10 ms ticks) by /usr/bin/time; the table gives medians,
 * and the ratio to the yardstick is the median of the rounds' ratios.
 *
 * Usage: npm run build && npx tsx bench/cli/cli-bench.ts [--rounds N] LABEL=REPO_ROOT [LABEL=REPO_ROOT ...]
 * e.g.   npx tsx bench/cli/cli-bench.ts before=/tmp/prodclass-before after=.
 * (each REPO_ROOT built with `npm run build`; the local stack is brought up if it is not running).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { up } from '../../stack/stack.js';
import {
  baselineTraffic,
  copyPredictions,
  generatedPredictions,
} from '../../test/support/generated-predictions.js';

const day = 86_400_000;
const modelName = 'rakuten_classifier';

const argv = process.argv.slice(2);
let rounds = 9;
const checkouts: { label: string; root: string }[] = [];
for (let index = 0; index < argv.length; index++) {
  const argument = argv[index] as string;
  if (argument === '--rounds') rounds = Number(argv[++index]);
  else {
    const [label, root] = argument.split('=') as [string, string | undefined];
    if (!root) throw new Error(`expected LABEL=REPO_ROOT, got "${argument}"`);
    checkouts.push({ label, root: path.resolve(root) });
  }
}
if (checkouts.length === 0 || !(rounds >= 1))
  throw new Error('usage: cli-bench.ts [--rounds N] LABEL=REPO_ROOT [LABEL=REPO_ROOT ...]');
for (const { root } of checkouts)
  if (!fs.existsSync(path.join(root, 'trainer-job/dist/cli.js')))
    throw new Error(`${root}: no trainer-job/dist/cli.js; run npm run build there`);

const run = promisify(execFile);
const adminUrl = (await up()).env.DATABASE_URL;
const database = `prodclass_bench_cli_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/**
 * The rows sit a day inside their windows, so the windows the CLI computes from its own clock
 * during the benchmark select the same 200,000 and 800,000 rows every time.
 */
async function writePredictions(url: string): Promise<void> {
  const now = Date.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await migrate(client);
  const traffic = (from: number, to: number, count: number, seed: number) =>
    generatedPredictions({
      modelName,
      modelVersion: '3',
      from: new Date(from),
      to: new Date(to),
      count,
      profile: baselineTraffic,
      seed,
    });
  await copyPredictions(client, [
    ...traffic(now - 36 * day, now - 8 * day, 800_000, 1),
    ...traffic(now - 6 * day, now - day, 200_000, 2),
  ]);
  await client.query('vacuum analyze inference_log');
  await client.end();
}

interface Timing {
  wall: number;
  cpu: number;
}

const timeFile = path.join(os.tmpdir(), `prodclass-cli-bench-${process.pid}.time`);

/** One run under /usr/bin/time; its stdout, checked by `expect`. */
async function timed(
  command: string[],
  env: NodeJS.ProcessEnv,
  expect: (stdout: string) => void,
): Promise<Timing> {
  const started = performance.now();
  const { stdout } = await run('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, ...command], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const wall = (performance.now() - started) / 1000;
  expect(stdout);
  const [user, system] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
  return { wall, cpu: (user ?? Number.NaN) + (system ?? Number.NaN) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

await admin(`create database ${database}`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  process.stderr.write('writing 1,000,000 predictions...\n');
  await writePredictions(url.toString());
  const env = { ...process.env, DATABASE_URL: url.toString(), PRODCLASS_GIT_COMMIT: '' };

  const commands: { name: string; args: string[]; expect: (stdout: string) => void }[] = [
    {
      name: '--version',
      args: ['--version'],
      expect: (out) => assert(/^prodclass \S+ \(git commit /.test(out), out),
    },
    { name: '--help', args: ['--help'], expect: (out) => assert(out.includes('drift check'), out) },
    {
      name: 'drift check (1,000,000 rows)',
      args: ['drift', 'check', '--model', modelName, '--json'],
      expect: (out) => {
        const report = JSON.parse(out) as { current: { samples: number }; reference: { samples: number } };
        assert(report.current.samples === 200_000 && report.reference.samples === 800_000, out);
      },
    },
  ];
  const subjects = [
    { label: 'node -e 0', command: 'yardstick', argv: [process.execPath, '-e', '0'], expect: () => {} },
    ...commands.flatMap((command) =>
      checkouts.map((checkout) => ({
        label: checkout.label,
        command: command.name,
        argv: [path.join(checkout.root, 'scripts/prodclass'), ...command.args],
        expect: command.expect,
      })),
    ),
  ];
  const results = subjects.map(() => [] as Timing[]);
  // One unrecorded round first: the page cache, PostgreSQL's buffers.
  for (let round = -1; round < rounds; round++) {
    for (let step = 0; step < subjects.length; step++) {
      const index = (step + Math.max(round, 0)) % subjects.length;
      const subject = subjects[index] as (typeof subjects)[number];
      const timing = await timed(subject.argv, env, subject.expect);
      if (round >= 0) results[index]?.push(timing);
    }
  }

  const yardstick = results[0] as Timing[];
  const rows = subjects.map((subject, index) => {
    const timings = results[index] as Timing[];
    const walls = timings.map((timing) => timing.wall);
    return [
      subject.command,
      subject.label,
      `${median(walls).toFixed(3)} s (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)})`,
      `${median(timings.map((timing) => timing.cpu)).toFixed(3)} s`,
      `${median(timings.map((timing, round) => timing.wall / (yardstick[round]?.wall ?? Number.NaN))).toFixed(2)}×`,
    ];
  });
  const header = ['command', 'checkout', 'wall, median (min–max)', 'CPU, median', 'wall / node -e 0'];
  console.log(`rounds: ${rounds}; load average before: ${os.loadavg()[0]?.toFixed(1)}`);
  for (const row of [header, ...rows]) console.log(`| ${row.join(' | ')} |`);
} finally {
  fs.rmSync(timeFile, { force: true });
  await admin(`drop database if exists ${database} with (force)`);
}

function assert(condition: boolean, output: string): asserts condition {
  if (!condition) throw new Error(`unexpected output:\n${output.slice(0, 2000)}`);
}
