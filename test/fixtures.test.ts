/**
 * Checks the example-mesh fixture: the generated manifest is a valid dbt v12 manifest, mirrors
 * the source tree (SQL files, properties YAML, dbt_project.yml folder config) and is
 * reproducible by scripts/build-example-manifest.mjs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { load } from 'js-yaml';

type Dict = Record<string, unknown>;

interface ManifestNode {
  unique_id: string;
  name: string;
  resource_type: string;
  path: string;
  original_file_path: string;
  fqn: string[];
  checksum: { name: string; checksum: string };
  raw_code: string;
  description: string;
  columns: Dict;
  meta: Dict;
  tags: string[];
  group: string | null;
  access?: string;
  version?: number | string | null;
  config: { meta: Dict; tags: string[]; group: string | null; access?: string };
  contract?: { enforced: boolean };
  patch_path: string | null;
  depends_on?: { nodes?: string[] };
}

/** A metric or semantic model: defined in a YAML file. */
interface YamlDefined {
  unique_id: string;
  name: string;
  original_file_path: string;
  depends_on: { nodes: string[] };
}

interface Manifest {
  metadata: Record<string, string>;
  nodes: Record<string, ManifestNode>;
  sources: Record<string, ManifestNode>;
  exposures: Record<string, { unique_id: string; name: string; depends_on: { nodes: string[] } }>;
  metrics: Record<string, YamlDefined>;
  semantic_models: Record<string, YamlDefined & { model: string }>;
  groups: Record<string, { name: string; owner: { email: string | null; name: string | null } }>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
}

interface YamlModel {
  name: string;
  description?: string;
  access?: string;
  group?: string;
  meta?: Dict;
  config?: { access?: string; group?: string; meta?: Dict; contract?: { enforced?: boolean } };
  columns?: { name: string }[];
  versions?: { v: number; columns?: { exclude?: string[] }[] }[];
}

interface YamlDoc {
  models?: YamlModel[];
  sources?: { name: string; tables: { name: string }[] }[];
  groups?: { name: string; owner: { email?: string; name?: string } }[];
  exposures?: { name: string }[];
  metrics?: { name: string }[];
  semantic_models?: { name: string; model: string }[];
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PROJECT = path.join(REPO, 'fixtures', 'example-mesh');
const MANIFEST_PATH = path.join(PROJECT, 'target', 'manifest.json');
const SCRIPT = path.join(REPO, 'scripts', 'build-example-manifest.mjs');
const SCHEMA_PATH = fileURLToPath(
  new URL('../../shared/schemas/manifest-v12.json', import.meta.url),
);

const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;
const nodes = Object.values(manifest.nodes);
const models = nodes.filter((n) => n.resource_type === 'model');

function listFiles(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(PROJECT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(rel, ext));
    else if (entry.name.endsWith(ext)) out.push(rel);
  }
  return out.sort();
}

/** dbt hashes the file text after stripping surrounding whitespace (and stores it as raw_code). */
function dbtFileText(rel: string): string {
  return readFileSync(path.join(PROJECT, rel), 'utf8').trim();
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe('example-mesh manifest', () => {
  it('validates against the official manifest v12 JSON schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Dict;
    // The published v12 schema declares draft 2020-12, hence the 2020 build of ajv.
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(manifest.metadata.dbt_schema_version).toBe(
      'https://schemas.getdbt.com/dbt/manifest/v12.json',
    );
    expect(manifest.metadata.project_name).toBe('example_mesh');
    expect(manifest.metadata.project_id).toBe(
      createHash('md5').update('example_mesh').digest('hex'),
    );
  });

  it('has exactly one model node per .sql model file, with its checksum and raw code', () => {
    const files = listFiles('models', '.sql');
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const matching = models.filter((m) => m.original_file_path === file);
      expect(matching).toHaveLength(1);
      const node = matching[0]!;
      const text = dbtFileText(file);
      expect(node.checksum).toEqual({ name: 'sha256', checksum: sha256(text) });
      expect(node.raw_code).toBe(text);
      expect(node.path).toBe(file.slice('models/'.length));
    }
    for (const model of models) expect(files).toContain(model.original_file_path);
  });

  it('checksums seeds, snapshots and singular tests from their files', () => {
    const others = nodes.filter((n) => n.resource_type !== 'model' && n.checksum.name === 'sha256');
    expect(others.map((n) => n.resource_type).sort()).toEqual(['seed', 'snapshot', 'test']);
    for (const node of others) {
      expect(node.checksum.checksum).toBe(sha256(dbtFileText(node.original_file_path)));
    }
  });

  it('is reproduced byte for byte by the build script', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'example-mesh-'));
    try {
      const out = path.join(dir, 'manifest.json');
      execFileSync(process.execPath, [SCRIPT, '--out', out], { stdio: 'pipe' });
      expect(readFileSync(out).equals(readFileSync(MANIFEST_PATH))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mirrors config.meta into node meta and points patch_path at project YAML', () => {
    for (const model of models) {
      expect(model.meta).toEqual(model.config.meta);
      expect(model.tags).toEqual([...new Set(model.config.tags)]);
      expect(model.access).toBe(model.config.access);
      expect(model.group).toBe(model.config.group);
    }
    const patched = nodes.filter((n) => n.patch_path !== null);
    expect(patched.length).toBeGreaterThan(10);
    for (const node of patched) {
      expect(node.patch_path).toMatch(/^example_mesh:\/\/(models|seeds)\/.+\.yml$/);
    }
  });

  it('keeps parent_map and child_map consistent with depends_on', () => {
    const members: { unique_id: string; depends_on?: { nodes?: string[] } }[] = [
      ...nodes,
      ...Object.values(manifest.sources),
      ...Object.values(manifest.exposures),
      ...Object.values(manifest.metrics),
      ...Object.values(manifest.semantic_models),
    ];
    const ids = new Set(members.map((m) => m.unique_id));
    expect(Object.keys(manifest.parent_map)).toEqual([...ids]);
    for (const m of members) {
      const parents: string[] = m.depends_on?.nodes ?? [];
      expect(manifest.parent_map[m.unique_id]).toEqual([...parents].sort());
      for (const p of parents) {
        expect(ids.has(p)).toBe(true);
        expect(manifest.child_map[p]).toContain(m.unique_id);
      }
    }
  });
});

describe('example-mesh source tree', () => {
  const ymlFiles = [...listFiles('models', '.yml'), ...listFiles('seeds', '.yml')];
  const yamlDocs = ymlFiles.map((file) => ({
    file,
    doc: load(readFileSync(path.join(PROJECT, file), 'utf8')) as YamlDoc,
  }));

  it('describes every YAML model entry in the manifest', () => {
    let entries = 0;
    for (const { file, doc } of yamlDocs) {
      for (const entry of doc.models ?? []) {
        entries += 1;
        const found = models.filter((m) => m.name === entry.name);
        expect(found.length).toBe(entry.versions ? entry.versions.length : 1);
        for (const node of found) {
          expect(node.patch_path).toBe(`example_mesh://${file}`);
          expect(node.description).toBe(entry.description ?? '');
          const yamlColumns: string[] = (entry.columns ?? []).map((c) => c.name);
          const version = (entry.versions ?? []).find((v) => v.v === node.version);
          const excluded = version?.columns?.[0]?.exclude ?? [];
          expect(Object.keys(node.columns)).toEqual(
            yamlColumns.filter((c) => !excluded.includes(c)),
          );
          const access = entry.access ?? entry.config?.access;
          if (access) expect(node.access).toBe(access);
          const group = entry.group ?? entry.config?.group;
          expect(node.group).toBe(group ?? null);
          const meta = { ...(entry.meta ?? {}), ...(entry.config?.meta ?? {}) };
          expect(node.meta).toMatchObject(meta);
          expect(node.contract?.enforced).toBe(entry.config?.contract?.enforced === true);
        }
      }
    }
    expect(entries).toBeGreaterThan(10);
  });

  it('declares every source, group and exposure of the manifest', () => {
    const sources = yamlDocs.flatMap(({ doc }) =>
      (doc.sources ?? []).flatMap((s) =>
        s.tables.map((t) => `source.example_mesh.${s.name}.${t.name}`),
      ),
    );
    expect(sources.sort()).toEqual(Object.keys(manifest.sources).sort());
    const groups = yamlDocs.flatMap(({ doc }) => (doc.groups ?? []).map((g) => g.name));
    expect(groups.sort()).toEqual(
      Object.values(manifest.groups)
        .map((g) => g.name)
        .sort(),
    );
    for (const g of yamlDocs.flatMap(({ doc }) => doc.groups ?? [])) {
      const node = manifest.groups[`group.example_mesh.${g.name}`];
      expect(node?.owner).toEqual({ email: g.owner.email ?? null, name: g.owner.name ?? null });
    }
    const exposures = yamlDocs.flatMap(({ doc }) => (doc.exposures ?? []).map((x) => x.name));
    expect(exposures.sort()).toEqual(
      Object.values(manifest.exposures)
        .map((x) => x.name)
        .sort(),
    );
    const metrics = yamlDocs.flatMap(({ file, doc }) =>
      (doc.metrics ?? []).map((x) => `${file} ${x.name}`),
    );
    expect(metrics.sort()).toEqual(
      Object.values(manifest.metrics)
        .map((x) => `${x.original_file_path} ${x.name}`)
        .sort(),
    );
    const semantic = yamlDocs.flatMap(({ file, doc }) =>
      (doc.semantic_models ?? []).map((x) => `${file} ${x.name} ${x.model}`),
    );
    expect(semantic.sort()).toEqual(
      Object.values(manifest.semantic_models)
        .map((x) => `${x.original_file_path} ${x.name} ${x.model}`)
        .sort(),
    );
  });

  it('applies the folder-level +meta and +tags of dbt_project.yml', () => {
    // A model's own YAML meta wins over the folder's (int_payments__processor_fees moves domain).
    const yamlMeta = new Map<string, Dict>();
    for (const { doc } of yamlDocs)
      for (const entry of doc.models ?? [])
        yamlMeta.set(entry.name, { ...(entry.meta ?? {}), ...(entry.config?.meta ?? {}) });
    const project = load(readFileSync(path.join(PROJECT, 'dbt_project.yml'), 'utf8')) as {
      name: string;
      models: Record<string, Dict>;
    };
    expect(project.name).toBe('example_mesh');
    let checked = 0;
    for (const model of models) {
      const dirs = model.fqn.slice(1, model.version === null ? -1 : -2);
      let level: Dict | undefined = project.models.example_mesh;
      for (const dir of dirs) {
        level = level?.[dir] as Dict | undefined;
        if (!level) break;
        const meta = level['+meta'] as Dict | undefined;
        if (meta) {
          expect(model.meta).toMatchObject({ ...meta, ...(yamlMeta.get(model.name) ?? {}) });
          checked += 1;
        }
        for (const tag of (level['+tags'] as string[] | undefined) ?? []) {
          expect(model.tags).toContain(tag);
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('contains the deliberate governance problems the README describes', () => {
    const byId = (id: string): ManifestNode => manifest.nodes[id]!;
    const unowned = models.filter((m) => !m.meta.owner && !m.group).map((m) => m.name);
    expect(unowned.sort()).toEqual(['legacy_customer_export', 'stg_growth__sessions']);
    const noDomain = models.filter((m) => !m.meta.domain && !m.group && m.fqn.length === 2);
    expect(noDomain.map((m) => m.name)).toEqual(['legacy_customer_export']);
    const accessOf = (id: string): string | undefined => byId(id).access;
    expect(accessOf('model.example_mesh.stg_payments__transactions')).toBe('protected');
    expect(accessOf('model.example_mesh.int_payments__settled')).toBe('protected');
    expect(accessOf('model.example_mesh.stg_core__customers')).toBe('protected');
    expect(accessOf('model.example_mesh.stg_finance__invoices')).toBe('private');
    expect(manifest.parent_map['model.example_mesh.fct_signup_conversion']).toContain(
      'model.example_mesh.stg_payments__transactions',
    );
    expect(manifest.parent_map['model.example_mesh.growth_campaign_roi']).toContain(
      'model.example_mesh.int_payments__settled',
    );
    expect(manifest.parent_map['model.example_mesh.growth_customer_ltv']).toContain(
      'model.example_mesh.stg_finance__invoices',
    );
    expect(manifest.parent_map['model.example_mesh.fct_invoices']).toContain(
      'model.example_mesh.stg_core__customers',
    );
  });
});
