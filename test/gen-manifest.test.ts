import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';

const GEN = fileURLToPath(new URL('../scripts/gen-manifest.mjs', import.meta.url));
const SCHEMA = new URL('../../shared/schemas/manifest-v12.json', import.meta.url);
// ajv is CommonJS: under NodeNext the default import is module.exports, whose `.default` is the class.
const Ajv = AjvModule.default;
const N = 50;

const REQUIRED_KEYS = [
  'metadata',
  'nodes',
  'sources',
  'macros',
  'docs',
  'exposures',
  'metrics',
  'groups',
  'selectors',
  'disabled',
  'parent_map',
  'child_map',
  'group_map',
  'saved_queries',
  'semantic_models',
  'unit_tests',
];

type Obj = Record<string, any>;

let dir: string;
let fileA: string;
let manifest: Obj;

function gen(out: string, ...args: string[]): string {
  return execFileSync(
    process.execPath,
    [GEN, '--models', String(N), '--out', out, '--quiet', ...args],
    {
      encoding: 'utf8',
    },
  );
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-gen-'));
  fileA = path.join(dir, 'a.json');
  const stdout = gen(fileA, '--seed', '42');
  expect(stdout).toContain(fileA);
  manifest = JSON.parse(fs.readFileSync(fileA, 'utf8')) as Obj;
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('scripts/gen-manifest.mjs', () => {
  test('writes a v12 manifest with every required top-level key', () => {
    expect(Object.keys(manifest)).toEqual(REQUIRED_KEYS);
    expect(manifest.metadata.dbt_schema_version).toBe(
      'https://schemas.getdbt.com/dbt/manifest/v12.json',
    );
    expect(manifest.metadata.dbt_version).toBe('1.10.5');
    expect(manifest.metadata.project_name).toBe('acme_analytics');
  });

  test('has exactly N model nodes, plus tests, seeds, snapshots, sources, exposures, groups, macros', () => {
    const nodes = Object.values<Obj>(manifest.nodes);
    const count = (type: string) => nodes.filter((n) => n.resource_type === type).length;
    expect(count('model')).toBe(N);
    expect(count('test')).toBeGreaterThan(N);
    expect(count('seed')).toBeGreaterThan(0);
    expect(count('snapshot')).toBeGreaterThan(0);
    expect(Object.keys(manifest.sources).length).toBeGreaterThan(0);
    expect(Object.keys(manifest.exposures).length).toBeGreaterThan(0);
    expect(Object.keys(manifest.groups)).toHaveLength(8);
    expect(Object.keys(manifest.macros).length).toBeGreaterThanOrEqual(900);
    for (const [id, node] of Object.entries<Obj>(manifest.nodes)) {
      expect(node.unique_id).toBe(id);
    }
  });

  test('every depends_on.nodes id exists in nodes or sources', () => {
    const known = new Set([...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)]);
    const dependents = [
      ...Object.values<Obj>(manifest.nodes),
      ...Object.values<Obj>(manifest.exposures),
    ];
    const dangling: string[] = [];
    for (const n of dependents) {
      for (const id of n.depends_on?.nodes ?? [])
        if (!known.has(id)) dangling.push(`${n.unique_id} -> ${id}`);
    }
    expect(dangling).toEqual([]);
  });

  test('parent_map equals sorted depends_on.nodes and child_map is its inverse', () => {
    const all: Obj = { ...manifest.nodes, ...manifest.sources, ...manifest.exposures };
    expect(Object.keys(manifest.parent_map).sort()).toEqual(Object.keys(all).sort());
    expect(Object.keys(manifest.child_map).sort()).toEqual(Object.keys(all).sort());
    const inverse: Record<string, string[]> = {};
    for (const id of Object.keys(all)) inverse[id] = [];
    for (const [id, node] of Object.entries<Obj>(all)) {
      const deps: string[] = [...(node.depends_on?.nodes ?? [])].sort();
      expect(manifest.parent_map[id]).toEqual(deps);
      for (const p of deps) inverse[p]!.push(id);
    }
    for (const [id, children] of Object.entries(inverse)) {
      expect(manifest.child_map[id]).toEqual(children.sort());
    }
  });

  test('generic tests carry dbt test_metadata and attach to their model', () => {
    const tests = Object.values<Obj>(manifest.nodes).filter((n) => n.resource_type === 'test');
    for (const t of tests) {
      expect(['unique', 'not_null', 'accepted_values', 'relationships']).toContain(
        t.test_metadata.name,
      );
      expect(t.test_metadata.kwargs.model).toMatch(/^\{\{ get_where_subquery\((ref|source)\(/);
      expect(t.column_name).toBe(t.test_metadata.kwargs.column_name);
      if (t.attached_node) {
        expect(manifest.nodes[t.attached_node].resource_type).toBe('model');
        expect(t.depends_on.nodes).toContain(t.attached_node);
      } else {
        expect(t.sources).toHaveLength(1);
      }
      if (t.test_metadata.name === 'relationships') expect(t.depends_on.nodes).toHaveLength(2);
    }
  });

  test('governance metadata: owners and domains on most models, groups with owner emails', () => {
    const models = Object.values<Obj>(manifest.nodes).filter((n) => n.resource_type === 'model');
    const owned = models.filter((m) => typeof m.meta.owner === 'string');
    expect(owned.length / models.length).toBeGreaterThan(0.6);
    expect(owned.length).toBeLessThan(models.length);
    for (const m of models) {
      expect(m.config.meta).toEqual(m.meta); // dbt mirrors config.meta into node meta
      expect(['private', 'protected', 'public']).toContain(m.access);
      if (m.access === 'private') expect(m.group).not.toBeNull();
      if (m.group) expect(manifest.groups[`group.acme_analytics.${m.group}`]).toBeDefined();
    }
    for (const g of Object.values<Obj>(manifest.groups)) {
      expect(g.owner.email).toMatch(/@/);
      expect(manifest.group_map[g.name]).toEqual(expect.any(Array));
    }
  });

  test('same seed gives a byte-identical file; another seed does not; --pretty parses to the same data', () => {
    const fileB = path.join(dir, 'b.json');
    const fileC = path.join(dir, 'c.json');
    const fileP = path.join(dir, 'p.json');
    gen(fileB, '--seed', '42');
    gen(fileC, '--seed', '43');
    gen(fileP, '--seed', '42', '--pretty');
    const a = fs.readFileSync(fileA);
    expect(fs.readFileSync(fileB).equals(a)).toBe(true);
    expect(fs.readFileSync(fileC).equals(a)).toBe(false);
    expect(JSON.parse(fs.readFileSync(fileP, 'utf8'))).toEqual(manifest);
  });

  test('validates against the published v12 JSON schema', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as Obj;
    // The file declares draft 2020-12, which the default Ajv class has no meta-schema for; it uses
    // no 2020-only keywords, so validating it as draft-07 is equivalent.
    delete schema.$schema;
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      formats: { uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i },
    });
    const validate = ajv.compile(schema);
    const ok = validate(manifest);
    const errors = (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
  });

  test('rejects a missing or invalid --models', () => {
    const missing = spawnSync(process.execPath, [GEN], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--models is required');
    const bad = spawnSync(process.execPath, [GEN, '--models', 'lots'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});
