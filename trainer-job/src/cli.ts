#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerDataCommands } from './commands/data.js';
import { registerDbCommands } from './commands/db.js';
import { registerModelCommands } from './commands/model.js';
import { registerPromoteCommand } from './commands/promote.js';
import { registerReproduceCommand } from './commands/reproduce.js';
import { registerTrainCommand } from './commands/train.js';

/**
 * `prodclass`: the command line that Kubernetes Jobs run. Each command group lives in
 * src/commands/ and registers itself on the program.
 */
export function buildProgram(): Command {
  const program = new Command('prodclass')
    .description('prodclass: catalog data, model training and promotion for the Rakuten product classifier')
    .version('0.1.0')
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerDbCommands(program);
  registerDataCommands(program);
  registerTrainCommand(program);
  registerPromoteCommand(program);
  registerReproduceCommand(program);
  registerModelCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`prodclass: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
