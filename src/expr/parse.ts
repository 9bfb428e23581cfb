/**
 * The parser: factor text → expression tree, validated against the operator table. Grammar:
 *
 *   expr := number | field | name '(' [window ','] expr {',' expr} ')'
 *
 * Aliases resolve to canonical operators, and the gplearn dialect's `X_LagK` field reads as `delay(K,X)`.
 * Every failure is a ParseError pointing at the offending text; parentheses are checked first because an
 * unbalanced one (the report's typos) otherwise surfaces as a confusing error somewhere else.
 */
import { type Node, STANDARD_FIELDS, call, constant, field } from './ast.ts';
import { ParseError } from './errors.ts';
import { nearest } from './suggest.ts';
import { allOpNames, lookupOp } from '../ops/table.ts';
import { MAX_WINDOW } from '../ops/types.ts';

export interface ParseOptions {
  /** Field names the data offers; defaults to the standard bar fields. */
  fields?: Iterable<string>;
}

type TokKind = 'name' | 'num' | '(' | ')' | ',' | 'end';
interface Token {
  kind: TokKind;
  text: string;
  /** 0-based offset into the source. */
  pos: number;
}

const NUM_RE = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const LAG_RE = /^(.+)_Lag(\d+)$/;

function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      toks.push({ kind: c, text: c, pos: i });
      i++;
      continue;
    }
    NAME_RE.lastIndex = i;
    let m = NAME_RE.exec(src);
    if (m) {
      toks.push({ kind: 'name', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    NUM_RE.lastIndex = i;
    m = NUM_RE.exec(src);
    if (m) {
      toks.push({ kind: 'num', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new ParseError(src, i + 1, 1, `unexpected character '${c}'`);
  }
  toks.push({ kind: 'end', text: '', pos: src.length });
  return toks;
}

function checkParentheses(src: string, toks: readonly Token[]): void {
  const open: Token[] = [];
  for (const t of toks) {
    if (t.kind === '(') open.push(t);
    else if (t.kind === ')') {
      if (open.length === 0) {
        throw new ParseError(src, t.pos + 1, 1, `unbalanced parentheses: this ')' has no matching '('`);
      }
      open.pop();
    }
  }
  if (open.length > 0) {
    const t = open[open.length - 1];
    const more = open.length > 1 ? ` (${open.length} are unclosed)` : '';
    throw new ParseError(src, t.pos + 1, 1, `unbalanced parentheses: this '(' is never closed${more}`);
  }
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly toks: readonly Token[],
    private readonly fields: ReadonlySet<string>,
  ) {}

  private fail(t: Token, reason: string): never {
    throw new ParseError(this.src, t.pos + 1, Math.max(1, t.text.length), reason);
  }

  private peek(): Token {
    return this.toks[this.i];
  }

  private next(): Token {
    return this.toks[this.i++];
  }

  private describe(t: Token): string {
    return t.kind === 'end' ? 'the end of the expression' : `'${t.text}'`;
  }

  parseTop(): Node {
    const node = this.expr();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(t, `unexpected ${this.describe(t)} after a complete expression`);
    return node;
  }

  private expr(): Node {
    const t = this.next();
    if (t.kind === 'num') {
      const v = Number(t.text);
      if (!Number.isFinite(v)) this.fail(t, `number '${t.text}' is out of range`);
      return constant(v);
    }
    if (t.kind !== 'name') this.fail(t, `expected a field, number or operator, found ${this.describe(t)}`);
    if (this.peek().kind === '(') return this.callRest(t);
    return this.fieldRef(t);
  }

  private fieldRef(t: Token): Node {
    if (this.fields.has(t.text)) return field(t.text);
    const lag = LAG_RE.exec(t.text);
    if (lag && this.fields.has(lag[1])) {
      const k = Number(lag[2]);
      if (k < 1 || k > MAX_WINDOW) this.fail(t, `lag ${k} must be between 1 and ${MAX_WINDOW}`);
      return call('delay', [field(lag[1])], k);
    }
    const op = lookupOp(t.text);
    if (op) {
      const sig = `${op.name}(${[...(op.windowed ? ['n'] : []), ...op.args].join(',')})`;
      this.fail(t, `operator '${t.text}' needs arguments: ${sig}`);
    }
    const guess = nearest(t.text, this.fields);
    const known = [...this.fields].join(', ');
    this.fail(t, `unknown field '${t.text}'${guess ? `; did you mean '${guess}'?` : ''} (fields: ${known})`);
  }

  private callRest(nameTok: Token): Node {
    const op = lookupOp(nameTok.text);
    if (!op) {
      const guess = nearest(nameTok.text, allOpNames());
      this.fail(nameTok, `unknown operator '${nameTok.text}'${guess ? `; did you mean '${guess}'?` : ''}`);
    }
    const open = this.next(); // '('
    const argToks: Token[] = [];
    const args: Node[] = [];
    let window: number | undefined;
    const expected = op.args.length + (op.windowed ? 1 : 0);
    const sig = `${op.name}(${[...(op.windowed ? ['n'] : []), ...op.args].join(',')})`;
    if (this.peek().kind === ')') {
      this.fail(this.peek(), `${sig} takes ${expected} argument${expected === 1 ? '' : 's'}, got none`);
    }
    for (;;) {
      const first = this.peek();
      argToks.push(first);
      if (op.windowed && argToks.length === 1) {
        window = this.window(op.name, op.minWindow);
      } else {
        args.push(this.expr());
      }
      const sep = this.next();
      if (sep.kind === ')') break;
      if (sep.kind !== ',') this.fail(sep, `expected ',' or ')' in ${op.name}(...), found ${this.describe(sep)}`);
    }
    const got = argToks.length;
    if (got !== expected) {
      const at = got > expected ? argToks[expected] : nameTok;
      const detail = got > expected ? `; this argument is extra` : '';
      this.fail(at, `${sig} takes ${expected} argument${expected === 1 ? '' : 's'}, got ${got}${detail}`);
    }
    void open;
    return call(op.name, args, window);
  }

  private window(opName: string, minWindow: number): number {
    const t = this.next();
    if (t.kind !== 'num') {
      this.fail(t, `${opName} needs a window first: a positive integer, found ${this.describe(t)}`);
    }
    const v = Number(t.text);
    if (!Number.isInteger(v) || v < 1) this.fail(t, `window must be a positive integer, found '${t.text}'`);
    if (v > MAX_WINDOW) this.fail(t, `window ${v} is above the maximum of ${MAX_WINDOW}`);
    if (v < minWindow) this.fail(t, `${opName} needs a window of at least ${minWindow}, found ${v}`);
    return v;
  }
}

/** Parse factor text into a tree; throws ParseError with the 1-based column of the problem. */
export function parse(text: string, opts: ParseOptions = {}): Node {
  const fields = new Set(opts.fields ?? STANDARD_FIELDS);
  const toks = tokenize(text);
  checkParentheses(text, toks);
  if (toks.length === 1) throw new ParseError(text, 1, 1, 'empty expression');
  return new Parser(text, toks, fields).parseTop();
}
