/**
 * Writing a file atomically: a temporary file in the same directory, then a rename, so that a
 * failed write never leaves a partial file behind. Shared by the CLI's output files and the
 * baseline file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';

/**
 * Writes `text` to `file` atomically. A failure removes the temporary file and is an
 * InputError naming `shown` (the path as the user gave it) and `what` the file is.
 */
export function writeFileAtomic(
  file: string,
  text: string,
  shown: string = file,
  what = 'output file',
): void {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing left to clean
    }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(
      `${shown}: cannot write the ${what} (${code}); check that its directory exists and is writable`,
      shown,
    );
  }
}
