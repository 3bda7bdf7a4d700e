/**
 * Where a prediction's time goes at a steady 1,000 requests/s with the inference log on. Rounds
 * alternate the log off and on (same server, same bundle, the off round as the anchor), each a
 * warm-up then a measured phase of the open-loop generator (constant-rate.ts), pinned as in run.ts.
 * Then one more round with the log on under `node --cpu-prof`, summarised by self time: by part
 * of the work (JSON, HTTP, model, inference-log line, PostgreSQL client, metrics, GC, ...) and the
 * top functions. The profiler's own cost stays out of the measured rounds.
 *
 * Usage: npm run build && npx tsx bench/model-server/profile.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { repoRoot } from '../../stack/paths.js';
import { status, up } from '../../stack/stack.js';
import { fitBenchModel } from './bench-model.js';
import { constantRate } from './constant-rate.js';
import { type CpuPinning, pinOffServerCpu } from './cpu-pinning.js';

const rate = 1_000;
const warmUpSeconds = 10;
const measureSeconds = 30;
const rounds = ['off', 'on', 'on', 'off'] as const;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-profile-'));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Frame = ProfileNode['callFrame'];

/** The parts of the work, by a function's file or, for code without one, its name; the first that matches. */
const parts: [string, (frame: Frame) => boolean][] = [
  ['garbage collection', (frame) => frame.functionName === '(garbage collector)'],
  ['V8 and native, outside JavaScript', (frame) => frame.functionName === '(program)'],
  [
    'inference log: line and queue',
    (frame) => /inference-log|copy-line-queue|copy-text|uuidv7/.test(frame.url),
  ],
  [
    'inference log: PostgreSQL client (COPY)',
    (frame) => /node_modules\/(pg|pg-protocol|pg-copy-streams|pg-pool)\//.test(frame.url),
  ],
  ['model: text, features, predict', (frame) => /textmodel|word-table|\/core\//.test(frame.url)],
  // Code generated at run time has no file: fast-json-stringify's serialisers (anonymousN),
  // secure-json-parse's prototype-poisoning check (a RegExp), ajv's validators (validateN).
  ['JSON', (frame) => /json/i.test(frame.url) || /^(JSON\.|anonymous\d*$|RegExp:)/.test(frame.functionName)],
  ['metrics', (frame) => /prom-client|request-histogram|metrics/.test(frame.url)],
  [
    'fastify and routes',
    (frame) =>
      /node_modules\/(fastify|find-my-way|avvio|@fastify|ajv)|model-server\/dist\/(routes|http-errors|server)/.test(
        frame.url,
      ) || /^validate\d*$/.test(frame.functionName),
  ],
  [
    'start-up: loading modules',
    (frame) =>
      frame.url.startsWith('node:internal/modules') ||
      /^(readFileUtf8|internalModuleStat|openFileHandle|compileFunction)$/.test(frame.functionName),
  ],
  [
    'Node core (HTTP, net, streams, timers)',
    (frame) =>
      frame.url.startsWith('node:') ||
      /^(writev|writeBuffer|utf8Write|latin1Write)$/.test(frame.functionName),
  ],
];

function partOf(frame: Frame): string {
  const part = parts.find(([, matches]) => matches(frame))?.[0];
  if (part) return part;
  return frame.url === '' ? `native: ${frame.functionName || '(anonymous)'}` : 'other JavaScript';
}

function summarise(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const total = [...selfMs.values()].reduce((sum, ms) => sum + ms, 0);
  const idle = [...selfMs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((sum, [, ms]) => sum + ms, 0);
  const byPart = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    const part = partOf(frame);
    byPart.set(part, (byPart.get(part) ?? 0) + ms);
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|prodclass[^/]*|spool-soak)\//, '')}:${frame.lineNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const share = (ms: number) => `${((100 * ms) / busy).toFixed(1)} %`;
  return {
    profiledSeconds: Number((total / 1000).toFixed(1)),
    busyShareOfOneCore: `${((100 * busy) / total).toFixed(1)} %`,
    parts: [...byPart].sort((a, b) => b[1] - a[1]).map(([part, ms]) => ({ part, share: share(ms) })),
    topFunctions: [...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([name, ms]) => ({ name, share: share(ms) })),
  };
}

/** Cumulative counts of prodclass_prediction_request_duration_seconds for /predict, by bucket bound. */
async function durationBuckets(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pattern =
    /^prodclass_prediction_request_duration_seconds_bucket\{le="([^"]+)",route="\/predict",track="primary"\} (\d+)$/gm;
  return new Map([...text.matchAll(pattern)].map((match) => [match[1] as string, Number(match[2])]));
}

async function startServer(
  pinning: CpuPinning,
  env: Record<string, string>,
  nodeOptions: string[],
  logName: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const log = fs.openSync(path.join(workDir, logName), 'w');
  const { command, args } = pinning.serverCommand(process.execPath, [
    ...nodeOptions,
    'model-server/dist/main.js',
  ]);
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the model server exited with code ${child.exitCode}`);
    if ((await fetch(`${url}/ready`).catch(() => undefined))?.ok) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
}

async function main(): Promise<void> {
  const { env } = await up();
  const { bundlePath, bodies } = await fitBenchModel(workDir);
  const database = `bench_profile_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const databaseUrl = new URL(env.DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  await withDatabase(databaseUrl.toString(), migrate);
  const stackGroups = (await status()).flatMap((service) => (service.pid ? [service.pid] : []));
  const pinning = pinOffServerCpu(stackGroups);
  const serverEnv = (log: 'on' | 'off') => ({
    MODEL_URI: bundlePath,
    ...(log === 'on' ? { DATABASE_URL: databaseUrl.toString() } : {}),
  });
  try {
    const measured = [];
    for (const [index, log] of rounds.entries()) {
      const { child, url } = await startServer(pinning, serverEnv(log), [], `round-${index}.log`);
      try {
        await constantRate(url, '/predict', bodies, rate, warmUpSeconds);
        const before = await durationBuckets(url);
        const loadAverage = os.loadavg()[0]?.toFixed(1);
        const result = await constantRate(url, '/predict', bodies, rate, measureSeconds);
        const after = await durationBuckets(url);
        const count = (le: string) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
        const within = (le: string) => `${((100 * count(le)) / count('+Inf')).toFixed(2)} %`;
        measured.push({
          log,
          loadAverage,
          p50: Number(result.p50.toFixed(2)),
          p99: Number(result.p99.toFixed(2)),
          max: Number(result.max.toFixed(1)),
          failures: result.failures,
          serverWithin: { '1 ms': within('0.001'), '2.5 ms': within('0.0025'), '5 ms': within('0.005') },
        });
      } finally {
        await stopServer(child);
      }
    }

    const profileDir = path.join(workDir, 'profile');
    const { child, url } = await startServer(
      pinning,
      serverEnv('on'),
      ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      'profiled.log',
    );
    await constantRate(url, '/predict', bodies, rate, warmUpSeconds);
    const profiled = await constantRate(url, '/predict', bodies, rate, measureSeconds);
    await stopServer(child);
    const [profileFile] = fs.readdirSync(profileDir);
    const profile = JSON.parse(
      fs.readFileSync(path.join(profileDir, profileFile as string), 'utf8'),
    ) as CpuProfile;
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`,
          node: process.version,
          cpuPinning: pinning.description,
          settings: { rate, warmUpSeconds, measureSeconds },
          rounds: measured,
          profiledRound: {
            note: 'the whole profiled process: start-up, warm-up and the measured phase',
            p50: Number(profiled.p50.toFixed(2)),
            p99: Number(profiled.p99.toFixed(2)),
            ...summarise(profile),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    pinning.restore();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
