/**
 * The engine's own behaviour: effective settings after layers and overrides, per-message
 * severities, rule failures, domain gating, fingerprints and determinism.
 */
import { z } from 'zod';
import {
  createProject,
  defineRule,
  emptyEngineConfig,
  exitCodeOf,
  fingerprintOf,
  formatCheckJson,
  Registry,
  runRules,
  type EngineConfig,
  type Override,
  type Project,
  type RuleEntry,
} from '../src/index.js';

const nameLength = defineRule<{ max: number }>({
  id: 'name-length',
  description: 'Model names are at most `max` characters long.',
  category: 'naming',
  scope: 'node',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  messages: {
    long: "'{{name}}' is longer than {{max}} characters.",
    veryLong: "'{{name}}' is more than twice {{max}} characters.",
  },
  messageSeverities: { veryLong: 'warn' },
  options: z.object({ max: z.number().int().positive().default(8) }),
  check(model, ctx) {
    const { max } = ctx.options;
    if (model.name.length > 2 * max)
      ctx.report({ messageId: 'veryLong', data: { name: model.name, max } });
    else if (model.name.length > max)
      ctx.report({ messageId: 'long', data: { name: model.name, max } });
  },
});

const needsDomain = defineRule({
  id: 'needs-domain',
  description: 'Every model has a domain.',
  category: 'domains',
  scope: 'node',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: true,
  requiresDomains: true,
  messages: { missing: "'{{name}}' has no domain." },
  check(model, ctx) {
    if (ctx.domainOf(model.uniqueId) === null)
      ctx.report({ messageId: 'missing', data: { name: model.name } });
  },
});

const explodes = defineRule({
  id: 'explodes',
  description: 'Throws on models whose name starts with x.',
  category: 'test',
  scope: 'node',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: true,
  messages: { never: 'never {{x}}' },
  check(model) {
    if (model.name.startsWith('x')) throw new Error(`cannot handle ${model.name}`);
  },
});

function model(name: string, extra: Record<string, unknown> = {}) {
  return {
    uniqueId: `model.shop.${name}`,
    resourceType: 'model' as const,
    name,
    filePath: `models/${name}.sql`,
    ...extra,
  };
}

function configWith(
  registry: Registry,
  rules: Record<string, Omit<RuleEntry, 'origin'>[]> = {},
  overrides: Override[] = [],
): EngineConfig {
  const config = emptyEngineConfig();
  for (const [id, e] of Object.entries(registry.presetLayer('recommended'))) config.rules[id] = [e];
  for (const [id, layers] of Object.entries(rules))
    config.rules[id] = [
      ...(config.rules[id] ?? []),
      ...layers.map((l, i) => ({ ...l, origin: `test layer ${i}` })),
    ];
  config.overrides = overrides;
  return config;
}

function run(project: Project, registry: Registry, config: EngineConfig) {
  return runRules(project, { registry, config, now: new Date('2026-01-01T00:00:00Z') });
}

describe('effective settings', () => {
  const registry = new Registry([nameLength]);
  const project = createProject({
    name: 'shop',
    resources: [
      model('customers_by_region'), // 19 chars: long at max 10, veryLong at max 8
      model('legacy_orders_v1', { filePath: 'models/legacy/legacy_orders_v1.sql' }),
      model('pii_customer_emails', { tags: ['pii'] }),
    ],
  });

  test('the recommended preset runs a rule at its default severity and options', () => {
    const r = run(project, registry, configWith(registry));
    expect(r.findings.map((f) => [f.nodeId, f.messageId, f.severity])).toEqual([
      ['model.shop.customers_by_region', 'veryLong', 'warn'],
      ['model.shop.legacy_orders_v1', 'long', 'error'],
      ['model.shop.pii_customer_emails', 'veryLong', 'warn'],
    ]);
  });

  test('a later layer replaces options; a severity-only layer keeps them', () => {
    const r = run(
      project,
      registry,
      configWith(registry, { 'name-length': [{ options: { max: 16 } }, { severity: 'warn' }] }),
    );
    expect(r.findings.map((f) => [f.nodeId, f.messageId, f.severity, f.data.max])).toEqual([
      ['model.shop.customers_by_region', 'long', 'warn', 16],
      ['model.shop.pii_customer_emails', 'long', 'warn', 16],
    ]);
  });

  test("a rule's default per-message severity applies only at its default severity", () => {
    const atDefault = run(project, registry, configWith(registry));
    expect(atDefault.findings.find((f) => f.messageId === 'veryLong')?.severity).toBe('warn');
    const raised = run(
      project,
      registry,
      configWith(registry, { 'name-length': [{ severity: 'info' }] }),
    );
    expect(new Set(raised.findings.map((f) => f.severity))).toEqual(new Set(['info']));
    const explicit = run(
      project,
      registry,
      configWith(registry, { 'name-length': [{ messageSeverities: { veryLong: 'off' } }] }),
    );
    expect(explicit.findings.map((f) => f.messageId)).toEqual(['long']);
  });

  test('overrides match by file, tag, selector and domain; later ones win', () => {
    const overrides: Override[] = [
      {
        match: { files: ['models/legacy/**'] },
        rules: { 'name-length': { severity: 'info', origin: 'o0' } },
        origin: 'o0',
      },
      {
        match: { tags: ['pii'] },
        rules: { 'name-length': { options: { max: 40 }, origin: 'o1' } },
        origin: 'o1',
      },
      {
        match: { select: 'legacy_orders_v1' },
        rules: { 'name-length': { severity: 'warn', origin: 'o2' } },
        origin: 'o2',
      },
    ];
    const r = run(project, registry, configWith(registry, {}, overrides));
    expect(r.findings.map((f) => [f.nodeId, f.severity])).toEqual([
      ['model.shop.customers_by_region', 'warn'],
      ['model.shop.legacy_orders_v1', 'warn'],
    ]);
  });

  test('an override can turn on a rule that is off at the top level, for its resources only', () => {
    const overrides: Override[] = [
      {
        match: { resourceTypes: ['model'], tags: ['pii'] },
        rules: { 'name-length': { severity: 'error', origin: 'o' } },
        origin: 'o',
      },
    ];
    const r = run(
      project,
      registry,
      configWith(registry, { 'name-length': [{ severity: 'off' }] }, overrides),
    );
    expect(r.findings.map((f) => f.nodeId)).toEqual(['model.shop.pii_customer_emails']);
  });

  test('options that fail the rule schema are a config error naming the rule, key and origin', () => {
    expect(() =>
      run(project, registry, configWith(registry, { 'name-length': [{ options: { maxx: 3 } }] })),
    ).toThrow(/name-length.*maxx.*test layer 0/);
  });
});

describe('domain gating', () => {
  const registry = new Registry([needsDomain]);

  test('domain rules stay quiet with one hint while nothing declares a domain', () => {
    const project = createProject({ name: 'shop', resources: [model('a'), model('b')] });
    const r = run(project, registry, configWith(registry));
    expect(r.findings).toEqual([]);
    expect(r.hints).toHaveLength(1);
    expect(r.hints[0]).toMatch(/no domain is configured/);
  });

  test('they run as soon as one resource declares a domain', () => {
    const project = createProject({
      name: 'shop',
      resources: [model('a', { meta: { domain: 'sales' } }), model('b')],
    });
    const r = run(project, registry, configWith(registry));
    expect(r.findings.map((f) => f.nodeId)).toEqual(['model.shop.b']);
    expect(r.hints).toEqual([]);
  });
});

describe('rule failures', () => {
  const registry = new Registry([explodes, nameLength]);
  const project = createProject({
    name: 'shop',
    resources: [model('xa'), model('xb'), model('ok'), model('a_very_long_model_name_indeed')],
  });

  test('one failure per rule with the first target and a count; exit 2', () => {
    const r = run(project, registry, configWith(registry));
    expect(r.ruleFailures).toEqual([
      { ruleId: 'explodes', subject: 'model.shop.xa', count: 2, error: 'cannot handle xa' },
    ]);
    // The other rules still ran.
    expect(r.findings.map((f) => f.ruleId)).toEqual(['name-length']);
    expect(exitCodeOf(r)).toBe(2);
    expect(exitCodeOf({ ...r, findings: [], summary: { ...r.summary, error: 0, warn: 0 } })).toBe(
      2,
    );
  });

  test('--continue-on-rule-error turns them into rule-error findings', () => {
    const r = runRules(project, {
      registry,
      config: configWith(registry),
      continueOnRuleError: true,
    });
    expect(r.ruleFailures).toEqual([]);
    const f = r.findings.find((x) => x.ruleId === 'rule-error');
    expect(f?.severity).toBe('error');
    expect(f?.nodeId).toBe('model.shop.xa');
    expect(f?.message).toBe(
      'Rule explodes failed on model.shop.xa (2 target(s) in all): cannot handle xa',
    );
    expect(exitCodeOf(r)).toBe(1);
  });
});

describe('fingerprints and determinism', () => {
  test('fingerprints ignore test ids and the order of related ids', () => {
    const s = { kind: 'node', id: 'model.shop.a' };
    const a = fingerprintOf('r', 'm', s, ['model.shop.b', 'model.shop.c', 'test.shop.x.123'], {});
    const b = fingerprintOf('r', 'm', s, ['model.shop.c', 'model.shop.b'], {});
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintOf('r', 'other', s, [], {})).not.toBe(fingerprintOf('r', 'm', s, [], {}));
    expect(fingerprintOf('r', 'm', s, [], { k: 1 })).not.toBe(
      fingerprintOf('r', 'm', s, [], { k: 2 }),
    );
  });

  test('the same input gives byte-identical output', () => {
    const registry = new Registry([nameLength]);
    const build = () =>
      createProject({
        name: 'shop',
        resources: [
          model('zzzzzzzzzzzz'),
          model('aaaaaaaaaaaa'),
          model('mmmmmmmmmmmmmmmmmmmmmmmm'),
        ],
      });
    const one = formatCheckJson(run(build(), registry, configWith(registry)));
    const two = formatCheckJson(run(build(), registry, configWith(registry)));
    expect(one).toBe(two);
  });

  test('exit policy: fail-on warn and max-warnings', () => {
    const registry = new Registry([nameLength]);
    const project = createProject({ name: 'shop', resources: [model('mmmmmmmmmmmmmmmmmmmmmmmm')] });
    const r = run(project, registry, configWith(registry));
    expect(r.summary).toMatchObject({ error: 0, warn: 1 });
    expect(exitCodeOf(r)).toBe(0);
    expect(exitCodeOf(r, { failOn: 'warn' })).toBe(1);
    expect(exitCodeOf(r, { maxWarnings: 1 })).toBe(0);
    expect(exitCodeOf(r, { maxWarnings: 0 })).toBe(1);
  });
});
