import {
  createProject,
  getBuiltinRules,
  type Project,
  type ResourceInit,
} from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'cross-project-public-only')!;

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
  ...extra,
});
const of = (project: string, name: string) => `model.${project}.${name}`;
const mine = (name: string) => of('my_project', name);

/** A model of the upstream project `platform`, not loaded as a project of the run. */
const platform = (name: string, extra: Partial<ResourceInit> = {}) =>
  model(name, extra, 'platform');

/** Several projects loaded together (`dbt-steward check a b`): every one is checked. */
function mesh(names: string[], resources: ResourceInit[]): Project {
  const project = createProject({ name: names[0]!, resources });
  for (const name of names.slice(1)) project.projects.push({ ...project.projects[0]!, name });
  return project;
}

new RuleTester().run('cross-project-public-only', rule, {
  valid: [
    {
      name: 'a public model of another project, and a public version of a versioned one',
      project: {
        resources: [
          platform('dim_customers', { access: 'public' }),
          platform('dim_accounts', {
            uniqueId: 'model.platform.dim_accounts.v2',
            version: '2',
            access: 'public',
          }),
          platform('dim_accounts', {
            uniqueId: 'model.platform.dim_accounts.v1',
            version: '1',
            access: 'protected',
          }),
          model('growth_ltv', {
            dependsOn: [of('platform', 'dim_customers'), 'model.platform.dim_accounts.v2'],
          }),
        ],
      },
    },
    {
      name: 'protected and private models within one project',
      project: {
        resources: [
          model('stg_orders'),
          model('int_orders', { access: 'private', group: 'sales' }),
          model('fct_orders', { dependsOn: [mine('stg_orders'), mine('int_orders')] }),
        ],
      },
    },
    {
      name: "an installed package's protected model belongs to the project that installed it",
      project: {
        resources: [
          model('util_calendar', { uniqueId: 'model.utils.util_calendar', packageName: 'utils' }),
          model('fct_orders', { dependsOn: ['model.utils.util_calendar'] }),
        ],
      },
    },
    {
      name: 'tests of another project are not consumers',
      project: {
        resources: [
          platform('stg_customers'),
          model('fct_orders'),
          {
            uniqueId: 'test.my_project.relationships_fct_orders_customer_id',
            resourceType: 'test',
            name: 'relationships_fct_orders_customer_id',
            dependsOn: [mine('fct_orders'), of('platform', 'stg_customers')],
            test: {
              name: 'relationships',
              namespace: null,
              columnName: 'customer_id',
              attachedNode: mine('fct_orders'),
            },
          },
        ],
      },
    },
    {
      name: 'placeholders: a cross-project ref (taken as public) and an unknown access (protected)',
      project: {
        resources: [
          platform('dim_customers', { external: true, access: 'public' }),
          // A ref into a package that is not installed, or an injected node without access.
          model('ad_spend_daily', { external: true }, 'ad_reporting'),
          model('fct_orders', {
            dependsOn: [of('platform', 'dim_customers'), of('ad_reporting', 'ad_spend_daily')],
          }),
        ],
      },
    },
    {
      name: 'a mesh whose references all go to public models',
      project: mesh(
        ['shop', 'finance'],
        [
          model('fct_ledger', { access: 'public' }, 'finance'),
          model('stg_ledger', {}, 'finance'),
          model('fct_orders', { dependsOn: [of('finance', 'fct_ledger')] }, 'shop'),
          model('fct_ledger_enriched', { dependsOn: [of('finance', 'stg_ledger')] }, 'finance'),
        ],
      ),
    },
  ],
  invalid: [
    {
      name: 'a protected model of another project',
      project: {
        resources: [
          platform('stg_customers'),
          model('growth_ltv', { dependsOn: [of('platform', 'stg_customers')] }),
        ],
      },
      errors: [
        {
          messageId: 'protected',
          node: mine('growth_ltv'),
          related: [of('platform', 'stg_customers')],
          data: {
            childType: 'Model',
            child: 'growth_ltv',
            childProject: 'my_project',
            parent: 'stg_customers',
            parentProject: 'platform',
            access: 'protected',
            target: of('platform', 'stg_customers'),
          },
        },
      ],
    },
    {
      name: 'a private model, and a protected version of a versioned model',
      project: {
        resources: [
          platform('int_ledger', { access: 'private', group: 'finance' }),
          platform('dim_accounts', {
            uniqueId: 'model.platform.dim_accounts.v1',
            version: '1',
          }),
          model('growth_ltv', {
            dependsOn: [of('platform', 'int_ledger'), 'model.platform.dim_accounts.v1'],
          }),
        ],
      },
      errors: [
        { messageId: 'private', node: mine('growth_ltv'), related: [of('platform', 'int_ledger')] },
        {
          messageId: 'protected',
          node: mine('growth_ltv'),
          related: ['model.platform.dim_accounts.v1'],
        },
      ],
    },
    {
      name: 'consumers of every kind but tests',
      project: {
        resources: [
          platform('stg_customers'),
          {
            uniqueId: 'snapshot.my_project.customers_snap',
            resourceType: 'snapshot',
            name: 'customers_snap',
            dependsOn: [of('platform', 'stg_customers')],
          },
          {
            uniqueId: 'exposure.my_project.crm',
            resourceType: 'exposure',
            name: 'crm',
            dependsOn: [of('platform', 'stg_customers')],
          },
          {
            uniqueId: 'semantic_model.my_project.customers',
            resourceType: 'semantic_model',
            name: 'customers',
            dependsOn: [of('platform', 'stg_customers')],
          },
          {
            uniqueId: 'analysis.my_project.churn',
            resourceType: 'analysis',
            name: 'churn',
            dependsOn: [of('platform', 'stg_customers')],
          },
        ],
      },
      errors: [
        { messageId: 'protected', node: 'snapshot.my_project.customers_snap' },
        { messageId: 'protected', node: 'exposure.my_project.crm' },
        {
          messageId: 'protected',
          node: 'semantic_model.my_project.customers',
          data: {
            childType: 'Semantic model',
            child: 'customers',
            childProject: 'my_project',
            parent: 'stg_customers',
            parentProject: 'platform',
            access: 'protected',
            target: of('platform', 'stg_customers'),
          },
        },
        { messageId: 'protected', node: 'analysis.my_project.churn' },
      ],
    },
    {
      name: 'an injected node that says it is private',
      project: {
        resources: [
          platform('int_ledger', { external: true, access: 'private' }),
          model('growth_ltv', { dependsOn: [of('platform', 'int_ledger')] }),
        ],
      },
      errors: [{ messageId: 'private', node: mine('growth_ltv') }],
    },
    {
      name: 'a mesh: findings on the consumers of each project',
      project: mesh(
        ['shop', 'finance'],
        [
          model('stg_ledger', {}, 'finance'),
          model('int_ledger', { access: 'private' }, 'finance'),
          model(
            'fct_ledger',
            { access: 'public', dependsOn: [of('shop', 'stg_orders')] },
            'finance',
          ),
          model('stg_orders', {}, 'shop'),
          model(
            'fct_orders',
            { dependsOn: [of('finance', 'stg_ledger'), of('finance', 'int_ledger')] },
            'shop',
          ),
        ],
      ),
      errors: [
        {
          messageId: 'protected',
          node: of('shop', 'fct_orders'),
          related: [of('finance', 'stg_ledger')],
        },
        {
          messageId: 'private',
          node: of('shop', 'fct_orders'),
          related: [of('finance', 'int_ledger')],
        },
        {
          messageId: 'protected',
          node: of('finance', 'fct_ledger'),
          data: {
            childType: 'Model',
            child: 'fct_ledger',
            childProject: 'finance',
            parent: 'stg_orders',
            parentProject: 'shop',
            access: 'protected',
            target: of('shop', 'stg_orders'),
          },
        },
      ],
    },
  ],
});

describeCorpusRun('cross-project-public-only');
