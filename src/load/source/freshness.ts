/**
 * Is a dbt project's target/manifest.json still what `dbt parse` would write today? Used by
 * the input resolution: a fresh manifest is read (it is exact), a stale one is ignored and
 * the project is read from source.
 *
 * Fresh means all of:
 * - it is a dbt manifest written for this project (metadata.project_name, when present);
 * - the root project's model files (`.sql`/`.py` under the model paths) are exactly the
 *   manifest's root-package models, enabled or disabled (`original_file_path`);
 * - every such file's sha256 equals the manifest's `checksum.checksum` (dbt hashes the file
 *   text decoded as UTF-8 and stripped of surrounding white space, Python `str.strip()`);
 * - no properties YAML under the resource paths, nor dbt_project.yml, packages.yml or
 *   dependencies.yml, was modified after the manifest: after `metadata.generated_at`, or
 *   after the manifest file's own modification time when that is later (a checkout or a
 *   copy gives every file the same recent time, and YAML has no checksum in a manifest).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EntryParser, forEachMember, parseEntries, skipWs, valueEnd } from '../json-scan.js';
import type { SourceFile } from './discover.js';
import { pyStrip } from './py-text.js';

export type Freshness = { fresh: true } | { fresh: false; reason: string };

/** The checksum dbt stores for a model file: sha256 of its stripped UTF-8 text. */
export function dbtFileChecksum(buf: Buffer): string {
  return createHash('sha256')
    .update(pyStrip(buf.toString('utf8')), 'utf8')
    .digest('hex');
}

/** Fields of a manifest node that freshness never looks at. */
const SKIPPED = [
  'raw_code',
  'compiled_code',
  'raw_sql',
  'compiled_sql',
  'injected_sql',
  'wrapped_sql',
  'columns',
  'config',
  'unrendered_config',
  'description',
  'depends_on',
  'refs',
  'sources',
  'metrics',
  'docs',
  'meta',
  'tags',
  'contract',
  'constraints',
  'extra_ctes',
  'doc_blocks',
  'fqn',
  'config_call_dict',
  'unrendered_config_call_dict',
  'test_metadata',
];

interface ManifestModels {
  projectName: string | null;
  generatedAt: string | null;
  /** original_file_path → checksum, for the models of `packageName`. */
  files: Map<string, string>;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

/** The root package's model files and checksums, from the manifest buffer. */
function scanManifest(buf: Buffer, packageName: string): ManifestModels {
  const parser = new EntryParser(SKIPPED);
  const out: ManifestModels = { projectName: null, generatedAt: null, files: new Map() };
  const take = (value: unknown) => {
    const n = asRecord(value);
    if (!n || n.resource_type !== 'model' || n.package_name !== packageName) return;
    const file = n.original_file_path;
    if (typeof file !== 'string' || file === '') return;
    const sum = asRecord(n.checksum)?.checksum;
    out.files.set(
      file.replace(/\\/g, '/').replace(/^\.\//, ''),
      typeof sum === 'string' ? sum : '',
    );
  };
  const start = skipWs(
    buf,
    buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0,
    buf.length,
  );
  forEachMember(buf, start, buf.length, (key, pos) => {
    if (key === 'metadata') {
      const meta = asRecord(parser.parseAt(buf, pos, buf.length));
      if (typeof meta?.project_name === 'string') out.projectName = meta.project_name;
      if (typeof meta?.generated_at === 'string') out.generatedAt = meta.generated_at;
      return parser.lastEnd;
    }
    if (key === 'nodes' && buf[pos] === 0x7b)
      return parseEntries(buf, pos, buf.length, parser, (_k, v) => take(v));
    if (key === 'disabled') {
      // v4+: unique_id → [node…]; v1–v3: [node…].
      const value = JSON.parse(
        buf.toString('utf8', pos, valueEnd(buf, pos, buf.length)),
      ) as unknown;
      if (Array.isArray(value)) for (const v of value) take(v);
      else {
        const rec = asRecord(value);
        if (rec) for (const list of Object.values(rec)) if (Array.isArray(list)) list.forEach(take);
      }
      return undefined;
    }
    return undefined;
  });
  return out;
}

/** `generated_at` as epoch milliseconds (dbt writes microseconds, with or without `Z`). */
export function parseGeneratedAt(s: string | null): number | null {
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    s.trim(),
  );
  if (!m) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  const frac = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const t = Date.parse(`${m[1]}T${m[2]}.${frac}${m[4] ?? 'Z'}`);
  return Number.isNaN(t) ? null : t;
}

function mtimeOf(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function summarize(list: string[], what: string): string {
  const first = list[0]!;
  return list.length === 1
    ? `${first} ${what}`
    : `${first} ${what} (and ${list.length - 1} more file${list.length > 2 ? 's' : ''})`;
}

export interface FreshnessInput {
  /** The dbt project directory (absolute). */
  projectDir: string;
  /** The root project's name (dbt_project.yml `name`). */
  projectName: string;
  /** The root project's model files and properties YAML, as discovered. */
  modelFiles: readonly SourceFile[];
  yamlFiles: readonly SourceFile[];
  /** The manifest file (absolute) and its bytes. */
  manifestFile: string;
  manifest: Buffer;
}

/** Whether the manifest describes the project's files as they are now; why not, if not. */
export function manifestFreshness(input: FreshnessInput): Freshness {
  let scanned: ManifestModels;
  try {
    scanned = scanManifest(input.manifest, input.projectName);
  } catch (err) {
    return { fresh: false, reason: `it cannot be read (${(err as Error).message})` };
  }
  if (scanned.projectName !== null && scanned.projectName !== input.projectName)
    return {
      fresh: false,
      reason: `it was written for project '${scanned.projectName}', not '${input.projectName}'`,
    };

  const onDisk = new Set(input.modelFiles.map((f) => f.rel));
  const added = [...onDisk].filter((f) => !scanned.files.has(f)).sort();
  if (added.length > 0) return { fresh: false, reason: summarize(added, 'is new') };
  const removed = [...scanned.files.keys()].filter((f) => !onDisk.has(f)).sort();
  if (removed.length > 0) return { fresh: false, reason: summarize(removed, 'was removed') };
  const changed: string[] = [];
  for (const f of input.modelFiles) {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path.join(input.projectDir, f.rel));
    } catch {
      changed.push(f.rel);
      continue;
    }
    if (dbtFileChecksum(buf) !== scanned.files.get(f.rel)) changed.push(f.rel);
  }
  if (changed.length > 0) return { fresh: false, reason: summarize(changed, 'changed') };

  const generated = parseGeneratedAt(scanned.generatedAt);
  const written = mtimeOf(input.manifestFile);
  const reference = Math.max(generated ?? -Infinity, written ?? -Infinity);
  if (!Number.isFinite(reference)) return { fresh: false, reason: 'it has no generated_at' };
  const newer: string[] = [];
  const check = (rel: string) => {
    const t = mtimeOf(path.join(input.projectDir, rel));
    if (t !== null && t > reference) newer.push(rel);
  };
  for (const f of ['dbt_project.yml', 'packages.yml', 'dependencies.yml']) check(f);
  for (const f of input.yamlFiles) check(f.rel);
  if (newer.length > 0)
    return { fresh: false, reason: summarize(newer, 'was modified after it was written') };
  return { fresh: true };
}
