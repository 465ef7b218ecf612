/** The doc-example harness with several dbt projects in one example (a mesh). */
import {
  DocExampleError,
  exampleConfig,
  parseDocExamples,
  projectOfExample,
  splitProjects,
} from './helpers/doc-examples.js';
import { getBuiltinRules } from '../src/index.js';

function example(...blocks: string[][]) {
  const md = ['# some-rule', '', '## Failing', ''];
  for (const b of blocks)
    md.push(`\`\`\`${b[0]!.startsWith('--') ? 'sql' : 'yaml'}`, ...b, '```', '');
  return parseDocExamples(md.join('\n'), 'some-rule').failing[0]!;
}

const MESH = example(
  ['# platform/dbt_project.yml', 'name: platform'],
  [
    '# platform/models/_platform__models.yml',
    'models:',
    '  - name: dim_customers',
    '    access: public',
    '    config:',
    '      meta: {steward: {consumers: [example]}}',
    'groups:',
    '  - name: core',
    '    owner: {email: core@example.com}',
  ],
  ['-- platform/models/stg_customers.sql', 'select 1 as customer_id'],
  ['-- platform/models/dim_customers.sql', "select * from {{ ref('stg_customers') }}"],
  [
    '-- models/growth_ltv.sql',
    "select * from {{ ref('platform', 'dim_customers') }} join {{ ref('billing', 'fct_invoices') }}",
  ],
  ['# dbt-steward.yml', 'rules:', '  cross-project-consumers: warn'],
);

describe('examples with several projects', () => {
  test('blocks under a folder with its own dbt_project.yml form another project', () => {
    const [main, platform] = splitProjects(MESH);
    expect(main!.blocks.map((b) => b.file)).toEqual(['models/growth_ltv.sql', 'dbt-steward.yml']);
    expect(platform!.blocks.map((b) => b.file)).toEqual([
      'dbt_project.yml',
      'models/_platform__models.yml',
      'models/stg_customers.sql',
      'models/dim_customers.sql',
    ]);
  });

  test('one mesh: every project is loaded, refs into a loaded project reach its models', () => {
    const project = projectOfExample(MESH);
    expect(project.projects.map((p) => p.name)).toEqual(['example', 'platform']);
    expect(project.projects[1]!.counts).toEqual({ model: 2 });
    const r = (id: string) => project.resources.get(id)!;
    expect(r('model.example.growth_ltv').dependsOn).toEqual([
      'model.platform.dim_customers',
      'model.billing.fct_invoices',
    ]);
    expect(r('model.platform.dim_customers')).toMatchObject({
      projectName: 'platform',
      packageName: 'platform',
      access: 'public',
      external: false,
      fqn: ['platform', 'dim_customers'],
      meta: { steward: { consumers: ['example'] } },
      dependsOn: ['model.platform.stg_customers'],
    });
    expect(r('model.example.growth_ltv')).toMatchObject({ projectName: 'example' });
    // A project that is not part of the example stays a placeholder.
    expect(r('model.billing.fct_invoices')).toMatchObject({ external: true, access: 'public' });
    expect([...project.groups.keys()]).toEqual(['group.platform.core']);
  });

  test('the settings come from the checked project only', () => {
    const rule = getBuiltinRules().find((x) => x.id === 'cross-project-consumers')!;
    expect(exampleConfig(MESH, rule).rules[rule.id]![0]!.severity).toBe('warn');
  });

  test('errors: a nameless project, nested project folders, settings in another project', () => {
    const nameless = example(
      ['# platform/dbt_project.yml', 'models: {}'],
      ['-- models/a.sql', 'select 1'],
    );
    expect(() => projectOfExample(nameless)).toThrow(/must give its name/);
    const nested = example(
      ['# platform/dbt_project.yml', 'name: platform'],
      ['# platform/core/dbt_project.yml', 'name: core'],
    );
    expect(() => splitProjects(nested)).toThrow(DocExampleError);
    const settings = example(
      ['# platform/dbt_project.yml', 'name: platform'],
      ['# platform/dbt-steward.yml', 'rules: {}'],
    );
    expect(() => splitProjects(settings)).toThrow(/belongs to the checked project/);
    const twins = example(
      ['# dbt_project.yml', 'name: platform'],
      ['# platform/dbt_project.yml', 'name: platform'],
    );
    expect(() => projectOfExample(twins)).toThrow(/named alike/);
  });

  test('an example without project folders is one project, as before', () => {
    const one = example(
      ['-- models/a.sql', 'select 1'],
      ['-- models/b.sql', "select * from {{ ref('a') }}"],
    );
    expect(splitProjects(one)).toEqual([one]);
    const project = projectOfExample(one);
    expect(project.projects.map((p) => p.name)).toEqual(['example']);
    expect(project.resources.get('model.example.b')!.dependsOn).toEqual(['model.example.a']);
  });
});
