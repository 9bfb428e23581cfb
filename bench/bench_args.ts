/**
 * Command-line options of the benchmark scripts: `node:util` parseArgs with the script's doc comment as its
 * `--help`, and bad input reported as one line naming the option (exit status 2) instead of a stack trace, so
 * that a mistyped flag on a lent GPU machine costs seconds, not a rerun's guesswork.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import process from 'node:process';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `process.argv` against `options`. `--help` prints `usage` and exits 0; an unknown option or a missing
 * value prints the problem and exits 2.
 */
export function benchArgs<O extends Options>(script: string, usage: string, options: O) {
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { ...options, help: { type: 'boolean', default: false } }, strict: true });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(usage.trim() + '\n');
      process.exit(0);
    }
    return values as ReturnType<typeof parseArgs<{ options: O }>>['values'];
  } catch (e) {
    return badArgs(script, (e as Error).message);
  }
}

/** Prints `script: message` and the pointer to `--help`, and exits 2. */
export function badArgs(script: string, message: string): never {
  process.stderr.write(`${script}: ${message}\n(run with --help for the options)\n`);
  process.exit(2);
}

/** The option's value as a whole number >= min, or exits through badArgs naming the option. */
export function wholeArg(script: string, name: string, value: string | undefined, min = 1): number {
  const v = Number(value);
  if (value === undefined || !Number.isInteger(v) || v < min) badArgs(script, `--${name}: expected a whole number >= ${min}, got '${value}'`);
  return v;
}
