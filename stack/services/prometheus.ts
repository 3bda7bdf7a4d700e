import fs from 'node:fs';
import path from 'node:path';
import { localDir, logFileOf } from '../paths.js';
import { answersOk, isAlive, StackError, startDetached, stopGroup, waitUntil } from '../processes.js';
import type { Service } from '../service.js';
import type { StackState } from '../state.js';

const promDir = path.join(localDir, 'prometheus');
/** Drop a file_sd JSON file here to have Prometheus scrape a target (tests do, for the model server). */
export const scrapeTargetsDir = path.join(promDir, 'targets');

function writeConfig(state: StackState): string {
  fs.mkdirSync(scrapeTargetsDir, { recursive: true });
  const configFile = path.join(promDir, 'prometheus.yml');
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
  fs.writeFileSync(configFile, config);
  return configFile;
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
    const pid = startDetached(
      prometheusBinary(),
      [
        `--config.file=${writeConfig(state)}`,
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
  async stop(state) {
    if (state.pids.prometheus) await stopGroup(state.pids.prometheus);
  },
};
