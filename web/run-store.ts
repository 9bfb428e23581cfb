/**
 * The last run, kept in this browser's IndexedDB so that a reload (or a closed tab) does not lose it: its
 * settings, history, pool and latest checkpoint, rewritten after every generation. One record under one key:
 * the page shows one run at a time, and a second slot would only raise the question of which one to show.
 * Raw indexedDB API, no wrapper library: three operations do not need one. Every operation reports failure as
 * a rejected promise with a readable message (private windows and full disks refuse storage), which the page
 * shows without stopping the run.
 */
import type { Checkpoint, GenerationRecord, PoolMember, StopReason } from '../src/mine/miner.ts';
import type { SegmentInfo } from '../src/mine/run_files.ts';
import type { MarketSettings, RunSettings, RunSetup, SavedData, WebBackendChoice } from './protocol.ts';

const DB_NAME = 'alphaflow';
const STORE = 'runs';
const KEY = 'last';

/** `running`/`paused` in storage means the page went away mid-run: the run was interrupted. */
export type SavedStatus = 'running' | 'paused' | 'done' | 'error';

export interface SavedRun {
  version: 1;
  /** Milliseconds since the epoch of the latest save. */
  savedAt: number;
  status: SavedStatus;
  /** The settings as the run was started; the market is regenerated from them to resume (none for a file). */
  market?: MarketSettings;
  run: RunSettings;
  backend: WebBackendChoice;
  /**
   * The run panel's other settings (pool rule, split, windows, operators) as sent, so a restored page shows them
   * again; absent in runs saved before it was kept (the panels then show their defaults for these).
   */
  setup?: RunSetup;
  /**
   * Where the bars came from. Only the synthetic market can be rebuilt after a reload: a user's file is not
   * kept (it may be large, and the page has no right to re-read it), so a run on one cannot be resumed.
   */
  data: SavedData;
  history: GenerationRecord[];
  pool: PoolMember[];
  /** The miner's state after the latest generation; absent before the first one. */
  checkpoint?: Checkpoint;
  segments?: SegmentInfo[];
  stop: StopReason | null;
  /** The status line's outcome or error text when the run ended. */
  message: string;
}

function failure(what: string, e: unknown): Error {
  const detail = e instanceof DOMException || e instanceof Error ? `${e.name}: ${e.message}` : String(e ?? 'unknown error');
  return new Error(`${what} in this browser's storage failed (${detail})`);
}

let opening: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser offers no IndexedDB storage'));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the database must not be blocked by this one.
      db.onversionchange = () => {
        db.close();
        opening = undefined;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('the database is held open by an older version of this page in another tab'));
  });
  const p = opening;
  p.catch(() => {
    if (opening === p) opening = undefined;
  });
  return p;
}

async function request<T>(what: string, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  try {
    const db = await open();
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      // Resolve on the transaction's completion, not the request's: only then is a write durable.
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? req.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
  } catch (e) {
    throw failure(what, e);
  }
}

/** The saved run, or undefined when there is none (or it was written by an incompatible version). */
export async function loadRun(): Promise<SavedRun | undefined> {
  const r = await request<unknown>('Reading the saved run', 'readonly', (s) => s.get(KEY));
  if (!r || typeof r !== 'object' || (r as SavedRun).version !== 1 || !Array.isArray((r as SavedRun).history)) return undefined;
  return r as SavedRun;
}

/** Replaces the saved run. Structured clone keeps NaN, which JSON would turn into null. */
export async function saveRun(run: SavedRun): Promise<void> {
  await request('Saving the run', 'readwrite', (s) => s.put(run, KEY));
}

export async function clearRun(): Promise<void> {
  await request('Clearing the saved run', 'readwrite', (s) => s.delete(KEY));
}

/** Why a saved run cannot be continued from its checkpoint, or undefined when it can. */
export function whyNotResumable(run: SavedRun): string | undefined {
  if (run.status === 'error') return 'it failed';
  if (!run.checkpoint) return 'it had not finished its first generation';
  if (run.stop === 'generations' || run.stop === 'pool') return 'it has ended';
  if (run.data.kind === 'file') return `it mined the file ${run.data.name}, which this page does not keep: load that file and start again`;
  if (!run.market) return 'its market settings were not saved';
  return undefined;
}
