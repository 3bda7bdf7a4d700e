import fs from 'node:fs';
import path from 'node:path';
import { localDir, logFileOf } from '../paths.js';
import { answersOk, isAlive, StackError, startDetached, stopGroup, waitUntil } from '../processes.js';
import type { Service } from '../service.js';
import type { StackState } from '../state.js';

const promDir = path.join(localDir, 'prometheus');
/** Drop a file_sd JSON file here to have Prometheus scrape a target (tests do, for the model server). */
export const scrapeTargetsDir = path.join(promDir, 'targets');

const configFile = path.join(promDir, 'prometheus.yml');

/** Writes the configuration file; whether its content changed. */
function writeConfig(state: StackState): boolean {
  fs.mkdirSync(scrapeTargetsDir, { recursive: true });
  // Short intervals so that tests see fresh samples within seconds.
  const config = `global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:${state.ports.prometheus}']
  - job_name: prodclass
    # A model server's own track label (which model answered a request) wins over the pod's.
    honor_labels: true
    file_sd_configs:
      - files: ['${scrapeTargetsDir}/*.json']
        refresh_interval: 2s
`;
  if (fs.existsSync(configFile) && fs.readFileSync(configFile, 'utf8') === config) return false;
  fs.writeFileSync(configFile, config);
  return true;
}

function prometheusBinary(): string {
  const candidates = [process.env.PROMETHEUS_BIN, '/usr/bin/prometheus'].filter(Boolean) as string[];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new StackError(
      'prometheus',
      "binary not found: install Debian's package (apt-get install prometheus)",
    );
  }
  return found;
}

export const prometheus: Service = {
  name: 'prometheus',
  logFile: logFileOf('prometheus'),
  url: (state) => `http://127.0.0.1:${state.ports.prometheus}`,
  answers(state) {
    return answersOk(`${this.url(state)}/-/ready`);
  },
  async start(state) {
    const logFile = this.logFile;
    writeConfig(state);
    const pid = startDetached(
      prometheusBinary(),
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${state.ports.prometheus}`,
        '--web.enable-lifecycle',
      ],
      logFile,
    );
    await waitUntil(
      'prometheus',
      logFile,
      60_000,
      () => this.answers(state),
      () => isAlive(pid),
    );
    return pid;
  },
  async reconfigure(state) {
    if (!writeConfig(state)) return;
    const response = await fetch(`${this.url(state)}/-/reload`, { method: 'POST' });
    if (!response.ok)
      throw new StackError(
        'prometheus',
        `reloading its configuration failed: HTTP ${response.status}`,
        this.logFile,
      );
  },
  async stop(state) {
    if (state.pids.prometheus) await stopGroup(state.pids.prometheus);
  },
};
