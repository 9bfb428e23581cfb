/**
 * Typed errors for the expression language. A ParseError knows the source text and the 1-based column span of
 * the offending text, so every caller (CLI, web UI) can show a caret under it without re-deriving positions.
 */

export class ParseError extends Error {
  override readonly name = 'ParseError';
  /** The full expression text that failed. */
  readonly source: string;
  /** 1-based column of the first offending character. */
  readonly column: number;
  /** Number of offending characters (at least 1) for the caret line. */
  readonly length: number;
  /** The message without position, e.g. "unknown operator 'ts_mean'; did you mean 'ts_Mean'?". */
  readonly reason: string;

  constructor(source: string, column: number, length: number, reason: string) {
    super(`column ${column}: ${reason}`);
    this.source = source;
    this.column = column;
    this.length = Math.max(1, length);
    this.reason = reason;
  }

  /** The source line with a caret line under the offending text. */
  caret(): string {
    const pad = ' '.repeat(this.column - 1);
    return `${this.source}\n${pad}${'^'.repeat(this.length)}`;
  }

  /** `LINE:COLUMN: reason`, then the caret display; the form the CLI prints. */
  format(line?: number): string {
    const where = line === undefined ? `${this.column}` : `${line}:${this.column}`;
    return `${where}: ${this.reason}\n${this.caret()}`;
  }
}
