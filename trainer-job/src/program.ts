import { Command, Help } from 'commander';
import { registerDataCommands } from './commands/data.js';
import { registerDbCommands } from './commands/db.js';
import { registerDriftCommands } from './commands/drift.js';
import { registerFeedbackCommands } from './commands/feedback.js';
import { registerModelCommands } from './commands/model.js';
import { registerPromoteCommand } from './commands/promote.js';
import { registerQualityCommands } from './commands/quality.js';
import { registerReproduceCommand } from './commands/reproduce.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerTrainCommand } from './commands/train.js';
import { versionText } from './version.js';

/**
 * `prodclass`: the command line that Kubernetes Jobs run. Each command group lives in
 * src/commands/ and registers itself on the program; its actions import their implementation
 * (src/actions/) only when they run, so `--help`, `--version` and each command start without
 * loading the others' dependencies (pg, the text model, the canvas, the parquet writer).
 */
export function buildProgram(): Command {
  const program = new Command('prodclass')
    .description('prodclass: catalog data, model training and promotion for the Rakuten product classifier')
    .version(versionText(), '-V, --version', 'print the version and the git commit')
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerDbCommands(program);
  registerDataCommands(program);
  registerTrainCommand(program);
  registerPromoteCommand(program);
  registerReproduceCommand(program);
  registerModelCommands(program);
  registerDriftCommands(program);
  registerFeedbackCommands(program);
  registerQualityCommands(program);
  registerRolloutCommands(program);
  return listEveryCommand(program);
}

/**
 * `prodclass --help` lists every runnable command (`data load`, not just `data`) on one line each,
 * unwrapped, so the index is complete and greppable. Configured after the commands are registered:
 * commander copies help settings into a subcommand when it is created, so groups keep their own help.
 */
function listEveryCommand(program: Command): Command {
  const defaults = new Help();
  return program.configureHelp({
    minWidthToWrap: Number.POSITIVE_INFINITY,
    visibleCommands: (command) => defaults.visibleCommands(command).flatMap(runnableCommands),
    subcommandTerm: (command) => [...groupNames(command), defaults.subcommandTerm(command)].join(' '),
  });
}

function runnableCommands(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(runnableCommands);
}

/** The names of the groups a command sits in, below the program: ['data'] for `data load`. */
function groupNames(command: Command): string[] {
  const names: string[] = [];
  for (let group = command.parent; group?.parent; group = group.parent) names.unshift(group.name());
  return names;
}
