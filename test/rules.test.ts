import { check, createProject, loadProject, type ResourceInit } from '../src/index.js';

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  patchPath: 'models/schema.yml',
  ...extra,
});

function findingsOf(ruleId: string, project: ReturnType<typeof createProject>) {
  return check(project, {
    rules: { [ruleId === 'owner-present' ? 'domain-present' : 'owner-present']: 'off' },
  }).findings.filter((f) => f.ruleId === ruleId);
}

describe('owner-present', () => {
  const project = createProject({
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
    groups: [
      { name: 'finance', owner: { name: 'Finance', email: 'finance@example.com' } },
      { name: 'nobody', owner: {} },
    ],
  });
  const findings = findingsOf('owner-present', project);

  test('reports exactly the own models with no owner', () => {
    expect(findings.map((f) => f.nodeId).sort()).toEqual([
      'model.my_project.bare',
      'model.my_project.with_blank_owner',
      'model.my_project.with_empty_list',
      'model.my_project.with_ownerless_group',
    ]);
  });

  test('a finding is an error naming the model, with its YAML file as location', () => {
    const f = findings.find((x) => x.nodeId === 'model.my_project.bare')!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain("'bare'");
    expect(f.message).not.toContain('{{');
    expect(f.location).toEqual({ file: 'models/schema.yml' });
    expect(f.subject).toEqual({ kind: 'node', id: 'model.my_project.bare' });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  test('severity can be changed and the rule turned off', () => {
    const warn = check(project, { rules: { 'owner-present': 'warn' } }).findings.filter(
      (f) => f.ruleId === 'owner-present',
    );
    expect(warn.every((f) => f.severity === 'warn')).toBe(true);
    const off = check(project, { rules: { 'owner-present': 'off' } }).findings.filter(
      (f) => f.ruleId === 'owner-present',
    );
    expect(off).toEqual([]);
  });

  test('an unknown rule id in the config is an error', () => {
    expect(() => check(project, { rules: { 'owner-presnt': 'warn' } })).toThrow(
      /unknown rule id "owner-presnt"/,
    );
  });
});

describe('domain-present', () => {
  const project = createProject({
    resources: [
      model('with_domain', { meta: { domain: 'payments' } }),
      model('with_group', { group: 'finance' }),
      model('blank', { meta: { domain: '' } }),
      model('not_a_string', { meta: { domain: 42 } }),
      model('bare'),
    ],
  });
  test('reports models with neither meta.domain nor a group', () => {
    const findings = findingsOf('domain-present', project);
    expect(findings.map((f) => f.nodeId).sort()).toEqual([
      'model.my_project.bare',
      'model.my_project.blank',
      'model.my_project.not_a_string',
    ]);
    expect(findings.every((f) => f.severity === 'warn')).toBe(true);
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
