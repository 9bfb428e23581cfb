/**
 * The `alphaflow` command line: dispatches to commands, prints help, and turns typed errors into one readable
 * message and an exit status (2 for usage, 1 for bad data or failures) instead of a stack trace.
 */
import process from 'node:process';
import { type CommandSpec, UsageError, helpText, parseCommandArgs } from './args.ts';
import { evalCommand } from './eval_cmd.ts';
import { labelsCommand } from './labels_cmd.ts';
import { mineCommand } from './mine_cmd.ts';
import { synthCommand } from './synth_cmd.ts';
import { ParseError } from '../expr/errors.ts';
import { MineConfigError } from '../mine/config.ts';
import { GpConfigError } from '../gp/primitives.ts';
import { releaseBackend } from '../eval/backend.ts';

const COMMANDS: CommandSpec[] = [evalCommand, labelsCommand, mineCommand, synthCommand];

function mainHelp(): string {
  return [
    'alphaflow: mine and evaluate stock-selection alpha factors',
    '',
    'usage: alphaflow <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`),
    '',
    "Run 'alphaflow <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`alphaflow: unknown command '${name}'\n\n${mainHelp()}\n`);
    return 2;
  }
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed === 'help') {
      process.stdout.write(helpText(cmd) + '\n');
      return 0;
    }
    return await cmd.run(parsed.values, parsed.positionals);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`alphaflow ${cmd.name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    // Settings the miner rejects once it sees the data (e.g. a primitives field the data lacks): usage errors.
    if (e instanceof MineConfigError || e instanceof GpConfigError) {
      process.stderr.write(`alphaflow ${cmd.name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ParseError) {
      process.stderr.write(`${e.format()}\n`);
      return 1;
    }
    const err = e as Error;
    if (err && (err.name === 'DataError' || err.name === 'EvalError' || err.name === 'DeviceError' || err.name === 'DeviceLimitError')) {
      process.stderr.write(`alphaflow ${cmd.name}: ${err.message}\n`);
      return 1;
    }
    throw e;
  }
}

const isMain = (() => {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return import.meta.url === new URL(`file://${argv1}`).href || argv1.endsWith('/src/cli/main.ts');
  } catch {
    return false;
  }
})();

if (isMain || (import.meta as { main?: boolean }).main) {
  // The device goes before the process does (see releaseBackend), whether the command succeeded or threw.
  main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .finally(releaseBackend);
}
