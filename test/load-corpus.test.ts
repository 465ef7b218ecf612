/**
 * Loads every real manifest of the shared corpus and compares the loaded project with facts
 * computed here, independently of the loader, from the raw JSON (JSON.parse of the file).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../src/load/index.js';
import type { Resource } from '../src/model.js';
import type { Project } from '../src/project.js';

const CORPUS_DIR = fileURLToPath(new URL('../../shared/corpus/manifests/', import.meta.url));

function corpusNames(): string[] {
  if (!existsSync(CORPUS_DIR) || !statSync(CORPUS_DIR).isDirectory()) return [];
  return readdirSync(CORPUS_DIR)
    .filter((d) => existsSync(path.join(CORPUS_DIR, d, 'manifest.json')))
    .sort();
}

const NAMES = corpusNames();

test('the manifest corpus is present and not empty', () => {
  if (NAMES.length === 0) {
    throw new Error(
      `no manifests found under ${CORPUS_DIR} (expected <name>/manifest.json folders): ` +
        'the shared corpus is missing or empty, so the corpus tests cannot run',
    );
  }
  expect(NAMES.length).toBeGreaterThan(0);
});

type Json = Record<string, any>;

/** Sections whose entries become resources, with the resource type each implies. */
const SECTIONS: Record<string, string | null> = {
  nodes: null, // resource_type of the node
  sources: 'source',
  exposures: 'exposure',
  metrics: 'metric',
  semantic_models: 'semantic_model',
  saved_queries: 'saved_query',
  unit_tests: 'unit_test',
  functions: 'function',
};

function rawEntries(raw: Json): Array<[string, string, Json]> {
  const out: Array<[string, string, Json]> = [];
  for (const section of Object.keys(SECTIONS)) {
    const coll = raw[section] as Json | null | undefined;
    if (!coll) continue;
    for (const [id, v] of Object.entries(coll)) out.push([section, id, v as Json]);
  }
  return out;
}

function isExternalNode(n: Json): boolean {
  return (n.original_file_path ?? '') === '' && (n.path ?? '') === '';
}

function expectedType(section: string, id: string, v: Json): string {
  const fixed = SECTIONS[section];
  if (fixed) return fixed;
  if (isExternalNode(v)) return id.slice(0, id.indexOf('.'));
  return String(v.resource_type).replace(/ /g, '_');
}

function schemaNumber(raw: Json): number {
  const m = /\/manifest\/v(\d+)\.json$/.exec(String(raw.metadata.dbt_schema_version));
  if (!m) throw new Error(`no schema version URL in ${String(raw.metadata.dbt_schema_version)}`);
  return Number(m[1]);
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

function expectedRootName(raw: Json): string {
  if (schemaNumber(raw) >= 10) return raw.metadata.project_name as string;
  const packages = new Set<string>();
  for (const section of ['nodes', 'macros']) {
    for (const v of Object.values((raw[section] ?? {}) as Json)) {
      if (typeof (v as Json).package_name === 'string') packages.add((v as Json).package_name);
    }
  }
  const matches = [...packages].filter((p) => md5(p) === raw.metadata.project_id);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

/** The ref/source named by a generic test's kwargs.model, parsed here independently. */
function targetOf(
  model: unknown,
):
  | { kind: 'ref'; pkg: string | null; name: string; version: string | null }
  | { kind: 'source'; source: string; name: string }
  | null {
  if (typeof model !== 'string') return null;
  const ref =
    /ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,\s*(?:v|version)\s*=\s*['"]?([^'")\s]+)['"]?\s*)?\)/.exec(
      model,
    );
  if (ref) {
    return ref[2] !== undefined
      ? { kind: 'ref', pkg: ref[1]!, name: ref[2], version: ref[3] ?? null }
      : { kind: 'ref', pkg: null, name: ref[1]!, version: ref[3] ?? null };
  }
  const src = /source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)/.exec(model);
  if (src) return { kind: 'source', source: src[1]!, name: src[2]! };
  return null;
}

/** The ids among a test's parents that kwargs.model names (raw JSON only). */
function expectedAttachment(raw: Json, test: Json): string[] {
  const target = targetOf(test.test_metadata?.kwargs?.model);
  if (!target) return [];
  const parents = [...new Set<string>(test.depends_on?.nodes ?? [])];
  return parents.filter((id) => {
    if (target.kind === 'source') {
      const s = raw.sources?.[id] as Json | undefined;
      return s !== undefined && s.source_name === target.source && s.name === target.name;
    }
    const n = raw.nodes?.[id] as Json | undefined;
    if (!n || n.name !== target.name) return false;
    if (target.pkg !== null && n.package_name !== target.pkg) return false;
    if (target.version !== null) return String(n.version) === target.version;
    return n.version == null || String(n.version) === String(n.latest_version);
  });
}

interface Loaded {
  raw: Json;
  project: Project;
}

const cache = new Map<string, Loaded>();

async function load(name: string): Promise<Loaded> {
  let l = cache.get(name);
  if (!l) {
    const dir = path.join(CORPUS_DIR, name);
    const raw = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Json;
    const project = await loadProject([dir], { cwd: CORPUS_DIR });
    l = { raw, project };
    cache.set(name, l);
  }
  return l;
}

function resource(project: Project, id: string): Resource {
  const r = project.resources.get(id);
  if (!r) throw new Error(`${id} was not loaded`);
  return r;
}

if (NAMES.length > 0) {
  describe.each(NAMES)('corpus manifest %s', (name) => {
    let raw: Json;
    let project: Project;

    beforeAll(async () => {
      ({ raw, project } = await load(name));
    });

    test('loads one project with no warnings', () => {
      expect(project.projects).toHaveLength(1);
      expect(project.warnings).toEqual([]);
    });

    test('per resource_type counts match the raw JSON', () => {
      const counts: Record<string, number> = {};
      for (const [section, id, v] of rawEntries(raw)) {
        const t = expectedType(section, id, v);
        counts[t] = (counts[t] ?? 0) + 1;
      }
      expect(project.projects[0]!.counts).toEqual(counts);
      for (const [section, id, v] of rawEntries(raw))
        expect([id, resource(project, id).resourceType]).toEqual([
          id,
          expectedType(section, id, v),
        ]);
    });

    test('total resources = distinct unique_ids over the sections', () => {
      const ids = new Set(rawEntries(raw).map(([, id]) => id));
      expect(ids.size).toBeGreaterThan(0);
      expect(project.resources.size).toBe(ids.size);
      expect(new Set(project.resources.keys())).toEqual(ids);
    });

    test('graph edges = distinct (dep, id) pairs over depends_on.nodes', () => {
      const pairs = new Set<string>();
      for (const [, id, v] of rawEntries(raw))
        for (const dep of (v.depends_on?.nodes ?? []) as string[]) pairs.add(`${dep}\u0000${id}`);
      expect(project.graph.edgeCount).toBe(pairs.size);
      const edges = new Set(project.graph.edges().map(([a, b]) => `${a}\u0000${b}`));
      expect(edges).toEqual(pairs);
    });

    test('root project name and schema version', () => {
      const info = project.projects[0]!;
      expect(info.name).toBe(expectedRootName(raw));
      expect(info.schemaVersion).toBe(schemaNumber(raw));
      expect(info.dbtVersion).toBe(raw.metadata.dbt_version);
      expect(info.input).toBe('manifest');
    });

    test('every model has an access level (protected before v9)', () => {
      const sv = schemaNumber(raw);
      let models = 0;
      for (const [id, v] of Object.entries(raw.nodes as Json)) {
        if (expectedType('nodes', id, v) !== 'model') continue;
        models++;
        const r = resource(project, id);
        expect(['public', 'protected', 'private']).toContain(r.access);
        if (sv < 9) expect(r.access).toBe('protected');
        else expect(r.access).toBe(v.access ?? 'protected');
      }
      for (const r of project.resources.values()) {
        if (r.resourceType === 'model')
          expect(['public', 'protected', 'private']).toContain(r.access);
        else expect(r.access).toBeNull();
      }
      expect(models).toBe(project.projects[0]!.counts.model ?? 0);
    });

    test('attached_node of v9+ tests is kept', () => {
      if (schemaNumber(raw) < 9) {
        // No attached_node key before v9: nothing to compare, but make sure of it.
        for (const v of Object.values(raw.nodes as Json))
          expect(Object.prototype.hasOwnProperty.call(v, 'attached_node')).toBe(false);
        return;
      }
      for (const [id, v] of Object.entries(raw.nodes as Json)) {
        if (!Object.prototype.hasOwnProperty.call(v, 'attached_node')) continue;
        const t = resource(project, id).test;
        expect(t).not.toBeNull();
        if (v.attached_node !== null) {
          expect([id, t!.attachedNode]).toEqual([id, v.attached_node]);
        } else {
          // dbt writes null for source tests (and YAML naming a missing model); the loader
          // then resolves kwargs.model, which for a source test is the tested source.
          const expected = expectedAttachment(raw, v);
          const target = targetOf(v.test_metadata?.kwargs?.model);
          if (target?.kind === 'source' && expected.length === 1)
            expect([id, t!.attachedNode]).toEqual([id, expected[0]]);
          else expect([id, t!.attachedNode]).toEqual([id, null]);
        }
      }
    });

    test('generic tests attach to the node kwargs.model names', () => {
      for (const [id, v] of Object.entries(raw.nodes as Json)) {
        if (v.resource_type !== 'test' || v.test_metadata?.kwargs?.model === undefined) continue;
        const expected = expectedAttachment(raw, v);
        const truth = typeof v.attached_node === 'string' ? v.attached_node : null;
        if (truth !== null && expected.length === 1) expect([id, expected[0]]).toEqual([id, truth]);
        if (expected.length === 1) {
          expect([id, resource(project, id).test!.attachedNode]).toEqual([id, expected[0]]);
        }
      }
    });

    test('patch and file paths are normalised', () => {
      for (const r of project.resources.values()) {
        for (const p of [r.patchPath, r.filePath]) {
          if (p === null) continue;
          expect(p).not.toContain('://');
          expect(p).not.toContain('\\');
          expect(p.startsWith('./')).toBe(false);
        }
      }
      for (const [section, id, v] of rawEntries(raw)) {
        const r = resource(project, id);
        if (typeof v.patch_path === 'string' && v.patch_path !== '') {
          const noScheme = v.patch_path.includes('://')
            ? v.patch_path.slice(v.patch_path.indexOf('://') + 3)
            : v.patch_path;
          expect([section, id, r.patchPath]).toEqual([
            section,
            id,
            noScheme.replace(/\\/g, '/').replace(/^\.\//, ''),
          ]);
        } else {
          expect([section, id, r.patchPath]).toEqual([section, id, null]);
        }
      }
    });

    test('model meta = {...node.meta, ...node.config.meta}', () => {
      for (const [id, v] of Object.entries(raw.nodes as Json)) {
        if (v.resource_type !== 'model') continue;
        const expected = { ...(v.meta ?? {}), ...(v.config?.meta ?? {}) };
        expect([id, resource(project, id).meta]).toEqual([id, expected]);
      }
    });
  });
}

/** Loads all corpus manifests (cached) for the cross-corpus checks below. */
async function all(): Promise<Array<[string, Loaded]>> {
  const out: Array<[string, Loaded]> = [];
  for (const name of NAMES) out.push([name, await load(name)]);
  return out;
}

test('relationships tests with two parents attach to kwargs.model, not the first parent', async () => {
  expect(NAMES.length).toBeGreaterThan(0);
  let checked = 0;
  let toFirst = 0;
  let withTruth = 0;
  let preV9 = 0;
  for (const [name, { raw, project }] of await all()) {
    for (const [id, v] of Object.entries(raw.nodes as Json)) {
      if (v.test_metadata?.name !== 'relationships') continue;
      const parents = [...new Set<string>(v.depends_on?.nodes ?? [])];
      if (parents.length !== 2) continue;
      const target = targetOf(v.test_metadata.kwargs?.model);
      expect(target?.kind).toBe('ref');
      const named = parents.filter((p) => raw.nodes[p]?.name === (target as { name: string }).name);
      expect([name, id, named.length]).toEqual([name, id, 1]);
      const attached = resource(project, id).test!.attachedNode;
      expect([name, id, attached]).toEqual([name, id, named[0]]);
      if (typeof v.attached_node === 'string') {
        withTruth++;
        expect([name, id, attached]).toEqual([name, id, v.attached_node]);
      } else preV9++;
      if (parents[0] !== named[0]) toFirst++;
      checked++;
    }
  }
  // The corpus must actually exercise the trap: the `to` model listed first, in both eras.
  expect(checked).toBeGreaterThanOrEqual(10);
  expect(toFirst).toBeGreaterThanOrEqual(10);
  expect(withTruth).toBeGreaterThan(0);
  expect(preV9).toBeGreaterThan(0);
});

test('the corpus includes Windows paths, and they load normalised', async () => {
  let backslashed = 0;
  for (const [, { raw, project }] of await all()) {
    for (const [id, v] of Object.entries(raw.nodes as Json)) {
      if (typeof v.patch_path === 'string' && v.patch_path.includes('\\')) {
        backslashed++;
        const r = resource(project, id);
        expect(r.patchPath).not.toContain('\\');
        expect(r.patchPath).toBe(
          v.patch_path.slice(v.patch_path.indexOf('://') + 3).replace(/\\/g, '/'),
        );
      }
    }
  }
  expect(backslashed).toBeGreaterThan(0);
});
