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

const rule = getBuiltinRules().find((r) => r.id === 'cross-domain-ref')!;

const model = (
  name: string,
  domain: string | null,
  extra: Partial<ResourceInit> = {},
): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  meta: domain ? { domain } : {},
  ...extra,
});
const dep = (...names: string[]) => names.map((n) => `model.my_project.${n}`);

new RuleTester().run('cross-domain-ref', rule, {
  valid: [
    {
      name: 'into a public model, a declared product (meta or tag) and a versioned public model',
      project: {
        resources: [
          model('fct_payments', 'payments', { access: 'public' }),
          model('payments_revenue', 'payments', {
            meta: { domain: 'payments', data_product: 'payments.revenue' },
          }),
          model('payments_tagged', 'payments', { tags: ['data_product'] }),
          model('dim_customers', 'payments', {
            uniqueId: 'model.my_project.dim_customers.v2',
            access: 'public',
            version: '2',
          }),
          model('growth_ltv', 'growth', {
            dependsOn: dep(
              'fct_payments',
              'payments_revenue',
              'payments_tagged',
              'dim_customers.v2',
            ),
          }),
        ],
      },
    },
    {
      name: "into the domain's public selectors",
      project: {
        resources: [
          model('dim_payment_methods', 'payments', {
            filePath: 'models/payments/marts/dim_payment_methods.sql',
          }),
          {
            uniqueId: 'seed.my_project.currencies',
            resourceType: 'seed',
            name: 'currencies',
            meta: { domain: 'payments' },
            tags: ['shared'],
          },
          model('growth_ltv', 'growth', {
            dependsOn: [...dep('dim_payment_methods'), 'seed.my_project.currencies'],
          }),
        ],
      },
      declaredDomains: { payments: { public: ['path:models/payments/marts', 'tag:shared', ' '] } },
    },
    {
      name: 'within a domain, from or to an unknown domain, tests and sources',
      project: {
        resources: [
          model('stg_payments', 'payments'),
          model('fct_payments', 'payments', { dependsOn: dep('stg_payments') }),
          model('orphan', null, { dependsOn: dep('stg_payments') }),
          model('growth_x', 'growth', {
            dependsOn: [...dep('orphan'), 'source.my_project.stripe.charges'],
          }),
          {
            uniqueId: 'source.my_project.stripe.charges',
            resourceType: 'source',
            name: 'charges',
            sourceName: 'stripe',
            meta: { domain: 'payments' },
          },
          {
            uniqueId: 'test.my_project.relationships_growth_x',
            resourceType: 'test',
            name: 'relationships_growth_x',
            dependsOn: dep('growth_x', 'stg_payments'),
            test: {
              name: 'relationships',
              namespace: null,
              columnName: 'id',
              attachedNode: 'model.my_project.growth_x',
            },
          },
        ],
      },
    },
    {
      name: 'a custom product meta key and tag',
      project: {
        resources: [
          model('a', 'payments', { meta: { domain: 'payments', mesh: { product: true } } }),
          model('b', 'payments', { tags: ['product'] }),
          model('growth_ltv', 'growth', { dependsOn: dep('a', 'b') }),
        ],
      },
      options: { productMetaKey: 'mesh.product', productTag: 'product' },
    },
  ],
  invalid: [
    {
      name: 'a protected and a private model of another domain',
      project: {
        resources: [
          model('stg_payments', 'payments'),
          model('int_payments', 'payments', { access: 'private' }),
          model('growth_ltv', 'growth', { dependsOn: dep('stg_payments', 'int_payments') }),
        ],
      },
      errors: [
        {
          messageId: 'protected',
          node: 'growth_ltv',
          related: ['model.my_project.stg_payments'],
          data: {
            childType: 'Model',
            child: 'growth_ltv',
            childDomain: 'growth',
            parent: 'stg_payments',
            parentType: 'model',
            parentDomain: 'payments',
            access: 'protected',
            target: 'model.my_project.stg_payments',
          },
          message:
            "Model 'growth_ltv' (domain growth) depends on 'stg_payments' of domain payments, a protected model outside the public interface of payments: use a public model of payments, or have payments make 'stg_payments' public (access: public) or declare it a data product.",
        },
        { messageId: 'private', node: 'growth_ltv', related: ['model.my_project.int_payments'] },
      ],
    },
    {
      name: 'groups as domains; an exposure, a snapshot and a seed',
      project: {
        resources: [
          model('fct_invoices', null, { group: 'finance' }),
          { uniqueId: 'seed.my_project.fx', resourceType: 'seed', name: 'fx', group: 'finance' },
          {
            uniqueId: 'snapshot.my_project.snap',
            resourceType: 'snapshot',
            name: 'snap',
            group: 'growth',
            dependsOn: dep('fct_invoices'),
          },
          {
            uniqueId: 'exposure.my_project.board',
            resourceType: 'exposure',
            name: 'board',
            meta: { domain: 'growth' },
            dependsOn: [...dep('fct_invoices'), 'seed.my_project.fx'],
          },
        ],
        groups: [{ name: 'finance' }, { name: 'growth' }],
      },
      errors: [
        { messageId: 'protected', node: 'snapshot.my_project.snap' },
        {
          messageId: 'protected',
          node: 'exposure.my_project.board',
          data: {
            childType: 'Exposure',
            child: 'board',
            childDomain: 'growth',
            parent: 'fct_invoices',
            parentType: 'model',
            parentDomain: 'finance',
            access: 'protected',
            target: 'model.my_project.fct_invoices',
          },
        },
        {
          messageId: 'notInterface',
          node: 'exposure.my_project.board',
          related: ['seed.my_project.fx'],
          data: {
            childType: 'Exposure',
            child: 'board',
            childDomain: 'growth',
            parent: 'fx',
            parentType: 'seed',
            parentDomain: 'finance',
            access: 'none',
            target: 'seed.my_project.fx',
          },
        },
      ],
    },
    {
      name: "another domain's public selectors do not open this one",
      project: {
        resources: [
          model('stg_payments', 'payments'),
          model('growth_ltv', 'growth', { dependsOn: dep('stg_payments') }),
        ],
      },
      declaredDomains: { growth: { public: ['stg_*'] }, payments: { public: ['fct_*'] } },
      errors: [{ messageId: 'protected' }],
    },
    {
      name: 'a versioned target is named with its version; a product declared false is none',
      project: {
        resources: [
          model('dim', 'payments', {
            uniqueId: 'model.my_project.dim.v1',
            version: '1',
            meta: { domain: 'payments', data_product: 'false' },
          }),
          model('growth_ltv', 'growth', { dependsOn: dep('dim.v1') }),
        ],
      },
      errors: [
        {
          messageId: 'protected',
          data: {
            childType: 'Model',
            child: 'growth_ltv',
            childDomain: 'growth',
            parent: 'dim.v1',
            parentType: 'model',
            parentDomain: 'payments',
            access: 'protected',
            target: 'model.my_project.dim.v1',
          },
        },
      ],
    },
  ],
});

describeCorpusRun('cross-domain-ref');

describe('cross-domain-ref on the corpus with folder domains', () => {
  const TARGETS = new Set(['model', 'seed', 'snapshot', 'semantic_model']);
  test.each(corpusNames())(
    '%s: every edge into another folder outside its public models',
    async (name) => {
      const project = await corpusProject(name);
      const raw = rawResources(name);
      const expected: string[] = [];
      for (const child of ownRaw(project, name)) {
        if (isTestType(child.type)) continue;
        const from = folderDomain(child);
        if (from === null) continue;
        for (const pid of child.dependsOn) {
          const parent = raw.get(pid);
          if (!parent || !TARGETS.has(parent.type)) continue;
          const to = folderDomain(parent);
          if (to === null || to === from) continue;
          const product =
            parent.type === 'model' &&
            (parent.tags.includes('data_product') || !!parent.meta.data_product);
          if ((parent.type === 'model' && parent.access === 'public') || product) continue;
          expected.push(`${child.id} -> ${pid}`);
        }
      }
      const result = checkWithFolderDomains(project, name, { 'cross-domain-ref': 'error' });
      expect(result.ruleFailures).toEqual([]);
      const got = result.findings
        .filter((f) => f.ruleId === 'cross-domain-ref')
        .map((f) => `${f.nodeId} -> ${f.related?.[0]}`);
      expect(got.sort()).toEqual(expected.sort());
    },
  );
});
