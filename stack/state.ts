import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { localDir, stateFile } from './paths.js';
import { freePort } from './processes.js';

export const serviceNames = ['postgres', 'mlflow', 'etcd', 'kube-apiserver', 'prometheus'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** What `up` chose once and reuses: ports, generated credentials, and the pids it started. */
export interface StackState {
  ports: Record<ServiceName | 'etcdPeer', number>;
  postgresPassword: string;
  kubeToken: string;
  pids: Partial<Record<ServiceName, number>>;
}

export async function loadState(): Promise<StackState> {
  if (fs.existsSync(stateFile)) return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StackState;
  const ports = {} as StackState['ports'];
  for (const name of [...serviceNames, 'etcdPeer'] as const) ports[name] = await freePort();
  return {
    ports,
    postgresPassword: randomBytes(18).toString('base64url'),
    kubeToken: randomBytes(24).toString('base64url'),
    pids: {},
  };
}

export function saveState(state: StackState): void {
  fs.mkdirSync(localDir, { recursive: true });
  fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function readStateIfAny(): StackState | undefined {
  return fs.existsSync(stateFile)
    ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StackState)
    : undefined;
}
