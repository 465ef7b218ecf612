import {
  createProject,
  getBuiltinRules,
  type Project,
  type ResourceInit,
} from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'cross-project-consumers')!;

/** A model of `project` (default: the checked project, my_project). */
const model = (
  name: string,
  extra: Partial<ResourceInit> = {},
  project = 'my_project',
): ResourceInit => ({
  uniqueId: `model.${project}.${name}`,
  resourceType: 'model',
  name,
  packageName: project,
  projectName: project,
  access: 'public',
  ...extra,
});
const of = (project: string, name: string) => `model.${project}.${name}`;
const mine = (name: string) => of('my_project', name);
const consumers = (list: unknown) => ({ meta: { steward: { consumers: list } } });

/** A model of the upstream project `finance`, not loaded as a project of the run. */
const finance = (name: string, extra: Partial<ResourceInit> = {}) => model(name, extra, 'finance');

/** Several projects loaded together (`dbt-steward check a b`): every one is checked. */
function mesh(names: string[], resources: ResourceInit[]): Project {
  const project = createProject({ name: names[0]!, resources });
  for (const name of names.slice(1)) project.projects.push({ ...project.projects[0]!, name });
  return project;
}

new RuleTester().run('cross-project-consumers', rule, {
  valid: [
    {
      name: 'listed consumers: a list, a single name, names with spaces around them',
      project: {
        resources: [
          finance('fct_ledger', consumers(['billing', 'my_project'])),
          finance('dim_accounts', consumers('my_project')),
          finance('dim_entities', consumers([' my_project '])),
          model('revenue', {
            dependsOn: [
              of('finance', 'fct_ledger'),
              of('finance', 'dim_accounts'),
              of('finance', 'dim_entities'),
            ],
          }),
        ],
      },
    },
    {
      name: "the model's own project, even with an empty list",
      project: {
        resources: [
          model('fct_orders', consumers([])),
          model('mart_orders', { dependsOn: [mine('fct_orders')] }),
        ],
      },
    },
    {
      name: 'models without a list, with a null value, and placeholders (no meta)',
      project: {
        resources: [
          finance('fct_ledger'),
          finance('dim_accounts', consumers(null)),
          finance('dim_entities', { external: true }),
          model('revenue', {
            dependsOn: [
              of('finance', 'fct_ledger'),
              of('finance', 'dim_accounts'),
              of('finance', 'dim_entities'),
            ],
          }),
        ],
      },
    },
    {
      name: 'tests are not consumers',
      project: {
        resources: [
          finance('fct_ledger', consumers([])),
          model('revenue'),
          {
            uniqueId: 'test.my_project.relationships_revenue_entry_id',
            resourceType: 'test',
            name: 'relationships_revenue_entry_id',
            dependsOn: [mine('revenue'), of('finance', 'fct_ledger')],
            test: {
              name: 'relationships',
              namespace: null,
              columnName: 'entry_id',
              attachedNode: mine('revenue'),
            },
          },
        ],
      },
    },
    {
      name: 'another meta key',
      project: {
        resources: [
          finance('fct_ledger', { meta: { mesh: { consumers: ['my_project'] } } }),
          model('revenue', { dependsOn: [of('finance', 'fct_ledger')] }),
        ],
      },
      options: { consumersMetaKey: 'mesh.consumers' },
    },
    {
      name: 'a mesh where every consumer is listed',
      project: mesh(
        ['shop', 'finance'],
        [
          model('fct_ledger', consumers(['shop']), 'finance'),
          model('stg_ledger', {}, 'finance'),
          model('fct_orders', { dependsOn: [of('finance', 'fct_ledger')] }, 'shop'),
          model('int_ledger', { dependsOn: [of('finance', 'fct_ledger')] }, 'finance'),
        ],
      ),
    },
  ],
  invalid: [
    {
      name: 'a project not on the list',
      project: {
        resources: [
          finance('fct_ledger', consumers(['billing', 'marketing'])),
          model('revenue', { dependsOn: [of('finance', 'fct_ledger')] }),
        ],
      },
      errors: [
        {
          messageId: 'notAllowed',
          node: mine('revenue'),
          related: [of('finance', 'fct_ledger')],
          data: {
            childType: 'Model',
            child: 'revenue',
            childProject: 'my_project',
            parent: 'fct_ledger',
            parentProject: 'finance',
            allowed: 'billing, marketing',
            key: 'steward.consumers',
            target: of('finance', 'fct_ledger'),
          },
        },
      ],
    },
    {
      name: 'an empty list and a single other name, from an exposure and a snapshot',
      project: {
        resources: [
          finance('fct_ledger', consumers([])),
          finance('dim_accounts', consumers('billing')),
          {
            uniqueId: 'exposure.my_project.overview',
            resourceType: 'exposure',
            name: 'overview',
            dependsOn: [of('finance', 'fct_ledger')],
          },
          {
            uniqueId: 'snapshot.my_project.accounts_snap',
            resourceType: 'snapshot',
            name: 'accounts_snap',
            dependsOn: [of('finance', 'dim_accounts')],
          },
        ],
      },
      errors: [
        {
          messageId: 'notAllowed',
          node: 'exposure.my_project.overview',
          data: {
            childType: 'Exposure',
            child: 'overview',
            childProject: 'my_project',
            parent: 'fct_ledger',
            parentProject: 'finance',
            allowed: 'no other project',
            key: 'steward.consumers',
            target: of('finance', 'fct_ledger'),
          },
        },
        {
          messageId: 'notAllowed',
          node: 'snapshot.my_project.accounts_snap',
          related: [of('finance', 'dim_accounts')],
        },
      ],
    },
    {
      name: 'each version has its own list',
      project: {
        resources: [
          finance('dim_accounts', {
            uniqueId: 'model.finance.dim_accounts.v1',
            version: '1',
            ...consumers(['billing']),
          }),
          finance('dim_accounts', {
            uniqueId: 'model.finance.dim_accounts.v2',
            version: '2',
            ...consumers(['billing', 'my_project']),
          }),
          model('revenue', {
            dependsOn: ['model.finance.dim_accounts.v1', 'model.finance.dim_accounts.v2'],
          }),
        ],
      },
      errors: [
        {
          messageId: 'notAllowed',
          node: mine('revenue'),
          related: ['model.finance.dim_accounts.v1'],
        },
      ],
    },
    {
      name: 'an injected node carries its meta',
      project: {
        resources: [
          finance('fct_ledger', { external: true, ...consumers(['billing']) }),
          model('revenue', { dependsOn: [of('finance', 'fct_ledger')] }),
        ],
      },
      errors: [{ messageId: 'notAllowed', node: mine('revenue') }],
    },
    {
      name: 'another meta key: the default one is not read',
      project: {
        resources: [
          finance('fct_ledger', {
            meta: { steward: { consumers: ['my_project'] }, mesh_consumers: ['billing'] },
          }),
          model('revenue', { dependsOn: [of('finance', 'fct_ledger')] }),
        ],
      },
      options: { consumersMetaKey: 'mesh_consumers' },
      errors: [
        {
          messageId: 'notAllowed',
          node: mine('revenue'),
          data: {
            childType: 'Model',
            child: 'revenue',
            childProject: 'my_project',
            parent: 'fct_ledger',
            parentProject: 'finance',
            allowed: 'billing',
            key: 'mesh_consumers',
            target: of('finance', 'fct_ledger'),
          },
        },
      ],
    },
    {
      name: 'values that are not a list of project names',
      project: {
        resources: [
          model('a', consumers(3)),
          model('b', consumers({ billing: true })),
          model('c', consumers(['billing', 7])),
          model('d', consumers(['billing', ' '])),
          model('e', consumers(true)),
        ],
      },
      errors: [
        {
          messageId: 'invalid',
          node: mine('a'),
          data: { name: 'a', key: 'steward.consumers', value: '3', target: mine('a') },
        },
        {
          messageId: 'invalid',
          node: mine('b'),
          data: {
            name: 'b',
            key: 'steward.consumers',
            value: '{"billing":true}',
            target: mine('b'),
          },
        },
        {
          messageId: 'invalid',
          node: mine('c'),
          data: { name: 'c', key: 'steward.consumers', value: '["billing",7]', target: mine('c') },
        },
        { messageId: 'invalid', node: mine('d') },
        { messageId: 'invalid', node: mine('e') },
      ],
    },
    {
      name: 'a mesh: an invalid list is reported on its model and not enforced',
      project: mesh(
        ['shop', 'finance'],
        [
          model('fct_ledger', consumers({ shop: true }), 'finance'),
          model('dim_accounts', consumers(['billing']), 'finance'),
          model('stg_orders', consumers([]), 'shop'),
          model(
            'fct_orders',
            { dependsOn: [of('finance', 'fct_ledger'), of('finance', 'dim_accounts')] },
            'shop',
          ),
          model('int_orders', { dependsOn: [of('shop', 'stg_orders')] }, 'finance'),
        ],
      ),
      errors: [
        { messageId: 'invalid', node: of('finance', 'fct_ledger') },
        {
          messageId: 'notAllowed',
          node: of('shop', 'fct_orders'),
          related: [of('finance', 'dim_accounts')],
        },
        {
          messageId: 'notAllowed',
          node: of('finance', 'int_orders'),
          related: [of('shop', 'stg_orders')],
        },
      ],
    },
  ],
});

describeCorpusRun('cross-project-consumers');
