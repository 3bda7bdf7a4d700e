import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { localDir, logFileOf, repoRoot } from '../paths.js';
import { answersOk, isAlive, StackError, startDetached, stopGroup, waitUntil } from '../processes.js';
import type { Service } from '../service.js';
import { postgresUrl } from './postgres.js';

/** Shared by every stack of this checkout, wherever PRODCLASS_LOCAL_DIR puts the rest. */
export const venvDir = path.join(repoRoot, '.local', 'venv');
const requirementsFile = path.join(repoRoot, 'stack', 'requirements.txt');
const stampFile = path.join(venvDir, '.requirements.sha256');
const artifactsDir = path.join(localDir, 'mlflow', 'artifacts');
const logFile = logFileOf('mlflow');

/** Creates or refreshes `.local/venv` from stack/requirements.txt; a no-op when it is current. */
export async function ensureVenv(progress: (line: string) => void): Promise<void> {
  const wanted = createHash('sha256').update(fs.readFileSync(requirementsFile)).digest('hex');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === wanted) return;
  progress('mlflow: installing stack/requirements.txt into .local/venv (first run only, a few minutes)');
  const installLog = logFileOf('pip-install');
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'bash',
      [path.join(repoRoot, 'stack', 'install-venv.sh')],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    fs.writeFileSync(installLog, stdout + stderr);
  } catch (error) {
    fs.writeFileSync(installLog, String((error as { stderr?: string }).stderr ?? error));
    throw new StackError('mlflow', 'installing its Python requirements failed', installLog);
  }
}

export const mlflow: Service = {
  name: 'mlflow',
  logFile,
  url: (state) => `http://127.0.0.1:${state.ports.mlflow}`,
  answers(state) {
    return answersOk(`${this.url(state)}/health`);
  },
  prepare: ensureVenv,
  async start(state) {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const pid = startDetached(
      path.join(venvDir, 'bin', 'mlflow'),
      [
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        String(state.ports.mlflow),
        '--workers',
        '2',
        '--backend-store-uri',
        postgresUrl(state, 'mlflow').replace('postgresql://', 'postgresql+psycopg2://'),
        '--serve-artifacts',
        '--artifacts-destination',
        artifactsDir,
      ],
      logFile,
      {
        ...process.env,
        MLFLOW_ENABLE_TELEMETRY: 'false',
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
      },
    );
    await waitUntil(
      'mlflow',
      logFile,
      180_000,
      () => this.answers(state),
      () => isAlive(pid),
    );
    return pid;
  },
  async stop(state) {
    if (state.pids.mlflow) await stopGroup(state.pids.mlflow);
  },
};
