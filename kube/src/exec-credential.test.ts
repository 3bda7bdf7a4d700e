import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { connectionFromKubeconfig } from './connection.js';
import { type ExecConfig, ExecCredentialPlugin, parseExecConfig } from './exec-credential.js';

const v1 = 'client.authentication.k8s.io/v1';
const expiry = '2030-01-01T12:00:00Z';
const expiryMs = Date.parse(expiry);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-credential-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A fake plugin: records each run, its arguments and KUBERNETES_EXEC_INFO in the temp dir, then
 * runs `body` (by default: prints the file `answer`). PLUGIN_DIR comes from the kubeconfig's `env`.
 */
function writePlugin(body = 'cat "$PLUGIN_DIR/answer"'): string {
  const file = path.join(dir, 'plugin.sh');
  fs.writeFileSync(
    file,
    `#!/bin/sh
echo run >> "$PLUGIN_DIR/runs"
printf '%s\\n' "$@" > "$PLUGIN_DIR/args"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$PLUGIN_DIR/exec-info.json"
${body}
`,
    { mode: 0o755 },
  );
  return file;
}

function answer(status: unknown, apiVersion = v1): void {
  fs.writeFileSync(path.join(dir, 'answer'), JSON.stringify({ apiVersion, kind: 'ExecCredential', status }));
}

const runs = () => fs.readFileSync(path.join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length;

const pluginEnv = () => [{ name: 'PLUGIN_DIR', value: dir }];

function config({ command = writePlugin(), ...overrides }: Partial<ExecConfig> = {}): ExecConfig {
  return {
    apiVersion: v1,
    command,
    args: ['token', '--cluster', 'a b'],
    env: pluginEnv(),
    provideClusterInfo: false,
    ...overrides,
  };
}

function plugin(execConfig: ExecConfig, timing = { timeoutMs: 10_000, now: Date.now }) {
  return new ExecCredentialPlugin(
    execConfig,
    { where: 'kubeconfig: user u', kubeconfigDir: dir, cluster: { server: 'https://k8s.test:6443' } },
    timing,
  );
}

test('the plugin gets the ExecCredential request, its args and env; concurrent callers share one run', async () => {
  answer({ token: 'secret-1' });
  const source = plugin(config());
  const credentials = await Promise.all([source.credential(), source.credential(), source.credential()]);
  expect(credentials.map((c) => c.token)).toEqual(['secret-1', 'secret-1', 'secret-1']);
  expect(await source.credential()).toBe(credentials[0]);
  expect(runs()).toBe(1);
  expect(fs.readFileSync(path.join(dir, 'args'), 'utf8')).toBe('token\n--cluster\na b\n');
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'exec-info.json'), 'utf8'))).toEqual({
    apiVersion: v1,
    kind: 'ExecCredential',
    spec: { interactive: false },
  });
});

test('the kubeconfig env is set on top of the process env; provideClusterInfo sends spec.cluster', async () => {
  process.env.EXEC_CREDENTIAL_TEST_INHERITED = 'inherited';
  try {
    answer({ token: 't' });
    const command = writePlugin(
      'echo "$EXEC_CREDENTIAL_TEST_INHERITED $HOME" > "$PLUGIN_DIR/env"; cat "$PLUGIN_DIR/answer"',
    );
    await plugin(
      config({
        command,
        env: [...pluginEnv(), { name: 'HOME', value: '/plugin-home' }],
        provideClusterInfo: true,
      }),
    ).credential();
    expect(fs.readFileSync(path.join(dir, 'env'), 'utf8')).toBe('inherited /plugin-home\n');
    const request = JSON.parse(fs.readFileSync(path.join(dir, 'exec-info.json'), 'utf8'));
    expect(request.spec).toEqual({ interactive: false, cluster: { server: 'https://k8s.test:6443' } });
  } finally {
    delete process.env.EXEC_CREDENTIAL_TEST_INHERITED;
  }
});

test('a credential is kept until a minute before its expirationTimestamp', async () => {
  answer({ token: 'secret-1', expirationTimestamp: expiry });
  let now = expiryMs - 15 * 60_000;
  const source = plugin(config(), { timeoutMs: 10_000, now: () => now });
  await source.credential();
  now = expiryMs - 61_000;
  expect((await source.credential()).token).toBe('secret-1');
  expect(runs()).toBe(1);
  answer({ token: 'secret-2', expirationTimestamp: '2030-01-01T13:00:00Z' });
  now = expiryMs - 59_000;
  expect((await source.credential()).token).toBe('secret-2');
  expect(runs()).toBe(2);
});

test('a short-lived credential is renewed halfway through its life, not on every request', async () => {
  answer({ token: 'short', expirationTimestamp: expiry });
  let now = expiryMs - 40_000;
  const source = plugin(config(), { timeoutMs: 10_000, now: () => now });
  await source.credential();
  now = expiryMs - 21_000;
  await source.credential();
  expect(runs()).toBe(1);
  now = expiryMs - 19_000;
  await source.credential();
  expect(runs()).toBe(2);
});

test('a credential that arrives already expired is not kept', async () => {
  answer({ token: 'stale', expirationTimestamp: expiry });
  const source = plugin(config(), { timeoutMs: 10_000, now: () => expiryMs + 5_000 });
  await source.credential();
  await source.credential();
  expect(runs()).toBe(2);
});

test('a credential without expiry is kept until the API server refuses it', async () => {
  answer({ token: 'first' });
  const source = plugin(config());
  const first = await source.credential();
  await source.credential();
  expect(runs()).toBe(1);
  answer({ token: 'second' });
  expect(source.refused(first)).toBe(true);
  const second = await source.credential();
  expect(second.token).toBe('second');
  // A late 401 to the old credential does not throw the new one away.
  expect(source.refused(first)).toBe(true);
  expect(await source.credential()).toBe(second);
  expect(runs()).toBe(2);
});

test('a client certificate comes back as PEM buffers', async () => {
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
  answer({ clientCertificateData: cert, clientKeyData: key });
  const credential = await plugin(config()).credential();
  expect(credential.token).toBeUndefined();
  expect(credential.cert?.toString()).toBe(cert);
  expect(credential.key?.toString()).toBe(key);
});

test('v1beta1 is accepted when the kubeconfig asks for it', async () => {
  const v1beta1 = 'client.authentication.k8s.io/v1beta1';
  answer({ token: 'beta' }, v1beta1);
  expect((await plugin(config({ apiVersion: v1beta1 })).credential()).token).toBe('beta');
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'exec-info.json'), 'utf8')).apiVersion).toBe(v1beta1);
});

test('a relative command with a slash is found from the kubeconfig directory', async () => {
  answer({ token: 'relative' });
  writePlugin();
  expect((await plugin(config({ command: './plugin.sh' })).credential()).token).toBe('relative');
});

test('a plugin that exits non-zero: the error has its exit code and its stderr, truncated', async () => {
  const command = writePlugin(
    `echo "error: you must run 'cloud login' first" >&2; head -c 2000 /dev/zero | tr '\\0' x >&2; exit 3`,
  );
  const error = await plugin(config({ command }))
    .credential()
    .catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toMatch(
    /^kubeconfig: user u: exec plugin .*plugin\.sh: exited with code 3: error: you must run 'cloud login' first/,
  );
  expect(message.endsWith('x…')).toBe(true);
  expect(message.length).toBeLessThan(700);
});

test('a failed run is not cached: the next call runs the plugin again', async () => {
  const source = plugin(config());
  await expect(source.credential()).rejects.toThrow(/exited with code 1/);
  answer({ token: 'now-logged-in' });
  expect((await source.credential()).token).toBe('now-logged-in');
  expect(runs()).toBe(2);
});

test('a missing command names itself and gives the installHint', async () => {
  const source = plugin(
    config({
      command: 'prodclass-no-such-auth-plugin',
      installHint: 'Install it with: brew install no-such',
    }),
  );
  await expect(source.credential()).rejects.toThrow(
    'kubeconfig: user u: exec plugin prodclass-no-such-auth-plugin: command not found. Install it with: brew install no-such',
  );
});

test('invalid JSON is refused without echoing the output (it may be a bare token)', async () => {
  fs.writeFileSync(path.join(dir, 'answer'), 'eyJhbGciOiJSUzI1NiJ9.bare-token');
  const error = (await plugin(config())
    .credential()
    .catch((e: Error) => e)) as Error;
  expect(error.message).toMatch(/printed invalid JSON \(31 characters\), not an ExecCredential$/);
  expect(error.message).not.toContain('bare-token');
});

test('an answer in another apiVersion than the kubeconfig asks for is refused', async () => {
  answer({ token: 't' }, 'client.authentication.k8s.io/v1beta1');
  await expect(plugin(config()).credential()).rejects.toThrow(
    'answered with apiVersion "client.authentication.k8s.io/v1beta1", but the kubeconfig asks for client.authentication.k8s.io/v1',
  );
});

test('answers without usable credentials are refused', async () => {
  const source = plugin(config());
  fs.writeFileSync(path.join(dir, 'answer'), JSON.stringify({ apiVersion: v1, kind: 'ExecCredential' }));
  await expect(source.credential()).rejects.toThrow('the ExecCredential has no status');
  answer({ expirationTimestamp: expiry });
  await expect(source.credential()).rejects.toThrow('neither a token nor clientCertificateData');
  answer({ clientCertificateData: 'pem' });
  await expect(source.credential()).rejects.toThrow('only one of clientCertificateData and clientKeyData');
  answer({ token: 't', expirationTimestamp: 'tomorrow' });
  await expect(source.credential()).rejects.toThrow('status.expirationTimestamp "tomorrow" is not a time');
  fs.writeFileSync(path.join(dir, 'answer'), JSON.stringify({ apiVersion: v1, kind: 'Status' }));
  await expect(source.credential()).rejects.toThrow('printed JSON that is not an ExecCredential');
});

test('a plugin that hangs is killed after the timeout', async () => {
  const command = writePlugin('exec sleep 30');
  await expect(plugin(config({ command }), { timeoutMs: 300, now: Date.now }).credential()).rejects.toThrow(
    'no answer after 0.3 s',
  );
});

test('exec sections are validated when the kubeconfig is read', () => {
  const where = 'kubeconfig: user u';
  const valid = { apiVersion: v1, command: 'aws', args: ['eks', 'get-token'], interactiveMode: 'Never' };
  expect(parseExecConfig(valid, where)).toEqual({
    apiVersion: v1,
    command: 'aws',
    args: ['eks', 'get-token'],
    env: [],
    installHint: undefined,
    provideClusterInfo: false,
  });
  expect(() => parseExecConfig({ ...valid, interactiveMode: 'Always' }, where)).toThrow(
    'exec.interactiveMode is Always, but the operator has no terminal',
  );
  expect(() =>
    parseExecConfig({ ...valid, apiVersion: 'client.authentication.k8s.io/v1alpha1' }, where),
  ).toThrow('exec.apiVersion "client.authentication.k8s.io/v1alpha1" is not supported');
  expect(() => parseExecConfig({ ...valid, command: undefined }, where)).toThrow('exec.command is required');
  expect(() => parseExecConfig({ ...valid, env: [{ name: 'A' }] }, where)).toThrow('exec.env must be a list');
  expect(() => parseExecConfig({ ...valid, args: 'get-token' }, where)).toThrow('exec.args must be a list');
});

test('auth-provider users are refused with the exec plugin that replaces them', () => {
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    file,
    JSON.stringify({
      'current-context': 'gke',
      contexts: [{ name: 'gke', context: { cluster: 'c', user: 'u' } }],
      clusters: [{ name: 'c', cluster: { server: 'https://gke.test' } }],
      users: [{ name: 'u', user: { 'auth-provider': { name: 'gcp', config: {} } } }],
    }),
  );
  expect(() => connectionFromKubeconfig(file)).toThrow(
    `${file}: user u: auth-provider gcp is not supported; switch the user to an exec credential plugin: gke-gcloud-auth-plugin`,
  );
});
