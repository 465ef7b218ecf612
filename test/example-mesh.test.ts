/** The bundled example (what `npm start` checks) gives the findings its README promises. */
import { check, lineageOf, loadProject } from '../src/index.js';

const example = new URL('../fixtures/example-mesh', import.meta.url).pathname;

test('the example mesh: exactly the models without owner or domain are reported', async () => {
  const project = await loadProject([example]);
  expect(project.projects[0]).toMatchObject({
    name: 'example_mesh',
    schemaVersion: 12,
    input: 'manifest',
    rootDir: example,
  });
  const result = check(project);
  const byRule = (id: string) =>
    result.findings
      .filter((f) => f.ruleId === id)
      .map((f) => f.nodeId)
      .sort();
  expect(byRule('owner-present')).toEqual([
    'model.example_mesh.legacy_customer_export',
    'model.example_mesh.stg_growth__sessions',
  ]);
  expect(byRule('domain-present')).toEqual([
    'model.example_mesh.legacy_customer_export',
    'model.example_mesh.stg_growth__sessions',
  ]);
  expect(result.summary).toEqual({ error: 2, warn: 2, info: 0, waived: 0, baselined: 0 });
});

test('the example mesh: owners and domains come from folder +meta, model YAML and a dbt group', async () => {
  const project = await loadProject([example]);
  const nodes = new Map(lineageOf(project, null).nodes.map((n) => [n.name, n]));
  expect(nodes.get('fct_payments')).toMatchObject({
    domain: 'payments',
    owner: 'payments-data@example.com',
    access: 'public',
  });
  expect(nodes.get('stg_growth__campaigns')?.domain).toBe('growth');
  expect(nodes.get('fct_invoices')).toMatchObject({
    domain: 'finance',
    owner: { email: 'finance-data@example.com' },
  });
  expect(nodes.get('growth_customer_ltv')).toMatchObject({ domain: 'growth', access: 'private' });
  // A cross-domain reference into a non-public model is in the graph.
  const conversion = 'model.example_mesh.fct_signup_conversion';
  expect(project.graph.parents(conversion)).toContain(
    'model.example_mesh.stg_payments__transactions',
  );
});
