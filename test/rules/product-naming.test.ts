import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'product-naming')!;

const product = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  access: 'public',
  ...extra,
});

new RuleTester().run('product-naming', rule, {
  valid: [
    {
      name: 'the model name, parts separated by __, domain part matching',
      project: {
        resources: [product('payments__revenue__daily', { meta: { domain: 'payments' } })],
      },
    },
    {
      name: 'the name from meta.product (the product record)',
      project: {
        resources: [
          product('fct_daily_revenue', {
            meta: { domain: 'payments', product: 'payments.revenue.daily' },
          }),
        ],
      },
    },
    {
      name: 'the domain from the dbt group',
      project: {
        resources: [product('finance__invoices__monthly', { group: 'finance' })],
        groups: [{ name: 'finance' }],
      },
    },
    {
      name: 'domains compare case-insensitively, - and _ alike',
      project: {
        resources: [
          product('customer_success__tickets__daily', { meta: { domain: 'Customer-Success' } }),
        ],
      },
    },
    {
      name: 'no resolved domain: only the pattern is checked',
      project: { resources: [product('anything__goes__daily')] },
    },
    {
      name: 'models that are not products are not checked',
      project: {
        resources: [{ uniqueId: 'model.my_project.stg_x', resourceType: 'model', name: 'stg_x' }],
      },
    },
    {
      name: 'a custom separator and pattern with a named domain group',
      options: {
        separator: '_',
        pattern: '^dp\\.(?<domain>[a-z]+)\\.[a-z]+$',
      },
      project: { resources: [product('dp_growth_signups', { meta: { domain: 'growth' } })] },
    },
    {
      name: 'versions of a product share its name',
      project: {
        resources: [
          product('payments__revenue__daily', {
            uniqueId: 'model.my_project.payments__revenue__daily.v2',
            version: '2',
            latestVersion: '2',
            meta: { domain: 'payments' },
          }),
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'a public model named without the convention',
      project: { resources: [product('revenue_by_day', { meta: { domain: 'payments' } })] },
      errors: [
        {
          messageId: 'pattern',
          data: {
            name: 'revenue_by_day',
            productName: 'revenue_by_day',
            from: 'the model name',
            convention: '<domain>.<product>.<grain>',
          },
        },
      ],
    },
    {
      name: 'two parts only',
      project: { resources: [product('payments__revenue')] },
      errors: [{ messageId: 'pattern' }],
    },
    {
      name: 'the name claims another domain',
      project: {
        resources: [product('finance__revenue__daily', { meta: { domain: 'payments' } })],
      },
      errors: [
        {
          messageId: 'domain',
          data: {
            name: 'finance__revenue__daily',
            productName: 'finance.revenue.daily',
            from: 'the model name',
            namedDomain: 'finance',
            domain: 'payments',
          },
        },
      ],
    },
    {
      name: 'meta.product wins over the model name',
      project: {
        resources: [
          product('payments__revenue__daily', {
            meta: { domain: 'payments', product: 'Revenue Daily' },
          }),
        ],
      },
      errors: [
        {
          messageId: 'pattern',
          data: {
            name: 'payments__revenue__daily',
            productName: 'Revenue Daily',
            from: 'meta.product',
            convention: '<domain>.<product>.<grain>',
          },
        },
      ],
    },
    {
      name: 'nameMetaKey: null ignores meta.product',
      options: { nameMetaKey: null },
      project: {
        resources: [
          product('fct_daily_revenue', {
            meta: { domain: 'payments', product: 'payments.revenue.daily' },
          }),
        ],
      },
      errors: [
        { messageId: 'pattern', message: /is named 'fct_daily_revenue' \(from the model name\)/ },
      ],
    },
    {
      name: 'a declared product (meta.data_product) is checked too',
      project: {
        resources: [product('orders', { access: 'protected', meta: { data_product: true } })],
      },
      errors: [{ messageId: 'pattern', node: 'orders' }],
    },
    {
      name: 'a custom pattern is shown in the message',
      options: { pattern: '^dp\\.[a-z]+\\.[a-z]+$' },
      project: { resources: [product('x__y__z')] },
      errors: [{ messageId: 'pattern', message: /convention \/\^dp/ }],
    },
  ],
});

describeCorpusRun('product-naming');
