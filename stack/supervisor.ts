import { type ChildProcess, spawn } from 'node:child_process';

/** How soon a process that exited is started again. */
export interface RestartBackoff {
  /** The delay before the first restart, and again after a run that lasted resetAfterMs. */
  initialMs: number;
  /** The longest delay: doubling stops here. */
  maxMs: number;
  /** A run at least this long counts as healthy: the next delay is initialMs again. */
  resetAfterMs: number;
}

/** As a cluster's restart backoff, but starting at 1 s and resetting after a minute of uptime. */
export const defaultRestartBackoff: RestartBackoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** The delay before the next start: `previousMs` (none before the first restart) doubled, unless the run was healthy. */
export function restartDelay(
  previousMs: number | undefined,
  uptimeMs: number,
  backoff: RestartBackoff,
): number {
  if (previousMs === undefined || uptimeMs >= backoff.resetAfterMs) return backoff.initialMs;
  return Math.min(previousMs * 2, backoff.maxMs);
}

export interface SupervisedProcess {
  /** Names the process in the log lines. */
  name: string;
  command: string;
  args: string[];
  backoff: RestartBackoff;
  /** How long a stopping process has between SIGTERM and SIGKILL. */
  graceMs: number;
}

/** One JSON line, as the operator and the local runner write theirs. */
function log(level: 'info' | 'warn', msg: string, fields: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, msg, component: 'supervisor', ...fields })}\n`,
  );
}

/**
 * Keeps `target` running: whenever it exits, whatever its exit code, it is started again after
 * restartDelay, with its output on this process's stdout and stderr. `stop()` ends it (SIGTERM,
 * SIGKILL after graceMs) and restarts nothing; it resolves once the process is gone.
 */
export function supervise(target: SupervisedProcess): { stop: () => Promise<void> } {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let restartTimer: NodeJS.Timeout | undefined;
  let delayMs: number | undefined;
  let restarts = 0;
  let stopping = false;

  const start = () => {
    restartTimer = undefined;
    const startedAt = Date.now();
    const running = spawn(target.command, target.args, { stdio: 'inherit' });
    child = running;
    log('info', 'started', { process: target.name, pid: running.pid, restarts });
    exited = new Promise((resolve) => {
      let ended = false;
      const end = (exitCode: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        if (ended) return;
        ended = true;
        child = undefined;
        resolve();
        if (stopping) return;
        const uptimeMs = Date.now() - startedAt;
        delayMs = restartDelay(delayMs, uptimeMs, target.backoff);
        restarts++;
        log('warn', 'restarting', {
          process: target.name,
          exitCode,
          signal,
          ...(error ? { error: error.message } : {}),
          uptimeMs,
          delayMs,
          restarts,
        });
        restartTimer = setTimeout(start, delayMs);
      };
      running.once('exit', (code, signal) => end(code, signal));
      running.once('error', (error) => end(null, null, error));
    });
  };

  start();
  return {
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running) return;
      running.kill('SIGTERM');
      const kill = setTimeout(() => running.kill('SIGKILL'), target.graceMs);
      await exited;
      clearTimeout(kill);
      log('info', 'stopped', {
        process: target.name,
        exitCode: running.exitCode,
        signal: running.signalCode,
      });
    },
  };
}
