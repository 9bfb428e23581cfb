/**
 * Command-line options of the benchmark scripts, declared once as a table (name, value, default, help) from
 * which both the `node:util` parseArgs options and the `--help` text are made, so the two cannot disagree. Bad
 * input is reported as one line naming the option (exit status 2) instead of a stack trace, so that a mistyped
 * flag on a lent GPU machine costs seconds, not a rerun's guesswork.
 */
import { parseArgs } from 'node:util';
import process from 'node:process';

/** One option: a string with a placeholder for its value, or a boolean switch. */
export type BenchOption =
  | { readonly value: string; readonly default?: string; readonly help: string }
  | { readonly flag: true; readonly help: string };

type Values<O extends Record<string, BenchOption>> = { -readonly [K in keyof O]: O[K] extends { flag: true } ? boolean : string | undefined };

/**
 * Parses `process.argv` against `options`. `--help` prints `summary` and the options and exits 0; an unknown
 * option or a missing value prints the problem and exits 2.
 */
export function benchArgs<O extends Record<string, BenchOption>>(script: string, summary: string, options: O): Values<O> {
  const config: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = { help: { type: 'boolean', default: false } };
  for (const [name, o] of Object.entries(options)) {
    config[name] = 'flag' in o ? { type: 'boolean', default: false } : { type: 'string', ...(o.default === undefined ? {} : { default: o.default }) };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: process.argv.slice(2), options: config, strict: true }).values;
  } catch (e) {
    return badArgs(script, (e as Error).message);
  }
  if (values.help) {
    process.stdout.write(usage(script, summary, options));
    process.exit(0);
  }
  return values as Values<O>;
}

function usage(script: string, summary: string, options: Record<string, BenchOption>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const head = `--${name}${'flag' in o ? '' : ' ' + o.value}`;
    const tail = 'flag' in o || o.default === undefined ? '' : ` (default ${o.default})`;
    return [head, o.help + tail] as const;
  });
  const width = Math.max(...rows.map(([h]) => h.length)) + 2;
  return [`bench/${script}.ts: ${summary}`, ...rows.map(([h, t]) => `  ${h.padEnd(width)}${t}`), ''].join('\n');
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
