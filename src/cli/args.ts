/**
 * Command-line plumbing shared by every command: option parsing with readable errors, help text, and the
 * process-level boundary where typed errors become messages and exit codes.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command-line usage: printed with the command's usage line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Option help lines, e.g. ['--data FILE   bars (CSV/CSV.gz)']. */
  help: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

export function helpText(cmd: CommandSpec): string {
  return [`alphaflow ${cmd.name}: ${cmd.summary}`, '', `usage: ${cmd.usage}`, '', 'options:', ...cmd.help.map((h) => `  ${h}`), '  -h, --help    show this help'].join('\n');
}

export function parseCommandArgs(cmd: CommandSpec, argv: string[]): { values: Record<string, unknown>; positionals: string[] } | 'help' {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) return 'help';
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

/** Parses a numeric option, naming the option when it is not a number in range. */
export function numberOption(values: Record<string, unknown>, name: string, dflt: number, min = -Infinity): number {
  const raw = values[name];
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min) throw new UsageError(`--${name} must be a number${min > -Infinity ? ` >= ${min}` : ''}, got '${raw}'`);
  return v;
}
