/** The doc-example harness itself: parsing docs and building example projects. */
import {
  DocExampleError,
  exampleConfig,
  parseDocExamples,
  projectOfExample,
  runDocExample,
} from './helpers/doc-examples.js';
import { getBuiltinRules } from '../src/index.js';

const DOC = [
  '# some-rule',
  '',
  '## Why',
  '',
  '```yaml',
  '# models/ignored.yml',
  'models: [{name: not_an_example}]',
  '```',
  '',
  '## Failing',
  '',
  '```yaml',
  '# models/growth/_growth__models.yml',
  'models:',
  '  - name: growth_ltv',
  '```',
  '',
  '```sh',
  'echo ignored',
  '```',
  '',
  '### Across domains',
  '',
  '```yaml',
  '# dbt_project.yml: folder-level meta',
  'models:',
  '  example:',
  '    +tags: [all]',
  '    growth:',
  '      +meta: {domain: growth, owner: growth@example.com}',
  '      marts:',
  '        +meta: {owner: marts@example.com}',
  '        +access: public',
  '```',
  '',
  'Some prose between blocks.',
  '',
  '```yaml',
  '# models/growth/marts/_marts.yml',
  'version: 2',
  'groups:',
  '  - name: finance',
  '    owner: {name: Finance, email: fin@example.com}',
  'sources:',
  '  - name: stripe',
  '    meta: {domain: payments}',
  '    tables:',
  '      - name: charges',
  '        meta: {owner: pay@example.com}',
  '        columns:',
  '          - name: id',
  '            data_tests: [unique]',
  'models:',
  '  - name: growth_ltv',
  '    description: LTV.',
  '    config:',
  '      group: finance',
  '      contract: {enforced: true}',
  '      meta: {owner: me@example.com}',
  '    columns:',
  '      - name: customer_id',
  '        data_type: int',
  '        data_tests:',
  '          - not_null',
  '          - relationships: {to: "ref(\'dim_customers\', v=2)", field: id}',
  '  - name: dim_customers',
  '    latest_version: 2',
  '    versions:',
  '      - v: 1',
  '        deprecation_date: 2026-01-01',
  '      - v: 2',
  '    columns:',
  '      - name: id',
  '        tests: [unique]',
  'exposures:',
  '  - name: board',
  '    type: dashboard',
  '    owner: {name: Board, email: board@example.com}',
  "    depends_on: [\"ref('growth_ltv')\", \"source('stripe', 'charges')\"]",
  '```',
  '',
  '```sql',
  '-- models/growth/marts/growth_ltv.sql',
  "{{ config(meta={'sla': 'daily'}, tags=['x']) }}",
  "select * from {{ ref('dim_customers') }} join {{ source('stripe', 'charges') }}",
  "-- {{ ref('commented_out') }}",
  "join {{ ref('payments', 'fct_payments') }}",
  '```',
  '',
  '```yaml',
  '# dbt-steward.yml',
  'rules:',
  '  owner-present: [warn]',
  'domains:',
  '  declared:',
  '    growth: {owners: [growth@example.com], public: ["tag:all"]}',
  'owners:',
  '  formats: [email]',
  '  registry: {known: [a@example.com]}',
  '```',
  '',
  '## Passing',
  '',
  '```sql',
  '-- models/x.sql',
  'select 1',
  '```',
  '',
  '## Options',
  '',
  '```yaml',
  '# dbt-steward.yml',
  'rules: {}',
  '```',
].join('\n');

describe('parseDocExamples', () => {
  const examples = parseDocExamples(DOC, 'some-rule');

  test('groups blocks by section and ### subsection, ignoring other sections and languages', () => {
    expect(examples.failing.map((e) => [e.title, e.blocks.map((b) => b.file)])).toEqual([
      ['Failing', ['models/growth/_growth__models.yml']],
      [
        'Across domains',
        [
          'dbt_project.yml',
          'models/growth/marts/_marts.yml',
          'models/growth/marts/growth_ltv.sql',
          'dbt-steward.yml',
        ],
      ],
    ]);
    expect(examples.passing.map((e) => e.title)).toEqual(['Passing']);
    expect(examples.failing[0]!.line).toBe(12);
  });

  test('a block without a file line is an error naming the doc line', () => {
    expect(() => parseDocExamples('## Failing\n\n```yaml\nmodels: []\n```\n', 'r')).toThrow(
      /r\.md:3: a yaml example must name its file/,
    );
  });

  test('the same file twice in one example is an error', () => {
    const doc = '## Passing\n\n```sql\n-- models/a.sql\n```\n\n```sql\n-- models/a.sql\n```\n';
    expect(() => parseDocExamples(doc, 'r')).toThrow(DocExampleError);
  });
});

describe('projectOfExample', () => {
  const example = parseDocExamples(DOC, 'some-rule').failing[1]!;
  const project = projectOfExample(example);
  const get = (id: string) => {
    const r = project.resources.get(id);
    if (!r) throw new Error(`no ${id}; have ${[...project.resources.keys()].join(', ')}`);
    return r;
  };

  test('models merge folder config, YAML and SQL config; refs and sources become dependsOn', () => {
    const m = get('model.example.growth_ltv');
    expect(m.filePath).toBe('models/growth/marts/growth_ltv.sql');
    expect(m.patchPath).toBe('models/growth/marts/_marts.yml');
    expect(m.fqn).toEqual(['example', 'growth', 'marts', 'growth_ltv']);
    expect(m.meta).toEqual({
      domain: 'growth',
      owner: 'me@example.com',
      sla: 'daily',
    });
    expect(m.tags).toEqual(['all', 'x']);
    expect(m.access).toBe('public');
    expect(m.group).toBe('finance');
    expect(m.contract?.enforced).toBe(true);
    expect(m.columns.map((c) => [c.name, c.dataType])).toEqual([['customer_id', 'int']]);
    expect(m.dependsOn).toEqual([
      'model.example.dim_customers.v2',
      'model.payments.fct_payments',
      'source.example.stripe.charges',
    ]);
  });

  test('versions become one node each; a bare ref goes to the latest', () => {
    const v1 = get('model.example.dim_customers.v1');
    expect(v1.version).toBe('1');
    expect(v1.latestVersion).toBe('2');
    expect(v1.deprecationDate).toBe('2026-01-01');
    expect(v1.filePath).toBe('models/growth/marts/dim_customers_v1.sql');
    expect(get('model.example.dim_customers.v2').deprecationDate).toBeNull();
  });

  test('generic tests become test resources attached to their node', () => {
    const t = get('test.example.not_null_growth_ltv_customer_id');
    expect(t.test).toEqual({
      name: 'not_null',
      namespace: null,
      columnName: 'customer_id',
      attachedNode: 'model.example.growth_ltv',
    });
    expect(t.dependsOn).toEqual(['model.example.growth_ltv']);
    const rel = get('test.example.relationships_growth_ltv_customer_id');
    expect(rel.dependsOn).toEqual(['model.example.growth_ltv', 'model.example.dim_customers.v2']);
    expect(get('test.example.unique_dim_customers_v1_id').test?.attachedNode).toBe(
      'model.example.dim_customers.v1',
    );
    expect(get('test.example.unique_source_stripe_charges_id').test?.attachedNode).toBe(
      'source.example.stripe.charges',
    );
  });

  test('sources, exposures, groups and cross-project refs', () => {
    const s = get('source.example.stripe.charges');
    expect(s.meta).toEqual({ domain: 'payments', owner: 'pay@example.com' });
    expect(s.sourceName).toBe('stripe');
    const e = get('exposure.example.board');
    expect(e.owner).toEqual({ name: 'Board', email: 'board@example.com' });
    expect(e.dependsOn).toEqual(['model.example.growth_ltv', 'source.example.stripe.charges']);
    expect([...project.groups.keys()]).toEqual(['group.example.finance']);
    const ext = get('model.payments.fct_payments');
    expect(ext.external).toBe(true);
    expect(project.graph.children('model.example.dim_customers.v2')).toContain(
      'model.example.growth_ltv',
    );
  });

  test('dbt-steward.yml gives the rule setting, declared domains and owners', () => {
    const rule = getBuiltinRules().find((r) => r.id === 'owner-present')!;
    const config = exampleConfig(example, rule);
    expect(config.rules['owner-present']).toEqual([{ severity: 'warn', origin: 'doc example' }]);
    expect(Object.keys(config.rules)).toEqual(['owner-present']);
    expect(config.domains.declared.growth?.owners).toEqual(['growth@example.com']);
    expect(config.domains.declared.growth?.public).toEqual(['tag:all']);
    expect(config.owners.formats).toEqual(['email']);
    expect(config.owners.registry).toEqual({ known: ['a@example.com'], require: true });
  });

  test('an unknown ref is an error that names the doc line', () => {
    const bad = parseDocExamples(
      "## Failing\n\n```sql\n-- models/a.sql\nselect * from {{ ref('nope') }}\n```\n",
      'r',
    ).failing[0]!;
    expect(() => projectOfExample(bad)).toThrow(/r\.md:3 \(models\/a\.sql\): ref\('nope'\)/);
  });

  test('runDocExample runs only the rule, at the dbt-steward.yml severity', () => {
    // Every model here has an owner (the versions of dim_customers through the folder meta).
    expect(runDocExample('owner-present', example)).toEqual([]);
    const bare = parseDocExamples(
      [
        '## Failing',
        '```sql',
        '-- models/a.sql',
        'select 1',
        '```',
        '```yaml',
        '# dbt-steward.yml',
        'rules: {owner-present: warn, domain-present: error}',
        '```',
      ].join('\n'),
      'r',
    ).failing[0]!;
    const findings = runDocExample('owner-present', bare);
    expect(findings.map((f) => [f.ruleId, f.severity, f.nodeId])).toEqual([
      ['owner-present', 'warn', 'model.example.a'],
    ]);
  });
});
