import {
  check,
  createProject,
  getBuiltinRules,
  loadProject,
  type ResourceInit,
} from '../src/index.js';
import { RuleTester } from '../src/testing.js';

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  patchPath: 'models/schema.yml',
  ...extra,
});

const ownerPresent = getBuiltinRules().find((r) => r.id === 'owner-present')!;
const domainPresent = getBuiltinRules().find((r) => r.id === 'domain-present')!;

const groups = [
  { name: 'finance', owner: { name: 'Finance', email: 'finance@example.com' } },
  { name: 'nobody', owner: {} },
];
const one = (init: ResourceInit) => ({ resources: [init], groups });

const tester = new RuleTester();

tester.run('owner-present', ownerPresent, {
  valid: [
    {
      name: 'meta.owner',
      project: one(model('m', { meta: { owner: 'payments-data@example.com' } })),
    },
    { name: 'a list of owners', project: one(model('m', { meta: { owner: ['a@example.com'] } })) },
    { name: 'the owner of its dbt group', project: one(model('m', { group: 'finance' })) },
    {
      name: 'a model injected from another project is not judged',
      project: one(model('injected', { external: true, packageName: 'upstream' })),
    },
    {
      name: 'a model of an installed package is not judged',
      project: one(model('x', { uniqueId: 'model.dbt_utils.x', packageName: 'dbt_utils' })),
    },
    {
      name: 'seeds are not judged',
      project: one({ uniqueId: 'seed.my_project.raw', resourceType: 'seed', name: 'raw' }),
    },
  ],
  invalid: [
    {
      name: 'no owner at all: the message names the model',
      project: one(model('bare')),
      errors: [
        {
          messageId: 'missing',
          node: 'model.my_project.bare',
          message: /^Model 'bare' has no owner\b/,
        },
      ],
    },
    {
      name: 'a blank owner',
      project: one(model('with_blank_owner', { meta: { owner: '  ' } })),
      errors: [{ messageId: 'missing', node: 'with_blank_owner' }],
    },
    {
      name: 'an empty list',
      project: one(model('with_empty_list', { meta: { owner: [] } })),
      errors: [{ messageId: 'missing', node: 'with_empty_list' }],
    },
    {
      name: 'a group without owner',
      project: one(model('with_ownerless_group', { group: 'nobody' })),
      errors: [{ messageId: 'missing', node: 'with_ownerless_group' }],
    },
    {
      name: 'exactly the own models with no owner, in a mixed project',
      project: {
        resources: [
          model('with_meta_owner', { meta: { owner: 'payments-data@example.com' } }),
          model('with_list_owner', { meta: { owner: ['a@example.com'] } }),
          model('with_group_owner', { group: 'finance' }),
          model('with_blank_owner', { meta: { owner: '  ' } }),
          model('with_empty_list', { meta: { owner: [] } }),
          model('with_ownerless_group', { group: 'nobody' }),
          model('bare'),
          model('injected', { external: true, packageName: 'upstream' }),
          { uniqueId: 'seed.my_project.raw', resourceType: 'seed', name: 'raw' },
          model('package_model', { uniqueId: 'model.dbt_utils.x', packageName: 'dbt_utils' }),
        ],
        groups,
      },
      errors: [
        { messageId: 'missing', node: 'model.my_project.bare' },
        { messageId: 'missing', node: 'model.my_project.with_blank_owner' },
        { messageId: 'missing', node: 'model.my_project.with_empty_list' },
        { messageId: 'missing', node: 'model.my_project.with_ownerless_group' },
      ],
    },
  ],
});

tester.run('domain-present', domainPresent, {
  valid: [
    { name: 'meta.domain', project: { resources: [model('m', { meta: { domain: 'payments' } })] } },
    {
      name: 'the dbt group is the domain',
      project: { resources: [model('m', { group: 'finance' })] },
    },
  ],
  invalid: [
    {
      name: 'neither meta.domain nor a group (domains in use: one is declared)',
      project: { resources: [model('bare')] },
      declaredDomains: { payments: {} },
      errors: [
        { messageId: 'missing', data: { name: 'bare' }, message: /^Model 'bare' has no domain: / },
      ],
    },
    {
      name: 'a blank or non-string meta.domain is no domain',
      project: {
        resources: [
          model('with_domain', { meta: { domain: 'payments' } }),
          model('blank', { meta: { domain: '' } }),
          model('not_a_string', { meta: { domain: 42 } }),
        ],
      },
      errors: [
        { messageId: 'missing', node: 'model.my_project.blank' },
        { messageId: 'missing', node: 'model.my_project.not_a_string' },
      ],
    },
  ],
});

describe('built-in rules through check()', () => {
  const project = createProject({
    resources: [model('bare'), model('with_domain', { meta: { domain: 'payments' } })],
  });
  const findingsOf = (ruleId: string, result: ReturnType<typeof check>) =>
    result.findings.filter((f) => f.ruleId === ruleId);

  test('owner-present: an error naming the model, with its YAML file as location', () => {
    const f = findingsOf('owner-present', check(project)).find(
      (x) => x.nodeId === 'model.my_project.bare',
    )!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain("'bare'");
    expect(f.message).not.toContain('{{');
    expect(f.location).toEqual({ file: 'models/schema.yml' });
    expect(f.subject).toEqual({ kind: 'node', id: 'model.my_project.bare' });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  test('domain-present: at its default severity', () => {
    const findings = findingsOf('domain-present', check(project));
    expect(findings.map((f) => f.nodeId)).toEqual(['model.my_project.bare']);
    expect(findings.every((f) => f.severity === domainPresent.severity)).toBe(true);
  });

  test('severity can be changed and the rule turned off', () => {
    const warn = findingsOf(
      'owner-present',
      check(project, { rules: { 'owner-present': 'warn' } }),
    );
    expect(warn.length).toBeGreaterThan(0);
    expect(warn.every((f) => f.severity === 'warn')).toBe(true);
    const off = findingsOf('owner-present', check(project, { rules: { 'owner-present': 'off' } }));
    expect(off).toEqual([]);
  });

  test('an unknown rule id in the config is an error', () => {
    expect(() => check(project, { rules: { 'owner-presnt': 'warn' } })).toThrow(
      /unknown rule id "owner-presnt"/,
    );
  });
});

describe('rules on real manifests', () => {
  const corpus = (name: string) =>
    new URL(`../../shared/corpus/manifests/${name}/manifest.json`, import.meta.url).pathname;

  test('dbt-bouncer test project: owner-present reports the root models without owner', async () => {
    const project = await loadProject([corpus('dbt-bouncer-test-project')]);
    const root = project.projects[0]!.name;
    const expected = [...project.resources.values()]
      .filter((r) => r.resourceType === 'model' && r.packageName === root && !r.external)
      .filter((r) => {
        const owner = r.meta.owner;
        const group = r.group
          ? [...project.groups.values()].find((g) => g.name === r.group)
          : undefined;
        const hasOwner =
          (typeof owner === 'string' && owner.trim() !== '') ||
          (group?.owner && Object.values(group.owner).some(Boolean));
        return !hasOwner;
      })
      .map((r) => r.uniqueId)
      .sort();
    const got = check(project)
      .findings.filter((f) => f.ruleId === 'owner-present')
      .map((f) => f.nodeId)
      .sort();
    expect(got).toEqual(expected);
    expect(got.length).toBeGreaterThan(0);
  });

  test('fivetran hubspot: the package models are not the root project, so nothing is reported for them', async () => {
    const project = await loadProject([corpus('fivetran-hubspot-1.11')]);
    const result = check(project);
    const ids = result.findings.map((f) => f.nodeId ?? '');
    expect(ids.every((id) => id.startsWith(`model.${project.projects[0]!.name}.`))).toBe(true);
  });
});
