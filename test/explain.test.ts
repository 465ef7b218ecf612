/** `explain` data and its text and JSON renderings, on the example mesh. */
import { emptyEngineConfig } from '../src/engine/config.js';
import { explainResources, type ExplainRuleSetting } from '../src/engine/explain.js';
import { parseCodeowners } from '../src/engine/codeowners.js';
import { Resolver } from '../src/engine/resolve.js';
import { loadProject } from '../src/load/index.js';
import { Locator } from '../src/load/locate.js';
import { createProject } from '../src/project.js';
import type { Project } from '../src/project.js';
import { formatExplainJson } from '../src/report/explain-json.js';
import { formatExplainText } from '../src/report/explain-text.js';

const repoRoot = new URL('..', import.meta.url).pathname;
const M = 'model.example_mesh.';

let project: Project;
let locator: Locator;

beforeAll(async () => {
  project = await loadProject(['fixtures/example-mesh'], { cwd: repoRoot });
  const rootOf = new Map(project.projects.map((p) => [p.name, p.rootDir]));
  locator = new Locator(
    (r) => rootOf.get(r.projectName) ?? null,
    (g) => rootOf.get(g.packageName) ?? null,
  );
});

const recommended = (): ExplainRuleSetting[] => [
  { id: 'owner-present', severity: 'error', options: {}, origins: ['dbt-steward:recommended'] },
  { id: 'domain-present', severity: 'off', options: {}, origins: ['dbt-steward.yml: rules'] },
  {
    id: 'cross-domain-ref',
    severity: 'warn',
    options: { allow: ['core'] },
    origins: ['dbt-steward:recommended', 'dbt-steward.yml: overrides[0]'],
  },
];

function explain(ids: string[], suppressions: Parameters<typeof explainResources>[4] = []) {
  const resolver = new Resolver(project, emptyEngineConfig());
  return explainResources(project, resolver, ids, recommended, suppressions, locator);
}

describe('explain data', () => {
  test('a model with meta.domain in its YAML: via meta.domain, with the line of the key', () => {
    const [r] = explain([`${M}fct_signup_conversion`]).resources;
    expect(r).toMatchObject({
      uniqueId: `${M}fct_signup_conversion`,
      name: 'fct_signup_conversion',
      resourceType: 'model',
      package: 'example_mesh',
      file: 'models/growth/marts/fct_signup_conversion.sql',
      yamlFile: 'models/growth/marts/_growth__models.yml',
    });
    expect(r!.domain).toEqual({
      value: 'growth',
      via: 'meta.domain',
      file: 'models/growth/marts/_growth__models.yml',
      line: 10,
      steps: [
        {
          kind: 'meta',
          via: 'meta.domain',
          value: 'growth',
          file: 'models/growth/marts/_growth__models.yml',
          line: 10,
        },
        { kind: 'group', via: 'group', value: null, file: null },
      ],
    });
    expect(r!.owner).toMatchObject({
      value: 'growth-analytics@example.com',
      via: 'meta.owner',
      line: 9,
    });
    expect(r!.owner.steps.map((s) => s.via)).toEqual([
      'meta.owner',
      'exposure owner',
      'group owner',
      'domain:growth owners',
    ]);
    expect(r!.conflicts).toEqual([]);
  });

  test('legacy top-level meta is found too', () => {
    const [r] = explain([`${M}stg_growth__signups`]).resources;
    expect(r!.domain).toMatchObject({ via: 'meta.domain', line: 8 });
    expect(r!.owner).toMatchObject({ via: 'meta.owner', line: 7 });
  });

  test('folder-level +meta: the entry line, with a note saying where it comes from', () => {
    const [r] = explain([`${M}fct_payments`]).resources;
    expect(r!.domain).toMatchObject({
      value: 'payments',
      via: 'meta.domain',
      file: 'models/payments/marts/_payments__models.yml',
      line: 4,
    });
    expect(r!.domain.note).toMatch(/dbt_project\.yml/);
  });

  test('a model without a YAML entry: the SQL file, no line', () => {
    const [r] = explain([`${M}stg_payments__refunds`]).resources;
    expect(r!.domain).toMatchObject({
      value: 'payments',
      file: 'models/payments/staging/stg_payments__refunds.sql',
    });
    expect(r!.domain.line).toBeUndefined();
  });

  test('group: domain and owner from the group entry in models/_groups.yml', () => {
    const [r] = explain([`${M}fct_invoices`]).resources;
    expect(r!.domain).toMatchObject({
      value: 'finance',
      via: 'group:finance',
      file: 'models/_groups.yml',
      line: 4,
    });
    expect(r!.owner).toMatchObject({
      value: { name: 'Finance Data Team', email: 'finance-data@example.com' },
      via: 'group:finance owner',
      file: 'models/_groups.yml',
      line: 6,
    });
    expect(r!.owner.note).toBeUndefined();
  });

  test('nothing resolved', () => {
    const [r] = explain([`${M}legacy_customer_export`]).resources;
    expect(r!.domain).toMatchObject({ value: null, via: null, file: null });
    expect(r!.owner).toMatchObject({ value: null, via: null, file: null });
    expect(r!.domain.steps.every((s) => s.value === null)).toBe(true);
  });

  test('versioned models, sources, exposures and tests', () => {
    const result = explain([
      `${M}dim_customers.v1`,
      'source.example_mesh.app.customers',
      'exposure.example_mesh.revenue_dashboard',
      'test.example_mesh.unique_fct_payments_payment_id.4572b82d46',
    ]);
    const by = new Map(result.resources.map((r) => [r.uniqueId, r]));
    expect(by.get(`${M}dim_customers.v1`)!.domain).toMatchObject({ value: 'core', line: 4 });
    expect(by.get('source.example_mesh.app.customers')!.domain).toMatchObject({
      value: 'core',
      file: 'models/core/staging/_core__sources.yml',
      line: 10,
    });
    expect(by.get('exposure.example_mesh.revenue_dashboard')!.owner).toMatchObject({
      via: 'exposure owner',
      file: 'models/_exposures.yml',
      line: 13,
    });
    const t = by.get('test.example_mesh.unique_fct_payments_payment_id.4572b82d46')!;
    expect(t.domain).toMatchObject({
      value: 'payments',
      via: 'meta.domain of fct_payments',
      file: 'models/payments/marts/_payments__models.yml',
      line: 4,
    });
    expect(t.domain.steps.map((s) => s.kind)).toEqual(['meta', 'group', 'attached']);
  });

  test('rules that are not off, sorted; suppressions on the resource; missing ids; sorted output', () => {
    const result = explain(
      [`${M}stg_growth__sessions`, 'model.example_mesh.nope', `${M}fct_payments`],
      [
        {
          nodeId: `${M}stg_growth__sessions`,
          ruleId: 'owner-present',
          messageId: 'missing',
          by: 'waiver',
          reason: 'moving to growth',
          origin: 'dbt-steward.yml: waivers[0]',
        },
        { nodeId: `${M}fct_payments`, ruleId: 'x', messageId: 'y', by: 'baseline', reason: '' },
        { ruleId: 'project-rule', messageId: 'm', by: 'waiver', reason: 'no node' },
      ],
    );
    expect(result.formatVersion).toBe(1);
    expect(result.missing).toEqual(['model.example_mesh.nope']);
    expect(result.resources.map((r) => r.uniqueId)).toEqual([
      `${M}fct_payments`,
      `${M}stg_growth__sessions`,
    ]);
    const sessions = result.resources[1]!;
    expect(sessions.rules.map((s) => [s.id, s.severity])).toEqual([
      ['cross-domain-ref', 'warn'],
      ['owner-present', 'error'],
    ]);
    expect(sessions.suppressions).toEqual([
      {
        ruleId: 'owner-present',
        messageId: 'missing',
        by: 'waiver',
        reason: 'moving to growth',
        origin: 'dbt-steward.yml: waivers[0]',
      },
    ]);
    expect(result.resources[0]!.suppressions).toEqual([
      { ruleId: 'x', messageId: 'y', by: 'baseline', reason: '' },
    ]);
  });

  test('without a locator: no lines', () => {
    const resolver = new Resolver(project);
    const [r] = explainResources(
      project,
      resolver,
      [`${M}fct_signup_conversion`],
      () => [],
      [],
    ).resources;
    expect(r!.domain.line).toBeUndefined();
    expect(r!.domain.file).toBe('models/growth/marts/_growth__models.yml');
  });

  test('conflicts and a CODEOWNERS step', () => {
    const config = emptyEngineConfig();
    config.domains.resolution = [
      { kind: 'meta', key: 'domain' },
      { kind: 'path', pattern: 'models/{domain}/**' },
    ];
    config.owners.resolution = [
      {
        kind: 'codeowners',
        file: '.github/CODEOWNERS',
        root: project.projects[0]!.rootDir!,
        entries: parseCodeowners('* @org/data\n/models/growth/ @org/growth\n'),
      },
    ];
    const p = createProject({
      resources: [
        {
          uniqueId: 'model.my_project.m',
          resourceType: 'model',
          name: 'm',
          filePath: 'models/growth/m.sql',
          meta: { domain: 'payments' },
        },
      ],
    });
    const [r] = explainResources(
      p,
      new Resolver(p, config),
      ['model.my_project.m'],
      () => [],
      [],
    ).resources;
    expect(r!.conflicts).toEqual([
      {
        domain: 'payments',
        via: 'meta.domain',
        other: 'growth',
        otherVia: 'path:models/{domain}/**',
      },
    ]);
    expect(r!.owner).toMatchObject({
      value: '@org/growth',
      via: 'CODEOWNERS:2',
      file: '.github/CODEOWNERS',
      line: 2,
    });
    const text = formatExplainText({ formatVersion: 1, resources: [r!], missing: [] });
    expect(text).toContain(
      '  conflict  meta.domain says payments, path:models/{domain}/** says growth',
    );
    expect(text).toContain('  owner   @org/growth  (CODEOWNERS:2, .github/CODEOWNERS:2)');
  });
});

describe('explain text', () => {
  test('header, the domain and owner lines, the chains, rules and suppressions', () => {
    const result = explain(
      [`${M}fct_signup_conversion`, `${M}legacy_customer_export`],
      [
        {
          nodeId: `${M}legacy_customer_export`,
          ruleId: 'owner-present',
          messageId: 'missing',
          by: 'baseline',
          reason: 'in the baseline',
          origin: 'steward-baseline.json',
        },
      ],
    );
    const text = formatExplainText(result);
    expect(text.endsWith('\n')).toBe(true);
    const [first, second] = text.trimEnd().split('\n\n');
    expect(first!.split('\n')).toEqual([
      `${M}fct_signup_conversion  (model, models/growth/marts/fct_signup_conversion.sql, models/growth/marts/_growth__models.yml)`,
      '  domain  growth  (meta.domain, models/growth/marts/_growth__models.yml:10)',
      '    → meta.domain  growth',
      '      group        —',
      '  owner   growth-analytics@example.com  (meta.owner, models/growth/marts/_growth__models.yml:9)',
      '    → meta.owner            growth-analytics@example.com',
      '      exposure owner        —',
      '      group owner           —',
      '      domain:growth owners  —',
      '  rules',
      '    cross-domain-ref  warn   (dbt-steward:recommended, dbt-steward.yml: overrides[0])  {"allow":["core"]}',
      '    owner-present     error  (dbt-steward:recommended)',
    ]);
    expect(second).toContain('  domain  —  (no step gave one)');
    expect(second).toContain('  suppressed\n    owner-present/missing  baseline: in the baseline');
  });

  test('control characters in untrusted values are escaped', () => {
    const p = createProject({
      resources: [
        {
          uniqueId: 'model.my_project.evil',
          resourceType: 'model',
          name: 'evil',
          meta: { domain: 'pay\u001b[31mments', owner: 'a\nb' },
        },
      ],
    });
    const text = formatExplainText(
      explainResources(p, new Resolver(p), ['model.my_project.evil'], () => [], []),
    );
    expect(text).not.toContain('\u001b');
    expect(text).toContain('pay\\u001b[31mments');
    expect(text).toContain('a\\u000ab');
    expect(text.split('\n').filter((l) => l.startsWith('  owner'))).toHaveLength(1);
  });

  test('nothing to explain; missing ids', () => {
    expect(formatExplainText({ formatVersion: 1, resources: [], missing: [] })).toBe(
      'no resources to explain\n',
    );
    expect(formatExplainText({ formatVersion: 1, resources: [], missing: ['model.x.y'] })).toBe(
      'model.x.y  (not in the project)\n',
    );
  });
});

describe('explain JSON', () => {
  test('stable: fixed key order, sorted free-form keys, 2-space indentation, trailing newline', () => {
    const ids = [`${M}fct_invoices`, `${M}fct_signup_conversion`];
    const json = formatExplainJson(explain(ids));
    expect(json).toBe(formatExplainJson(explain([...ids].reverse())));
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.startsWith('{\n  "formatVersion": 1,\n  "resources": [\n')).toBe(true);
    const data = JSON.parse(json);
    expect(Object.keys(data)).toEqual(['formatVersion', 'resources', 'missing']);
    expect(Object.keys(data.resources[0])).toEqual([
      'uniqueId',
      'name',
      'resourceType',
      'package',
      'file',
      'yamlFile',
      'domain',
      'owner',
      'conflicts',
      'rules',
      'suppressions',
    ]);
    expect(Object.keys(data.resources[0].domain)).toEqual([
      'value',
      'via',
      'file',
      'line',
      'steps',
    ]);
    // Owner objects are written with sorted keys.
    expect(Object.keys(data.resources[0].owner.value)).toEqual(['email', 'name']);
  });

  test('a __proto__ key in untrusted data stays a plain key', () => {
    const owner = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}');
    const p = createProject({
      resources: [
        { uniqueId: 'model.my_project.m', resourceType: 'model', name: 'm', meta: { owner } },
      ],
    });
    const json = formatExplainJson(
      explainResources(p, new Resolver(p), ['model.my_project.m'], () => [], []),
    );
    expect(JSON.parse(json).resources[0].owner.value).toEqual(owner);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
