import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import { checkWithFolderDomains, folderDomain, ownRaw } from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'owner-consistent')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});
const groups = [
  { name: 'finance', owner: { name: 'Finance analytics', email: 'Finance-Data@example.com' } },
  { name: 'handles', owner: { name: '@example/finance' } },
  { name: 'empty', owner: {} },
];

new RuleTester().run('owner-consistent', rule, {
  valid: [
    {
      name: 'meta owner equal to the group e-mail, case-insensitively; or to its name',
      project: {
        resources: [
          model('a', { group: 'finance', meta: { owner: 'finance-data@EXAMPLE.com' } }),
          model('b', { group: 'finance', meta: { owner: 'finance  analytics' } }),
          model('c', {
            group: 'finance',
            meta: { owner: ['x@example.com', 'finance-data@example.com'] },
          }),
        ],
        groups,
      },
    },
    {
      name: 'nothing to compare: no meta owner, no group owner, or owners of different kinds',
      project: {
        resources: [
          model('a', { group: 'finance' }),
          model('b', { group: 'empty', meta: { owner: 'x@example.com' } }),
          model('c', { group: 'handles', meta: { owner: 'x@example.com' } }),
          model('d', { meta: { owner: 'x@example.com' } }),
          model('e', { group: 'unknown_group', meta: { owner: 'x@example.com' } }),
        ],
        groups,
      },
    },
    {
      name: 'owners among the domain owners: meta, group e-mail, the domain itself',
      project: {
        resources: [
          model('a', { meta: { domain: 'payments', owner: 'Payments-Data@example.com' } }),
          model('b', {
            meta: { domain: 'payments', owner: ['alice@example.com', '@example/payments'] },
          }),
          model('c', { meta: { domain: 'payments' } }),
        ],
      },
      declaredDomains: { payments: { owners: ['payments-data@example.com', '@example/payments'] } },
    },
    {
      name: 'a domain without declared owners, or not declared at all',
      project: {
        resources: [
          model('a', { meta: { domain: 'payments', owner: 'x@example.com' } }),
          model('b', { meta: { domain: 'growth', owner: 'x@example.com' } }),
        ],
      },
      declaredDomains: { payments: {} },
    },
    {
      name: 'no meta step in the chain: the group check has nothing to compare',
      project: {
        resources: [model('a', { group: 'finance', meta: { owner: 'other@example.com' } })],
        groups,
      },
      owners: { resolution: [{ kind: 'group' }] },
    },
  ],
  invalid: [
    {
      name: 'meta owner and group owner disagree',
      project: {
        resources: [model('a', { group: 'finance', meta: { owner: 'payments-data@example.com' } })],
        groups,
      },
      errors: [
        {
          messageId: 'groupMismatch',
          node: 'a',
          data: {
            type: 'Model',
            name: 'a',
            key: 'meta.owner',
            owner: 'payments-data@example.com',
            group: 'finance',
            groupOwner: 'Finance analytics <Finance-Data@example.com>',
          },
        },
      ],
    },
    {
      name: 'the configured meta key is compared',
      project: {
        resources: [model('a', { group: 'finance', meta: { team: 'Growth' } })],
        groups,
      },
      owners: { resolution: [{ kind: 'meta', key: 'team' }, { kind: 'group' }] },
      errors: [
        {
          messageId: 'groupMismatch',
          data: {
            type: 'Model',
            name: 'a',
            key: 'meta.team',
            owner: 'Growth',
            group: 'finance',
            groupOwner: 'Finance analytics <Finance-Data@example.com>',
          },
        },
      ],
    },
    {
      name: 'an owner outside the domain owners; a group owner outside them too',
      project: {
        resources: [
          model('a', { meta: { domain: 'payments', owner: 'growth-data@example.com' } }),
          model('b', { meta: { domain: 'payments' }, group: 'finance' }),
        ],
        groups,
      },
      domains: { resolution: [{ kind: 'meta', key: 'domain' }] },
      declaredDomains: { payments: { owners: ['payments-data@example.com'] } },
      errors: [
        {
          messageId: 'notDomainOwner',
          node: 'a',
          data: {
            type: 'Model',
            name: 'a',
            owner: 'growth-data@example.com',
            domain: 'payments',
            domainOwners: 'payments-data@example.com',
          },
        },
        {
          messageId: 'notDomainOwner',
          node: 'b',
          data: {
            type: 'Model',
            name: 'b',
            owner: 'Finance analytics <Finance-Data@example.com>',
            domain: 'payments',
            domainOwners: 'payments-data@example.com',
          },
        },
      ],
    },
    {
      name: 'both checks on one model',
      project: {
        resources: [
          model('a', { group: 'finance', meta: { domain: 'payments', owner: 'x@example.com' } }),
        ],
        groups,
      },
      declaredDomains: { payments: { owners: ['payments-data@example.com'] } },
      errors: [{ messageId: 'groupMismatch' }, { messageId: 'notDomainOwner' }],
    },
  ],
});

describeCorpusRun('owner-consistent');

describe('owner-consistent on the corpus', () => {
  test.each(corpusNames())(
    '%s: no group and no declared owners, nothing to report',
    async (name) => {
      const project = await corpusProject(name);
      const result = checkWithFolderDomains(project, name, { 'owner-consistent': 'error' });
      expect(result.ruleFailures).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId === 'owner-consistent')).toEqual([]);
    },
  );

  test.each(corpusNames())(
    '%s: with other declared owners, the resources with an owner of their own are reported',
    async (name) => {
      const project = await corpusProject(name);
      const result = checkWithFolderDomains(
        project,
        name,
        { 'owner-consistent': 'error' },
        (engine) => {
          for (const d of Object.values(engine.domains.declared))
            d.owners = ['someone-else@example.com'];
        },
      );
      const got = result.findings
        .filter((f) => f.ruleId === 'owner-consistent')
        .map((f) => `${f.messageId} ${f.nodeId}`)
        .sort();
      // Resources without an owner of their own take the domain's (and agree); the others
      // (a meta.owner, an exposure's owner block) are reported.
      const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';
      const expected = ownRaw(project, name)
        .filter((r) => ['model', 'seed', 'snapshot', 'source', 'exposure'].includes(r.type))
        .filter((r) => folderDomain(r) !== null)
        .filter((r) => {
          const o = r.type === 'exposure' ? (r.json.owner ?? {}) : {};
          return text(r.meta.owner) || [o.name, o.email].flat().some(text);
        })
        .map((r) => `notDomainOwner ${r.id}`)
        .sort();
      expect(got).toEqual(expected);
    },
  );
});
