/**
 * Base mode, the pure part (src/engine/compare.ts): change detection, breaking changes,
 * impact and finding classification on base/head pairs built in code.
 */
import {
  breakingChanges,
  breakingFindings,
  classifyFindings,
  compareProjects,
  createProject,
  emptyEngineConfig,
  getBuiltinRules,
  impactOf,
  normalizeDataType,
  Registry,
  Resolver,
  type Finding,
  type Project,
  type ResourceInit,
} from '../src/index.js';

const P = 'shop';
const id = (name: string) => `model.${P}.${name}`;

function model(name: string, extra: Partial<ResourceInit> = {}): ResourceInit {
  return {
    uniqueId: id(name),
    resourceType: 'model',
    name,
    filePath: `models/${name}.sql`,
    patchPath: 'models/schema.yml',
    ...extra,
  };
}

const col = (name: string, dataType: string | null = null, constraints: string[] = []) => ({
  name,
  description: '',
  dataType,
  constraints: constraints.map((type) => ({ type, name: null, expression: null, columns: [] })),
  meta: {},
  tags: [],
});

const contracted = (extra: Partial<ResourceInit> = {}): Partial<ResourceInit> => ({
  access: 'public',
  contract: { enforced: true, aliasTypes: true },
  materialized: 'table',
  columns: [col('id', 'int', ['not_null']), col('amount', 'numeric(10,2)')],
  ...extra,
});

const project = (resources: ResourceInit[]): Project => createProject({ name: P, resources });
const resolver = (p: Project) => new Resolver(p, emptyEngineConfig());

function compare(base: ResourceInit[], head: ResourceInit[], now = new Date('2025-01-01')) {
  const b = project(base);
  const h = project(head);
  const changes = compareProjects(b, h, resolver(b), resolver(h));
  return { b, h, changes, breaking: breakingChanges(b, h, changes, { now }) };
}

describe('compareProjects', () => {
  it('finds added and removed resources', () => {
    const { changes } = compare([model('a'), model('b')], [model('a'), model('c')]);
    expect(changes.added).toEqual([id('c')]);
    expect(changes.removed).toEqual([id('b')]);
    expect(changes.renamed).toEqual([]);
    expect(changes.modified).toEqual([]);
  });

  it('pairs a model moved and renamed as it is by its file checksum; a changed checksum is a modification', () => {
    const { changes } = compare(
      [model('orders', { checksum: 'aaa' }), model('users', { checksum: 'bbb' })],
      [
        model('fct_orders', { filePath: 'models/marts/fct_orders.sql', checksum: 'aaa' }),
        model('users', { checksum: 'ccc' }),
      ],
    );
    expect(changes.renamed).toEqual([
      { from: id('orders'), to: id('fct_orders'), resourceType: 'model', by: 'checksum' },
    ]);
    expect(changes.modified).toEqual([
      { uniqueId: id('users'), resourceType: 'model', kinds: ['checksum'] },
    ]);
    // Without checksums on one side nothing is known about the file contents.
    const unknown = compare([model('users', { checksum: 'bbb' })], [model('users')]);
    expect(unknown.changes.modified).toEqual([]);
  });

  it('pairs renames by same file path and by same name in another path', () => {
    const src = (name: string, source: string, file: string): ResourceInit => ({
      uniqueId: `source.${P}.${source}.${name}`,
      resourceType: 'source',
      name,
      sourceName: source,
      filePath: file,
    });
    const { changes } = compare(
      [src('orders', 'raw', 'models/sources.yml'), src('users', 'raw', 'models/a.yml')],
      [src('orders_v2', 'raw', 'models/sources.yml'), src('users', 'crm', 'models/b.yml')],
    );
    expect(changes.renamed).toEqual([
      {
        from: `source.${P}.raw.orders`,
        to: `source.${P}.raw.orders_v2`,
        resourceType: 'source',
        by: 'path',
      },
      {
        from: `source.${P}.raw.users`,
        to: `source.${P}.crm.users`,
        resourceType: 'source',
        by: 'name',
      },
    ]);
    expect(changes.added).toEqual([]);
    expect(changes.removed).toEqual([]);
  });

  it.each([
    ['config', { tags: ['x'] }],
    ['config', { filePath: 'models/moved/a.sql' }],
    ['columns', { columns: [col('id')] }],
    ['access', { access: 'public' as const }],
    ['contract', { contract: { enforced: true, aliasTypes: true } }],
    ['version', { deprecationDate: '2030-01-01' }],
    ['owner', { meta: { owner: 'someone@example.com' } }],
    ['domain', { meta: { domain: 'finance' } }],
    ['materialized', { materialized: 'table' }],
    ['description', { description: 'new words' }],
  ])('detects a %s change', (kind, extra) => {
    const { changes } = compare([model('a')], [model('a', extra)]);
    expect(changes.modified).toHaveLength(1);
    expect(changes.modified[0]!.kinds).toContain(kind);
  });

  it('never reports resources of an unparsed file as removed', () => {
    const b = project([model('a'), model('b', { patchPath: 'models/broken.yml' })]);
    const h = project([model('a')]);
    h.projects[0]!.unparsedFiles = ['models/broken.yml'];
    expect(compareProjects(b, h).removed).toEqual([]);
  });
});

describe('breakingChanges', () => {
  const consumer = model('consumer', { dependsOn: [id('pub')] });

  function single(headExtra: Partial<ResourceInit> | null, baseExtra: Partial<ResourceInit> = {}) {
    const base = [model('pub', contracted(baseExtra)), consumer];
    const head = headExtra ? [model('pub', contracted(headExtra)), consumer] : [consumer];
    return compare(base, head).breaking;
  }

  it('says nothing when nothing changed', () => {
    expect(single({})).toEqual([]);
  });

  it('removed (or disabled): listed with the base consumers and file', () => {
    const [b, ...rest] = single(null);
    expect(rest).toEqual([]);
    expect(b).toMatchObject({
      kind: 'removed',
      baseId: id('pub'),
      headId: null,
      consumers: [id('consumer')],
      file: 'models/schema.yml',
    });
  });

  it('removed before its deprecation date; not after it', () => {
    expect(single(null, { deprecationDate: '2026-01-01' })[0]!.kind).toBe(
      'removed-before-deprecation',
    );
    expect(single(null, { deprecationDate: '2024-01-01' })).toEqual([]);
  });

  it('renamed', () => {
    const { breaking } = compare(
      [model('pub', contracted({ filePath: 'models/x.sql' })), consumer],
      [model('pub2', contracted({ filePath: 'models/x.sql' })), consumer],
    );
    expect(breaking.map((b) => b.kind)).toEqual(['renamed']);
    expect(breaking[0]!.consumers).toEqual([id('consumer')]);
  });

  it.each<[string, Partial<ResourceInit>]>([
    ['column-removed', { columns: [col('id', 'int', ['not_null'])] }],
    ['data-type-changed', { columns: [col('id', 'int', ['not_null']), col('amount', 'varchar')] }],
    ['constraint-removed', { columns: [col('id', 'int'), col('amount', 'numeric(10,2)')] }],
    ['materialization-changed', { materialized: 'view' }],
    ['contract-not-enforced', { contract: { enforced: false, aliasTypes: true } }],
    ['access-narrowed', { access: 'protected' }],
  ])('%s', (kind, extra) => {
    const found = single(extra);
    expect(found.map((b) => b.kind)).toEqual([kind]);
    expect(found[0]).toMatchObject({ headId: id('pub'), consumers: [id('consumer')] });
  });

  it('a removed model constraint', () => {
    const pk = { type: 'primary_key', name: null, expression: null, columns: ['id'] };
    expect(single({}, { constraints: [pk] }).map((b) => b.kind)).toEqual(['constraint-removed']);
  });

  it('data types: case-insensitive, aliases only with alias_types', () => {
    expect(
      single({ columns: [col('ID', 'INTEGER', ['not_null']), col('amount', 'DECIMAL(10, 2)')] }),
    ).toEqual([]);
    const strict = { enforced: true, aliasTypes: false };
    expect(
      single(
        {
          contract: strict,
          columns: [col('id', 'integer', ['not_null']), col('amount', 'numeric(10,2)')],
        },
        { contract: strict },
      ).map((b) => b.kind),
    ).toEqual(['data-type-changed']);
    expect(normalizeDataType(' Character  Varying ', true)).toBe('text');
    expect(normalizeDataType('int', false)).toBe('int');
  });

  it('ignores models that are neither public nor contracted', () => {
    const { breaking } = compare([model('a'), consumer], [consumer]);
    expect(breaking).toEqual([]);
  });

  it('latest_version moved while unpinned refs follow it', () => {
    const v = (n: string, latest: string): ResourceInit =>
      model('orders', {
        uniqueId: `${id('orders')}.v${n}`,
        version: n,
        latestVersion: latest,
        access: 'public',
        filePath: `models/orders_v${n}.sql`,
      });
    const { breaking } = compare(
      [v('1', '1'), v('2', '1'), model('c', { dependsOn: [`${id('orders')}.v1`] })],
      [v('1', '2'), v('2', '2'), model('c', { dependsOn: [`${id('orders')}.v2`] })],
    );
    expect(breaking.map((b) => b.kind)).toEqual(['latest-version-moved']);
    expect(breaking[0]).toMatchObject({ baseId: `${id('orders')}.v1`, consumers: [id('c')] });
    // a pinned ref (c stays on v1): not breaking
    const pinned = compare(
      [v('1', '1'), v('2', '1'), model('c', { dependsOn: [`${id('orders')}.v1`] })],
      [v('1', '2'), v('2', '2'), model('c', { dependsOn: [`${id('orders')}.v1`] })],
    );
    expect(pinned.breaking).toEqual([]);
  });

  it('breakingFindings: error findings on the head model with related consumers', () => {
    const { h, breaking } = compare(
      [model('pub', contracted()), consumer],
      [model('pub', contracted({ access: 'private' })), consumer],
    );
    const entry = new Registry(getBuiltinRules()).get('breaking-change')!;
    const [f, ...rest] = breakingFindings(breaking, entry, h, () => 'error');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      ruleId: 'breaking-change',
      messageId: 'breaking',
      severity: 'error',
      nodeId: id('pub'),
      related: [id('consumer')],
      location: { file: 'models/schema.yml' },
    });
    expect(f!.message).toBe("Breaking change to 'pub': access narrowed from public to private.");
    expect(breakingFindings(breaking, entry, h, () => 'off')).toEqual([]);
  });
});

describe('impactOf', () => {
  it('groups transitive downstream resources by domain and owner, exposures included', () => {
    const base = [
      model('a'),
      model('b', { dependsOn: [id('a')], meta: { domain: 'growth', owner: 'g@x.io' } }),
      model('c', { dependsOn: [id('b')], meta: { domain: 'growth', owner: 'g@x.io' } }),
      {
        uniqueId: `exposure.${P}.weekly_kpis`,
        resourceType: 'exposure' as const,
        name: 'weekly_kpis',
        dependsOn: [id('c')],
        owner: { name: 'KPI team', email: 'kpi@x.io' },
      },
      {
        uniqueId: `test.${P}.not_null_b_id`,
        resourceType: 'test' as const,
        name: 'not_null_b_id',
        dependsOn: [id('b')],
      },
    ];
    const head = base.map((r) => (r.name === 'a' ? { ...r, description: 'changed' } : r));
    const b = project(base);
    const h = project(head);
    const changes = compareProjects(b, h, resolver(b), resolver(h));
    const impact = impactOf(changes, b, h, resolver(b), resolver(h));
    expect(impact).toEqual([
      {
        uniqueId: id('a'),
        change: 'modified',
        downstream: 3,
        groups: [
          { domain: 'growth', owner: 'g@x.io', count: 2, byType: { model: 2 }, exposures: [] },
          {
            domain: null,
            owner: 'kpi@x.io',
            count: 1,
            byType: { exposure: 1 },
            exposures: ['weekly_kpis'],
          },
        ],
      },
    ]);
  });
});

describe('classifyFindings', () => {
  const f = (fingerprint: string, extra: Partial<Finding> = {}): Finding => ({
    ruleId: 'r',
    messageId: 'm',
    data: {},
    severity: 'error',
    message: fingerprint,
    subject: { kind: 'node', id: id(fingerprint) },
    nodeId: id(fingerprint),
    fingerprint,
    ...extra,
  });

  it('new, existing (counting multiplicity) and fixed', () => {
    const r = classifyFindings(
      { findings: [f('a'), f('b'), f('gone')] },
      { findings: [f('a'), f('a'), f('b'), f('c')] },
    );
    expect(r.findings.map((x) => [x.fingerprint, x.status])).toEqual([
      ['a', 'existing'],
      ['a', 'new'],
      ['b', 'existing'],
      ['c', 'new'],
    ]);
    expect(r.fixed.map((x) => [x.fingerprint, x.status])).toEqual([['gone', 'fixed']]);
  });

  it('never calls findings fixed in unparsed files or suppressed ones', () => {
    const r = classifyFindings(
      {
        findings: [
          f('x', { location: { file: 'models/broken.yml' } }),
          f('y', { suppressed: { by: 'waiver', reason: 'r' } }),
        ],
      },
      { findings: [] },
      { unparsedFiles: new Set(['models/broken.yml']) },
    );
    expect(r.fixed).toEqual([]);
  });
});
