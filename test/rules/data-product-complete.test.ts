import {
  check,
  createProject,
  getBuiltinRules,
  type Column,
  type ResourceInit,
} from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';
import { docExamples, runDocExample } from '../helpers/doc-examples.js';

const rule = getBuiltinRules().find((r) => r.id === 'data-product-complete')!;

const col = (name: string, extra: Partial<Column> = {}): Column => ({
  name,
  description: `The ${name}.`,
  dataType: 'integer',
  constraints: [],
  meta: {},
  tags: [],
  ...extra,
});

const M = (name: string) => `model.my_project.${name}`;

/** A complete public data product. */
const product = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: M(name),
  resourceType: 'model',
  name,
  description: 'Daily revenue.',
  access: 'public',
  contract: { enforced: true, aliasTypes: true },
  meta: { owner: 'payments-data@example.com', sla: 'daily by 08:00 UTC' },
  columns: [col('id'), col('revenue_cents')],
  ...extra,
});

const testOn = (
  model: string,
  name: string,
  column: string | null,
  namespace: string | null = null,
): ResourceInit => ({
  uniqueId: `test.my_project.${name}_${model}_${column ?? 'model'}.0000000000`,
  resourceType: 'test',
  name: `${name}_${model}_${column ?? 'model'}`,
  dependsOn: [M(model)],
  test: { name, namespace, columnName: column, attachedNode: M(model) },
});

const pkTests = (model: string) => [testOn(model, 'unique', 'id'), testOn(model, 'not_null', 'id')];

new RuleTester().run('data-product-complete', rule, {
  valid: [
    {
      name: 'a complete public product',
      project: { resources: [product('p'), ...pkTests('p')] },
    },
    {
      name: 'a model that is not a product is not checked',
      project: { resources: [{ uniqueId: M('m'), resourceType: 'model', name: 'm' }] },
    },
    {
      name: 'the owner of its dbt group',
      project: {
        resources: [product('p', { meta: { sla: 'hourly' }, group: 'payments' }), ...pkTests('p')],
        groups: [{ name: 'payments', owner: { email: 'payments-data@example.com' } }],
      },
    },
    {
      name: 'dbt_utils.unique_combination_of_columns is a primary-key test',
      project: {
        resources: [product('p'), testOn('p', 'unique_combination_of_columns', null, 'dbt_utils')],
      },
    },
    {
      name: 'a primary_key constraint on a column',
      project: {
        resources: [
          product('p', {
            columns: [
              col('id', {
                constraints: [{ type: 'primary_key', name: null, expression: null, columns: [] }],
              }),
            ],
          }),
        ],
      },
    },
    {
      name: 'a model-level primary_key constraint',
      project: {
        resources: [
          product('p', {
            constraints: [{ type: 'primary_key', name: null, expression: null, columns: ['id'] }],
          }),
        ],
      },
    },
    {
      name: 'unique plus a not_null constraint on the same column',
      project: {
        resources: [
          product('p', {
            columns: [
              col('id', {
                constraints: [{ type: 'not_null', name: null, expression: null, columns: [] }],
              }),
            ],
          }),
          testOn('p', 'unique', 'id'),
        ],
      },
    },
    {
      name: 'two unique tests on one column count, as primary-key-tested (and the evaluator) counts them',
      project: {
        resources: [
          product('p'),
          testOn('p', 'unique', 'id'),
          { ...testOn('p', 'unique', 'id'), uniqueId: 'test.my_project.unique_p_id_2.0000000000' },
        ],
      },
    },
    {
      name: 'publicIsProduct: false and no declaration',
      options: { publicIsProduct: false },
      project: {
        resources: [{ uniqueId: M('m'), resourceType: 'model', name: 'm', access: 'public' }],
      },
    },
    {
      name: 'a custom SLA key and format',
      options: { slaMetaKey: 'steward.freshness', slaPattern: '^tier-[123]$' },
      project: {
        resources: [
          product('p', { meta: { owner: 'x@example.com', steward: { freshness: 'Tier-2' } } }),
          ...pkTests('p'),
        ],
      },
    },
    {
      name: 'consumed from the same domain is not a product',
      options: { includeConsumedCrossDomain: true },
      project: {
        resources: [
          { uniqueId: M('m'), resourceType: 'model', name: 'm', meta: { domain: 'payments' } },
          {
            uniqueId: M('c'),
            resourceType: 'model',
            name: 'c',
            meta: { domain: 'payments' },
            dependsOn: [M('m')],
          },
        ],
      },
    },
    {
      name: 'a test in another domain does not make a consumer',
      options: { includeConsumedCrossDomain: true },
      project: {
        resources: [
          { uniqueId: M('m'), resourceType: 'model', name: 'm', meta: { domain: 'payments' } },
          {
            uniqueId: 'test.my_project.t',
            resourceType: 'test',
            name: 't',
            meta: { domain: 'growth' },
            dependsOn: [M('m')],
            test: { name: null, namespace: null, columnName: null, attachedNode: null },
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'a bare public model: every aspect, one finding each',
      project: {
        resources: [{ uniqueId: M('bare'), resourceType: 'model', name: 'bare', access: 'public' }],
      },
      errors: [
        { messageId: 'owner', data: { name: 'bare' } },
        { messageId: 'description', data: { name: 'bare' } },
        { messageId: 'contract', data: { name: 'bare' } },
        {
          messageId: 'columnDescription',
          data: { name: 'bare', columns: '(no columns declared)' },
        },
        { messageId: 'columnType', data: { name: 'bare', columns: '(no columns declared)' } },
        {
          messageId: 'sla',
          data: { name: 'bare', problem: 'set meta.sla (e.g. "daily by 08:00 UTC")' },
        },
        { messageId: 'primaryKey', data: { name: 'bare' } },
      ],
    },
    {
      name: 'declared by meta.data_product; undescribed and untyped columns listed',
      project: {
        resources: [
          product('p', {
            access: 'protected',
            meta: { owner: 'o@example.com', sla: 'hourly', data_product: true },
            columns: [col('id'), col('a', { description: ' ' }), col('b', { dataType: null })],
          }),
          ...pkTests('p'),
        ],
      },
      errors: [
        { messageId: 'columnDescription', data: { name: 'p', columns: 'a' } },
        { messageId: 'columnType', data: { name: 'p', columns: 'b' } },
      ],
    },
    {
      name: 'declared by the data_product tag; a whitespace description is missing',
      project: {
        resources: [
          product('p', { access: 'protected', tags: ['data_product'], description: '  ' }),
          ...pkTests('p'),
        ],
      },
      errors: [{ messageId: 'description' }],
    },
    {
      name: 'unique and not_null on different columns is no primary key',
      project: {
        resources: [
          product('p'),
          testOn('p', 'unique', 'id'),
          testOn('p', 'not_null', 'revenue_cents'),
        ],
      },
      errors: [{ messageId: 'primaryKey' }],
    },
    {
      name: 'a test of another package named unique_combination_of_columns does not count',
      project: {
        resources: [product('p'), testOn('p', 'unique_combination_of_columns', null, 'my_macros')],
      },
      errors: [{ messageId: 'primaryKey' }],
    },
    {
      name: 'an SLA that is not text',
      project: {
        resources: [
          product('p', { meta: { owner: 'o@example.com', sla: { hours: 8 } } }),
          ...pkTests('p'),
        ],
      },
      errors: [{ messageId: 'sla', data: { name: 'p', problem: 'meta.sla is not a text value' } }],
    },
    {
      name: 'SLA texts outside the default format, one product each',
      project: {
        resources: [
          'whenever',
          'daily by 25:00',
          'daily by 8',
          'every fortnight',
          '0 8 * *',
          'hourly on the hour',
          'soon-ish',
        ].flatMap((sla, i) => [
          product(`p${i}`, { meta: { owner: 'o@example.com', sla } }),
          ...pkTests(`p${i}`),
        ]),
      },
      errors: 7,
    },
    {
      name: 'the SLA problem names the value',
      project: {
        resources: [
          product('p', { meta: { owner: 'o@example.com', sla: 'whenever' } }),
          ...pkTests('p'),
        ],
      },
      errors: [
        {
          messageId: 'sla',
          data: { name: 'p', problem: 'meta.sla "whenever" does not match the SLA format' },
        },
      ],
    },
    {
      name: 'includeConsumedCrossDomain: a model another domain depends on',
      options: { includeConsumedCrossDomain: true },
      project: {
        resources: [
          {
            uniqueId: M('m'),
            resourceType: 'model',
            name: 'm',
            description: 'Described.',
            meta: { domain: 'payments', owner: 'o@example.com' },
            contract: { enforced: true, aliasTypes: true },
            columns: [col('id')],
          },
          ...pkTests('m'),
          {
            uniqueId: 'exposure.my_project.growth_dash',
            resourceType: 'exposure',
            name: 'growth_dash',
            meta: { domain: 'growth' },
            dependsOn: [M('m')],
          },
        ],
      },
      errors: [{ messageId: 'sla', node: M('m') }],
    },
  ],
});

describe('SLA default format', () => {
  const accepted = [
    'daily by 08:00 UTC',
    'Daily by 8:00',
    'hourly',
    'weekly at 06:30 Europe/Berlin',
    'monthly before 23:59 UTC+2',
    'every 15 minutes',
    'every minute',
    'every hour',
    'every 2 days',
    '0 8 * * *',
    '*/15 * * * MON-FRI',
    '0 6 1 JAN,JUL *',
  ];
  const rejected = [
    '',
    'whenever',
    'daily by 24:00',
    'every fortnight',
    '0 8 * *',
    'weekly on monday',
  ];
  const slaFindings = (sla: string) =>
    check(
      createProject({
        resources: [product('p', { meta: { owner: 'o@example.com', sla } }), ...pkTests('p')],
      }),
      { rules: { 'data-product-complete': 'warn' } },
    ).findings.filter((f) => f.ruleId === 'data-product-complete' && f.messageId === 'sla');
  test.each(accepted)('accepts %j', (sla) => expect(slaFindings(sla)).toEqual([]));
  test.each(rejected)('rejects %j', (sla) => expect(slaFindings(sla)).toHaveLength(1));
});

describe('each defect has one owner', () => {
  const bare = createProject({
    resources: [
      { uniqueId: M('pub'), resourceType: 'model', name: 'pub', access: 'public' },
      {
        uniqueId: M('decl'),
        resourceType: 'model',
        name: 'decl',
        meta: { data_product: true },
      },
    ],
  });
  const aspects = (rules: Record<string, 'off' | 'warn' | 'error'>) =>
    check(bare, { rules: { 'data-product-complete': 'warn', ...rules } })
      .findings.filter((f) => f.ruleId === 'data-product-complete')
      .map((f) => `${f.nodeId === M('pub') ? 'pub' : 'decl'}:${f.messageId}`)
      .sort();
  const all = [
    'columnDescription',
    'columnType',
    'contract',
    'description',
    'owner',
    'primaryKey',
    'sla',
  ];
  const off = {
    'owner-present': 'off',
    'description-present': 'off',
    'public-documented': 'off',
    'public-contract': 'off',
    'columns-documented': 'off',
    'primary-key-tested': 'off',
  } as const;

  test('with the single-purpose rules off, every aspect is reported here', () => {
    expect(aspects(off)).toEqual([...all.map((a) => `decl:${a}`), ...all.map((a) => `pub:${a}`)]);
  });

  test('owner-present owns the owner', () => {
    expect(aspects({ ...off, 'owner-present': 'error' })).not.toContain('decl:owner');
  });

  test('description-present owns the description, public-documented that of public models', () => {
    expect(aspects({ ...off, 'description-present': 'warn' })).not.toContain('decl:description');
    const pd = aspects({ ...off, 'public-documented': 'warn' });
    expect(pd).not.toContain('pub:description');
    expect(pd).toContain('decl:description');
    expect(pd).not.toContain('pub:columnDescription');
    expect(pd).toContain('decl:columnDescription');
  });

  test('public-contract owns the contract of public models only', () => {
    const r = aspects({ ...off, 'public-contract': 'error' });
    expect(r).not.toContain('pub:contract');
    expect(r).toContain('decl:contract');
  });

  test('columns-documented owns column descriptions; primary-key-tested the primary key', () => {
    const r = aspects({ ...off, 'columns-documented': 'warn', 'primary-key-tested': 'warn' });
    expect(r).not.toContain('decl:columnDescription');
    expect(r).not.toContain('pub:primaryKey');
    expect(r).toContain('pub:columnType');
  });

  test('with the recommended preset, column types and the SLA are what is left here', () => {
    expect(aspects({})).toEqual(
      expect.arrayContaining(['pub:columnType', 'pub:sla', 'decl:columnType', 'decl:sla']),
    );
    expect(aspects({})).not.toContain('pub:owner');
  });
});

describe('doc examples report the intended aspect', () => {
  const ex = docExamples('data-product-complete');
  test('the declared product without an SLA reports only the SLA', () => {
    const e = ex.failing.find((x) => x.title === 'A declared product without an SLA')!;
    expect(runDocExample('data-product-complete', e).map((f) => f.messageId)).toEqual(['sla']);
  });
});

describeCorpusRun('data-product-complete');
