/**
 * Reading a data file from disk (Node and Deno): one place that turns file-system failures into a DataError
 * naming the path as the user gave it, instead of a raw ENOENT stack.
 */
import { DataError } from './csv_parse.ts';

export async function readDataFile(path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'file not found'
      : code === 'EISDIR' ? 'is a directory, not a data file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : `cannot read file (${(e as Error).message})`;
    throw new DataError(path, 0, reason);
  }
}
