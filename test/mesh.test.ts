/**
 * A mesh of dbt projects loaded as one graph: inputs (several positionals, a monorepo
 * directory, the config's `mesh:` section), cross-project ref resolution (placeholders and
 * dbt-loom injected nodes replaced by the real models), the project step of the domain chain,
 * the cross-project rules, reports and path mapping across projects. Expectations on the
 * corpus's cross-project sets are written down here with the reason for each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  coverageShortfalls,
  loadProject,
  type CheckResult,
  type DomainsReport,
  type Finding,
  type Project,
} from '../src/index.js';
import { lineageResultSchema } from '../src/report/schemas.js';
import { runCli } from './helpers/cli.js';
import { commitAll, hasGitAndTar, type Git } from './helpers/git-repo.js';
import {
  describeMismatch,
  matchExpectations,
  readExpectations,
  type ActualFinding,
} from './helpers/expectations.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MESH = path.join(REPO, 'fixtures', 'mesh-projects');
const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus');
const PROJECTS = path.join(CORPUS, 'projects');
const MANIFESTS = path.join(CORPUS, 'manifests');
const hasCorpus = fs.existsSync(PROJECTS);
const corpusTest = hasCorpus ? test : test.skip;

/** Edges (parent -> child) whose two ends belong to different projects. */
function crossProjectEdges(p: Project): string[] {
  const out: string[] = [];
  for (const r of p.resources.values()) {
    if (r.resourceType === 'test' || r.resourceType === 'unit_test') continue;
    for (const d of r.dependsOn) {
      const parent = p.resources.get(d);
      if (parent && parent.projectName !== r.projectName) out.push(`${d} -> ${r.uniqueId}`);
    }
  }
  return out.sort();
}

const externals = (p: Project) =>
  [...p.resources.values()].filter((r) => r.external).map((r) => r.uniqueId);

async function check(
  argv: string[],
): Promise<{ code: number; result: CheckResult; stderr: string }> {
  const run = await runCli(['check', ...argv, '--format', 'json'], REPO);
  return { code: run.code, result: JSON.parse(run.stdout) as CheckResult, stderr: run.stderr };
}

const brief = (f: Finding) => `${f.ruleId} ${f.nodeId ?? f.subject.id}`;

describe('the fixture mesh of three projects (fixtures/mesh-projects)', () => {
  let run: { code: number; result: CheckResult; stderr: string };
  beforeAll(async () => {
    // No input on the command line: the config's `mesh:` section names the projects.
    run = await check(['--config', 'fixtures/mesh-projects/dbt-steward.yml']);
  });

  test('the mesh section loads the three projects into one graph', () => {
    expect(run.result.projects.map((p) => p.name)).toEqual(['sales', 'finance', 'marketing']);
    expect(run.stderr).toMatch(/reading fixtures\/mesh-projects\/sales from source/);
  });

  test('exactly the findings written beside the lines in each project', () => {
    for (const name of ['sales', 'finance', 'marketing']) {
      const expectations = readExpectations(path.join(MESH, name));
      const actual: ActualFinding[] = run.result.findings
        .filter((f) => !f.suppressed && f.location?.project === name)
        .map((f) => ({
          ruleId: f.ruleId,
          messageId: f.messageId,
          message: f.message,
          target:
            f.location!.line !== undefined
              ? { kind: 'line', file: f.location!.file, line: f.location!.line }
              : { kind: 'header', file: f.location!.file },
        }));
      const m = matchExpectations(expectations, actual);
      expect(describeMismatch(m)).toBe('');
    }
    // Every finding is located in one of the projects.
    expect(run.result.findings.filter((f) => f.location?.project === undefined)).toEqual([]);
    expect(run.code).toBe(1);
  });

  test('findings say which project their file is in; messages name projects and models', () => {
    const unresolved = run.result.findings.find((f) => f.ruleId === 'ref-unresolved')!;
    expect(unresolved.location).toEqual({
      file: 'models/marts/fct_lost_carts.sql',
      project: 'marketing',
    });
    expect(unresolved.message).toContain("ref('sales', 'carts')");
    expect(unresolved.message).toContain("project 'sales'");
    const consumers = run.result.findings.find((f) => f.ruleId === 'cross-project-consumers')!;
    expect(consumers.message).toMatch(/marketing/);
    expect(consumers.message).toMatch(/finance/);
  });

  test('two-argument refs become edges to the real models of the other projects', async () => {
    const project = await loadProject(['sales', 'finance', 'marketing'], { cwd: MESH });
    expect(externals(project)).toEqual([]);
    expect(crossProjectEdges(project)).toEqual([
      'model.finance.fct_revenue -> exposure.marketing.weekly_kpis',
      'model.finance.fct_revenue -> model.marketing.dim_customer_value',
      'model.sales.dim_customers -> model.finance.fct_revenue',
      'model.sales.fct_order_lines -> model.finance.fct_order_margin',
      'model.sales.fct_orders -> model.finance.fct_revenue',
      'model.sales.fct_orders -> model.marketing.fct_campaign_orders',
    ]);
  });

  test('a project loaded alone keeps placeholders for the projects it refs', async () => {
    const project = await loadProject(['marketing'], { cwd: MESH });
    expect(externals(project).sort()).toEqual([
      'model.finance.fct_revenue',
      'model.sales.carts',
      'model.sales.fct_orders',
    ]);
    expect(project.diagnostics.filter((d) => d.id === 'ref-unresolved')).toEqual([]);
  });

  test('the project is the last step of the default domain chain: mesh domain, else name', async () => {
    const r = await runCli(
      [
        'lineage',
        '--config',
        'fixtures/mesh-projects/dbt-steward.yml',
        '--format',
        'json',
        '--select',
        'fct_revenue+',
      ],
      REPO,
    );
    expect(r.code).toBe(0);
    const nodes = (
      JSON.parse(r.stdout) as { nodes: { id: string; domain: string | null; owner: unknown }[] }
    ).nodes;
    // In a mesh every node says which project its file path is relative to.
    expect(
      (nodes as Array<{ id: string; project?: string }>).find(
        (n) => n.id === 'model.finance.fct_revenue',
      )!.project,
    ).toBe('finance');
    expect(lineageResultSchema.safeParse(JSON.parse(r.stdout)).success).toBe(true);
    const domainOf = Object.fromEntries(nodes.map((n) => [n.id, n.domain]));
    expect(domainOf['model.finance.fct_revenue']).toBe('finance');
    expect(domainOf['model.marketing.dim_customer_value']).toBe('marketing');
    // explain names the mesh entry that gave the domain; without one, the project name.
    const explained = await runCli(
      ['explain', '--config', 'fixtures/mesh-projects/dbt-steward.yml', '-s', 'fct_orders'],
      REPO,
    );
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(
      /domain {2}sales {2}\(project:sales, fixtures\/mesh-projects\/dbt-steward\.yml: mesh\.projects\[0\]\)/,
    );
    const byName = await runCli(
      [
        'explain',
        '--config',
        'fixtures/mesh-projects/dbt-steward.yml',
        '-s',
        'fct_campaign_orders',
      ],
      REPO,
    );
    expect(byName.stdout).toMatch(/domain {2}marketing {2}\(project, dbt_project\.yml\)/);
    // The owner follows from the domain, declared in the config.
    expect(explained.stdout).toMatch(/owner {3}sales-data@acme\.example/);
  });

  test('the same projects given as positionals or as a monorepo directory give the same findings', async () => {
    const fromConfig = run.result.findings.map(brief);
    const positional = await check([
      'fixtures/mesh-projects/sales',
      'fixtures/mesh-projects/finance',
      'fixtures/mesh-projects/marketing',
      '--config',
      'fixtures/mesh-projects/dbt-steward.yml',
    ]);
    expect(positional.result.findings.map(brief)).toEqual(fromConfig);
    // The monorepo scan sorts the projects by folder; findings are sorted anyway.
    const monorepo = await check([
      'fixtures/mesh-projects',
      '--config',
      'fixtures/mesh-projects/dbt-steward.yml',
    ]);
    expect(monorepo.result.projects.map((p) => p.name)).toEqual(['finance', 'marketing', 'sales']);
    expect(monorepo.result.findings.map(brief)).toEqual(fromConfig);
  });

  test('the domains report shows which project depends on which', async () => {
    const r = await runCli(
      [
        'report',
        'domains',
        '--config',
        'fixtures/mesh-projects/dbt-steward.yml',
        '--format',
        'json',
      ],
      REPO,
    );
    const report = JSON.parse(r.stdout) as DomainsReport;
    expect(report.projectMatrix).toEqual([
      { from: 'finance', to: 'sales', count: 3 },
      { from: 'marketing', to: 'finance', count: 2 },
      { from: 'marketing', to: 'sales', count: 1 },
    ]);
    const violations = report.edges.filter((e) => !e.allowed).map((e) => `${e.from} -> ${e.to}`);
    expect(violations).toEqual([
      'model.finance.fct_order_margin -> model.sales.fct_order_lines',
      'model.marketing.fct_campaign_orders -> model.sales.fct_orders',
    ]);
    const text = await runCli(
      ['report', 'domains', '--config', 'fixtures/mesh-projects/dbt-steward.yml'],
      REPO,
    );
    expect(text.stdout).toMatch(/Dependencies between projects/);
    const html = await runCli(
      ['report', 'domains', '--config', 'fixtures/mesh-projects/dbt-steward.yml', '-f', 'html'],
      REPO,
    );
    expect(html.stdout).toMatch(/<h3>Dependencies between projects<\/h3>/);
  });

  test('--changed-files scopes the findings to a changed file of one project of the mesh', async () => {
    const r = await check([
      '--config',
      'fixtures/mesh-projects/dbt-steward.yml',
      '--changed-files',
      'fixtures/mesh-projects/finance/models/marts/fct_order_margin.sql',
    ]);
    expect(r.result.findings.map(brief)).toEqual([
      'cross-domain-ref model.finance.fct_order_margin',
      'cross-project-public-only model.finance.fct_order_margin',
    ]);
  });

  test('CI outputs point at each project\u2019s own folder in the repository', async () => {
    const r = await runCli(
      [
        'check',
        '--config',
        'fixtures/mesh-projects/dbt-steward.yml',
        '--format',
        'codequality',
        '--path-prefix',
        'fixtures/mesh-projects/sales',
      ],
      REPO,
    );
    const issues = JSON.parse(r.stdout) as { location: { path: string } }[];
    expect([...new Set(issues.map((i) => i.location.path))].sort()).toEqual([
      'fixtures/mesh-projects/finance/models/marts/_models.yml',
      'fixtures/mesh-projects/marketing/models/marts/_models.yml',
      'fixtures/mesh-projects/marketing/models/marts/fct_lost_carts.sql',
    ]);
  });

  test('coverage rules measure each project on its own', async () => {
    const project = await loadProject(['sales', 'finance', 'marketing'], { cwd: MESH });
    // Only finance's models pass: finance is at 100%, the others at 0%, each on its own.
    const shortfalls = coverageShortfalls(
      project,
      (r) => r.projectName === 'finance',
      { minimum: 50, perDomain: false, domains: {} },
      () => null,
    );
    expect(shortfalls).toEqual([
      { domain: null, project: 'sales', coverage: 0, covered: 0, total: 5, minimum: 50 },
      { domain: null, project: 'marketing', coverage: 0, covered: 0, total: 3, minimum: 50 },
    ]);
  });
});

describe('corpus: cross-project sets', () => {
  corpusTest(
    'cosmos cross_project manifests: every injected upstream node becomes the real upstream model',
    async () => {
      const project = await loadProject(
        [
          path.join(MANIFESTS, 'cosmos-cross_project-downstream'),
          path.join(MANIFESTS, 'cosmos-cross_project-upstream'),
        ],
        { mode: 'manifest' },
      );
      expect(externals(project)).toEqual([]);
      expect(crossProjectEdges(project)).toEqual([
        'model.upstream.int_customer_orders -> model.downstream.fct_customer_revenue',
        'model.upstream.int_orders_enriched -> model.downstream.dim_payment_methods',
        'model.upstream.int_orders_enriched -> model.downstream.fct_revenue',
        'model.upstream.stg_customers -> model.downstream.fct_customer_revenue',
        'model.upstream.stg_order_items -> model.downstream.fct_revenue',
        'model.upstream.stg_products -> model.downstream.fct_revenue',
      ]);
      // The real node, with its file, replaced the injected copy.
      expect(project.resources.get('model.upstream.stg_products')!.filePath).toMatch(/\.sql$/);
    },
  );

  corpusTest('cosmos cross_project trees: the same edges read from source', async () => {
    const project = await loadProject(['downstream', 'upstream'], {
      cwd: path.join(PROJECTS, 'cosmos-cross_project'),
      mode: 'source',
    });
    expect(externals(project)).toEqual([]);
    expect(crossProjectEdges(project)).toHaveLength(6);
    expect(project.diagnostics.filter((d) => d.id === 'ref-unresolved')).toEqual([]);
  });

  corpusTest(
    'cosmos cross_project as a monorepo: four projects, the bidirectional pair included',
    async () => {
      const r = await check([path.join(PROJECTS, 'cosmos-cross_project')]);
      expect(r.result.projects.map((p) => p.name)).toEqual([
        'downstream',
        'project_a',
        'project_b',
        'upstream',
      ]);
      // Every cross-project target is public (upstream's models, and each bidirectional
      // project's staging model): no cross-project finding, no unresolved ref.
      expect(
        r.result.findings.filter((f) => /^cross-project|^ref-unresolved/.test(f.ruleId)),
      ).toEqual([]);
    },
  );

  corpusTest('dbt-loom test projects: every two-argument ref resolves', async () => {
    const project = await loadProject([path.join(PROJECTS, 'dbt-loom-test_projects')]);
    expect(externals(project)).toEqual([]);
    expect(project.diagnostics.filter((d) => d.id === 'ref-unresolved')).toEqual([]);
    expect(crossProjectEdges(project)).toEqual([
      // ref('revenue', 'orders') is unpinned: dbt resolves it to the latest version, v2.
      'model.revenue.orders.v2 -> model.customer_success.customers',
      // A two-argument ref may name a seed (dbt-loom injects public seeds).
      'seed.revenue.integers -> model.customer_success.customers',
      // customer_success's `orders` model refs revenue's too, but it is disabled
      // (enabled=var('test_microbatch_event_time', False)).
    ]);
    const r = await check([path.join(PROJECTS, 'dbt-loom-test_projects')]);
    const found = r.result.findings
      .filter((f) => /^cross-/.test(f.ruleId))
      .map((f) => `${brief(f)} -> ${String(f.data.target)}`);
    expect(found).toEqual([
      // Seeds have no access level in dbt, so a seed of another domain is never part of its
      // public interface: reading revenue's seed from customer_success crosses the boundary.
      'cross-domain-ref model.customer_success.customers -> seed.revenue.integers',
      // accounts is in group `sales` (so domain sales); stg_accounts has no group, so the
      // mesh's project step gives it the project's domain, revenue; and it is protected.
      'cross-domain-ref model.revenue.accounts -> model.revenue.stg_accounts',
    ]);
  });

  corpusTest(
    'teradata dbt-loom mesh: every two-argument ref resolves, all into public models',
    async () => {
      const project = await loadProject([path.join(PROJECTS, 'teradata-dbt-mesh')]);
      expect(project.projects.map((p) => p.name)).toEqual([
        'domain_finance',
        'domain_inventory',
        'domain_sales',
      ]);
      expect(externals(project)).toEqual([]);
      expect(crossProjectEdges(project)).toEqual([
        'model.domain_inventory.products -> model.domain_sales.order_summary',
        'model.domain_inventory.stock_product -> model.domain_finance.orders_cost',
        'model.domain_sales.order_summary -> model.domain_finance.order_products_dates',
        'model.domain_sales.order_summary -> model.domain_finance.orders_pl',
        'model.domain_sales.stg_order_products -> model.domain_finance.order_products_dates',
      ]);
      const r = await check([path.join(PROJECTS, 'teradata-dbt-mesh')]);
      // Every referenced model is declared `access: public` in its project's schema.yml.
      expect(r.result.findings.filter((f) => /^cross-|^ref-unresolved/.test(f.ruleId))).toEqual([]);
    },
  );
});

describe('mesh inputs', () => {
  test('a directory with neither a project nor a manifest, and no project below, is an input error', async () => {
    const r = await runCli(['check', 'fixtures/mesh-projects/sales/models'], REPO);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no manifest\.json and no dbt_project\.yml found in it or below it/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('an unknown key in a mesh entry is a config error naming the key', async () => {
    const dir = fs.mkdtempSync(path.join(REPO, '.tmp-mesh-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'dbt-steward.yml'),
        'mesh:\n  projects:\n    - path: ../fixtures/mesh-projects/sales\n      domian: sales\n',
      );
      const r = await runCli(['check', '--config', path.join(dir, 'dbt-steward.yml')], REPO);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/mesh\.projects\[0\]/);
      expect(r.stderr).toMatch(/domian/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const gitDescribe = hasGitAndTar ? describe : describe.skip;

gitDescribe('a breaking change across projects (--base, the mesh in a git repository)', () => {
  /** A copy of the fixture mesh committed to a new repository; the head drops a column. */
  function meshRepo(): { root: string; git: Git } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-mesh-'));
    fs.cpSync(MESH, root, { recursive: true });
    const git = commitAll(root, 'base');
    // The head: sales drops customer_id from its public, contracted fct_orders.
    const yml = path.join(root, 'sales', 'models', 'marts', '_models.yml');
    const text = fs.readFileSync(yml, 'utf8');
    const column =
      / {6}- name: customer_id\n {8}data_type: integer\n {8}description: Who ordered\.\n/;
    expect(text).toMatch(column);
    fs.writeFileSync(yml, text.replace(column, ''));
    return { root, git };
  }

  const breakingOf = (r: CheckResult) =>
    r.findings.filter((f) => f.ruleId === 'breaking-change' && !f.suppressed);

  test('--base REF reads every project at its own folder; the finding names the consuming projects and owners', async () => {
    const { root, git } = meshRepo();
    try {
      const before = git('status', '--porcelain');
      const run = await runCli(['check', '--base', 'HEAD', '--format', 'json'], root);
      expect(run.stderr).not.toMatch(/error/);
      const result = JSON.parse(run.stdout) as CheckResult;
      expect(result.projects.map((p) => p.name)).toEqual(['sales', 'finance', 'marketing']);
      const breaking = breakingOf(result);
      expect(breaking.map((f) => f.message)).toEqual([
        "Breaking change to 'fct_orders': column 'customer_id' removed; it breaks projects finance (owner finance-data@acme.example), marketing (owner marketing-data@acme.example).",
      ]);
      expect(breaking[0]!.related).toEqual([
        'model.finance.fct_revenue',
        'model.marketing.fct_campaign_orders',
      ]);
      expect(breaking[0]!.location).toMatchObject({ project: 'sales' });
      // Only the breaking change is new: the findings the mesh already had are existing.
      const fresh = result.findings.filter(
        (f) => (f as Finding & { status: string }).status === 'new',
      );
      expect(fresh.map((f) => f.ruleId)).toEqual(['breaking-change']);
      expect(run.code).toBe(1);
      expect(git('status', '--porcelain')).toBe(before);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('--base with no value takes each project\u2019s base from its mesh entry', async () => {
    const { root } = meshRepo();
    try {
      const config = path.join(root, 'dbt-steward.yml');
      fs.writeFileSync(
        config,
        fs.readFileSync(config, 'utf8').replace(/( {4}- path: (\w+)\n)/g, '$1      base: HEAD\n'),
      );
      const run = await runCli(['check', '--base', '--format', 'json'], root);
      const result = JSON.parse(run.stdout) as CheckResult;
      expect(breakingOf(result).map((f) => f.nodeId)).toEqual(['model.sales.fct_orders']);
      // A project without a base in its entry is a usage error naming it.
      fs.writeFileSync(
        config,
        fs
          .readFileSync(config, 'utf8')
          .replace('    - path: marketing\n      base: HEAD\n', '    - path: marketing\n'),
      );
      const missing = await runCli(['check', '--base'], root);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/project marketing has no base in the config's mesh: section/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a manifest cannot be the base of several projects', async () => {
    const run = await runCli(
      [
        'check',
        '--config',
        'fixtures/mesh-projects/dbt-steward.yml',
        '--base',
        'fixtures/example-mesh/target/manifest.json',
      ],
      REPO,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/a manifest is the base of one project, and 3 projects are checked/);
  });
});
