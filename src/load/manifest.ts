/**
 * Reads one manifest.json (schema v1–v12, newer with a warning) into resources and groups.
 * The file is read into one Buffer and parsed entry by entry: no V8 string-length cliff,
 * and SQL/macro bodies are skipped without being decoded.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import type {
  Group,
  LoadWarning,
  ManifestSelectors,
  ProjectInfo,
  Resource,
  ResourceType,
} from '../model.js';
import {
  EntryParser,
  JsonScanError,
  forEachMember,
  parseEntries,
  sameKeptBytes,
  skipWs,
  valueEnd,
} from './json-scan.js';
import {
  normalizeExposure,
  normalizeGroup,
  normalizeNode,
  normalizeOther,
  normalizeSource,
  normalizeUnitTest,
  parseTestTarget,
  resolveTestTarget,
  type NormalizeContext,
} from './normalize.js';
import {
  describeIssue,
  fastNode,
  fastSource,
  rawExposure,
  rawGroup,
  rawMetadata,
  rawNode,
  rawOther,
  rawSource,
  rawUnitTest,
  type RawMetadata,
} from './raw-schema.js';
import { readFileChunked } from './read-file.js';
import { emptySelectors, selectorEntry } from './selectors-file.js';

/** The newest manifest schema version this release knows. */
export const NEWEST_SCHEMA_VERSION = 12;

/** Fields no check needs: SQL text and Jinja bodies, by far the bulk of a manifest. */
const SKIPPED_FIELDS = [
  'raw_code',
  'compiled_code',
  'raw_sql',
  'compiled_sql',
  'injected_sql',
  'wrapped_sql',
  'macro_sql',
  'block_contents',
  'extra_ctes',
  'unrendered_config',
  'config_call_dict',
  'unrendered_config_call_dict',
  'doc_blocks',
  'given',
  'expect',
  'compiled_path',
  'build_path',
  'root_path',
  'created_at',
  'extra_ctes_injected',
];

/** The top-level collections whose entries become resources (or groups). */
const SECTION_NAMES = [
  'nodes',
  'sources',
  'exposures',
  'metrics',
  'semantic_models',
  'saved_queries',
  'unit_tests',
  'functions',
  'groups',
] as const;
type Section = (typeof SECTION_NAMES)[number];
const SECTIONS = new Set<string>(SECTION_NAMES);

export interface ManifestLoad {
  info: ProjectInfo;
  resources: Resource[];
  groups: Group[];
  warnings: LoadWarning[];
}

/**
 * What one manifest load keeps of its entries so that the load of another manifest of the
 * same project (the base of `check --base`) reuses each resource whose entry is byte for
 * byte the same, but for the fields no check reads (SQL bodies, created_at, …). Two
 * manifests written by dbt for a pull request differ in a few entries: the others are
 * neither parsed nor normalized again, and both projects share those Resource objects
 * (and groups; neither is changed after loading). Tests whose attached node is resolved after
 * loading (sources' tests; every test before manifest v9) are parsed again.
 */
export interface ManifestMemo {
  readonly buf: Buffer;
  readonly projectName: string;
  readonly schemaVersion: number;
  /** By `${section}\0${key}`. */
  readonly entries: Map<string, MemoEntry>;
}

interface MemoEntry {
  start: number;
  end: number;
  /** The skipped values' spans (EntryParser#lastCuts). */
  cuts: number[] | null;
  /** What the entry became: a resource, or a group (`groups` section). */
  made: Resource | Group;
}

export interface ManifestReuse {
  /** Receives the memo of this load. */
  record?: (memo: ManifestMemo) => void;
  /** Memos of loads whose resources this one may reuse (one of the same project is used). */
  from?: readonly ManifestMemo[];
}

interface RawEntry {
  section: Section;
  key: string;
  value: unknown;
}

/** Reads `file`; messages and ProjectInfo.path name it `shown` (the path as the user gave it). */
export function loadManifestFile(
  file: string,
  rootDir: string | null,
  shown: string = file,
  reuse?: ManifestReuse,
): ManifestLoad {
  return loadManifestBuffer(readFileChunked(file, shown), shown, rootDir, reuse);
}

export function loadManifestBuffer(
  buf: Buffer,
  file: string,
  rootDir: string | null,
  reuse?: ManifestReuse,
): ManifestLoad {
  const hint = 'regenerate it with `dbt parse` or point dbt-steward at the right file';
  if (buf.length === 0) throw new InputError(`${file}: the file is empty; ${hint}`, file);
  if (looksBinary(buf))
    throw new InputError(`${file}: this is a binary file, not a JSON manifest; ${hint}`, file);
  const start = skipWs(
    buf,
    buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0,
    buf.length,
  );
  if (buf[start] !== 0x7b) {
    if (start >= buf.length)
      throw new InputError(`${file}: the file holds only white space; ${hint}`, file);
    throw new InputError(
      `${file}: not a JSON object (${describeOffset(buf, start)}); ${hint}`,
      file,
    );
  }

  const parser = new EntryParser(SKIPPED_FIELDS);
  const state = new LoadState(file);
  const warnings: LoadWarning[] = [];
  let schemaVersion = 0;
  let metadata: RawMetadata | null = null;
  let macrosSpan: [number, number] | null = null;
  let selectors: ManifestSelectors | null = null;
  const topKeys = new Set<string>();
  let current = '';
  // Set once metadata names the project (dbt writes it first).
  let memo: ManifestMemo | null = null;
  let from: ManifestMemo | null = null;
  const startMemo = (): void => {
    if (!state.started) return;
    const projectName = state.projectName;
    if (reuse?.record)
      memo = { buf, projectName, schemaVersion, entries: new Map<string, MemoEntry>() };
    from =
      reuse?.from?.find(
        (m) => m.projectName === projectName && m.schemaVersion === schemaVersion,
      ) ?? null;
  };
  let end: number;
  try {
    end = forEachMember(buf, start, buf.length, (key, pos) => {
      current = key;
      topKeys.add(key);
      if (key === 'metadata') {
        metadata = validate(rawMetadata, parser.parseAt(buf, pos, buf.length), file, 'metadata');
        schemaVersion = detectSchemaVersion(metadata, file, warnings);
        // dbt writes metadata first: from v10 on, entries are normalized as they are read.
        if (metadata.project_name) state.begin(metadata.project_name);
        startMemo();
        return parser.lastEnd;
      }
      if (key === 'macros' && buf[pos] === 0x7b) {
        const e = valueEnd(buf, pos, buf.length);
        macrosSpan = [pos, e];
        return e;
      }
      if (key === 'selectors' && buf[pos] === 0x7b) {
        // YAML selectors by name: untrusted, copied field by field into a prototype-less map.
        const map = (selectors = emptySelectors());
        return parseEntries(buf, pos, buf.length, parser, (name, value) => {
          const entry = selectorEntry(value);
          if (typeof entry !== 'string') map[name] = entry;
          else
            warnings.push({
              file,
              message: `selectors[${JSON.stringify(name)}] ignored: ${entry}`,
            });
        });
      }
      if (SECTIONS.has(key) && buf[pos] === 0x7b) {
        const section = key as Section;
        const recording: ManifestMemo | null = memo;
        // A load records or reuses, not both (the spans of a reused entry are not at hand).
        const other: ManifestMemo | null = recording === null ? from : null;
        return forEachMember(buf, pos, buf.length, (k, at) => {
          const memoKey = recording !== null || other !== null ? `${section}\0${k}` : '';
          const prev = other?.entries.get(memoKey);
          if (prev !== undefined) {
            const e = sameKeptBytes(
              buf,
              at,
              buf.length,
              other!.buf,
              prev.start,
              prev.end,
              prev.cuts,
            );
            if (e >= 0 && state.addShared(section, prev.made)) return e;
          }
          const made = state.add(section, k, parser.parseAt(buf, at, buf.length));
          if (made !== null && recording !== null)
            recording.entries.set(memoKey, {
              start: at,
              end: parser.lastEnd,
              cuts: parser.lastCuts(),
              made,
            });
          return parser.lastEnd;
        });
      }
      return undefined;
    });
  } catch (err) {
    if (err instanceof InputError && schemaVersion > NEWEST_SCHEMA_VERSION) {
      // The likely reason: a newer dbt changed the shape. Say so in the one line we print.
      throw new InputError(
        `${err.message} (this manifest has schema v${schemaVersion}, newer than the v${NEWEST_SCHEMA_VERSION} this release reads: upgrade dbt-steward)`,
        file,
      );
    }
    throw jsonError(err, buf, file, current);
  }
  const after = skipWs(buf, end, buf.length);
  if (after < buf.length) {
    throw new InputError(
      `${file}: unexpected data after the end of the JSON object (${describeOffset(buf, after)}); ${hint}`,
      file,
    );
  }

  const meta = metadata as RawMetadata | null;
  if (!meta || !topKeys.has('nodes')) {
    throw new InputError(
      `${file}: not a dbt manifest (no ${meta ? '"nodes"' : '"metadata"'} key at the top level); pass the target/manifest.json written by dbt`,
      file,
    );
  }
  if (!state.started) {
    const projectName = rootProjectName(
      meta,
      state.pendingPackages(),
      macrosSpan,
      buf,
      parser,
      file,
    );
    state.begin(projectName);
  }
  state.finish();
  const kept = memo as ManifestMemo | null;
  if (kept !== null) reuse?.record?.(kept);

  const counts: Partial<Record<ResourceType, number>> = {};
  for (const r of state.resources) counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
  return {
    info: {
      name: state.projectName,
      schemaVersion,
      dbtVersion: meta.dbt_version ?? 'unknown',
      generatedAt: meta.generated_at ?? null,
      input: 'manifest',
      path: file,
      rootDir,
      counts,
      selectors,
    },
    resources: state.resources,
    groups: state.groups,
    warnings,
  };
}

/**
 * Collects normalized entries. Until the root project is known (pre-v10 manifests, or
 * metadata not first) raw entries wait in `pending`.
 */
class LoadState {
  readonly resources: Resource[] = [];
  readonly groups: Group[] = [];
  private readonly byId = new Map<string, Resource>();
  private pending: RawEntry[] | null = [];
  private ctx: NormalizeContext | null = null;
  /** kwargs.model of generic tests with no attached_node, resolved in finish(). */
  private readonly testTargets = new Map<string, unknown>();
  /** The model named by each unit test. */
  private readonly unitTestModels = new Map<string, string>();

  constructor(private readonly file: string) {}

  get started(): boolean {
    return this.ctx !== null;
  }

  get projectName(): string {
    return this.ctx?.projectName ?? '';
  }

  begin(projectName: string): void {
    this.ctx = { projectName };
    const pending = this.pending ?? [];
    this.pending = null;
    for (const e of pending) this.add(e.section, e.key, e.value);
  }

  pendingPackages(): Set<string> {
    const packages = new Set<string>();
    for (const e of this.pending ?? []) {
      const p = (e.value as { package_name?: unknown } | null)?.package_name;
      if (typeof p === 'string') packages.add(p);
    }
    return packages;
  }

  /**
   * Normalizes and keeps one entry. Returns the resource or group when another load may
   * share it (see ManifestMemo): not while waiting for the project name, and not for a test
   * whose attached node finish() sets.
   */
  add(section: Section, key: string, value: unknown): Resource | Group | null {
    if (this.pending !== null) {
      this.pending.push({ section, key, value });
      return null;
    }
    const where = `${section}[${JSON.stringify(key)}]`;
    if (section === 'groups') {
      const g = normalizeGroup(validate(rawGroup, value, this.file, where));
      this.groups.push(g);
      return g;
    }
    const r = normalizeEntry(section, value, this.ctx!, this.file, where);
    if (r === null || this.byId.has(r.uniqueId)) return null;
    this.byId.set(r.uniqueId, r);
    this.resources.push(r);
    if (r.test && r.test.attachedNode === null) {
      const v = value as { test_metadata?: { kwargs?: { model?: unknown } }; model?: unknown };
      if (r.resourceType === 'test' && r.test.name !== null)
        this.testTargets.set(r.uniqueId, v.test_metadata?.kwargs?.model);
      else if (r.resourceType === 'unit_test' && typeof v.model === 'string')
        this.unitTestModels.set(r.uniqueId, v.model);
      return null;
    }
    return r;
  }

  /**
   * Keeps what another load made of the same bytes in the same section; false for a
   * duplicate unique_id (the entry is then read as usual).
   */
  addShared(section: Section, made: Resource | Group): boolean {
    if (this.pending !== null) return false;
    if (section === 'groups') {
      this.groups.push(made as Group);
      return true;
    }
    const r = made as Resource;
    if (this.byId.has(r.uniqueId)) return false;
    this.byId.set(r.uniqueId, r);
    this.resources.push(r);
    return true;
  }

  /** Tests without attached_node (v1–v8, source tests): resolve from kwargs.model. */
  finish(): void {
    const lookup = (id: string) => this.byId.get(id);
    for (const [id, model] of this.testTargets) {
      const r = this.byId.get(id)!;
      const target = parseTestTarget(model);
      if (target) r.test!.attachedNode = resolveTestTarget(target, r.dependsOn, lookup);
    }
    for (const [id, model] of this.unitTestModels) {
      const r = this.byId.get(id)!;
      const target = { kind: 'ref' as const, package: null, name: model, version: null };
      r.test!.attachedNode = resolveTestTarget(target, r.dependsOn, lookup);
    }
  }
}

function normalizeEntry(
  section: Section,
  value: unknown,
  ctx: NormalizeContext,
  file: string,
  where: string,
): Resource | null {
  switch (section) {
    case 'nodes': {
      const raw = validate(rawNode, value, file, where, fastNode);
      // Docs blocks sat in nodes in no version we know, but never treat one as a resource.
      if (
        raw.resource_type === 'doc' ||
        raw.resource_type === 'docs block' ||
        raw.resource_type === 'docs_block'
      )
        return null;
      return normalizeNode(raw, ctx);
    }
    case 'sources':
      return normalizeSource(validate(rawSource, value, file, where, fastSource), ctx);
    case 'exposures':
      return normalizeExposure(validate(rawExposure, value, file, where), ctx);
    case 'unit_tests':
      return normalizeUnitTest(validate(rawUnitTest, value, file, where), ctx);
    case 'metrics':
      return normalizeOther(validate(rawOther, value, file, where), 'metric', ctx);
    case 'semantic_models':
      return normalizeOther(validate(rawOther, value, file, where), 'semantic_model', ctx);
    case 'saved_queries':
      return normalizeOther(validate(rawOther, value, file, where), 'saved_query', ctx);
    case 'functions':
      return normalizeOther(validate(rawOther, value, file, where), 'function', ctx);
    default:
      return null;
  }
}

function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  file: string,
  where: string,
  fast?: (v: unknown) => boolean,
): z.infer<T> {
  // The fast check accepts only what the schema accepts; the normalizer reads declared fields only.
  if (fast?.(value)) return value as z.infer<T>;
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  throw new InputError(
    `${file}: ${describeIssue(res.error, where)}; the manifest does not have the shape dbt writes, regenerate it with \`dbt parse\``,
    file,
  );
}

const SCHEMA_URL = /\/manifest\/v(\d+)\.json$/;

function detectSchemaVersion(meta: RawMetadata, file: string, warnings: LoadWarning[]): number {
  const url = meta.dbt_schema_version;
  if (!url) {
    throw new InputError(
      `${file}: metadata.dbt_schema_version is missing: a manifest from dbt before 0.19, which dbt-steward does not read; regenerate it with dbt 0.19 or newer`,
      file,
    );
  }
  const m = SCHEMA_URL.exec(url);
  if (!m) {
    throw new InputError(
      `${file}: metadata.dbt_schema_version ${JSON.stringify(url)} is not a dbt manifest schema URL; pass the target/manifest.json written by dbt`,
      file,
    );
  }
  const n = Number(m[1]);
  if (n < 1) throw new InputError(`${file}: unknown manifest schema version v${n}`, file);
  if (n > NEWEST_SCHEMA_VERSION) {
    warnings.push({
      file,
      message: `manifest schema v${n} is newer than the newest this release knows (v${NEWEST_SCHEMA_VERSION}); read as v${NEWEST_SCHEMA_VERSION}, upgrade dbt-steward when one is out`,
    });
  }
  return n;
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** metadata.project_name (v10+); before, the package whose md5 equals metadata.project_id. */
function rootProjectName(
  meta: RawMetadata,
  packages: Set<string>,
  macrosSpan: [number, number] | null,
  buf: Buffer,
  parser: EntryParser,
  file: string,
): string {
  if (meta.project_name) return meta.project_name;
  const id = meta.project_id;
  if (id) {
    for (const p of packages) if (md5(p) === id) return p;
    if (macrosSpan) {
      let found: string | null = null;
      try {
        parseEntries(buf, macrosSpan[0], macrosSpan[1], parser, (_k, v) => {
          const p = (v as { package_name?: unknown } | null)?.package_name;
          if (found === null && typeof p === 'string' && md5(p) === id) found = p;
        });
      } catch (err) {
        throw jsonError(err, buf, file, 'macros');
      }
      if (found !== null) return found;
    }
  }
  // One package only: it is the root.
  if (packages.size === 1) return [...packages][0]!;
  throw new InputError(
    `${file}: cannot tell the root project (metadata.project_name is missing and no package matches metadata.project_id); regenerate the manifest with dbt 1.6 or newer`,
    file,
  );
}

function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

function describeOffset(buf: Buffer, offset: number): string {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(offset, buf.length);
  let nl = buf.indexOf(0x0a, 0);
  while (nl >= 0 && nl < limit) {
    line++;
    lineStart = nl + 1;
    nl = buf.indexOf(0x0a, nl + 1);
  }
  return `line ${line}, column ${limit - lineStart + 1}`;
}

function jsonError(err: unknown, buf: Buffer, file: string, section: string): unknown {
  const hint = 'the file is not valid JSON (truncated or edited?); regenerate it with `dbt parse`';
  if (err instanceof JsonScanError) {
    const where = section ? ` in "${section}"` : '';
    const what = err.offset >= buf.length ? 'unexpected end of file' : err.message;
    return new InputError(
      `${file}: ${what}${where} at ${describeOffset(buf, err.offset)}; ${hint}`,
      file,
    );
  }
  if (err instanceof SyntaxError) {
    return new InputError(
      `${file}: ${err.message}${section ? ` in "${section}"` : ''}; ${hint}`,
      file,
    );
  }
  return err;
}
