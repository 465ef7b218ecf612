import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'layer-dependency')!;

const id = (name: string) =>
  name.includes('.') ? `source.my_project.${name}` : `model.my_project.${name}`;

/** A model in `folder` (under models/) depending on `deps` (model names, or source.table). */
const m = (
  name: string,
  deps: string[] = [],
  folder = '',
  extra: Partial<ResourceInit> = {},
): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  filePath: `models/${folder ? `${folder}/` : ''}${name}.sql`,
  dependsOn: deps.map(id),
  ...extra,
});
const src = (sourceName: string, table: string): ResourceInit => ({
  uniqueId: `source.my_project.${sourceName}.${table}`,
  resourceType: 'source',
  name: table,
  sourceName,
  filePath: 'models/staging/_sources.yml',
});
const dataTest = (name: string, on: string): ResourceInit => ({
  uniqueId: `test.my_project.${name}`,
  resourceType: 'test',
  name,
  dependsOn: [id(on)],
  test: { name: 'not_null', namespace: null, columnName: 'id', attachedNode: id(on) },
});

/** Only one check on, so that a case shows that check alone. */
const only = (check: string) => ({
  stagingOnStaging: false,
  stagingOnDownstream: false,
  downstreamOnSource: false,
  rootModels: false,
  fanout: false,
  [check]: true,
});

new RuleTester().run('layer-dependency', rule, {
  valid: [
    {
      name: 'a layered DAG: source → staging → intermediate → marts',
      project: {
        resources: [
          src('shop', 'orders'),
          m('stg_orders', ['shop.orders'], 'staging'),
          m('int_orders', ['stg_orders'], 'intermediate'),
          m('fct_orders', ['int_orders'], 'marts'),
        ],
      },
    },
    {
      name: 'evaluator root-model exception: the MetricFlow time spine',
      project: { resources: [m('metricflow_time_spine')] },
    },
    {
      name: 'a staging model reading a seed is not a root model',
      project: {
        resources: [
          { uniqueId: 'seed.my_project.countries', resourceType: 'seed', name: 'countries' },
          m('stg_countries', [], 'staging', { dependsOn: ['seed.my_project.countries'] }),
        ],
      },
    },
    {
      name: 'a model depending only on a package model has a parent',
      project: {
        resources: [
          {
            uniqueId: 'model.pkg.calendar',
            resourceType: 'model',
            name: 'calendar',
            packageName: 'pkg',
          },
          m('dim_dates', [], 'marts', { dependsOn: ['model.pkg.calendar'] }),
        ],
      },
    },
    {
      name: 'below the fanout threshold: two leaf children',
      options: only('fanout'),
      project: {
        resources: [m('fct_model'), m('rpt_1', ['fct_model']), m('rpt_2', ['fct_model'])],
      },
    },
    {
      name: 'tests do not make a model a non-leaf, but any other child does (fanout counts leaves only)',
      options: only('fanout'),
      project: {
        resources: [
          m('fct_model'),
          m('rpt_1', ['fct_model']),
          m('rpt_2', ['fct_model']),
          m('rpt_3', ['fct_model']),
          m('rpt_4', ['rpt_3']),
          dataTest('t1', 'rpt_1'),
        ],
      },
    },
    {
      name: 'each check can be turned off',
      options: {
        stagingOnStaging: false,
        stagingOnDownstream: false,
        downstreamOnSource: false,
        rootModels: false,
        fanout: false,
      },
      project: {
        resources: [
          src('s', 't'),
          m('stg_a', ['s.t'], 'staging'),
          m('stg_b', ['stg_a', 'fct_x'], 'staging'),
          m('fct_x', ['s.t'], 'marts'),
          m('rpt_1', ['fct_x']),
          m('rpt_2', ['fct_x']),
          m('rpt_3', ['fct_x']),
          m('lonely'),
        ],
      },
    },
    {
      name: 'a package staging model reading another is not judged',
      project: {
        resources: [
          {
            uniqueId: 'source.pkg.s.t',
            resourceType: 'source',
            name: 't',
            sourceName: 's',
            packageName: 'pkg',
          },
          {
            uniqueId: 'model.pkg.stg_a',
            resourceType: 'model',
            name: 'stg_a',
            packageName: 'pkg',
            dependsOn: ['source.pkg.s.t'],
          },
          {
            uniqueId: 'model.pkg.stg_b',
            resourceType: 'model',
            name: 'stg_b',
            packageName: 'pkg',
            dependsOn: ['model.pkg.stg_a'],
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'evaluator docs: stg_model_2 is a parent of stg_model_4',
      options: only('stagingOnStaging'),
      project: {
        resources: [
          src('source_1', 'table_2'),
          m('stg_model_2', ['source_1.table_2'], 'staging'),
          m('stg_model_4', ['stg_model_2'], 'staging'),
        ],
      },
      errors: [
        {
          messageId: 'stagingOnStaging',
          node: 'model.my_project.stg_model_4',
          related: ['model.my_project.stg_model_2'],
          data: { name: 'stg_model_4', parent: 'stg_model_2' },
          message:
            "Staging model 'stg_model_4' depends on another staging model, 'stg_model_2': read the source instead, or make 'stg_model_4' an intermediate model.",
        },
      ],
    },
    {
      name: 'staging by folder: a staging-folder model without prefix reading a stg_ model',
      options: only('stagingOnStaging'),
      project: { resources: [m('stg_a'), m('orders_clean', ['stg_a'], 'staging')] },
      errors: [{ messageId: 'stagingOnStaging', data: { name: 'orders_clean', parent: 'stg_a' } }],
    },
    {
      name: 'evaluator docs: stg_model_5, a staging model, builds from fct_model_9, a marts model',
      options: only('stagingOnDownstream'),
      project: {
        resources: [
          src('source_1', 'table_5'),
          m('fct_model_9', ['source_1.table_5'], 'marts'),
          m('stg_model_5', ['fct_model_9'], 'staging'),
        ],
      },
      errors: [
        {
          messageId: 'stagingOnDownstream',
          node: 'model.my_project.stg_model_5',
          related: ['model.my_project.fct_model_9'],
          data: { name: 'stg_model_5', parent: 'fct_model_9', parentType: 'marts' },
        },
      ],
    },
    {
      name: 'evaluator docs: fct_model_9, a marts model, builds from source_1.table_5',
      options: only('downstreamOnSource'),
      project: {
        resources: [src('source_1', 'table_5'), m('fct_model_9', ['source_1.table_5'], 'marts')],
      },
      errors: [
        {
          messageId: 'downstreamOnSource',
          node: 'model.my_project.fct_model_9',
          related: ['source.my_project.source_1.table_5'],
          data: { name: 'fct_model_9', parent: 'source_1.table_5', modelType: 'Marts' },
          message:
            "Marts model 'fct_model_9' reads the source 'source_1.table_5' directly: go through the source's staging model.",
        },
      ],
    },
    {
      name: 'an intermediate model reading a source; an other model may',
      options: only('downstreamOnSource'),
      project: {
        resources: [src('s', 't'), m('int_x', ['s.t']), m('rpt_y', ['s.t']), m('orders', ['s.t'])],
      },
      errors: [
        {
          messageId: 'downstreamOnSource',
          data: { name: 'int_x', parent: 's.t', modelType: 'Intermediate' },
        },
      ],
    },
    {
      name: 'evaluator docs: model_4 has no direct parents',
      options: only('rootModels'),
      project: {
        resources: [
          src('source_1', 'table_1'),
          m('stg_model_1', ['source_1.table_1'], 'staging'),
          m('model_4'),
        ],
      },
      errors: [
        {
          messageId: 'rootModel',
          node: 'model.my_project.model_4',
          data: { name: 'model_4' },
          message:
            "Model 'model_4' has no parent: it uses no ref() and no source(), so its lineage is unknown; reference its inputs with ref() or source().",
        },
      ],
    },
    {
      name: 'a model whose only parent is a disabled (missing) node is a root model',
      options: only('rootModels'),
      project: { resources: [m('fct_x', [], 'marts', { dependsOn: ['model.my_project.gone'] })] },
      errors: [{ messageId: 'rootModel', data: { name: 'fct_x' } }],
    },
    {
      name: 'evaluator docs: fct_model has three direct leaf children (threshold 3)',
      options: only('fanout'),
      project: {
        resources: [
          m('fct_model', [], 'marts'),
          m('rpt_model_1', ['fct_model']),
          m('rpt_model_2', ['fct_model']),
          m('rpt_model_3', ['fct_model']),
        ],
      },
      errors: [
        {
          messageId: 'fanout',
          node: 'model.my_project.fct_model',
          data: {
            name: 'fct_model',
            count: 3,
            threshold: 3,
            children: 'rpt_model_1, rpt_model_2, rpt_model_3',
          },
          message:
            "'fct_model' has 3 direct leaf children (threshold 3): rpt_model_1, rpt_model_2, rpt_model_3; move shared logic upstream, or leave the last step to the BI tool.",
        },
      ],
    },
    {
      name: 'a source fans out too (the evaluator counts any parent); a custom threshold',
      options: { ...only('fanout'), fanoutThreshold: 2 },
      project: { resources: [src('s', 't'), m('stg_a', ['s.t']), m('stg_b', ['s.t'])] },
      errors: [
        {
          messageId: 'fanout',
          node: 'source.my_project.s.t',
          data: { name: 's.t', count: 2, threshold: 2, children: 'stg_a, stg_b' },
        },
      ],
    },
    {
      name: 'all checks at once, by default',
      project: {
        resources: [
          src('s', 't'),
          m('stg_a', ['s.t'], 'staging'),
          m('stg_b', ['stg_a'], 'staging'),
          m('fct_x', ['s.t'], 'marts'),
          m('stg_c', ['fct_x'], 'staging'),
          m('lonely'),
        ],
      },
      errors: [
        { messageId: 'stagingOnStaging', node: 'stg_b' },
        { messageId: 'stagingOnDownstream', node: 'stg_c' },
        { messageId: 'downstreamOnSource', node: 'fct_x' },
        { messageId: 'rootModel', node: 'lonely' },
      ],
    },
  ],
});

test('the fanout threshold defaults to the evaluator models_fanout_threshold, 3', () => {
  const parsed = rule.options!.safeParse({});
  expect(parsed.success && parsed.data.fanoutThreshold).toBe(3);
});

describeCorpusRun('layer-dependency', 'error');
