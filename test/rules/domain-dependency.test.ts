import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import {
  checkWithFolderDomains,
  folderDomain,
  isTestType,
  ownRaw,
  rawResources,
} from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'domain-dependency')!;

const model = (name: string, domain: string | null, dependsOn: string[] = []): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  meta: domain ? { domain } : {},
  dependsOn: dependsOn.map((d) => (d.includes('.') ? d : `model.my_project.${d}`)),
});
const id = (name: string) => `model.my_project.${name}`;

/** growth → finance → payments, growth → core, core → payments. */
const mesh = {
  resources: [
    model('fct_payments', 'payments'),
    model('fct_invoices', 'finance', ['fct_payments']),
    model('dim_dates', 'core'),
    model('growth_ltv', 'growth', ['fct_invoices', 'dim_dates']),
  ],
};

test('domain-dependency: off in recommended, an error when enabled', () => {
  expect([rule.recommended, rule.severity, rule.requiresDomains]).toEqual([false, 'error', true]);
});

new RuleTester().run('domain-dependency', rule, {
  valid: [
    { name: 'no allow or deny: nothing to check', project: mesh },
    {
      name: 'allowed explicitly, through *, a glob and $self; domains without an entry are free',
      project: mesh,
      options: { allow: { '*': ['core', '$self'], growth: ['fin*'], finance: 'payments' } },
    },
    {
      name: 'deny lists that do not name the target',
      project: mesh,
      options: { deny: { growth: ['legacy'], '*': ['marketing-*'] } },
    },
    {
      name: 'indirect paths are not reported without transitive',
      project: mesh,
      options: { allow: { growth: ['finance', 'core'] } },
    },
    {
      name: 'unknown domains and tests are not checked',
      project: {
        resources: [
          model('a', 'payments'),
          model('b', null, ['a']),
          model('c', 'growth', ['b']),
          {
            uniqueId: 'test.my_project.rel',
            resourceType: 'test',
            name: 'rel',
            meta: { domain: 'growth' },
            dependsOn: [id('a')],
          },
        ],
      },
      options: { deny: { growth: ['payments'] } },
    },
  ],
  invalid: [
    {
      name: 'not in the allow list',
      project: mesh,
      options: { allow: { growth: ['finance'] } },
      errors: [
        {
          messageId: 'direct',
          node: 'growth_ltv',
          related: [id('dim_dates')],
          data: {
            childType: 'Model',
            child: 'growth_ltv',
            from: 'growth',
            parent: 'dim_dates',
            to: 'core',
            reason: 'not in allow.growth: [finance]',
            target: id('dim_dates'),
          },
          message:
            "Model 'growth_ltv' (domain growth) depends on 'dim_dates' of domain core: growth may not depend on core (not in allow.growth: [finance]).",
        },
      ],
    },
    {
      name: 'an empty allow list, and entries combined from * and the domain',
      project: mesh,
      options: { allow: { '*': ['core'], finance: [], growth: ['payments'] } },
      errors: [
        {
          messageId: 'direct',
          node: 'fct_invoices',
          data: {
            childType: 'Model',
            child: 'fct_invoices',
            from: 'finance',
            parent: 'fct_payments',
            to: 'payments',
            reason: 'not in allow.*, allow.finance: [core]',
            target: id('fct_payments'),
          },
        },
        { messageId: 'direct', node: 'growth_ltv', related: [id('fct_invoices')] },
      ],
    },
    {
      name: 'deny wins over allow; * in a deny list; a source dependency',
      project: {
        resources: [
          ...mesh.resources,
          {
            uniqueId: 'source.my_project.legacy.customers',
            resourceType: 'source',
            name: 'customers',
            sourceName: 'legacy',
            meta: { domain: 'legacy' },
          },
          model('growth_customers', 'growth', ['source.my_project.legacy.customers']),
        ],
      },
      options: { allow: { growth: ['*'] }, deny: { growth: ['legacy'], core: ['*'] } },
      errors: [
        {
          messageId: 'direct',
          node: 'growth_customers',
          related: ['source.my_project.legacy.customers'],
          data: {
            childType: 'Model',
            child: 'growth_customers',
            from: 'growth',
            parent: 'customers',
            to: 'legacy',
            reason: 'deny.growth lists legacy',
            target: 'source.my_project.legacy.customers',
          },
        },
      ],
    },
    {
      name: 'transitive: growth reaches payments through finance, with the path',
      project: mesh,
      options: { allow: { growth: ['finance', 'core'] }, transitive: true },
      errors: [
        {
          messageId: 'indirect',
          node: 'growth_ltv',
          related: [id('fct_invoices'), id('fct_payments')],
          data: {
            childType: 'Model',
            child: 'growth_ltv',
            from: 'growth',
            parent: 'fct_payments',
            to: 'payments',
            via: 'finance',
            reason: 'not in allow.growth: [finance, core]',
            path: 'growth_ltv → fct_invoices → fct_payments',
            target: id('fct_payments'),
          },
          message:
            "Model 'growth_ltv' (domain growth) reaches 'fct_payments' of domain payments through finance: growth may not depend on payments, not even indirectly (not in allow.growth: [finance, core]). Path: growth_ltv → fct_invoices → fct_payments.",
        },
      ],
    },
    {
      name: 'transitive: once per pair (the shortest path), not past a forbidden domain, not when direct',
      project: {
        resources: [
          model('p1', 'payments'),
          model('p2', 'payments'),
          model('x1', null, ['p1']),
          model('c1', 'core', ['x1']),
          model('f1', 'finance', ['p2']),
          model('f2', 'finance', ['f1']),
          model('legacy1', 'legacy', ['p1']),
          model('g1', 'growth', ['f2', 'c1', 'legacy1']),
          model('g2', 'growth', ['c1']),
        ],
      },
      options: { allow: { growth: ['finance', 'core'] }, transitive: true },
      errors: [
        { messageId: 'direct', node: 'g1', related: [id('legacy1')] },
        {
          messageId: 'indirect',
          node: 'g1',
          related: [id('c1'), id('x1'), id('p1')],
          data: {
            childType: 'Model',
            child: 'g1',
            from: 'growth',
            parent: 'p1',
            to: 'payments',
            via: 'core → (no domain)',
            reason: 'not in allow.growth: [finance, core]',
            path: 'g1 → c1 → x1 → p1',
            target: id('p1'),
          },
        },
      ],
    },
    {
      name: 'transitive: no indirect report for a pair that is also direct',
      project: {
        resources: [...mesh.resources, model('growth_direct', 'growth', ['fct_payments'])],
      },
      options: { allow: { growth: ['finance', 'core'] }, transitive: true },
      errors: [{ messageId: 'direct', node: 'growth_direct' }],
    },
  ],
});

describeCorpusRun('domain-dependency', ['error', { deny: { '*': ['*'] }, transitive: true }]);

describe('domain-dependency on the corpus with folder domains', () => {
  test.each(corpusNames())('%s: deny * reports every dependency between folders', async (name) => {
    const project = await corpusProject(name);
    const raw = rawResources(name);
    const expected: string[] = [];
    for (const child of ownRaw(project, name)) {
      if (isTestType(child.type)) continue;
      const from = folderDomain(child);
      if (from === null) continue;
      for (const pid of child.dependsOn) {
        const parent = raw.get(pid);
        if (!parent || isTestType(parent.type)) continue;
        const to = folderDomain(parent);
        if (to !== null && to !== from) expected.push(`${child.id} -> ${pid}`);
      }
    }
    const result = checkWithFolderDomains(project, name, {
      'domain-dependency': ['error', { deny: { '*': ['*'] }, transitive: true }],
    });
    expect(result.ruleFailures).toEqual([]);
    const got = result.findings
      .filter((f) => f.ruleId === 'domain-dependency')
      .map((f) => `${f.nodeId} -> ${f.related?.[0]}`);
    expect(got.sort()).toEqual(expected.sort());
  });

  test.each(corpusNames())('%s: transitive with a narrow allow list runs', async (name) => {
    const project = await corpusProject(name);
    const result = checkWithFolderDomains(project, name, {
      'domain-dependency': ['error', { allow: { '*': ['staging'] }, transitive: true }],
    });
    expect(result.ruleFailures).toEqual([]);
    for (const f of result.findings.filter((x) => x.messageId === 'indirect'))
      expect(f.related!.length).toBeGreaterThanOrEqual(2);
  });
});
