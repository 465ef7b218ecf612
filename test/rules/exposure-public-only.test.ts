import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'exposure-public-only')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});
const exposure = (name: string, dependsOn: string[]): ResourceInit => ({
  uniqueId: `exposure.my_project.${name}`,
  resourceType: 'exposure',
  name,
  dependsOn,
});
const source: ResourceInit = {
  uniqueId: 'source.my_project.stripe.charges',
  resourceType: 'source',
  name: 'charges',
  sourceName: 'stripe',
};
const seed: ResourceInit = {
  uniqueId: 'seed.my_project.countries',
  resourceType: 'seed',
  name: 'countries',
};
const snapshot: ResourceInit = {
  uniqueId: 'snapshot.my_project.orders_snap',
  resourceType: 'snapshot',
  name: 'orders_snap',
};
const M = (name: string) => `model.my_project.${name}`;

// The evaluator's documented DAG: fct_model_6 (public, contracted) and dim_model_7 feed one exposure.
const fct6 = model('fct_model_6', {
  description: 'very important OKR reporting model',
  access: 'public',
  materialized: 'table',
  contract: { enforced: true, aliasTypes: true },
});

new RuleTester().run('exposure-public-only', rule, {
  valid: [
    {
      name: 'evaluator docs, remediation: both parents public',
      project: {
        resources: [
          fct6,
          model('dim_model_7', { description: 'excellent model', access: 'public' }),
          exposure('okr_dashboard', [M('fct_model_6'), M('dim_model_7')]),
        ],
      },
    },
    {
      name: 'a public model injected from another project',
      project: {
        resources: [
          model('stg_orders', {
            uniqueId: 'model.upstream.stg_orders',
            packageName: 'upstream',
            access: 'public',
            external: true,
          }),
          exposure('e', ['model.upstream.stg_orders']),
        ],
      },
    },
    {
      name: 'metric parents are not reported (the evaluator 1.x drops them)',
      project: {
        resources: [
          { uniqueId: 'metric.my_project.revenue', resourceType: 'metric', name: 'revenue' },
          exposure('e', ['metric.my_project.revenue']),
        ],
      },
    },
    {
      name: 'allowSources accepts an exposure reading a source',
      options: { allowSources: true },
      project: { resources: [source, exposure('e', [source.uniqueId])] },
    },
    {
      name: 'semantic models and saved queries are not checked by default',
      project: {
        resources: [
          model('fct_orders'),
          {
            uniqueId: 'semantic_model.my_project.orders',
            resourceType: 'semantic_model',
            name: 'orders',
            dependsOn: [M('fct_orders')],
          },
        ],
      },
    },
    {
      name: 'a dangling parent (not in the manifest) is ignored',
      project: { resources: [exposure('e', ['model.my_project.gone'])] },
    },
    {
      name: 'an exposure of an installed package is not judged',
      project: {
        resources: [
          model('m'),
          {
            uniqueId: 'exposure.pkg.e',
            resourceType: 'exposure',
            name: 'e',
            packageName: 'pkg',
            dependsOn: [M('m')],
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'evaluator docs example: dim_model_7 (private) is flagged, fct_model_6 is not',
      project: {
        resources: [
          fct6,
          model('dim_model_7', { description: 'excellent model', access: 'private' }),
          exposure('okr_dashboard', [M('fct_model_6'), M('dim_model_7')]),
        ],
      },
      errors: [
        {
          messageId: 'notPublic',
          node: 'exposure.my_project.okr_dashboard',
          related: [M('dim_model_7')],
          data: {
            kind: 'Exposure',
            name: 'okr_dashboard',
            parent: 'dim_model_7',
            reason: 'a private model',
          },
        },
      ],
    },
    {
      name: 'protected (the default access) is not public',
      project: { resources: [model('m'), exposure('e', [M('m')])] },
      errors: [
        {
          messageId: 'notPublic',
          data: { kind: 'Exposure', name: 'e', parent: 'm', reason: 'a protected model' },
        },
      ],
    },
    {
      name: 'sources, seeds and snapshots are reported, one finding per parent',
      project: {
        resources: [
          source,
          seed,
          snapshot,
          exposure('e', [source.uniqueId, seed.uniqueId, snapshot.uniqueId]),
        ],
      },
      errors: [
        {
          messageId: 'notPublic',
          related: [source.uniqueId],
          data: {
            kind: 'Exposure',
            name: 'e',
            parent: 'stripe.charges',
            reason: 'a source, not a model',
          },
        },
        {
          messageId: 'notPublic',
          related: [seed.uniqueId],
          data: { kind: 'Exposure', name: 'e', parent: 'countries', reason: 'a seed, not a model' },
        },
        { messageId: 'notPublic', related: [snapshot.uniqueId] },
      ],
    },
    {
      name: 'allowSources still reports seeds',
      options: { allowSources: true },
      project: { resources: [source, seed, exposure('e', [source.uniqueId, seed.uniqueId])] },
      errors: [{ messageId: 'notPublic', related: [seed.uniqueId] }],
    },
    {
      name: 'a non-public model of an installed package counts (exclude_packages defaults to [])',
      project: {
        resources: [
          model('x', { uniqueId: 'model.pkg.x', packageName: 'pkg' }),
          exposure('e', ['model.pkg.x']),
        ],
      },
      errors: [{ messageId: 'notPublic', related: ['model.pkg.x'] }],
    },
    {
      name: 'a pinned old version is its own parent, named name.vN',
      project: {
        resources: [
          model('customers', {
            uniqueId: 'model.my_project.customers.v1',
            version: '1',
            latestVersion: '2',
          }),
          exposure('e', ['model.my_project.customers.v1']),
        ],
      },
      errors: [
        {
          messageId: 'notPublic',
          data: {
            kind: 'Exposure',
            name: 'e',
            parent: 'customers.v1',
            reason: 'a protected model',
          },
        },
      ],
    },
    {
      name: 'checkSemanticModels: the model a semantic model reads must be public',
      options: { checkSemanticModels: true },
      project: {
        resources: [
          model('fct_orders'),
          {
            uniqueId: 'semantic_model.my_project.orders',
            resourceType: 'semantic_model',
            name: 'orders',
            dependsOn: [M('fct_orders')],
          },
        ],
      },
      errors: [
        {
          messageId: 'notPublic',
          node: 'semantic_model.my_project.orders',
          related: [M('fct_orders')],
          data: {
            kind: 'Semantic model',
            name: 'orders',
            parent: 'fct_orders',
            reason: 'a protected model',
          },
        },
      ],
    },
    {
      name: 'checkSavedQueries: the models behind its metrics, each once',
      options: { checkSavedQueries: true },
      project: {
        resources: [
          model('fct_orders'),
          model('fct_payments', { access: 'public' }),
          {
            uniqueId: 'semantic_model.my_project.orders',
            resourceType: 'semantic_model',
            name: 'orders',
            dependsOn: [M('fct_orders')],
          },
          {
            uniqueId: 'semantic_model.my_project.payments',
            resourceType: 'semantic_model',
            name: 'payments',
            dependsOn: [M('fct_payments')],
          },
          {
            uniqueId: 'metric.my_project.order_count',
            resourceType: 'metric',
            name: 'order_count',
            dependsOn: ['semantic_model.my_project.orders'],
          },
          {
            uniqueId: 'metric.my_project.order_value',
            resourceType: 'metric',
            name: 'order_value',
            dependsOn: ['semantic_model.my_project.orders', 'semantic_model.my_project.payments'],
          },
          {
            uniqueId: 'metric.my_project.avg_value',
            resourceType: 'metric',
            name: 'avg_value',
            dependsOn: ['metric.my_project.order_value', 'metric.my_project.order_count'],
          },
          {
            uniqueId: 'saved_query.my_project.weekly',
            resourceType: 'saved_query',
            name: 'weekly',
            dependsOn: ['metric.my_project.avg_value', 'metric.my_project.order_count'],
          },
        ],
      },
      errors: [
        {
          messageId: 'notPublic',
          node: 'saved_query.my_project.weekly',
          related: [M('fct_orders')],
          data: {
            kind: 'Saved query',
            name: 'weekly',
            parent: 'fct_orders',
            reason: 'a protected model',
          },
        },
      ],
    },
  ],
});

describeCorpusRun('exposure-public-only');
