import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import { checkWithFolderDomains, ownRaw } from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'owner-present')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

const groups = [
  { name: 'finance', owner: { name: 'Finance', email: 'finance@example.com' } },
  { name: 'nobody', owner: { email: '' } },
];

new RuleTester().run('owner-present', rule, {
  valid: [
    { name: 'meta.owner', project: { resources: [model('m', { meta: { owner: 'a@x.com' } })] } },
    {
      name: 'a list owner',
      project: { resources: [model('m', { meta: { owner: ['a@x.com'] } })] },
    },
    { name: 'the group owner', project: { resources: [model('m', { group: 'finance' })], groups } },
    {
      name: 'the declared owners of the domain',
      project: { resources: [model('m', { meta: { domain: 'growth' } })] },
      declaredDomains: { growth: { owners: ['growth@x.com'] } },
    },
    {
      name: 'another meta key, when configured',
      project: { resources: [model('m', { meta: { steward: { owner: 'a@x.com' } } })] },
      owners: { resolution: [{ kind: 'meta', key: 'steward.owner' }] },
    },
    {
      name: 'seeds, package models and injected models are not judged',
      project: {
        resources: [
          { uniqueId: 'seed.my_project.s', resourceType: 'seed', name: 's' },
          model('p', { uniqueId: 'model.pkg.p', packageName: 'pkg' }),
          model('x', { uniqueId: 'model.up.x', packageName: 'up', external: true }),
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'no owner anywhere: the message lists the steps tried',
      project: { resources: [model('bare')] },
      errors: [
        {
          messageId: 'missing',
          node: 'bare',
          data: {
            name: 'bare',
            tried: 'meta.owner, a group owner (no group), the domain owners (no domain)',
          },
          message:
            /^Model 'bare' has no owner \(tried meta\.owner, a group owner \(no group\), the domain owners \(no domain\)\): /,
        },
      ],
    },
    {
      name: 'blank values are no owner; the tried steps name the group and the domain',
      project: {
        resources: [
          model('blank', { meta: { owner: '  ' } }),
          model('empty_list', { meta: { owner: [] } }),
          model('ownerless_group', { group: 'nobody', meta: { domain: 'finance' } }),
        ],
        groups,
      },
      errors: [
        { messageId: 'missing', node: 'blank' },
        { messageId: 'missing', node: 'empty_list' },
        {
          messageId: 'missing',
          node: 'ownerless_group',
          data: {
            name: 'ownerless_group',
            tried:
              'meta.owner, the owner of group nobody, the owners of domain finance (not declared)',
          },
        },
      ],
    },
    {
      name: 'a declared domain without owners',
      project: { resources: [model('m', { meta: { domain: 'growth' } })] },
      declaredDomains: { growth: {} },
      errors: [
        {
          messageId: 'missing',
          data: {
            name: 'm',
            tried: 'meta.owner, a group owner (no group), the owners of domain growth',
          },
        },
      ],
    },
    {
      name: 'a configured chain is what the message lists',
      project: { resources: [model('m', { meta: { owner: 'a@x.com' } })] },
      owners: { resolution: [{ kind: 'meta', key: 'team' }, { kind: 'group' }] },
      errors: [
        { messageId: 'missing', data: { name: 'm', tried: 'meta.team, a group owner (no group)' } },
      ],
    },
  ],
});

describeCorpusRun('owner-present');

describe('owner-present on the corpus: one finding per own model without meta.owner or group', () => {
  test.each(corpusNames())('%s', async (name) => {
    const project = await corpusProject(name);
    const expected = ownRaw(project, name)
      .filter((r) => r.type === 'model')
      .filter((r) => {
        const owner = r.meta.owner;
        const hasOwner =
          (typeof owner === 'string' && owner.trim() !== '') ||
          (Array.isArray(owner) && owner.length > 0);
        return !hasOwner && !(r.json.group ?? r.json.config?.group);
      })
      .map((r) => r.id)
      .sort();
    const result = checkWithFolderDomains(project, name, { 'owner-present': 'error' });
    const got = result.findings
      .filter((f) => f.ruleId === 'owner-present')
      .map((f) => f.nodeId)
      .sort();
    expect(got).toEqual(expected);
  });
});
