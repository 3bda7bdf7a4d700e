import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
// Not created beforehand, like the .local/ of a fresh checkout.
const localDir = path.join(os.tmpdir(), `prodclass-stack-${randomBytes(6).toString('hex')}`);
const env = { ...process.env, PRODCLASS_LOCAL_DIR: localDir };

function stack(command: 'up' | 'down' | 'status') {
  return spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['stack/cli.ts', command], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/**
 * Processes of this second stack: those in the process groups it started (MLflow's workers among
 * them), the PostgreSQL postmaster, and any whose command line names its directory.
 */
function stackProcesses(pids: number[]): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    const [pid, pgid, stat] = line.trim().split(/\s+/);
    if (stat?.startsWith('Z')) return false;
    return (
      pids.includes(Number(pid)) ||
      pids.includes(Number(pgid)) ||
      (line.includes(localDir) && !line.includes(' ps '))
    );
  });
}

function recordedPids(): number[] {
  const state = JSON.parse(fs.readFileSync(path.join(localDir, 'stack.json'), 'utf8')) as {
    pids: Record<string, number>;
  };
  return Object.values(state.pids);
}

afterAll(() => {
  stack('down');
  fs.rmSync(localDir, { recursive: true, force: true });
});

test('a second stack comes up, is reused by a second `up`, and `down` leaves no process behind', {
  timeout: 300_000,
}, async () => {
  const first = stack('up');
  expect(first.status, first.stderr).toBe(0);
  expect(first.stderr).toMatch(/started: .*postgres/);
  const envFile = fs.readFileSync(path.join(localDir, 'stack.env'), 'utf8');
  for (const name of ['DATABASE_URL', 'MLFLOW_TRACKING_URI', 'KUBECONFIG', 'PROMETHEUS_URL']) {
    expect(envFile).toMatch(new RegExp(`^export ${name}='[^']+'$`, 'm'));
  }
  expect(envFile).toMatch(/127\.0\.0\.1/);
  // Every service keeps its data under the stack's directory, PostgreSQL's included.
  expect(fs.existsSync(path.join(localDir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);

  // A reused Prometheus running an older configuration is given this checkout's.
  const prometheusUrl = /^export PROMETHEUS_URL='([^']+)'$/m.exec(envFile)?.[1] as string;
  const runningConfig = async () =>
    ((await (await fetch(`${prometheusUrl}/api/v1/status/config`)).json()) as { data: { yaml: string } }).data
      .yaml;
  const configFile = path.join(localDir, 'prometheus', 'prometheus.yml');
  fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace(/\n\s*honor_labels: true/, ''));
  expect((await fetch(`${prometheusUrl}/-/reload`, { method: 'POST' })).ok).toBe(true);
  expect(await runningConfig()).not.toContain('honor_labels: true');

  const second = stack('up');
  expect(second.status, second.stderr).toBe(0);
  expect(second.stderr).toContain('every service was already running');
  expect(await runningConfig()).toContain('honor_labels: true');

  const status = stack('status');
  expect(status.status).toBe(0);
  expect(status.stdout.match(/answers/g)).toHaveLength(5);
  const pids = recordedPids();
  expect(pids).toHaveLength(5);
  expect(stackProcesses(pids).length).toBeGreaterThanOrEqual(5);

  const down = stack('down');
  expect(down.status, down.stderr).toBe(0);
  expect(stackProcesses(pids)).toEqual([]);
  expect(stack('status').status).toBe(1);
});
