/**
 * Finding and reading a CODEOWNERS file for the `codeowners` owner step: where it is, which
 * directory its patterns are relative to, and its rules (parsed by the engine's
 * parseCodeowners, which also matches them: the last matching pattern wins).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCodeowners } from '../engine/codeowners.js';
import type { CodeownersEntry } from '../engine/config.js';

/** Where GitHub looks for the file, in its order, relative to the repository root. */
export const CODEOWNERS_LOCATIONS: readonly string[] = [
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'docs/CODEOWNERS',
];

/**
 * The directory a CODEOWNERS file's patterns are relative to: the repository root, which is
 * the parent of `.github` or `docs` when the file sits in one of those, else its directory.
 */
export function codeownersRoot(file: string): string {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(dir);
  return base === '.github' || base === 'docs' ? path.dirname(dir) : dir;
}

/**
 * Looks for a CODEOWNERS file at GitHub's locations in `startDir` and its ancestors, up to
 * and including the first directory holding `.git` (the repository root). Null when none.
 */
export function findCodeowners(startDir: string): string | null {
  let dir = path.resolve(startDir);
  for (;;) {
    for (const rel of CODEOWNERS_LOCATIONS) {
      const candidate = path.join(dir, rel);
      if (isFile(candidate)) return candidate;
    }
    if (fs.existsSync(path.join(dir, '.git'))) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export interface CodeownersFile {
  /** Absolute path of the file. */
  file: string;
  /** Absolute directory the patterns are relative to. */
  root: string;
  entries: CodeownersEntry[];
}

/** Reads and parses a CODEOWNERS file; throws the fs error when it cannot be read. */
export function readCodeownersFile(file: string): CodeownersFile {
  const abs = path.resolve(file);
  const text = fs.readFileSync(abs, 'utf8');
  return { file: abs, root: codeownersRoot(abs), entries: parseCodeowners(text) };
}
