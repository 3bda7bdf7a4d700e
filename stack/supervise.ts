import { parseArgs } from 'node:util';
import { defaultRestartBackoff, supervise } from './supervisor.js';

// Development tool, run from the repository with tsx; scripts/demo.sh (npm start) runs the
// operator, the local runner and the console under it, as a cluster would restart their pods:
//   node --import tsx stack/supervise.ts --name NAME [--initial-delay-ms 1000] [--max-delay-ms 30000]
//     [--reset-after-ms 60000] [--grace-ms 30000] -- COMMAND [ARG ...]
// The command inherits the environment and this process's stdout and stderr, where each start,
// restart (exit code or signal, delay) and stop is also a JSON line. SIGTERM or SIGINT stops the
// command and then this process, restarting nothing.
const usage =
  'usage: supervise.ts --name NAME [--initial-delay-ms MS] [--max-delay-ms MS] [--reset-after-ms MS] [--grace-ms MS] -- COMMAND [ARG ...]';

function milliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number))
    throw new Error(`--${name} must be a whole number of milliseconds`);
  return number;
}

// Registered before the command starts: a signal right after the 'started' line must not find
// the default handler, which would end this process and leave the command running.
let stopCommand: (() => Promise<void>) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    (stopCommand ?? (() => Promise.resolve()))().then(() => process.exit(0));
  });

try {
  const { values, positionals } = parseArgs({
    options: {
      name: { type: 'string' },
      'initial-delay-ms': { type: 'string' },
      'max-delay-ms': { type: 'string' },
      'reset-after-ms': { type: 'string' },
      'grace-ms': { type: 'string' },
    },
    allowPositionals: true,
  });
  const [command, ...args] = positionals;
  if (!values.name || !command) throw new Error(usage);
  stopCommand = supervise({
    name: values.name,
    command,
    args,
    backoff: {
      initialMs: milliseconds(
        'initial-delay-ms',
        values['initial-delay-ms'],
        defaultRestartBackoff.initialMs,
      ),
      maxMs: milliseconds('max-delay-ms', values['max-delay-ms'], defaultRestartBackoff.maxMs),
      resetAfterMs: milliseconds(
        'reset-after-ms',
        values['reset-after-ms'],
        defaultRestartBackoff.resetAfterMs,
      ),
    },
    graceMs: milliseconds('grace-ms', values['grace-ms'], 30_000),
  }).stop;
} catch (error) {
  process.stderr.write(`supervise: ${(error as Error).message}\n`);
  process.exit(2);
}
