#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';

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
