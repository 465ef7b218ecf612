/**
 * Source mode: a dbt project read from dbt_project.yml, YAML and SQL (src/load/source/project.ts)
 * into the same Project model a manifest gives; the input choice (fresh manifest or source) and
 * the CLI flags (--source, --manifest, --strict-parse).
 *
 * fixtures/source-mesh is a hand-written project exercising folder `+meta`, a package the root
 * dbt_project.yml configures, model versions, top-level vs `config:` YAML, sources with domains,
 * groups with owners, an exposure, Jinja-heavy models and a dynamic ref; its Project is asserted
 * field by field. Faults are exercised in small projects written to temporary directories.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resolver, type Resource } from '../src/index.js';
import { loadProjectSync, resolveInput, type InputNote } from '../src/load/index.js';
import { loadSourceProject } from '../src/load/source/project.js';
import { runCli } from './helpers/cli.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const MESH = path.join(repoRoot, 'fixtures', 'source-mesh');

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A project written to a temporary directory: relative path → content. */
function writeProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-source-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

const load = (dir: string) => loadSourceProject(dir, { shown: dir });

describe('fixtures/source-mesh, field by field', () => {
  const project = loadProjectSync([MESH], { mode: 'source' });
  const resolver = new Resolver(project);
  const r = (id: string): Resource => {
    const res = project.resources.get(id);
    if (!res) throw new Error(`no ${id}`);
    return res;
  };
  const cols = (id: string) =>
    r(id).columns.map((c) => ({
      name: c.name,
      description: c.description,
      dataType: c.dataType,
      meta: c.meta,
      tags: c.tags,
      line: c.line,
    }));

  test('the project reads as source, schema v12 semantics', () => {
    expect(project.projects).toEqual([
      {
        name: 'source_mesh',
        schemaVersion: 12,
        dbtVersion: 'source',
        generatedAt: null,
        input: 'source',
        path: path.relative(process.cwd(), MESH) || '.',
        rootDir: MESH,
        counts: { model: 13, seed: 1, snapshot: 1, source: 3, test: 10, exposure: 1 },
        selectors: null,
        unparsedFiles: [],
      },
    ]);
  });

  test('unique_ids as dbt builds them, placeholders for the package and project not present', () => {
    const ids = [...project.resources.values()]
      .filter((x) => x.resourceType !== 'test')
      .map((x) => `${x.uniqueId}${x.external ? ' (external)' : ''}`)
      .sort();
    expect(ids).toEqual([
      'exposure.source_mesh.weekly_shop_dashboard',
      'model.ad_reporting.ad_spend_daily (external)',
      'model.finance_core.fct_ledger (external)',
      'model.mesh_utils.util_calendar',
      'model.mesh_utils.util_numbers',
      'model.source_mesh.dim_customers.v1',
      'model.source_mesh.dim_customers.v2',
      'model.source_mesh.fct_ad_spend',
      'model.source_mesh.fct_orders',
      'model.source_mesh.fct_revenue',
      'model.source_mesh.legacy_export',
      'model.source_mesh.mart_shop_weekly',
      'model.source_mesh.shop_forecast',
      'model.source_mesh.stg_billing__invoices',
      'model.source_mesh.stg_shop__customers',
      'model.source_mesh.stg_shop__orders',
      'seed.source_mesh.country_codes',
      'snapshot.source_mesh.orders_history',
      'source.source_mesh.billing_app.invoices',
      'source.source_mesh.shop_app.customers',
      'source.source_mesh.shop_app.orders',
    ]);
    // Cross-project refs (dependencies.yml `projects:`) may only reach public models.
    expect(r('model.finance_core.fct_ledger')).toMatchObject({
      access: 'public',
      projectName: 'finance_core',
      filePath: null,
    });
    expect(r('model.ad_reporting.ad_spend_daily')).toMatchObject({ access: 'protected' });
    // .dbtignore keeps models/scratch/ out.
    expect([...project.resources.values()].some((x) => x.filePath?.includes('scratch'))).toBe(
      false,
    );
  });

  test('folder +meta, top-level meta moved into config, config() last', () => {
    expect(r('model.source_mesh.stg_shop__orders')).toMatchObject({
      // Folder +meta (tier 2), overridden by the entry's top-level meta (dbt < 1.10 layout).
      meta: { owner: 'shop-data@example.com', domain: 'shop', tier: 1 },
      tags: ['mesh'],
      group: 'shop',
      access: 'protected',
      contract: { enforced: false, aliasTypes: true },
      materialized: 'view',
      description: 'Orders, renamed and typed.',
      filePath: 'models/shop/staging/stg_shop__orders.sql',
      patchPath: 'models/shop/staging/_shop__models.yml',
      yamlPosition: { line: 3, column: 5 },
      fqn: ['source_mesh', 'shop', 'staging', 'stg_shop__orders'],
      dependsOn: ['source.source_mesh.shop_app.orders'],
    });
    expect(cols('model.source_mesh.stg_shop__orders')).toEqual([
      {
        name: 'order_id',
        description: 'Primary key.',
        dataType: null,
        meta: {},
        tags: [],
        line: 8,
      },
      {
        name: 'customer_id',
        description: 'The customer who ordered.',
        dataType: null,
        meta: {},
        tags: [],
        line: 11,
      },
      {
        name: 'status',
        description: '',
        dataType: null,
        meta: { allowed: 'placed|shipped|returned' },
        tags: ['enum'],
        line: 17,
      },
    ]);
    // dbt 1.10 layout: meta and tags under config, columns' too.
    expect(r('model.source_mesh.stg_shop__customers')).toMatchObject({
      meta: { owner: 'shop-data@example.com', domain: 'shop', tier: 2, contains_pii: true },
      tags: ['mesh', 'pii'],
      yamlPosition: { line: 22, column: 5 },
    });
    expect(cols('model.source_mesh.stg_shop__customers')).toEqual([
      {
        name: 'customer_id',
        description: 'Primary key.',
        dataType: null,
        meta: { pk: true },
        tags: [],
        line: 29,
      },
      {
        name: 'email',
        description: 'Contact e-mail.',
        dataType: null,
        meta: {},
        tags: ['pii'],
        line: 33,
      },
    ]);
    // config() in the SQL beats the folder: materialized, meta, tags appended.
    expect(r('model.source_mesh.fct_orders')).toMatchObject({
      meta: { owner: 'shop-data@example.com', domain: 'shop', tier: 2, sla: 'hourly' },
      tags: ['mesh', 'data-product', 'finance-feed'],
      access: 'public',
      materialized: 'incremental',
      // ref(var('orders_model')) is rendered; an unpinned ref to dim_customers reads its latest.
      dependsOn: ['model.source_mesh.stg_shop__orders', 'model.source_mesh.dim_customers.v1'],
    });
    // The properties YAML beats the folder's +access.
    expect(r('model.source_mesh.mart_shop_weekly')).toMatchObject({
      access: 'private',
      group: 'shop',
      dependsOn: ['model.source_mesh.fct_orders', 'model.mesh_utils.util_calendar'],
    });
    // `meta:` without `+` in dbt_project.yml is a folder name: no owner.
    expect(r('model.source_mesh.legacy_export')).toMatchObject({ meta: {}, tags: ['mesh'] });
    expect(resolver.owner('model.source_mesh.legacy_export')).toBeNull();
  });

  test('node-level +contract, top-level group and access, a Python model', () => {
    expect(r('model.source_mesh.stg_billing__invoices')).toMatchObject({
      meta: { owner: 'billing-data@example.com', domain: 'billing' },
      tags: ['mesh', 'staging'],
      group: 'billing',
      access: 'protected',
      contract: { enforced: true, aliasTypes: true },
      dependsOn: ['source.source_mesh.billing_app.invoices', 'model.finance_core.fct_ledger'],
    });
    expect(r('model.source_mesh.stg_billing__invoices').columns.map((c) => c.dataType)).toEqual([
      'integer',
      'integer',
    ]);
    expect(r('model.source_mesh.stg_billing__invoices').columns[0]?.constraints).toEqual([
      { type: 'primary_key', name: null, expression: null, columns: [] },
    ]);
    expect(r('model.source_mesh.shop_forecast')).toMatchObject({
      filePath: 'models/shop/marts/shop_forecast.py',
      materialized: 'table',
      meta: { runtime: 'python', owner: 'shop-data@example.com' },
      dependsOn: ['model.source_mesh.mart_shop_weekly'],
    });
    expect(r('model.source_mesh.fct_ad_spend').dependsOn).toEqual([
      'model.ad_reporting.ad_spend_daily',
    ]);
  });

  test('versions: include/exclude columns, latest_version, per-version config and description', () => {
    const v1 = r('model.source_mesh.dim_customers.v1');
    const v2 = r('model.source_mesh.dim_customers.v2');
    expect(v1).toMatchObject({
      name: 'dim_customers',
      version: '1',
      latestVersion: '1',
      deprecationDate: '2027-06-30T00:00:00+00:00',
      description: 'The customer dimension other domains build on.',
      meta: { owner: 'shop-data@example.com', domain: 'shop', tier: 1 },
      access: 'public',
      contract: { enforced: true, aliasTypes: true },
      filePath: 'models/shop/marts/dim_customers_v1.sql',
      fqn: ['source_mesh', 'shop', 'marts', 'dim_customers', 'v1'],
      yamlPosition: { line: 4, column: 5 },
    });
    expect(v1.columns.map((c) => c.name)).toEqual(['customer_id', 'email']);
    expect(v2).toMatchObject({
      version: '2',
      latestVersion: '1',
      deprecationDate: null,
      description: 'Customers with their first order date (pre-release).',
      // The version's own access beats the folder's +access: public.
      access: 'protected',
      meta: { owner: 'shop-data@example.com', domain: 'shop', tier: 1, stage: 'preview' },
    });
    expect(v2.columns.map((c) => [c.name, c.dataType, c.line])).toEqual([
      ['customer_id', 'integer', 11],
      ['email', 'varchar', 18],
      ['first_order_at', 'timestamp', 21],
      ['segment', 'varchar', 37],
    ]);
    // Column tests fan out per version.
    const tests = [...project.resources.values()]
      .filter(
        (x) =>
          x.resourceType === 'test' &&
          x.test?.attachedNode?.startsWith('model.source_mesh.dim_customers'),
      )
      .map((x) => x.uniqueId)
      .sort();
    expect(tests).toEqual([
      'test.source_mesh.unique_dim_customers_v1_customer_id.cea60a0517',
      'test.source_mesh.unique_dim_customers_v2_customer_id.f52bb79f08',
    ]);
  });

  test('a package configured by the root dbt_project.yml: its tree applies last', () => {
    expect(r('model.mesh_utils.util_calendar')).toMatchObject({
      packageName: 'mesh_utils',
      projectName: 'source_mesh',
      // Own tree (owner, tier 3), its config() (tier 4, access protected), then the root's tree.
      meta: { owner: 'platform-data@example.com', tier: 4, domain: 'platform' },
      access: 'public',
      tags: ['utils', 'mesh'],
      materialized: 'table',
      description: 'One row per day since calendar_start.',
      filePath: 'models/util_calendar.sql',
      patchPath: 'models/_utils.yml',
      fqn: ['mesh_utils', 'util_calendar'],
      dependsOn: ['model.mesh_utils.util_numbers'],
    });
    expect(r('model.mesh_utils.util_numbers')).toMatchObject({
      meta: { owner: 'platform-data@example.com', tier: 3, domain: 'platform' },
      access: 'protected',
    });
  });

  test('sources: project +meta, source and table meta (both layouts), sorted tags', () => {
    expect(r('source.source_mesh.shop_app.orders')).toMatchObject({
      sourceName: 'shop_app',
      description: 'One row per order placed.',
      meta: {
        loaded_by: 'fivetran',
        domain: 'shop',
        owner: 'shop-app@example.com',
        contains_pii: false,
      },
      tags: ['raw'],
      filePath: 'models/shop/staging/_shop__sources.yml',
      patchPath: null,
      yamlPosition: { line: 13, column: 9 },
      fqn: ['source_mesh', 'shop', 'staging', 'shop_app', 'orders'],
      group: null,
      access: null,
      contract: null,
    });
    expect(cols('source.source_mesh.shop_app.orders').map((c) => [c.name, c.line])).toEqual([
      ['id', 18],
      ['customer_id', 23],
    ]);
    expect(r('source.source_mesh.shop_app.customers').tags).toEqual(['pii', 'raw']);
    expect(r('source.source_mesh.billing_app.invoices').meta).toEqual({
      loaded_by: 'fivetran',
      domain: 'billing',
      owner: 'billing-app@example.com',
      retention: '10y',
    });
  });

  test('owner and domain through the Resolver', () => {
    const at = (id: string) => ({
      owner: resolver.owner(id)?.value ?? null,
      domain: resolver.domain(id)?.value ?? null,
    });
    expect(at('model.source_mesh.fct_orders')).toEqual({
      owner: 'shop-data@example.com',
      domain: 'shop',
    });
    expect(at('model.source_mesh.fct_revenue')).toEqual({
      owner: 'billing-data@example.com',
      domain: 'billing',
    });
    expect(at('model.mesh_utils.util_calendar')).toEqual({
      owner: 'platform-data@example.com',
      domain: 'platform',
    });
    expect(at('source.source_mesh.billing_app.invoices')).toEqual({
      owner: 'billing-app@example.com',
      domain: 'billing',
    });
    expect(at('exposure.source_mesh.weekly_shop_dashboard')).toEqual({
      owner: { email: 'shop-analytics@example.com', name: 'Shop analytics' },
      domain: 'shop',
    });
  });

  test('groups with owners, an exposure, a seed and a snapshot', () => {
    expect([...project.groups.values()]).toEqual([
      {
        uniqueId: 'group.source_mesh.shop',
        name: 'shop',
        packageName: 'source_mesh',
        owner: { email: 'shop-data@example.com', name: 'Shop data team' },
        description: '',
        meta: {},
        filePath: 'models/_groups.yml',
      },
      {
        uniqueId: 'group.source_mesh.billing',
        name: 'billing',
        packageName: 'source_mesh',
        owner: { email: 'billing-data@example.com', name: null, slack: '#billing-data' },
        description: 'Invoicing and revenue.',
        meta: {},
        filePath: 'models/_groups.yml',
      },
    ]);
    expect(r('exposure.source_mesh.weekly_shop_dashboard')).toMatchObject({
      owner: { email: 'shop-analytics@example.com', name: 'Shop analytics' },
      meta: { domain: 'shop' },
      tags: ['bi'],
      dependsOn: ['model.source_mesh.mart_shop_weekly', 'model.source_mesh.dim_customers.v2'],
      yamlPosition: { line: 2, column: 5 },
    });
    expect(r('seed.source_mesh.country_codes')).toMatchObject({
      meta: { owner: 'shop-data@example.com', domain: 'shop' },
      description: 'ISO 3166 country codes.',
      materialized: 'seed',
      filePath: 'seeds/country_codes.csv',
      patchPath: 'seeds/_seeds.yml',
    });
    expect(r('snapshot.source_mesh.orders_history')).toMatchObject({
      fqn: ['source_mesh', 'orders_snapshot', 'orders_history'],
      materialized: 'snapshot',
      dependsOn: ['source.source_mesh.shop_app.orders'],
    });
  });

  test('generic tests: ids, attached node, column, inherited tags and group, relationships edge', () => {
    const rel = [...project.resources.values()].find((x) => x.test?.name === 'relationships')!;
    expect(rel).toMatchObject({
      uniqueId:
        'test.source_mesh.relationships_stg_shop__orders_customer_id__customer_id__ref_stg_shop__customers_.24441a1269',
      group: 'shop',
      test: {
        name: 'relationships',
        namespace: null,
        columnName: 'customer_id',
        attachedNode: 'model.source_mesh.stg_shop__orders',
      },
    });
    expect([...rel.dependsOn].sort()).toEqual([
      'model.source_mesh.stg_shop__customers',
      'model.source_mesh.stg_shop__orders',
    ]);
    const sourceTest = r('test.source_mesh.source_unique_shop_app_orders_id.f9bff06f0b');
    expect(sourceTest).toMatchObject({
      tags: ['raw'],
      test: { name: 'unique', columnName: 'id', attachedNode: null },
      dependsOn: ['source.source_mesh.shop_app.orders'],
    });
  });

  test('the dynamic ref is reported once, at its line; nothing else is a fault', () => {
    expect(project.diagnostics).toEqual([
      {
        id: 'ref-dynamic',
        messageId: 'dynamic',
        data: { name: 'fct_revenue', calls: expect.stringContaining('ref(') },
        nodeId: 'model.source_mesh.fct_revenue',
        file: 'models/billing/marts/fct_revenue.sql',
        line: 10,
      },
    ]);
    expect(project.warnings).toEqual([]);
    // The edge that can be known is still there.
    expect(r('model.source_mesh.fct_revenue').dependsOn).toEqual([
      'model.source_mesh.stg_billing__invoices',
    ]);
  });

  test('how each model was read: rendered, Python scanned', () => {
    const methods = load(MESH).dependencyMethods;
    expect(methods.get('model.source_mesh.fct_orders')?.method).toBe('render');
    expect(methods.get('model.source_mesh.mart_shop_weekly')?.method).toBe('render');
    expect(methods.get('model.source_mesh.shop_forecast')?.method).toBe('scan');
  });
});

describe('faults become diagnostics', () => {
  test('a YAML syntax error: parse-error with file:line, the rest still loads', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: p\n',
      'models/a.sql': 'select 1',
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/good.yml': 'models:\n  - name: a\n    description: A.\n',
      'models/bad.yml': 'models:\n  - name: b\n    description: "unterminated\n',
    });
    const p = load(dir);
    expect(p.diagnostics).toEqual([
      expect.objectContaining({
        id: 'parse-error',
        messageId: 'parse',
        file: 'models/bad.yml',
        line: expect.any(Number),
        column: expect.any(Number),
        data: expect.objectContaining({ file: 'models/bad.yml' }),
      }),
    ]);
    expect(p.unparsedFiles).toEqual(['models/bad.yml']);
    // The project model carries them too, for base comparisons.
    expect(p.info.unparsedFiles).toEqual(['models/bad.yml']);
    const byId = new Map(p.resources.map((x) => [x.uniqueId, x]));
    expect(byId.get('model.p.a')?.description).toBe('A.');
    expect(byId.get('model.p.b')?.dependsOn).toEqual(['model.p.a']);
  });

  test('unresolved refs and sources: ref-unresolved on the model, hint for packages not installed', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: p\n',
      'packages.yml': 'packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n',
      'models/a.sql': "select * from {{ ref('nope') }} join {{ source('raw', 'missing') }}",
      'models/b.sql': "select * from {{ ref('dbt_utils', 'some_model') }}",
      'models/c.sql': "select * from {{ ref('other_pkg', 'x') }}",
    });
    const p = load(dir);
    const unresolved = p.diagnostics.filter((d) => d.id === 'ref-unresolved');
    expect(unresolved.map((d) => [d.nodeId, d.data.target])).toEqual([
      [
        'model.p.a',
        "source('raw', 'missing') (perhaps in a package that is not installed: dbt_utils; run dbt deps)",
      ],
      [
        'model.p.a',
        "ref('nope') (perhaps in a package that is not installed: dbt_utils; run dbt deps)",
      ],
      [
        'model.p.c',
        "ref('other_pkg', 'x') (no package or project 'other_pkg' is installed or declared)",
      ],
    ]);
    // A ref into the declared, uninstalled package is a placeholder, not an error.
    const b = p.resources.find((x) => x.uniqueId === 'model.p.b')!;
    expect(b.dependsOn).toEqual(['model.dbt_utils.some_model']);
    expect(p.resources.find((x) => x.uniqueId === 'model.dbt_utils.some_model')).toMatchObject({
      external: true,
      filePath: null,
    });
  });

  test('orphan properties, a version without its file, duplicates, a ref to a disabled model', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: p\n',
      'models/a.sql': 'select 1',
      'models/sub/a.sql': 'select 2',
      'models/retired.sql': '{{ config(enabled=false) }} select 1',
      'models/uses_retired.sql': "select * from {{ ref('retired') }}",
      'models/v_v1.sql': 'select 1',
      'models/props.yml': [
        'models:',
        '  - name: ghost',
        '  - name: retired',
        '    description: disabled, not an orphan',
        '  - name: v',
        '    versions:',
        '      - v: 1',
        '      - v: 2',
        '  - name: a',
        '  - name: a',
        '',
      ].join('\n'),
    });
    const p = load(dir);
    const summary = p.diagnostics.map((d) => [d.id, d.file, d.line ?? null, d.data.name ?? null]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['orphan-properties', 'models/props.yml', 2, 'ghost'],
        ['orphan-properties', 'models/props.yml', 8, 'v v2'],
        ['duplicate-resource', 'models/props.yml', 10, 'a'],
        ['duplicate-resource', 'models/sub/a.sql', null, 'a'],
        ['ref-unresolved', 'models/uses_retired.sql', null, 'uses_retired'],
      ]),
    );
    expect(summary).toHaveLength(5);
    const dup = p.diagnostics.find((d) => d.file === 'models/sub/a.sql')!;
    expect(dup).toMatchObject({
      nodeId: 'model.p.a',
      data: { kind: 'model', file: 'models/sub/a.sql', other: 'models/a.sql' },
    });
    expect(p.diagnostics.find((d) => d.id === 'ref-unresolved')?.data.target).toBe(
      "ref('retired') (disabled in models/retired.sql)",
    );
    expect(p.resources.map((x) => x.uniqueId).sort()).toEqual([
      'model.p.a',
      'model.p.uses_retired',
      'model.p.v.v1',
    ]);
    // The first definition (in path order) is the one kept.
    expect(p.resources.find((x) => x.uniqueId === 'model.p.a')?.filePath).toBe('models/a.sql');
  });

  test('YAML 1.1 as dbt reads it: yes/no booleans, anchors and merge keys, last duplicate key wins', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: p\n',
      'models/a.sql': 'select 1',
      'models/b.sql': 'select 1',
      'models/props.yml': [
        '\ufeffmodels:',
        '  - name: a',
        '    config: &shared',
        '      meta: { pii: yes, owner: first@example.com, owner: last@example.com }',
        '      contract: { enforced: on }',
        '  - name: b',
        '    config:',
        '      <<: *shared',
        '      tags: [merged]',
        '',
      ].join('\n'),
      'models/empty.yml': '# nothing here\n',
    });
    const p = load(dir);
    expect(p.diagnostics).toEqual([]);
    const a = p.resources.find((x) => x.uniqueId === 'model.p.a')!;
    const b = p.resources.find((x) => x.uniqueId === 'model.p.b')!;
    expect(a.meta).toEqual({ pii: true, owner: 'last@example.com' });
    expect(a.contract).toEqual({ enforced: true, aliasTypes: true });
    expect(b).toMatchObject({ meta: a.meta, tags: ['merged'], contract: a.contract });
  });

  test('untrusted input: no prototype pollution, hostile files end in findings quickly', () => {
    const before = Object.keys(Object.prototype);
    const deep = ['x:'];
    for (let i = 0; i < 150; i++) deep.push(`${'  '.repeat(i + 1)}k${i}:`);
    const dir = writeProject({
      'dbt_project.yml': [
        'name: p',
        'models:',
        '  p:',
        '    +meta: { __proto__: { polluted: yes }, constructor: { prototype: { polluted: yes } } }',
        '',
      ].join('\n'),
      'models/__proto__.sql': 'select 1',
      'models/constructor.sql': "{{ config(meta={'__proto__': {'polluted': true}}) }} select 1",
      'models/props.yml':
        'models:\n  - name: constructor\n    meta: { toString: 1, __proto__: 2 }\n',
      'models/deep.yml': deep.join('\n') + '\n',
      'models/spin.sql':
        "{% for i in range(100000000) %}{% for j in range(100000000) %}{{ i }}{% endfor %}{% endfor %}\nselect * from {{ ref('constructor') }}",
      'macros/forever.sql': '{% macro forever(n) %}{{ forever(n + 1) }}{% endmacro %}',
      'models/recurse.sql': "{{ forever(0) }} select * from {{ ref('constructor') }}",
    });
    const started = Date.now();
    const p = load(dir);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(Object.keys(Object.prototype)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const byId = new Map(p.resources.map((x) => [x.uniqueId, x]));
    expect([...byId.keys()].sort()).toEqual([
      'model.p.__proto__',
      'model.p.constructor',
      'model.p.recurse',
      'model.p.spin',
    ]);
    const c = byId.get('model.p.constructor')!;
    expect(Object.getPrototypeOf(c.meta)).toBeNull();
    expect(Object.entries(c.meta)).toContainEqual(['toString', 1]);
    // Render budget and recursion limits: the literal scan still finds the ref.
    expect(byId.get('model.p.spin')?.dependsOn).toEqual(['model.p.constructor']);
    expect(p.dependencyMethods.get('model.p.spin')?.method).toBe('scan');
    expect(byId.get('model.p.recurse')?.dependsOn).toEqual(['model.p.constructor']);
    expect(p.diagnostics.map((d) => [d.id, d.file])).toEqual([['parse-error', 'models/deep.yml']]);
  });

  test('unit tests, YAML snapshots, semantic models, metrics, saved queries', () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: p\n',
      'models/orders.sql': 'select 1',
      'models/customers.sql': "select * from {{ ref('orders') }}",
      'models/props.yml': [
        'unit_tests:',
        '  - name: counts_orders',
        '    model: customers',
        '    given:',
        "      - input: ref('orders')",
        '        rows: []',
        '    expect: { rows: [] }',
        'snapshots:',
        '  - name: orders_snap',
        "    relation: ref('orders')",
        '    config: { unique_key: id, strategy: check, check_cols: all }',
        'semantic_models:',
        '  - name: orders_sm',
        "    model: ref('orders')",
        '    measures:',
        '      - name: order_count',
        '        agg: count',
        'metrics:',
        '  - name: orders_total',
        '    type: simple',
        '    type_params: { measure: order_count }',
        '    config: { group: sales, meta: { owner: sales@example.com } }',
        '  - name: orders_ratio',
        '    type: derived',
        '    type_params: { metrics: [orders_total] }',
        'saved_queries:',
        '  - name: weekly',
        '    query_params: { metrics: [orders_ratio] }',
        '',
      ].join('\n'),
    });
    const p = load(dir);
    expect(p.diagnostics).toEqual([]);
    const deps = Object.fromEntries(
      p.resources.filter((x) => x.resourceType !== 'model').map((x) => [x.uniqueId, x.dependsOn]),
    );
    expect(deps).toEqual({
      'snapshot.p.orders_snap': ['model.p.orders'],
      'unit_test.p.customers.counts_orders': ['model.p.customers', 'model.p.orders'],
      'semantic_model.p.orders_sm': ['model.p.orders'],
      'metric.p.orders_total': ['semantic_model.p.orders_sm'],
      'metric.p.orders_ratio': ['metric.p.orders_total'],
      'saved_query.p.weekly': ['metric.p.orders_ratio'],
    });
    expect(p.resources.find((x) => x.uniqueId === 'metric.p.orders_total')).toMatchObject({
      group: 'sales',
      meta: { owner: 'sales@example.com' },
    });
  });

  test('a broken root dbt_project.yml stops the load with one line naming it', () => {
    const dir = writeProject({ 'dbt_project.yml': 'version: 2\n' });
    expect(() => loadSourceProject(dir, { shown: 'proj' })).toThrow(
      /^proj\/dbt_project\.yml: "name" is missing/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Input choice: fresh manifest or source

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A project with a manifest describing its one model `a` as dbt would write it. */
function projectWithManifest(): string {
  const dir = writeProject({
    'dbt_project.yml': 'name: p\n',
    'models/a.sql': '\n  select 1  \n',
    'models/props.yml': 'models:\n  - name: a\n    description: A.\n',
  });
  const manifest = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.10.5',
      generated_at: '2025-01-01T00:00:00.000000Z',
      project_name: 'p',
    },
    nodes: {
      'model.p.a': {
        unique_id: 'model.p.a',
        resource_type: 'model',
        name: 'a',
        package_name: 'p',
        path: 'a.sql',
        original_file_path: 'models/a.sql',
        patch_path: 'p://models/props.yml',
        fqn: ['p', 'a'],
        description: 'A.',
        config: { materialized: 'view', access: 'protected', meta: {}, tags: [] },
        // dbt hashes the stripped file text.
        checksum: { name: 'sha256', checksum: sha256('select 1') },
        depends_on: { nodes: [] },
      },
    },
    sources: {},
    macros: {},
    docs: {},
    exposures: {},
    metrics: {},
    groups: {},
    selectors: {},
    disabled: {},
  };
  fs.mkdirSync(path.join(dir, 'target'));
  fs.writeFileSync(path.join(dir, 'target', 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

function later(file: string): void {
  const t = new Date(Date.now() + 60_000);
  fs.utimesSync(file, t, t);
}

describe('which input a project directory is read from', () => {
  test('a fresh manifest is read; the note says so', () => {
    const dir = projectWithManifest();
    const notes: InputNote[] = [];
    const p = loadProjectSync([dir], { cwd: dir, onInput: (n) => notes.push(n) });
    expect(p.projects[0]?.input).toBe('manifest');
    expect(notes.map((n) => n.message)).toEqual(['reading . from target/manifest.json']);
    expect(resolveInput('.', dir)).toMatchObject({ kind: 'manifest', chosen: true });
  });

  test('a changed, new or removed model file makes it stale', () => {
    const changed = projectWithManifest();
    fs.writeFileSync(path.join(changed, 'models', 'a.sql'), 'select 2');
    expect(resolveInput('.', changed)).toMatchObject({
      kind: 'source',
      reason: 'target/manifest.json is stale: models/a.sql changed',
    });
    const added = projectWithManifest();
    fs.writeFileSync(path.join(added, 'models', 'b.py'), 'def model(dbt, s): return 1');
    expect(resolveInput('.', added).reason).toBe(
      'target/manifest.json is stale: models/b.py is new',
    );
    const removed = projectWithManifest();
    fs.rmSync(path.join(removed, 'models', 'a.sql'));
    expect(resolveInput('.', removed).reason).toBe(
      'target/manifest.json is stale: models/a.sql was removed',
    );
  });

  test('properties YAML or dbt_project.yml modified after the manifest make it stale', () => {
    const yaml = projectWithManifest();
    later(path.join(yaml, 'models', 'props.yml'));
    expect(resolveInput('.', yaml).reason).toBe(
      'target/manifest.json is stale: models/props.yml was modified after it was written',
    );
    const proj = projectWithManifest();
    later(path.join(proj, 'dbt_project.yml'));
    expect(resolveInput('.', proj).reason).toBe(
      'target/manifest.json is stale: dbt_project.yml was modified after it was written',
    );
  });

  test('mode source and --manifest FILE override the choice', () => {
    const dir = projectWithManifest();
    const notes: InputNote[] = [];
    const source = loadProjectSync(['.'], {
      cwd: dir,
      mode: 'source',
      onInput: (n) => notes.push(n),
    });
    expect(source.projects[0]).toMatchObject({ input: 'source', dbtVersion: 'source' });
    fs.writeFileSync(path.join(dir, 'models', 'a.sql'), 'select 2');
    const forced = loadProjectSync(['.'], {
      cwd: dir,
      manifest: 'target/manifest.json',
      onInput: (n) => notes.push(n),
    });
    expect(forced.projects[0]).toMatchObject({ input: 'manifest', rootDir: dir });
    expect(notes.map((n) => n.message)).toEqual([
      'reading . from source (--source)',
      'reading . from target/manifest.json (--manifest)',
    ]);
  });

  test('the same model in both modes', () => {
    const dir = projectWithManifest();
    const fromManifest = loadProjectSync([dir], { mode: 'manifest' });
    const fromSource = loadProjectSync([dir], { mode: 'source' });
    const strip = (x: Resource) => ({ ...x, yamlPosition: null });
    expect(strip(fromSource.resources.get('model.p.a')!)).toEqual(
      strip(fromManifest.resources.get('model.p.a')!),
    );
  });
});

describe('the CLI', () => {
  test('--source: the first stderr line says so; JSON output says input "source"', async () => {
    const r = await runCli(
      ['check', MESH, '--source', '--format', 'json', '--exit-zero'],
      repoRoot,
    );
    expect(r.stderr.split('\n')[0]).toBe(
      'dbt-steward: reading fixtures/source-mesh from source (--source)',
    );
    const out = JSON.parse(r.stdout);
    expect(out.projects[0]).toMatchObject({ name: 'source_mesh', input: 'source' });
    const dynamic = out.findings.find((f: { ruleId: string }) => f.ruleId === 'ref-dynamic');
    expect(dynamic).toMatchObject({
      severity: 'info',
      nodeId: 'model.source_mesh.fct_revenue',
      location: { file: 'models/billing/marts/fct_revenue.sql', line: 10 },
    });
  });

  test('no manifest: read from source, said first', async () => {
    const r = await runCli(['lineage', 'fixtures/source-mesh', '--format', 'json'], repoRoot);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(
      'dbt-steward: reading fixtures/source-mesh from source (no target/manifest.json)',
    );
    expect(r.stdout).not.toContain('dbt-steward: reading');
  });

  test('a parse error is a finding; --strict-parse makes it exit 2', async () => {
    const dir = writeProject({
      'dbt_project.yml': 'name: p\n',
      'models/a.sql': 'select 1',
      'models/bad.yml': 'models:\n  - name: a\n   description: x\n',
    });
    const r = await runCli(['check', '.', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout).findings.find(
      (x: { ruleId: string }) => x.ruleId === 'parse-error',
    );
    expect(f).toMatchObject({ severity: 'error', location: { file: 'models/bad.yml', line: 3 } });
    const strict = await runCli(['check', '.', '--strict-parse'], dir);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    const lines = strict.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('dbt-steward: reading . from source (no target/manifest.json)');
    expect(lines[1]).toMatch(/^dbt-steward: error: models\/bad\.yml:3:\d+: .*--strict-parse/);
    expect(lines).toHaveLength(2);
  });

  test('--source and --manifest together are a usage error', async () => {
    const r = await runCli(['check', MESH, '--source', '--manifest', 'x.json'], repoRoot);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--source and --manifest');
  });
});
