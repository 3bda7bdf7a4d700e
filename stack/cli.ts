import path from 'node:path';
import { envFile } from './paths.js';
import { down, status, up } from './stack.js';

const usage = 'usage: npm run stack -- up | down | status';

function log(line: string) {
  process.stderr.write(`[stack] ${line}\n`);
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const { started } = await up(log);
      log(started.length ? `started: ${started.join(', ')}` : 'every service was already running');
      log(`environment written; load it with: . ${path.relative(process.cwd(), envFile)}`);
      return 0;
    }
    case 'down': {
      const stopped = await down();
      log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing of the stack was running');
      return 0;
    }
    case 'status': {
      const rows = await status();
      if (rows.length === 0) {
        console.log('the stack has never been started here (npm run stack -- up)');
        return 1;
      }
      for (const row of rows) {
        const state = row.answers ? 'answers' : row.pid ? 'running, not answering' : 'down';
        console.log(`${row.name.padEnd(15)} ${state.padEnd(23)} ${row.url.replace(/:[^:@/]*@/, ':***@')}`);
      }
      return rows.every((row) => row.answers) ? 0 : 1;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`[stack] ${error.message}`);
    process.exit(1);
  },
);
