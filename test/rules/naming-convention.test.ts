import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'naming-convention')!;

/** A model from its file path under the project (`models/marts/model_8.sql`). */
const at = (file: string, extra: Partial<ResourceInit> = {}): ResourceInit => {
  const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.sql$/, '');
  return {
    uniqueId: `model.my_project.${name}`,
    resourceType: 'model',
    name,
    filePath: file,
    ...extra,
  };
};
const one = (file: string, extra: Partial<ResourceInit> = {}) => ({ resources: [at(file, extra)] });

new RuleTester().run('naming-convention', rule, {
  valid: [
    {
      name: 'evaluator docs: model_8 renamed fct_model_8',
      project: one('models/marts/fct_model_8.sql'),
    },
    { name: 'evaluator docs: or dim_model_8', project: one('models/marts/dim_model_8.sql') },
    { name: 'staging', project: one('models/staging/shop/stg_shop__orders.sql') },
    { name: 'intermediate', project: one('models/marts/intermediate/int_orders.sql') },
    { name: 'other: rpt_', project: one('models/reports/rpt_weekly.sql') },
    {
      name: 'a known prefix passes in any folder (folders are fct_model_directories business)',
      project: one('models/marts/stg_orders.sql'),
    },
    {
      name: 'the MetricFlow time spine is skipped',
      project: one('models/metricflow_time_spine.sql'),
    },
    {
      name: 'a package model is not judged',
      project: one('models/x.sql', { uniqueId: 'model.pkg.x', packageName: 'pkg' }),
    },
    {
      name: 'custom types: base_ added',
      options: {
        modelTypes: {
          base: { prefixes: ['base_'], folders: ['base'] },
          staging: { prefixes: ['stg_'], folders: ['staging'] },
        },
      },
      project: one('models/staging/base/base_orders.sql'),
    },
    {
      name: 'a prefix with two underscores (startsWith, not first segment)',
      options: { modelTypes: { staging: { prefixes: ['stg__'], folders: ['staging'] } } },
      project: one('models/staging/stg__orders.sql'),
    },
    {
      name: 'checkFolder: prefix and folder agree',
      options: { checkFolder: true },
      project: one('models/marts/intermediate/int_orders.sql'),
    },
    {
      name: 'an excluded name',
      options: { exclude: ['legacy'] },
      project: one('models/legacy.sql'),
    },
  ],
  invalid: [
    {
      name: 'evaluator docs: model_8 in marts should be fct_model_8 or dim_model_8',
      project: one('models/marts/model_8.sql'),
      errors: [
        {
          messageId: 'prefix',
          node: 'model.my_project.model_8',
          data: { name: 'model_8', prefix: 'model_', modelType: 'marts', expected: 'fct_, dim_' },
          message:
            "Model 'model_8' has no model-type prefix (its name starts with 'model_'): in the marts layer its name should start with fct_, dim_.",
        },
      ],
    },
    {
      name: 'in no type folder: the other type (rpt_)',
      project: one('models/orders.sql'),
      errors: [
        {
          messageId: 'prefix',
          data: { name: 'orders', prefix: 'orders_', modelType: 'other', expected: 'rpt_' },
        },
      ],
    },
    {
      name: 'the folder found furthest along the path decides (marts/intermediate → intermediate)',
      project: one('models/marts/intermediate/orders_pivoted.sql'),
      errors: [
        {
          messageId: 'prefix',
          data: {
            name: 'orders_pivoted',
            prefix: 'orders_',
            modelType: 'intermediate',
            expected: 'int_',
          },
        },
      ],
    },
    {
      name: 'a folder must be a whole path segment',
      project: one('models/marts_legacy/orders.sql'),
      errors: [
        {
          messageId: 'prefix',
          data: { name: 'orders', prefix: 'orders_', modelType: 'other', expected: 'rpt_' },
        },
      ],
    },
    {
      name: 'a prefix must match exactly (case)',
      project: one('models/staging/STG_orders.sql'),
      errors: [
        {
          messageId: 'prefix',
          data: { name: 'STG_orders', prefix: 'STG_', modelType: 'staging', expected: 'stg_' },
        },
      ],
    },
    {
      name: 'versioned models are named name.vN',
      project: one('models/marts/orders_v2.sql', {
        uniqueId: 'model.my_project.orders.v2',
        name: 'orders',
        version: '2',
        latestVersion: '2',
      }),
      errors: [
        {
          messageId: 'prefix',
          data: {
            name: 'orders.v2',
            prefix: 'orders_',
            modelType: 'marts',
            expected: 'fct_, dim_',
          },
        },
      ],
    },
    {
      name: 'custom types without other: every prefix is suggested',
      options: {
        modelTypes: {
          staging: { prefixes: ['stg_'], folders: ['staging'] },
          marts: { prefixes: ['fct_', 'dim_'] },
        },
      },
      project: one('models/x/orders.sql'),
      errors: [
        {
          messageId: 'prefix',
          data: {
            name: 'orders',
            prefix: 'orders_',
            modelType: 'unknown',
            expected: 'stg_, fct_, dim_',
          },
        },
      ],
    },
    {
      name: 'checkFolder: an intermediate model in the marts folder',
      options: { checkFolder: true },
      project: one('models/marts/int_orders.sql'),
      errors: [
        {
          messageId: 'folder',
          data: {
            name: 'int_orders',
            modelType: 'intermediate',
            folderType: 'marts',
            folder: 'marts',
            expected: 'fct_, dim_',
          },
          message:
            "Model 'int_orders' is named for the intermediate layer but lives in the marts folder 'marts': move it, or rename it with fct_, dim_.",
        },
      ],
    },
  ],
});

test('modelTypes replace the defaults as a whole', () => {
  const parsed = rule.options!.safeParse({ modelTypes: { staging: { prefixes: ['stg_'] } } });
  expect(parsed.success && parsed.data).toEqual({
    modelTypes: { staging: { prefixes: ['stg_'], folders: [] } },
    exclude: ['metricflow_time_spine'],
    checkFolder: false,
  });
  expect(rule.options!.safeParse({ modelTypes: { x: { prefixes: [] } } }).success).toBe(false);
});

describeCorpusRun('naming-convention', ['error', { checkFolder: true }]);
