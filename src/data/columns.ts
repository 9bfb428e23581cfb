/**
 * Column mapping for bar files from common Chinese data sources (tushare, baostock, akshare/Eastmoney): header
 * renames to the loader's canonical names (code, date/datetime, open, high, low, close, volume, amount, ...), unit
 * scales (tushare and Eastmoney report volume in lots of 100 shares; tushare reports amount in thousands of CNY) and
 * stock-code normalisation (`sh.600000`, `SH600000`, `600000` → `600000.SH`). The CSV parser applies a mapping to the
 * header before its required-column check and the Parquet reader to its column names. Pure: no node: imports.
 */

export interface ColumnMapping {
  /** Preset name, shown in reports. */
  readonly name: string;
  /** Source header → canonical name. Headers not listed keep their name. */
  readonly rename: Readonly<Record<string, string>>;
  /** Canonical field → multiplier applied to every value (unit conversion). */
  readonly scale?: Readonly<Record<string, number>>;
  /** Rewrite stock codes to the `600000.SH` form (unrecognised codes are kept as written). */
  readonly normalizeCodes?: boolean;
}

/** `auto` (the default) detects a preset from the header; `none` takes the header as written. */
export type ColumnsOption = 'auto' | 'none' | PresetName | ColumnMapping;

const CHINESE_RENAME: Record<string, string> = {
  日期: 'date', 时间: 'datetime', 股票代码: 'code', 代码: 'code',
  开盘: 'open', 最高: 'high', 最低: 'low', 收盘: 'close', 成交量: 'volume', 成交额: 'amount',
  振幅: 'amplitude', 涨跌幅: 'pctChg', 涨跌额: 'change', 换手率: 'turn', 均价: 'avg_price',
};

export const PRESETS = {
  /** tushare pro `daily`: vol in lots (手) of 100 shares, amount in thousands of CNY. */
  tushare: {
    name: 'tushare',
    rename: { ts_code: 'code', trade_date: 'date', vol: 'volume', pre_close: 'preclose', pct_chg: 'pctChg' },
    scale: { volume: 100, amount: 1000 },
    normalizeCodes: true,
  },
  /** baostock `query_history_k_data_plus`: names are already canonical; volume in shares, amount in CNY. */
  baostock: { name: 'baostock', rename: {}, normalizeCodes: true },
  /** baostock 5/15/30/60-minute bars: `time` (YYYYMMDDhhmmss000, the bar's end) is the timestamp. */
  baostock_minute: { name: 'baostock_minute', rename: { time: 'datetime' }, normalizeCodes: true },
  /** akshare Eastmoney (`stock_zh_a_hist`, `stock_zh_a_hist_min_em`): Chinese headers, 成交量 in lots of 100. */
  akshare: { name: 'akshare', rename: CHINESE_RENAME, scale: { volume: 100 }, normalizeCodes: true },
} as const satisfies Record<string, ColumnMapping>;
export type PresetName = keyof typeof PRESETS;

const NONE: ColumnMapping = { name: 'none', rename: {} };

/**
 * Pick the mapping for a header. `auto` recognises tushare by `ts_code`, akshare by `日期`/`时间`, and otherwise
 * still normalises codes (a no-op on `600000.SH`), which covers baostock's `sh.600000`.
 */
export function resolveColumns(header: readonly string[], option: ColumnsOption = 'auto'): ColumnMapping {
  if (typeof option === 'object') return option;
  if (option === 'none') return NONE;
  if (option !== 'auto') {
    const preset = (PRESETS as Record<string, ColumnMapping>)[option];
    if (!preset) throw new Error(`unknown column preset '${String(option)}' (known: ${Object.keys(PRESETS).join(', ')})`);
    return preset;
  }
  const has = new Set(header.map((h) => h.trim()));
  if (has.has('ts_code')) return PRESETS.tushare;
  if (has.has('日期') || has.has('时间')) return PRESETS.akshare;
  // baostock minute bars carry the day in `date` and the bar's end in `time` (YYYYMMDDhhmmsssss).
  if (has.has('time') && has.has('date') && has.has('code') && !has.has('datetime')) return PRESETS.baostock_minute;
  return PRESETS.baostock;
}

/** Apply a mapping's renames to a header; names are trimmed. */
export function renameHeader(header: readonly string[], mapping: ColumnMapping): string[] {
  return header.map((h) => {
    const t = h.trim();
    return Object.hasOwn(mapping.rename, t) ? mapping.rename[t]! : t;
  });
}

const SUFFIX: Record<string, string> = { SH: 'SH', SZ: 'SZ', BJ: 'BJ', XSHG: 'SH', XSHE: 'SZ', SS: 'SH' };

/** Exchange of a bare 6-digit A-share code, from its leading digits; undefined when not recognisable. */
function exchangeOf(digits: string): string | undefined {
  if (digits.startsWith('92') || digits[0] === '4' || digits[0] === '8') return 'BJ';
  if (digits[0] === '6' || digits[0] === '9') return 'SH';
  if (digits[0] === '0' || digits[0] === '2' || digits[0] === '3') return 'SZ';
  return undefined;
}

/**
 * `sh.600000`, `SH600000`, `sh600000`, `600000.XSHG`, `600000.ss`, `600000` → `600000.SH`. Anything else (other
 * markets, already canonical codes) is returned unchanged, so normalising twice is harmless.
 */
export function normalizeCode(raw: string): string {
  const s = raw.trim();
  let m = /^(sh|sz|bj)\.?(\d{6})$/i.exec(s);
  if (m) return `${m[2]}.${m[1]!.toUpperCase()}`;
  m = /^(\d{6})\.([A-Za-z]{2,4})$/.exec(s);
  if (m) {
    const ex = SUFFIX[m[2]!.toUpperCase()];
    return ex ? `${m[1]}.${ex}` : s;
  }
  if (/^\d{6}$/.test(s)) {
    const ex = exchangeOf(s);
    return ex ? `${s}.${ex}` : s;
  }
  return s;
}
