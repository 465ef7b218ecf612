import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { loadProject } from '../src/index.js';

const GEN = fileURLToPath(new URL('../scripts/gen-manifest.mjs', import.meta.url));
const READER = fileURLToPath(new URL('../src/load/source/project.ts', import.meta.url));
const PROJECT = 'acme_analytics';
const N = 300;
const SEED = '7';

type Obj = Record<string, any>;

let tmp: string;
let dirA: string;
let dirB: string;

function gen(out: string, ...args: string[]): string {
  return execFileSync(
    process.execPath,
    [GEN, '--tree', '--models', String(N), '--out', out, '--seed', SEED, '--quiet', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, p));
    else out.push(p);
  }
  return out.sort();
}

const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-gen-tree-'));
  dirA = path.join(tmp, 'a');
  dirB = path.join(tmp, 'b');
  expect(gen(dirA)).toContain(`${N} models`);
  gen(dirB);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('gen --tree', () => {
  it('is deterministic: two runs write byte-identical trees', () => {
    const files = walk(dirA);
    expect(walk(dirB)).toEqual(files);
    const differ = files.filter(
      (f) => !fs.readFileSync(path.join(dirB, f)).equals(fs.readFileSync(path.join(dirA, f))),
    );
    expect(differ).toEqual([]);
  });

  it('replaces its own output but refuses a directory it did not write', () => {
    gen(dirB); // regenerating over a previous tree is fine
    const foreign = path.join(tmp, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'keep.txt'), 'mine');
    expect(() => gen(foreign)).toThrow(/was not written by this script/);
    expect(fs.readFileSync(path.join(foreign, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('writes YAML that parses, with the same values under YAML 1.1 and 1.2', () => {
    const yamlFiles = walk(dirA).filter((f) => /\.ya?ml$/.test(f));
    expect(yamlFiles.length).toBeGreaterThan(20);
    // YAML 1.1 reads an unquoted date as a timestamp, as PyYAML (and dbt) do: compare its day
    const dates = (x: unknown): unknown => {
      if (x instanceof Date) return x.toISOString().slice(0, 10);
      if (Array.isArray(x)) return x.map(dates);
      if (x !== null && typeof x === 'object')
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, dates(v)]));
      return x;
    };
    for (const f of yamlFiles) {
      const text = read(dirA, f);
      const doc = YAML.parseDocument(text, { uniqueKeys: true });
      expect([f, doc.errors.map((e) => e.message)]).toEqual([f, []]);
      expect([f, doc.warnings.map((e) => e.message)]).toEqual([f, []]);
      const v12: unknown = YAML.parse(text, { version: '1.2' });
      const v11: unknown = YAML.parse(text, { version: '1.1' });
      expect(v12).toEqual(expect.any(Object));
      // PyYAML reads YAML 1.1: the generator avoids yes/no/on/off and other 1.1-only scalars
      expect([f, dates(v11)]).toEqual([f, dates(v12)]);
    }
  });

  it('has the requested counts and a consistent project', () => {
    const files = walk(dirA);
    const project = YAML.parse(read(dirA, 'dbt_project.yml')) as Obj;
    expect(project.name).toBe(PROJECT);
    const domains = Object.keys(project.models[PROJECT]).filter((k) => !k.startsWith('+'));
    expect(domains).toHaveLength(8);

    const modelSql = files.filter((f) => f.startsWith('models/') && f.endsWith('.sql'));
    const disabled = modelSql.filter((f) => read(dirA, f).includes('config(enabled=false)'));
    expect(disabled).toHaveLength(Math.ceil(N / 1000));
    const enabled = modelSql.filter((f) => !disabled.includes(f));
    expect(enabled).toHaveLength(N);
    for (const f of enabled) expect(f).toMatch(/^models\/[a-z]+\/(staging|intermediate|marts)\//);

    // properties YAML: every entry names a model file; sources, exposures, groups as planned
    const stems = new Set(enabled.map((f) => path.basename(f, '.sql')));
    const sources = new Map<string, Set<string>>();
    let exposures = 0;
    let groups = 0;
    let described = 0;
    const versioned = new Set<string>();
    for (const f of files.filter((x) => x.endsWith('.yml') && x !== 'dbt_project.yml')) {
      const doc = (YAML.parse(read(dirA, f)) ?? {}) as Obj;
      for (const m of (doc.models ?? []) as Obj[]) {
        const versions = (m.versions ?? []) as Obj[];
        if (versions.length) versioned.add(m.name);
        if (versions.length === 0) expect(stems.has(m.name)).toBe(true);
        for (const v of versions) expect(stems.has(`${m.name}_v${v.v}`)).toBe(true);
        if (m.description === undefined) continue; // an undocumented versioned model
        described++;
        expect(typeof m.description).toBe('string');
      }
      for (const s of (doc.sources ?? []) as Obj[])
        sources.set(s.name, new Set(((s.tables ?? []) as Obj[]).map((t) => t.name as string)));
      exposures += ((doc.exposures ?? []) as Obj[]).length;
      groups += ((doc.groups ?? []) as Obj[]).length;
    }
    expect(described).toBeGreaterThan(N * 0.8);
    // versioned files belong to a model with versions in its properties (dbt needs them)
    for (const stem of stems) {
      const base = /^(.+)_v\d+$/.exec(stem)?.[1];
      if (base !== undefined) expect([stem, versioned.has(base)]).toEqual([stem, true]);
    }
    const tables = [...sources.values()].reduce((n, s) => n + s.size, 0);
    expect(tables).toBe(Math.max(8, Math.round(N / 10)));
    expect(exposures).toBe(Math.max(1, Math.round(N / 200)));
    expect(groups).toBe(8);
    expect(files.filter((f) => f.startsWith('seeds/') && f.endsWith('.csv'))).toHaveLength(
      Math.max(2, Math.round(N / 100)),
    );
    expect(files.filter((f) => f.startsWith('snapshots/') && f.endsWith('.sql'))).toHaveLength(
      Math.max(1, Math.round(N / 200)),
    );

    // every ref and source in the SQL resolves to a file of the tree
    const seeds = new Set(
      files.filter((f) => f.endsWith('.csv')).map((f) => path.basename(f, '.csv')),
    );
    for (const f of enabled) {
      const sql = read(dirA, f);
      for (const m of sql.matchAll(/ref\('([^']+)'(?:, v=(\d+))?\)/g)) {
        const [, name, v] = m;
        const ok = v
          ? stems.has(`${name}_v${v}`)
          : stems.has(name!) || seeds.has(name!) || stems.has(`${name}_v2`);
        expect([f, name, ok]).toEqual([f, name, true]);
      }
      for (const m of sql.matchAll(/source\('([^']+)', '([^']+)'\)/g))
        expect([f, m[1], m[2], sources.get(m[1]!)?.has(m[2]!)]).toEqual([f, m[1], m[2], true]);
    }
  });

  it('mirrors the manifest generator: same model ids and the same dependency edges', () => {
    const manifestFile = path.join(tmp, 'manifest.json');
    execFileSync(
      process.execPath,
      [GEN, '--models', String(N), '--out', manifestFile, '--seed', SEED, '--quiet'],
      { encoding: 'utf8' },
    );
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Obj;
    const versioned = new Set<string>();
    for (const f of walk(dirA).filter((x) => x.endsWith('.yml') && x !== 'dbt_project.yml')) {
      const doc = (YAML.parse(read(dirA, f)) ?? {}) as Obj;
      for (const m of (doc.models ?? []) as Obj[]) if (m.versions) versioned.add(m.name);
    }
    let checked = 0;
    for (const node of Object.values(manifest.nodes as Record<string, Obj>)) {
      if (node.resource_type !== 'model') continue;
      const sql = read(dirA, node.original_file_path);
      const deps = new Set<string>();
      for (const m of sql.matchAll(/ref\('([^']+)'(?:, v=(\d+))?\)/g)) {
        const [, name, v] = m;
        const id = `model.${PROJECT}.${name}`;
        if (v) deps.add(`${id}.v${v}`);
        else if (versioned.has(name!)) deps.add(`${id}.v2`);
        else if (manifest.nodes[id]) deps.add(id);
        else deps.add(`seed.${PROJECT}.${name}`);
      }
      for (const m of sql.matchAll(/source\('([^']+)', '([^']+)'\)/g))
        deps.add(`source.${PROJECT}.${m[1]}.${m[2]}`);
      expect([node.unique_id, [...deps].sort()]).toEqual([
        node.unique_id,
        [...new Set(node.depends_on.nodes as string[])].sort(),
      ]);
      checked++;
    }
    expect(checked).toBe(N);
  });

  const hasReader = fs.existsSync(READER);
  (hasReader ? it : it.skip)(
    hasReader
      ? 'loads in source mode: N models and no parse-error diagnostics'
      : 'loads in source mode (SKIPPED: src/load/source/project.ts does not exist yet)',
    async () => {
      // a variable, not a literal: compiles before `mode` exists and is checked once it does
      const options = { mode: 'source' as const, cwd: tmp };
      const project = await loadProject([dirA], options);
      const models = [...project.resources.values()].filter(
        (r) => r.resourceType === 'model' && r.packageName === PROJECT,
      );
      expect(models).toHaveLength(N);
      expect(project.projects[0]?.input).toBe('source');
      const parseErrors = project.diagnostics.filter((d) => d.id === 'parse-error');
      expect(parseErrors).toEqual([]);
      const sources = [...project.resources.values()].filter((r) => r.resourceType === 'source');
      expect(sources).toHaveLength(Math.max(8, Math.round(N / 10)));
    },
  );
});
