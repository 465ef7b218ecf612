import { getBuiltinRules, type Column, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'pii-exposure')!;

const col = (name: string, extra: Partial<Column> = {}): Column => ({
  name,
  description: '',
  dataType: null,
  constraints: [],
  meta: {},
  tags: [],
  ...extra,
});
const model = (
  name: string,
  columns: Column[],
  extra: Partial<ResourceInit> = {},
): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  access: 'public',
  columns,
  ...extra,
});

new RuleTester().run('pii-exposure', rule, {
  valid: [
    {
      name: 'a masked personal-data column',
      project: {
        resources: [
          model('dim_customers', [
            col('email', { meta: { pii: true, masking_policy: 'mask_email' } }),
          ]),
        ],
      },
    },
    {
      name: 'personal data in a protected model that is no product',
      project: {
        resources: [
          model('stg_customers', [col('email', { tags: ['pii'] })], { access: 'protected' }),
        ],
      },
    },
    {
      name: 'falsy markers are no personal data',
      project: {
        resources: [
          model('dim_customers', [
            col('a', { meta: { pii: false } }),
            col('b', { meta: { pii: 'no' } }),
            col('c', { meta: { pii: '' } }),
            col('d', { meta: { pii: null } }),
          ]),
        ],
      },
    },
    {
      name: 'a protection tag',
      options: { protectionTags: ['masked'] },
      project: {
        resources: [model('dim_customers', [col('email', { tags: ['pii', 'masked'] })])],
      },
    },
    {
      name: 'an empty masking_policy does not protect, but another configured key does',
      options: { protectionMetaKeys: ['masking_policy', 'policy.tag'] },
      project: {
        resources: [
          model('dim_customers', [
            col('email', { meta: { pii: true, masking_policy: '', policy: { tag: 'pii_high' } } }),
          ]),
        ],
      },
    },
    {
      name: 'models of an installed package are not judged',
      project: {
        resources: [
          model('x', [col('email', { meta: { pii: true } })], {
            uniqueId: 'model.pkg.x',
            packageName: 'pkg',
          }),
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'meta.pii and the pii tag, one finding per column',
      project: {
        resources: [
          model('dim_customers', [
            col('customer_id'),
            col('email', { meta: { pii: true } }),
            col('phone', { tags: ['pii'] }),
            col('name', { meta: { pii: 'name' } }),
          ]),
        ],
      },
      errors: [
        {
          messageId: 'unprotected',
          node: 'model.my_project.dim_customers',
          data: {
            column: 'email',
            kind: 'public model',
            name: 'dim_customers',
            protection: 'meta.masking_policy',
          },
        },
        { messageId: 'unprotected', message: /^Column 'phone' of public model 'dim_customers'/ },
        { messageId: 'unprotected', message: /^Column 'name' / },
      ],
    },
    {
      name: 'a declared data product (tag data_product)',
      project: {
        resources: [
          model('orders', [col('email', { meta: { pii: true } })], {
            access: 'protected',
            tags: ['data_product'],
          }),
        ],
      },
      errors: [
        {
          messageId: 'unprotected',
          data: {
            column: 'email',
            kind: 'data product',
            name: 'orders',
            protection: 'meta.masking_policy',
          },
        },
      ],
    },
    {
      name: 'custom markers: a dotted meta key',
      options: { piiMetaKey: 'privacy.personal', piiTag: 'gdpr', protectionMetaKeys: [] },
      project: {
        resources: [
          model('dim_customers', [
            col('email', { meta: { privacy: { personal: true } } }),
            col('ip', { tags: ['gdpr'] }),
            col('name', { meta: { pii: true } }),
          ]),
        ],
      },
      errors: [
        {
          messageId: 'unprotected',
          data: {
            column: 'email',
            kind: 'public model',
            name: 'dim_customers',
            protection: 'none configured',
          },
        },
        {
          messageId: 'unprotected',
          data: {
            column: 'ip',
            kind: 'public model',
            name: 'dim_customers',
            protection: 'none configured',
          },
        },
      ],
    },
  ],
});

describeCorpusRun('pii-exposure');
