import {
  check,
  createProject,
  getBuiltinRules,
  type Project,
  type ResourceInit,
} from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'metric-domain')!;

const metric = (
  name: string,
  domain: string | null,
  extra: Partial<ResourceInit> = {},
  pkg = 'my_project',
): ResourceInit => ({
  uniqueId: `metric.${pkg}.${name}`,
  resourceType: 'metric',
  name,
  packageName: pkg,
  meta: domain === null ? {} : { domain },
  ...extra,
});

/** Several dbt projects checked together (`dbt-steward check finance/ payments/`). */
function mesh(resources: ResourceInit[], names: string[]): Project {
  const p = createProject({ name: names[0]!, resources });
  for (const n of names.slice(1)) p.projects.push({ ...p.projects[0]!, name: n });
  return p;
}

new RuleTester().run('metric-domain', rule, {
  valid: [
    {
      name: 'metrics and semantic models with a domain',
      project: {
        resources: [
          metric('revenue', 'finance'),
          {
            uniqueId: 'semantic_model.my_project.invoices',
            resourceType: 'semantic_model',
            name: 'invoices',
            group: 'finance',
          },
        ],
        groups: [{ name: 'finance' }],
      },
    },
    {
      name: 'the same name in one domain is not fragmented',
      project: mesh(
        [
          metric('revenue', 'finance', {}, 'finance_a'),
          metric('revenue', 'finance', {}, 'finance_b'),
        ],
        ['finance_a', 'finance_b'],
      ),
    },
    {
      name: 'different names in two domains',
      project: mesh(
        [metric('revenue', 'finance', {}, 'finance'), metric('mrr', 'payments', {}, 'payments')],
        ['finance', 'payments'],
      ),
    },
    {
      name: 'a metric without a domain does not take part in the comparison (it gets its own finding)',
      project: {
        resources: [metric('revenue', 'finance'), metric('costs', 'finance')],
      },
    },
  ],
  invalid: [
    {
      name: 'a metric and a semantic model without a domain (domains exist elsewhere)',
      project: {
        resources: [
          metric('revenue', 'finance'),
          metric('costs', null),
          {
            uniqueId: 'semantic_model.my_project.invoices',
            resourceType: 'semantic_model',
            name: 'invoices',
          },
        ],
      },
      errors: [
        {
          messageId: 'domain',
          node: 'metric.my_project.costs',
          data: { kind: 'Metric', name: 'costs' },
        },
        {
          messageId: 'domain',
          node: 'semantic_model.my_project.invoices',
          data: { kind: 'Semantic model', name: 'invoices' },
        },
      ],
    },
    {
      name: 'the same metric name in two domains, reported once naming both',
      project: mesh(
        [
          metric('active_customers', 'growth', {}, 'growth'),
          metric('Active Customers', 'finance', {}, 'finance'),
        ],
        ['finance', 'growth'],
      ),
      errors: [
        {
          messageId: 'fragmented',
          node: 'metric.finance.Active Customers',
          related: ['metric.growth.active_customers'],
          data: {
            by: 'name',
            value: 'Active Customers',
            count: 2,
            domains: 'finance, growth',
            metrics: 'finance.Active Customers in finance, growth.active_customers in growth',
          },
        },
      ],
    },
    {
      name: 'three domains: one finding',
      project: mesh(
        [
          metric('revenue', 'finance', {}, 'finance'),
          metric('revenue', 'payments', {}, 'payments'),
          metric('revenue', 'growth', {}, 'growth'),
        ],
        ['finance', 'payments', 'growth'],
      ),
      errors: [
        {
          messageId: 'fragmented',
          node: 'metric.finance.revenue',
          related: ['metric.growth.revenue', 'metric.payments.revenue'],
        },
      ],
    },
    {
      name: "an installed package's definition counts; the finding is on the project's own metric",
      project: {
        resources: [metric('revenue', 'finance', {}, 'billing_pkg'), metric('revenue', 'payments')],
      },
      errors: [
        {
          messageId: 'fragmented',
          node: 'metric.my_project.revenue',
          related: ['metric.billing_pkg.revenue'],
        },
      ],
    },
    {
      name: 'equal labels across domains, when the loader carries labels',
      project: {
        resources: [
          metric('ltv', 'growth', { label: 'Lifetime value' } as Partial<ResourceInit>),
          metric('customer_ltv', 'finance', { label: 'lifetime value' } as Partial<ResourceInit>),
        ],
      },
      errors: [
        {
          messageId: 'fragmented',
          node: 'metric.my_project.customer_ltv',
          data: {
            by: 'label',
            value: 'lifetime value',
            count: 2,
            domains: 'finance, growth',
            metrics: 'my_project.customer_ltv in finance, my_project.ltv in growth',
          },
        },
      ],
    },
    {
      name: 'a clash by both name and label is reported once',
      project: mesh(
        [
          metric('revenue', 'finance', { label: 'Revenue' } as Partial<ResourceInit>, 'finance'),
          metric('revenue', 'payments', { label: 'Revenue' } as Partial<ResourceInit>, 'payments'),
        ],
        ['finance', 'payments'],
      ),
      errors: [
        {
          messageId: 'fragmented',
          node: 'metric.finance.revenue',
          data: {
            by: 'name',
            value: 'revenue',
            count: 2,
            domains: 'finance, payments',
            metrics: 'finance.revenue in finance, payments.revenue in payments',
          },
        },
      ],
    },
  ],
});

test('without any domain the rule is skipped with a hint (metric-ownership still runs)', () => {
  const project = createProject({ resources: [metric('revenue', null)] });
  const result = check(project, { rules: { 'metric-domain': 'warn', 'metric-ownership': 'warn' } });
  expect(result.findings.filter((f) => f.ruleId === 'metric-domain')).toEqual([]);
  expect(result.findings.filter((f) => f.ruleId === 'metric-ownership')).toHaveLength(1);
  expect(result.hints.join('\n')).toMatch(/domain rules are skipped/);
});

describeCorpusRun('metric-domain');
