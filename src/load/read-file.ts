import fs from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { InputError } from '../errors.js';

/** Largest read per call: fs.read rejects lengths of 2 GiB and more. */
const CHUNK = 256 * 1024 * 1024;

/**
 * Reads a whole file into one Buffer with fs.readSync in chunks. fs.readFile refuses files
 * over 2 GiB - 1, while a Node 20 Buffer holds up to 4 GiB, and real manifests get large.
 * Messages name the file as `shown` (the path as the user gave it).
 */
export function readFileChunked(file: string, shown: string = file): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw describeFsError(err, shown);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory())
      throw new InputError(`${shown}: is a directory, expected a file`, shown);
    const size = stat.size;
    if (size > bufferConstants.MAX_LENGTH) {
      throw new InputError(
        `${shown}: ${size} bytes is more than this Node.js can hold in memory (${bufferConstants.MAX_LENGTH} bytes)`,
        shown,
      );
    }
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, Math.min(CHUNK, size - off), off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw describeFsError(err, shown);
  } finally {
    fs.closeSync(fd);
  }
}

/** Largest read Linux does in one call (and so the largest file read in the background). */
const MAX_ONE_READ = 0x7ffff000;

/**
 * Starts reading a whole file on libuv's thread pool and returns at once: one read call, so
 * that it proceeds while this thread runs synchronous work (a chain of reads would wait for
 * the event loop between calls). Resolves with the contents, or null when the file cannot be
 * read that way (missing, not a regular file, too large, short read): whoever needs it then
 * reads it the usual way, which reports what is wrong.
 */
export function readFileInBackground(file: string): Promise<Buffer | null> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return Promise.resolve(null);
  }
  let size = -1;
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isFile() && stat.size <= MAX_ONE_READ) size = stat.size;
  } catch {
    // size stays -1
  }
  if (size < 0) {
    fs.closeSync(fd);
    return Promise.resolve(null);
  }
  const buf = Buffer.allocUnsafe(size);
  return new Promise((resolve) => {
    fs.read(fd, buf, 0, size, 0, (err, n) => {
      fs.close(fd, () => undefined);
      resolve(err || n !== size ? null : buf);
    });
  });
}

export function describeFsError(err: unknown, file: string): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InputError(`${file}: no such file or directory; check the path`, file);
    case 'EACCES':
    case 'EPERM':
      return new InputError(`${file}: permission denied; make the file readable`, file);
    case 'EISDIR':
      return new InputError(`${file}: is a directory, expected a file`, file);
    default:
      return new InputError(`${file}: cannot be read (${code ?? String(err)})`, file);
  }
}
