/**
 * JSON files people edit (a mining config): parse errors are reported as `FILE:LINE:COLUMN: message`. The
 * runtime's own JSON.parse messages differ between V8 versions and often carry no position at all, so when it
 * fails, a small scanner walks the text to find the first offending character.
 */

/** A JSON text that does not parse; `line` and `column` are 1-based. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(readonly line: number, readonly column: number, readonly reason: string) {
    super(`${line}:${column}: ${reason}`);
  }
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: pos - start + 1 };
}

/** The offset and reason of the first syntax error in `text` (undefined if it is valid JSON). */
export function findJsonError(text: string): { pos: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw { pos: i, reason };
  };
  const what = (): string => (i >= text.length ? 'end of file' : `'${text[i]}'`);
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail(`bad escape in string`);
      } else if (c < ' ') fail('control character in string (a line break inside quotes?)');
      else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a quoted key, got ${what()}`);
        string();
        ws();
        if (text[i] !== ':') fail(`expected ':' after the key, got ${what()}`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected ',' or '}', got ${what()}`);
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected ',' or ']', got ${what()}`);
      }
    } else if (c === '"') string();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail('bad number');
      i += m![0].length;
    } else {
      for (const lit of ['true', 'false', 'null']) {
        if (text.startsWith(lit, i)) {
          i += lit.length;
          return;
        }
      }
      fail(`expected a value, got ${what()}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${what()} after the end of the value`);
    return undefined;
  } catch (e) {
    if (e && typeof e === 'object' && 'pos' in e) return e as { pos: number; reason: string };
    throw e;
  }
}

/** JSON.parse with a JsonSyntaxError naming the line and column of the first error. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const found = findJsonError(text);
    const { line, column } = lineColumn(text, found?.pos ?? text.length);
    throw new JsonSyntaxError(line, column, found?.reason ?? e.message);
  }
}
