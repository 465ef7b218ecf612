/** Domain and owner resolution: every step kind, chain order, conflicts, gating, CODEOWNERS. */
import {
  compileCodeownersPattern,
  matchCodeowners,
  parseCodeowners,
} from '../src/engine/codeowners.js';
import {
  emptyEngineConfig,
  type DomainDeclaration,
  type DomainStep,
  type OwnerStep,
} from '../src/engine/config.js';
import {
  compileDomainPattern,
  hasValue,
  metaValue,
  resolveDomain,
  resolveOwner,
  Resolver,
} from '../src/engine/resolve.js';
import { createProject, makeResource, type ResourceInit } from '../src/project.js';

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  filePath: `models/${name}.sql`,
  ...extra,
});

function declared(name: string, owners: string[]): DomainDeclaration {
  return { name, description: '', owners, public: [], origin: `dbt-steward.yml: domains.${name}` };
}

function config(
  domainSteps?: DomainStep[],
  ownerSteps?: OwnerStep[],
  decl: Record<string, DomainDeclaration> = {},
) {
  const c = emptyEngineConfig();
  if (domainSteps) c.domains.resolution = domainSteps;
  if (ownerSteps) c.owners.resolution = ownerSteps;
  c.domains.declared = decl;
  return { domains: c.domains, owners: c.owners };
}

const project = createProject({
  resources: [
    model('meta_domain', {
      meta: { domain: ' payments ', owner: 'pay@example.com' },
      patchPath: 'models/_payments.yml',
      filePath: 'models/payments/meta_domain.sql',
    }),
    model('nested_meta', { meta: { steward: { domain: 'growth', owner: ['a@x.io', 'b@x.io'] } } }),
    model('dotted_meta', { meta: { 'steward.domain': 'core' } }),
    model('grouped', { group: 'finance', filePath: 'models/finance/grouped.sql' }),
    model('ungrouped_group', { group: 'ghost' }),
    model('by_path', { filePath: 'models/growth/marts/by_path.sql' }),
    model('flat', { filePath: 'models/flat.sql' }),
    model('tagged', { tags: ['zeta', 'domain:', 'domain:payments', 'domain:aaa'] }),
    model('blank_meta', { meta: { domain: '   ', owner: '  ' } }),
    model('list_meta', { meta: { domain: ['x'] } }),
    model('conflicted', {
      meta: { domain: 'payments' },
      group: 'finance',
      filePath: 'models/growth/conflicted.sql',
    }),
    model('agreeing', { meta: { domain: 'finance' }, group: 'finance' }),
    model('finance_meta', { meta: { domain: 'finance' } }),
    model('pkg_model', { uniqueId: 'model.dbt_utils.pkg_model', packageName: 'dbt_utils' }),
    model('proto', { meta: { domain: 'constructor' } }),
    {
      uniqueId: 'exposure.my_project.dash',
      resourceType: 'exposure',
      name: 'dash',
      filePath: 'models/_exposures.yml',
      owner: { name: 'BI', email: 'bi@example.com' },
    },
    {
      uniqueId: 'test.my_project.not_null_grouped_id.abc',
      resourceType: 'test',
      name: 'not_null_grouped_id',
      test: {
        name: 'not_null',
        namespace: null,
        columnName: 'id',
        attachedNode: 'model.my_project.grouped',
      },
    },
    {
      uniqueId: 'test.my_project.own_domain.abc',
      resourceType: 'test',
      name: 'own_domain',
      meta: { domain: 'qa' },
      test: {
        name: 'not_null',
        namespace: null,
        columnName: 'id',
        attachedNode: 'model.my_project.grouped',
      },
    },
    {
      uniqueId: 'unit_test.my_project.by_path.ut',
      resourceType: 'unit_test',
      name: 'ut',
      test: {
        name: null,
        namespace: null,
        columnName: null,
        attachedNode: 'model.my_project.by_path',
      },
    },
    {
      uniqueId: 'test.my_project.orphan.abc',
      resourceType: 'test',
      name: 'orphan',
      test: {
        name: null,
        namespace: null,
        columnName: null,
        attachedNode: 'model.my_project.nope',
      },
    },
    {
      uniqueId: 'test.my_project.loop_a',
      resourceType: 'test',
      name: 'loop_a',
      test: {
        name: null,
        namespace: null,
        columnName: null,
        attachedNode: 'test.my_project.loop_b',
      },
    },
    {
      uniqueId: 'test.my_project.loop_b',
      resourceType: 'test',
      name: 'loop_b',
      test: {
        name: null,
        namespace: null,
        columnName: null,
        attachedNode: 'test.my_project.loop_a',
      },
    },
  ],
  groups: [
    {
      name: 'finance',
      owner: { name: 'Finance', email: 'finance@example.com' },
      filePath: 'models/_groups.yml',
    },
  ],
});

const id = (name: string) => `model.my_project.${name}`;

describe('helpers', () => {
  test('hasValue', () => {
    expect(hasValue(null)).toBe(false);
    expect(hasValue('  ')).toBe(false);
    expect(hasValue([])).toBe(false);
    expect(hasValue([' ', null])).toBe(false);
    expect(hasValue({ name: '' })).toBe(false);
    expect(hasValue({ name: 'x' })).toBe(true);
    expect(hasValue(0)).toBe(true);
  });

  test('metaValue reads nested and literal dotted keys, never the prototype', () => {
    expect(metaValue({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(metaValue({ 'a.b': 2 }, 'a.b')).toBe(2);
    expect(metaValue({}, 'constructor')).toBeUndefined();
    expect(metaValue({ a: 'x' }, 'a.length')).toBeUndefined();
  });

  test('domain path patterns', () => {
    const re = compileDomainPattern('models/{domain}/**')!;
    expect(re.exec('models/payments/x.sql')?.[1]).toBe('payments');
    expect(re.exec('models/payments/marts/x.sql')?.[1]).toBe('payments');
    expect(re.exec('models/flat.sql')).toBeNull();
    expect(re.exec('seeds/payments/x.csv')).toBeNull();
    const mid = compileDomainPattern('**/domains/{domain}/*.sql')!;
    expect(mid.exec('models/domains/core/a.sql')?.[1]).toBe('core');
    expect(mid.exec('domains/core/a.sql')?.[1]).toBe('core');
    expect(mid.exec('domains/core/sub/a.sql')).toBeNull();
    expect(compileDomainPattern('models/dom_{domain}/**')!.exec('models/dom_x/a.sql')?.[1]).toBe(
      'x',
    );
    expect(compileDomainPattern('models/**')).toBeNull();
    expect(compileDomainPattern('models/{domain}.(x)/**')!.test('models/a.(x)/b')).toBe(true);
  });
});

describe('domain steps', () => {
  const all: DomainStep[] = [
    { kind: 'meta', key: 'domain' },
    { kind: 'meta', key: 'steward.domain' },
    { kind: 'group' },
    { kind: 'path', pattern: 'models/{domain}/**' },
    { kind: 'tag', prefix: 'domain:' },
    { kind: 'package' },
    { kind: 'project' },
  ];
  const resolver = new Resolver(project, config(all));

  test('meta key: trimmed, with the YAML file and key path', () => {
    expect(resolver.domain(id('meta_domain'))).toEqual({
      value: 'payments',
      via: 'meta.domain',
      file: 'models/_payments.yml',
      keyPath: 'meta.domain',
      declaredBy: { kind: 'resource', id: id('meta_domain') },
    });
  });

  test('meta key: dotted path, nested or literal; blank and non-text values do not count', () => {
    expect(resolver.domain(id('nested_meta'))).toMatchObject({
      value: 'growth',
      via: 'meta.steward.domain',
      file: 'models/nested_meta.sql',
    });
    expect(resolver.domain(id('dotted_meta'))?.value).toBe('core');
    expect(resolver.domain(id('blank_meta'))?.via).toBe('package');
    const steps = resolver.domainSteps(id('list_meta'));
    expect(steps[0]).toMatchObject({ kind: 'meta', value: null, note: 'meta.domain is not text' });
  });

  test('group: the group name, declared in the group YAML', () => {
    expect(resolver.domain(id('grouped'))).toEqual({
      value: 'finance',
      via: 'group:finance',
      file: 'models/_groups.yml',
      declaredBy: { kind: 'group', id: 'group.my_project.finance' },
    });
    expect(resolver.domain(id('ungrouped_group'))).toMatchObject({
      value: 'ghost',
      via: 'group:ghost',
      keyPath: 'group',
    });
  });

  test('path pattern', () => {
    expect(resolver.domain(id('by_path'))).toEqual({
      value: 'growth',
      via: 'path:models/{domain}/**',
      file: 'models/growth/marts/by_path.sql',
    });
  });

  test('tag prefix: the first matching tag in sorted order with a non-empty rest', () => {
    expect(resolver.domain(id('tagged'))).toMatchObject({
      value: 'aaa',
      via: 'tag:domain:',
      keyPath: 'tags',
    });
  });

  test('package and project fallbacks', () => {
    expect(resolver.domain(id('flat'))).toEqual({
      value: 'my_project',
      via: 'package',
      file: 'dbt_project.yml',
    });
    expect(resolver.domain('model.dbt_utils.pkg_model')).toEqual({
      value: 'dbt_utils',
      via: 'package',
      file: null,
    });
    const projectOnly = new Resolver(project, config([{ kind: 'project' }]));
    expect(projectOnly.domain('model.dbt_utils.pkg_model')).toMatchObject({
      value: 'my_project',
      via: 'project',
    });
  });

  test('domainSteps lists every step in order with what it said', () => {
    const steps = resolver.domainSteps(id('conflicted'));
    expect(steps.map((s) => [s.via, s.value])).toEqual([
      ['meta.domain', 'payments'],
      ['meta.steward.domain', null],
      ['group:finance', 'finance'],
      ['path:models/{domain}/**', 'growth'],
      ['tag:domain:', null],
      ['package', 'my_project'],
      ['project', 'my_project'],
    ]);
    expect(resolver.domainSteps('model.my_project.unknown')).toEqual([]);
    expect(resolver.domain('model.my_project.unknown')).toBeNull();
  });

  test('the order of the chain decides', () => {
    const pathFirst = new Resolver(
      project,
      config([
        { kind: 'path', pattern: 'models/{domain}/**' },
        { kind: 'group' },
        { kind: 'meta', key: 'domain' },
      ]),
    );
    expect(pathFirst.domain(id('conflicted'))?.value).toBe('growth');
    const groupFirst = new Resolver(
      project,
      config([{ kind: 'group' }, { kind: 'meta', key: 'domain' }]),
    );
    expect(groupFirst.domain(id('conflicted'))?.value).toBe('finance');
    const defaults = new Resolver(project);
    expect(defaults.domain(id('conflicted'))?.value).toBe('payments');
    expect(defaults.domain(id('by_path'))).toBeNull();
  });

  test('results are memoized', () => {
    expect(resolver.domain(id('grouped'))).toBe(resolver.domain(id('grouped')));
    expect(resolver.domainSteps(id('grouped'))).toBe(resolver.domainSteps(id('grouped')));
  });
});

describe('conflicts', () => {
  const resolver = new Resolver(
    project,
    config([
      { kind: 'meta', key: 'domain' },
      { kind: 'group' },
      { kind: 'path', pattern: 'models/{domain}/**' },
      { kind: 'package' },
      { kind: 'project' },
    ]),
  );

  test('two declaring steps that disagree: the winner and the first other', () => {
    expect(resolver.conflict(id('conflicted'))).toEqual({
      domain: 'payments',
      via: 'meta.domain',
      other: 'finance',
      otherVia: 'group:finance',
    });
    expect(resolver.conflicts(id('conflicted'))).toHaveLength(2);
  });

  test('agreeing steps and fallbacks do not conflict', () => {
    expect(resolver.conflict(id('agreeing'))).toBeNull();
    // meta.domain payments vs package my_project: a fallback never conflicts.
    expect(resolver.conflict(id('meta_domain'))).toBeNull();
    expect(resolver.conflict(id('flat'))).toBeNull();
    const fallbackFirst = new Resolver(
      project,
      config([{ kind: 'package' }, { kind: 'meta', key: 'domain' }]),
    );
    expect(fallbackFirst.domain(id('meta_domain'))?.value).toBe('my_project');
    expect(fallbackFirst.conflict(id('meta_domain'))).toBeNull();
  });

  test('a conflict with a fallback first: declaring steps are still compared', () => {
    const r = new Resolver(
      project,
      config([{ kind: 'project' }, { kind: 'meta', key: 'domain' }, { kind: 'group' }]),
    );
    expect(r.conflict(id('conflicted'))).toMatchObject({
      via: 'meta.domain',
      otherVia: 'group:finance',
    });
  });
});

describe('tests take the domain of their node', () => {
  const resolver = new Resolver(
    project,
    config([{ kind: 'meta', key: 'domain' }, { kind: 'group' }, { kind: 'project' }]),
  );

  test('inherited before the fallbacks', () => {
    const d = resolver.domain('test.my_project.not_null_grouped_id.abc');
    expect(d).toMatchObject({
      value: 'finance',
      via: 'group:finance of grouped',
      file: 'models/_groups.yml',
    });
    const steps = resolver.domainSteps('test.my_project.not_null_grouped_id.abc');
    expect(steps.map((s) => s.kind)).toEqual(['meta', 'group', 'attached', 'project']);
  });

  test('their own declaration wins', () => {
    expect(resolver.domain('test.my_project.own_domain.abc')).toMatchObject({
      value: 'qa',
      via: 'meta.domain',
    });
    expect(resolver.domainSteps('test.my_project.own_domain.abc').map((s) => s.kind)).toEqual([
      'meta',
      'group',
      'project',
    ]);
  });

  test('unit tests too; a missing node or a node without a domain leaves the fallbacks', () => {
    const byPath = new Resolver(project, config([{ kind: 'path', pattern: 'models/{domain}/**' }]));
    expect(byPath.domain('unit_test.my_project.by_path.ut')).toMatchObject({
      value: 'growth',
      via: 'path:models/{domain}/** of by_path',
    });
    expect(resolver.domain('test.my_project.orphan.abc')?.via).toBe('project');
  });

  test('attachment cycles end', () => {
    const r = new Resolver(project, config([{ kind: 'meta', key: 'domain' }]));
    expect(r.domain('test.my_project.loop_a')).toBeNull();
  });
});

describe('hasDomains', () => {
  const bare = createProject({
    resources: [
      model('a'),
      model('b', { filePath: 'models/payments/b.sql' }),
      model('injected', { external: true, packageName: 'other', meta: { domain: 'x' } }),
      model('pkg', { uniqueId: 'model.dbt_utils.pkg', packageName: 'dbt_utils', group: 'g' }),
    ],
  });

  test('quiet while nothing is declared: packages and injected nodes do not count', () => {
    expect(new Resolver(bare).hasDomains()).toBe(false);
  });

  test('a chain step beyond meta and group (path, package, project, tag) is a configured domain', () => {
    expect(
      new Resolver(
        bare,
        config([
          { kind: 'meta', key: 'domain' },
          { kind: 'path', pattern: 'models/{domain}/**' },
          { kind: 'project' },
        ]),
      ).hasDomains(),
    ).toBe(true);
  });

  test('declared domains, a meta domain or a group turn the domain rules on', () => {
    expect(
      new Resolver(bare, config(undefined, undefined, { p: declared('p', []) })).hasDomains(),
    ).toBe(true);
    expect(new Resolver(project).hasDomains()).toBe(true);
    const grouped = createProject({ resources: [model('a', { group: 'g' })] });
    expect(new Resolver(grouped).hasDomains()).toBe(true);
    expect(new Resolver(grouped, config([{ kind: 'meta', key: 'domain' }])).hasDomains()).toBe(
      false,
    );
  });
});

describe('owner steps', () => {
  const decl = {
    finance: declared('finance', ['finance-lead@example.com']),
    growth: declared('growth', ['@org/growth', 'g@example.com']),
    my_project: declared('my_project', []),
  };
  const resolver = new Resolver(
    project,
    config(
      [
        { kind: 'meta', key: 'domain' },
        { kind: 'meta', key: 'steward.domain' },
        { kind: 'group' },
        { kind: 'project' },
      ],
      [{ kind: 'meta', key: 'owner' }, { kind: 'exposure' }, { kind: 'group' }, { kind: 'domain' }],
      decl,
    ),
  );

  test('meta owner as declared', () => {
    expect(resolver.owner(id('meta_domain'))).toMatchObject({
      value: 'pay@example.com',
      via: 'meta.owner',
      file: 'models/_payments.yml',
      keyPath: 'meta.owner',
    });
  });

  test('exposure owner, only for exposures', () => {
    expect(resolver.owner('exposure.my_project.dash')).toMatchObject({
      value: { name: 'BI', email: 'bi@example.com' },
      via: 'exposure owner',
      file: 'models/_exposures.yml',
    });
  });

  test('group owner', () => {
    expect(resolver.owner(id('grouped'))).toEqual({
      value: { name: 'Finance', email: 'finance@example.com' },
      via: 'group:finance owner',
      file: 'models/_groups.yml',
      keyPath: 'owner',
      declaredBy: { kind: 'group', id: 'group.my_project.finance' },
    });
    expect(resolver.ownerSteps(id('ungrouped_group'))[2]).toMatchObject({
      value: null,
      note: 'group ghost is not in the manifest',
    });
  });

  test('domain owners: one owner as a string, several as a list', () => {
    const steps = resolver.ownerSteps(id('nested_meta'));
    // nested_meta's owner is under steward.owner, which this chain does not read.
    expect(steps[3]).toMatchObject({
      kind: 'domain',
      via: 'domain:growth owners',
      value: ['@org/growth', 'g@example.com'],
      note: 'dbt-steward.yml: domains.growth',
    });
    expect(resolver.owner(id('finance_meta'))).toMatchObject({
      value: 'finance-lead@example.com',
      via: 'domain:finance owners',
    });
    expect(resolver.owner(id('flat'))).toBeNull();
    expect(resolver.ownerSteps(id('flat'))[3]).toMatchObject({
      value: null,
      via: 'domain:my_project owners',
    });
    expect(resolver.ownerSteps(id('proto'))[3]).toMatchObject({
      value: null,
      note: 'domain constructor is not declared in the config',
    });
  });

  test('the order of the owner chain decides', () => {
    const r = new Resolver(
      project,
      config(undefined, [{ kind: 'domain' }, { kind: 'meta', key: 'owner' }], decl),
    );
    expect(r.owner(id('agreeing'))?.via).toBe('domain:finance owners');
    expect(r.owner(id('meta_domain'))?.via).toBe('meta.owner');
  });

  test('resolveDomain / resolveOwner convenience functions use the default chains', () => {
    const res = project.resources.get(id('grouped'))!;
    expect(resolveDomain(project, res)?.via).toBe('group:finance');
    expect(resolveOwner(project, res)?.via).toBe('group:finance owner');
    const loose = makeResource({
      uniqueId: 'model.my_project.loose',
      resourceType: 'model',
      name: 'loose',
      meta: { owner: 'x' },
    });
    expect(resolveOwner(project, loose)).toMatchObject({ value: 'x', via: 'meta.owner' });
    expect(resolveDomain(project, loose)).toBeNull();
  });
});

describe('CODEOWNERS', () => {
  const text = [
    '# default owners',
    '*       @org/everyone',
    '',
    '*.sql   @org/sql-team sql@example.com   # inline comment',
    '/models/payments/   @org/payments',
    'models/growth/*     @org/growth',
    'docs/**   @org/docs',
    '**/legacy  @org/legacy',
    '/models/payments/unowned.sql',
    '\\#hash.sql @org/hash',
    'path\\ with\\ space.sql @org/space',
    '!negated.sql @org/never',
    '[Section] @org/gitlab',
    '    ',
    'apps/ @org/apps',
    '/README.md @org/readme',
  ].join('\n');
  const entries = parseCodeowners(text);
  const owner = (p: string) => matchCodeowners(entries, p)?.owners ?? null;

  test('parsing: comments, blank lines, inline comments, escapes, owner-less lines', () => {
    expect(entries.map((e) => e.line)).toEqual([2, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16]);
    expect(entries[1]).toEqual({
      pattern: '*.sql',
      owners: ['@org/sql-team', 'sql@example.com'],
      line: 4,
    });
    expect(entries[6]).toEqual({ pattern: '/models/payments/unowned.sql', owners: [], line: 9 });
    expect(entries[7]?.pattern).toBe('\\#hash.sql');
    expect(parseCodeowners('\uFEFF* @a\r\n# c\r\nx @b\r\n')).toEqual([
      { pattern: '*', owners: ['@a'], line: 1 },
      { pattern: 'x', owners: ['@b'], line: 3 },
    ]);
    expect(parseCodeowners('')).toEqual([]);
  });

  test('last match wins', () => {
    expect(owner('README')).toEqual(['@org/everyone']);
    expect(owner('models/core/a.sql')).toEqual(['@org/sql-team', 'sql@example.com']);
    expect(owner('models/payments/a.sql')).toEqual(['@org/payments']);
    expect(owner('models/payments/sub/b.yml')).toEqual(['@org/payments']);
  });

  test('an owner-less matching line means no owner', () => {
    const e = matchCodeowners(entries, 'models/payments/unowned.sql');
    expect(e).toMatchObject({ owners: [], line: 9 });
  });

  test('anchored /path, *.sql at any depth, dir/* one level, docs/**, **/dir, dir/ anywhere', () => {
    expect(owner('x/models/payments/a.yml')).toEqual(['@org/everyone']);
    expect(owner('deep/down/file.sql')).toEqual(['@org/sql-team', 'sql@example.com']);
    expect(owner('models/growth/a.yml')).toEqual(['@org/growth']);
    expect(owner('models/growth/sub/a.yml')).toEqual(['@org/everyone']);
    expect(owner('docs/a/b/c.md')).toEqual(['@org/docs']);
    expect(owner('x/docs/c.md')).toEqual(['@org/everyone']);
    expect(owner('a/b/legacy/x.sql')).toEqual(['@org/legacy']);
    expect(owner('legacy/x.yml')).toEqual(['@org/legacy']);
    expect(owner('src/apps/x.yml')).toEqual(['@org/apps']);
    expect(owner('apps')).toEqual(['@org/everyone']); // a file named apps is not the directory
    expect(owner('README.md')).toEqual(['@org/readme']);
    expect(owner('sub/README.md')).toEqual(['@org/everyone']);
  });

  test('escapes, negations and section headers', () => {
    expect(owner('#hash.sql')).toEqual(['@org/hash']);
    expect(owner('path with space.sql')).toEqual(['@org/space']);
    expect(owner('negated.sql')).toEqual(['@org/sql-team', 'sql@example.com']);
  });

  test('paths outside the root and odd separators', () => {
    expect(matchCodeowners(entries, '../x.sql')).toBeNull();
    expect(owner('.\\models\\payments\\a.sql')).toEqual(['@org/payments']);
    expect(matchCodeowners([], 'a.sql')).toBeNull();
  });

  test('pattern compiler corner cases', () => {
    expect(compileCodeownersPattern('/')!.test('a/b')).toBe(true);
    expect(compileCodeownersPattern('/*')!.test('a')).toBe(true);
    expect(compileCodeownersPattern('/*')!.test('a/b')).toBe(false);
    expect(compileCodeownersPattern('a/**/b')!.test('a/b')).toBe(true);
    expect(compileCodeownersPattern('a/**/b')!.test('a/x/y/b/c')).toBe(true);
    expect(compileCodeownersPattern('a?c')!.test('x/abc')).toBe(true);
    expect(compileCodeownersPattern('a.(c)')!.test('a.(c)')).toBe(true);
    expect(compileCodeownersPattern('a.(c)')!.test('aX(c)')).toBe(false);
  });

  test('the codeowners step: SQL path made relative to the repository root', () => {
    const root = '/repo';
    const p = createProject({
      resources: [
        model('pay', { filePath: 'models/payments/pay.sql' }),
        model('unowned', { filePath: 'models/payments/unowned.sql' }),
        model('pkg', { uniqueId: 'model.dbt_utils.pkg', packageName: 'dbt_utils' }),
        model('ext', { external: true, filePath: null }),
      ],
    });
    // The dbt project sits in a subfolder of the repository.
    const nested = { ...p, projects: [{ ...p.projects[0]!, rootDir: '/repo/analytics' }] };
    const step: OwnerStep = {
      kind: 'codeowners',
      file: '/repo/.github/CODEOWNERS',
      root,
      entries: parseCodeowners(
        '* @org/all\n/analytics/models/payments/ @org/payments\n/analytics/models/payments/unowned.sql\n',
      ),
    };
    const r = new Resolver(nested, config(undefined, [step]));
    expect(r.owner(id('pay'))).toEqual({
      value: '@org/payments',
      via: 'CODEOWNERS:2',
      file: '../.github/CODEOWNERS',
      line: 2,
    });
    expect(r.owner(id('unowned'))).toBeNull();
    expect(r.ownerSteps(id('unowned'))[0]).toMatchObject({
      via: 'CODEOWNERS:3',
      value: null,
      note: 'line 3 (/analytics/models/payments/unowned.sql) names no owner',
    });
    expect(r.owner('model.dbt_utils.pkg')).toBeNull();
    expect(r.owner(id('ext'))).toBeNull();
    // Unknown project directory: the project is taken to be the repository root.
    const flat = new Resolver(
      p,
      config(undefined, [{ ...step, entries: parseCodeowners('/models/ @a @b\n') }]),
    );
    expect(flat.owner(id('pay'))).toMatchObject({
      value: ['@a', '@b'],
      file: '/repo/.github/CODEOWNERS',
    });
  });
});
