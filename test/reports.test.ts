/**
 * The governance reports (report owners|domains|products, lineage --group-by domain): their
 * numbers against figures computed here from the project model, the escaping of untrusted
 * names in every format, 80-column text tables, determinism and the CLI's exit codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  buildDomainLineage,
  buildDomainsReport,
  buildOwnersReport,
  buildProductsReport,
  createProject,
  emptyEngineConfig,
  getBuiltinRules,
  isDataProduct,
  loadConfig,
  loadProject,
  ownerLabel,
  Registry,
  Resolver,
  type LoadedConfig,
  type Project,
  type ReportOptions,
  type ResourceInit,
} from '../src/index.js';
import { csvCell, formatCsv } from '../src/report/csv.js';
import { formatDomainsCsv, formatOwnersCsv, formatProductsCsv } from '../src/report/report-csv.js';
import { dotString, formatDomainsDot } from '../src/report/report-dot.js';
import { formatReportJson } from '../src/report/report-json.js';
import {
  formatDomainsMarkdown,
  formatOwnersMarkdown,
  formatProductsMarkdown,
  mdText,
} from '../src/report/report-markdown.js';
import { formatDomainsMermaid, mermaidLabel } from '../src/report/report-mermaid.js';
import {
  formatDomainLineageText,
  formatDomainsText,
  formatOwnersText,
  formatProductsText,
} from '../src/report/report-text.js';
import { renderTable } from '../src/report/table.js';
import { runCli } from './helpers/cli.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const MESH = 'fixtures/example-mesh';
const NOW = new Date('2026-06-01T00:00:00Z');

let mesh: Project;
let config: LoadedConfig;
let options: ReportOptions;
let resolver: Resolver;

beforeAll(async () => {
  mesh = await loadProject([MESH], { cwd: repoRoot });
  config = await loadConfig({
    cwd: repoRoot,
    startDirs: [path.join(repoRoot, MESH)],
    rules: getBuiltinRules(),
  });
  resolver = new Resolver(mesh, config.engine);
  options = { registry: config.registry, config: config.engine, now: NOW };
});

const NOT_COUNTED = new Set(['test', 'unit_test', 'operation', 'sql_operation']);
const isCounted = (p: Project, id: string) => {
  const r = p.resources.get(id)!;
  const own = new Set(p.projects.map((x) => x.name));
  return !r.external && own.has(r.packageName) && !NOT_COUNTED.has(r.resourceType);
};

function lines(text: string): string[] {
  return text.split('\n');
}

function expectFits(text: string, width = 80): void {
  for (const l of lines(text)) expect([...l].length).toBeLessThanOrEqual(width);
}

describe('report owners on the example mesh', () => {
  test('resources per owner and per domain equal an independent count', () => {
    const report = buildOwnersReport(mesh, options);
    const perOwner = new Map<string, number>();
    const perDomain = new Map<string, number>();
    let unowned = 0;
    for (const id of mesh.resources.keys()) {
      if (!isCounted(mesh, id)) continue;
      const o = resolver.owner(id)?.value;
      const label = o === undefined || o === null ? '' : ownerLabel(o);
      if (label === '') unowned++;
      else perOwner.set(label, (perOwner.get(label) ?? 0) + 1);
      const d = resolver.domain(id)?.value;
      if (d !== undefined) perDomain.set(d, (perDomain.get(d) ?? 0) + 1);
    }
    expect(Object.fromEntries(report.owners.map((o) => [o.owner, o.resources]))).toEqual(
      Object.fromEntries(perOwner),
    );
    expect(Object.fromEntries(report.domains.map((d) => [d.domain, d.resources]))).toEqual(
      Object.fromEntries(perDomain),
    );
    expect(report.summary.unowned).toBe(unowned);
    expect(report.unowned.map((r) => r.name)).toEqual([
      'revenue_per_signup',
      'legacy_customer_export',
    ]);
    expect(report.domains.map((d) => d.domain)).toEqual(['core', 'finance', 'growth', 'payments']);
  });

  test('shares and findings of a domain', () => {
    const report = buildOwnersReport(mesh, options);
    const core = report.domains.find((d) => d.domain === 'core')!;
    const models = [...mesh.resources.values()].filter(
      (r) =>
        r.resourceType === 'model' &&
        isCounted(mesh, r.uniqueId) &&
        resolver.domain(r.uniqueId)?.value === 'core',
    );
    expect(core.models).toBe(models.length);
    expect(core.publicModels).toBe(models.filter((m) => m.access === 'public').length);
    expect(core.dataProducts).toBe(models.filter((m) => isDataProduct(m)).length);
    expect(core.described.count).toBe(models.filter((m) => m.description !== '').length);
    const enforced = models.filter((m) => m.contract?.enforced).length;
    expect(core.contractEnforced).toEqual({
      count: enforced,
      total: models.length,
      percent: Math.round((enforced * 10000) / models.length) / 100,
    });
    const total = report.summary.findings;
    expect(total.error + total.warn + total.info).toBeGreaterThan(0);
    for (const d of report.domains)
      expect(d.findings.error + d.findings.warn).toBeLessThanOrEqual(total.error + total.warn);
  });

  test('text fits 80 columns; every format is byte-identical twice', () => {
    const a = buildOwnersReport(mesh, options);
    const b = buildOwnersReport(mesh, options);
    for (const f of [formatOwnersText, formatOwnersMarkdown, formatOwnersCsv, formatReportJson])
      expect(f(a)).toBe(f(b));
    expectFits(formatOwnersText(a));
  });
});

describe('report domains on the example mesh', () => {
  test('cross-domain edges, matrix and coupling equal an independent count', () => {
    const report = buildDomainsReport(mesh, options);
    const edges: string[] = [];
    const pairs = new Map<string, number>();
    for (const r of mesh.resources.values()) {
      if (NOT_COUNTED.has(r.resourceType)) continue;
      const from = resolver.domain(r.uniqueId)?.value;
      if (from === undefined) continue;
      for (const p of r.dependsOn) {
        const parent = mesh.resources.get(p);
        if (!parent || NOT_COUNTED.has(parent.resourceType)) continue;
        const to = resolver.domain(p)?.value;
        if (to === undefined || to === from) continue;
        edges.push(`${r.uniqueId}>${p}`);
        pairs.set(`${from}>${to}`, (pairs.get(`${from}>${to}`) ?? 0) + 1);
      }
    }
    expect(report.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(edges.sort());
    expect(Object.fromEntries(report.matrix.map((m) => [`${m.from}>${m.to}`, m.count]))).toEqual(
      Object.fromEntries(pairs),
    );
    for (const c of report.coupling) {
      const ce = [...pairs.keys()].filter((k) => k.startsWith(`${c.domain}>`)).length;
      const ca = [...pairs.keys()].filter((k) => k.endsWith(`>${c.domain}`)).length;
      expect([c.ca, c.ce]).toEqual([ca, ce]);
      expect(c.instability).toBe(ca + ce === 0 ? null : Math.round((ce / (ca + ce)) * 100) / 100);
    }
    // finance reads growth and growth reads finance.
    expect(report.cycles).toEqual([['finance', 'growth']]);
  });

  test('allowed and waived follow the run’s boundary findings', () => {
    const report = buildDomainsReport(mesh, options);
    const edge = (from: string, to: string) =>
      report.edges.find((e) => e.fromName === from && e.toName === to)!;
    expect(edge('fct_invoices', 'stg_core__customers')).toMatchObject({
      allowed: false,
      waived: false,
      targetAccess: 'protected',
      rules: ['cross-domain-ref'],
    });
    expect(edge('growth_campaign_roi', 'int_payments__settled')).toMatchObject({
      allowed: false,
      waived: true,
    });
    expect(edge('fct_payments', 'dim_customers')).toMatchObject({
      allowed: true,
      waived: false,
      contractEnforced: true,
    });
    expect(edge('finance_acquisition_costs', 'fct_signup_conversion').rules).toEqual([
      'domain-dependency',
    ]);
    expect(report.summary.violations).toBe(
      report.edges.filter((e) => !e.allowed && !e.waived).length,
    );
  });

  test('text fits 80 columns; graph formats are deterministic', () => {
    const a = buildDomainsReport(mesh, options);
    const b = buildDomainsReport(mesh, options);
    expectFits(formatDomainsText(a));
    for (const f of [
      formatDomainsText,
      formatDomainsMarkdown,
      formatDomainsCsv,
      formatDomainsMermaid,
      formatDomainsDot,
      formatReportJson,
    ])
      expect(f(a)).toBe(f(b));
    expect(formatDomainsMermaid(a)).toContain('flowchart LR');
    expect(formatDomainsDot(a)).toMatch(/^digraph "domains" \{/);
  });
});

describe('report products on the example mesh', () => {
  test('one record per data product, with consumers grouped by domain', () => {
    const report = buildProductsReport(mesh, options);
    const expected = [...mesh.resources.values()]
      .filter((r) => r.resourceType === 'model' && isDataProduct(r))
      .map((r) => r.uniqueId)
      .sort();
    expect(report.products.map((p) => p.id)).toEqual(expected);
    const v2 = report.products.find((p) => p.id === 'model.example_mesh.dim_customers.v2')!;
    expect(v2).toMatchObject({
      name: 'dim_customers',
      domain: 'core',
      version: '2',
      latestVersion: '2',
      storage: { relation: 'dim_customers_v2' },
      tables: ['dim_customers_v1', 'dim_customers_v2'],
    });
    const consumers = mesh.graph
      .children(v2.id)
      .filter((c) => !NOT_COUNTED.has(mesh.resources.get(c)!.resourceType));
    expect(v2.consumers.flatMap((g) => g.consumers.map((c) => c.id)).sort()).toEqual(
      consumers.sort(),
    );
    for (const g of v2.consumers)
      for (const c of g.consumers) expect(resolver.domain(c.id)?.value ?? null).toBe(g.domain);
    expectFits(formatProductsText(report));
  });

  test('JSON validates against schemas/products.schema.json (and the other reports too)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const load = (name: string) =>
      ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', name), 'utf8')));
    const cases: Array<[string, unknown]> = [
      ['products.schema.json', buildProductsReport(mesh, options)],
      ['owners-report.schema.json', buildOwnersReport(mesh, options)],
      ['domains-report.schema.json', buildDomainsReport(mesh, options)],
    ];
    for (const [name, report] of cases) {
      const validate = load(name);
      const ok = validate(JSON.parse(formatReportJson(report as never)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    const bad = JSON.parse(formatReportJson(buildProductsReport(mesh, options)));
    delete bad.products[0].storage;
    expect(load('products.schema.json')(bad)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Small projects built in code.

const HOSTILE = 'x"];\n<script>alert(1)</script> -->|"pwn"| n0 \\N #quot; `|` =cmd';

function small(): Project {
  const m = (name: string, init: Partial<ResourceInit> = {}): ResourceInit => ({
    uniqueId: `model.shop.${name}`,
    resourceType: 'model',
    name,
    ...init,
  });
  return createProject({
    name: 'shop',
    resources: [
      m('orders', {
        meta: { domain: 'sales', owner: 'sales@example.com', sla: '=HYPERLINK("x")' },
        access: 'public',
        description: '=1+1, "quoted"\nsecond line',
        contract: { enforced: true, aliasTypes: true },
        columns: [
          { name: 'id', description: '', dataType: 'int', constraints: [], meta: {}, tags: [] },
        ],
      }),
      m('stock', {
        meta: { domain: HOSTILE, owner: '@ops' },
        dependsOn: ['model.shop.orders'],
      }),
      m('report', {
        meta: { domain: 'sales' },
        dependsOn: ['model.shop.stock', 'model.shop.orders'],
        description: '-2 +3 @here',
      }),
      m('loose', { dependsOn: ['model.shop.orders'] }),
    ],
  });
}

/** A strict RFC 4180 reader (CRLF records, quoted fields with doubled quotes). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const rec: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (text[i] === '"' && text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else if (text[i] === '"') {
            i++;
            break;
          } else if (i >= text.length) throw new Error('unterminated quote');
          else field += text[i++];
        }
      } else while (i < text.length && text[i] !== ',' && text[i] !== '\r') field += text[i++];
      rec.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text.slice(i, i + 2) !== '\r\n') throw new Error(`bad record end at ${i}`);
      i += 2;
      break;
    }
    records.push(rec);
  }
  return records;
}

function smallOptions(): ReportOptions {
  return { registry: new Registry(getBuiltinRules()), config: emptyEngineConfig(), now: NOW };
}

describe('small projects', () => {
  test('owners: counts, unowned resources and owners without a domain', () => {
    const p = small();
    const r = buildOwnersReport(p, smallOptions());
    expect(r.summary).toMatchObject({ resources: 4, owned: 2, unowned: 2, withoutDomain: 1 });
    expect(r.unowned.map((u) => u.name)).toEqual(['loose', 'report']);
    expect(r.owners.map((o) => [o.owner, o.resources, o.domains])).toEqual([
      ['@ops', 1, [HOSTILE]],
      ['sales@example.com', 1, ['sales']],
    ]);
    expect(r.ownersWithoutDomain).toEqual([]);
    const sales = r.domains.find((d) => d.domain === 'sales')!;
    expect(sales).toMatchObject({ resources: 2, models: 2, publicModels: 1, unowned: 1 });
    expect(sales.described).toEqual({ count: 2, total: 2, percent: 100 });
    expect(sales.contractEnforced).toEqual({ count: 1, total: 2, percent: 50 });
    const noDomain = createProject({
      resources: [
        { uniqueId: 'model.p.a', resourceType: 'model', name: 'a', meta: { owner: 'x' } },
      ],
    });
    expect(buildOwnersReport(noDomain, smallOptions()).ownersWithoutDomain).toEqual(['x']);
  });

  test('domains: instability is null for a domain without cross-domain edges', () => {
    const p = createProject({
      resources: [
        { uniqueId: 'model.p.a', resourceType: 'model', name: 'a', meta: { domain: 'solo' } },
      ],
    });
    const r = buildDomainsReport(p, smallOptions());
    expect(r.coupling).toEqual([{ domain: 'solo', ca: 0, ce: 0, instability: null }]);
    expect(r.edges).toEqual([]);
  });

  test('domains: a two-domain cycle and its coupling', () => {
    const r = buildDomainsReport(small(), smallOptions());
    expect(r.cycles).toEqual([[HOSTILE, 'sales'].sort()]);
    expect(r.matrix).toEqual(
      [
        { from: 'sales', to: HOSTILE, count: 1 },
        { from: HOSTILE, to: 'sales', count: 1 },
      ].sort((a, b) => (a.from < b.from ? -1 : 1)),
    );
    for (const c of r.coupling) expect(c).toMatchObject({ ca: 1, ce: 1, instability: 0.5 });
  });

  test('CSV: RFC 4180 quoting and formula neutralization', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvCell(`${start}SUM(A1)`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(formatCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
    const products = formatProductsCsv(buildProductsReport(small(), smallOptions()));
    expect(products).toContain(`"'=1+1, ""quoted""\nsecond line"`);
    expect(products).toContain(`"'=HYPERLINK(""x"")"`);
    const owners = formatOwnersCsv(buildOwnersReport(small(), smallOptions()));
    expect(owners).toContain(`,'@ops,`);
    // Parsed back per RFC 4180, every record has as many fields as the header.
    for (const doc of [owners, products]) {
      const records = parseCsv(doc);
      for (const rec of records) expect(rec.length).toBe(records[0]!.length);
    }
    expect(parseCsv(products)[1]).toContain(`'=1+1, "quoted"\nsecond line`);
  });

  test('Mermaid and DOT: hostile names cannot break out of their labels', () => {
    const report = buildDomainsReport(small(), smallOptions());
    const mermaid = formatDomainsMermaid(report);
    for (const l of lines(mermaid).slice(1).filter(Boolean))
      expect(l).toMatch(
        /^ {2}(n\d+\["[A-Za-z0-9 _.,:/#;-]*"\]|n\d+ -->\|"[A-Za-z0-9 _.,:/#;()-]*"\| n\d+)$/,
      );
    expect(mermaid).not.toContain('<script>');
    expect(mermaidLabel('a"b')).toBe('"a#34;b"');
    const dot = formatDomainsDot(report);
    expect(dotString('a"b\\N\n')).toBe('"a\\"b\\\\N\\\\u000a"');
    // Outside of quoted strings, only generated ids and fixed syntax remain.
    const unquoted = dot.replace(/"(\\.|[^"\\])*"/g, '""');
    expect(unquoted).not.toMatch(/script|pwn|alert/);
    expect(lines(unquoted).filter(Boolean)).toEqual(
      lines(unquoted)
        .filter(Boolean)
        .filter((l) =>
          /^(digraph "" \{| {2}rankdir=LR;| {2}node \[shape=box\];| {2}n\d+ \[label=""\];| {2}n\d+ -> n\d+ \[label=""\];|\})$/.test(
            l,
          ),
        ),
    );
  });

  test('Markdown: hostile text is escaped and stays in its cell', () => {
    expect(mdText('a|b<script>*x*')).toBe('a\\|b&lt;script&gt;\\*x\\*');
    const md = formatDomainsMarkdown(buildDomainsReport(small(), smallOptions()));
    expect(md).not.toContain('<script>');
    // Within each table, every row has as many unescaped pipes as its header.
    const pipes = (l: string) => l.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length;
    let header: number | null = null;
    for (const l of lines(md)) {
      if (!l.startsWith('|')) {
        header = null;
        continue;
      }
      header ??= pipes(l);
      expect(pipes(l)).toBe(header);
    }
    const products = formatProductsMarkdown(buildProductsReport(small(), smallOptions()));
    expect(products).not.toMatch(/\n\s*second line/);
  });

  test('text tables fit 80 columns and wrap long cells', () => {
    const long = 'word '.repeat(40).trim();
    const t = renderTable(
      [{ header: 'Name' }, { header: 'Description' }, { header: 'N', align: 'right' }],
      [
        ['a-very-long-name-without-any-spaces-at-all-that-goes-on-and-on-and-on', long, '12'],
        ['b\u001b[31mred', 'short', '3'],
      ],
    );
    expectFits(t);
    expect(t).not.toContain('\u001b');
    expect(t).toContain('\\u001b');
    const text = formatDomainsText(buildDomainsReport(small(), smallOptions()));
    expectFits(text);
    expectFits(formatDomainLineageText(buildDomainLineage(small(), null, new Resolver(small()))));
  });

  test('lineage grouped by domain counts edges between domains', () => {
    const p = small();
    const g = buildDomainLineage(p, null, new Resolver(p));
    expect(g.nodes).toEqual(
      [
        { domain: 'sales', resources: 2 },
        { domain: HOSTILE, resources: 1 },
      ].sort((a, b) => (a.domain < b.domain ? -1 : 1)),
    );
    expect(g.withoutDomain).toBe(1);
    expect(g.edges.map((e) => e.count)).toEqual([1, 1]);
  });
});

describe('CLI', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-reports-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each([
    ['owners', 'text'],
    ['owners', 'csv'],
    ['domains', 'mermaid'],
    ['domains', 'dot'],
    ['products', 'json'],
    ['products', 'markdown'],
  ])('report %s --format %s exits 0, byte-identical twice', async (kind, format) => {
    const argv = ['report', kind, MESH, '--now', '2026-06-01', '--format', format];
    const a = await runCli(argv, repoRoot);
    const b = await runCli(argv, repoRoot);
    expect(a.stderr).not.toMatch(/error/);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(0);
  });

  test('bad format or report exits 2', async () => {
    const bad = await runCli(['report', 'owners', MESH, '--format', 'mermaid'], repoRoot);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a known format/);
    expect((await runCli(['report', 'nope', MESH], repoRoot)).code).toBe(2);
    expect((await runCli(['lineage', MESH, '--group-by', 'owner'], repoRoot)).code).toBe(2);
    expect((await runCli(['lineage', MESH, '--depth', '-1'], repoRoot)).code).toBe(2);
  });

  test('--output writes the file', async () => {
    const file = path.join(tmp, 'products.json');
    const run = await runCli(
      ['report', 'products', MESH, '--now', '2026-06-01', '--format', 'json', '--output', file],
      repoRoot,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).kind).toBe('products');
  });

  test('lineage --select with --upstream/--downstream/--depth and --group-by domain', async () => {
    const json = async (...args: string[]) => {
      const run = await runCli(['lineage', MESH, '--format', 'json', ...args], repoRoot);
      expect(run.code).toBe(0);
      const nodes = (JSON.parse(run.stdout) as { nodes: Array<{ id: string }> }).nodes;
      // Tests come along with what they test (dbt's indirect selection).
      return { nodes: nodes.filter((n) => !n.id.startsWith('test.')) };
    };
    const target = 'model.example_mesh.fct_payments';
    const only = await json('--select', 'fct_payments');
    expect(only.nodes.map((n) => n.id)).toEqual([target]);
    const up1 = await json('--select', 'fct_payments', '--upstream', '--depth', '1');
    const parents = mesh.graph.parents(target);
    expect(up1.nodes.map((n) => n.id).sort()).toEqual([target, ...parents].sort());
    const up = await json('--select', 'fct_payments', '--upstream');
    const notTest = (ids: string[]) => ids.filter((id) => !id.startsWith('test.'));
    expect(up.nodes.length).toBe(1 + notTest(mesh.graph.upstream(target)).length);
    const down = await json('--select', 'fct_payments', '--downstream');
    expect(down.nodes.length).toBe(1 + notTest(mesh.graph.downstream(target)).length);
    const grouped = await runCli(
      ['lineage', MESH, '--group-by', 'domain', '--format', 'json'],
      repoRoot,
    );
    expect(grouped.code).toBe(0);
    const g = JSON.parse(grouped.stdout);
    expect(g.kind).toBe('domain-lineage');
    expect(g.nodes.map((n: { domain: string }) => n.domain)).toEqual([
      'core',
      'finance',
      'growth',
      'payments',
    ]);
    const mermaid = await runCli(
      ['lineage', MESH, '--group-by', 'domain', '--format', 'mermaid'],
      repoRoot,
    );
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
  });
});

// ---------------------------------------------------------------------------------------------
// The corpus: every report on every manifest, totals checked against the raw JSON on three.

const corpusRoot = fileURLToPath(new URL('../../shared/corpus/manifests/', import.meta.url));
const corpusNames = fs.existsSync(corpusRoot)
  ? fs
      .readdirSync(corpusRoot)
      .filter((n) => fs.existsSync(path.join(corpusRoot, n, 'manifest.json')))
      .sort()
  : [];

describe('every report on every corpus manifest', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validators = Object.fromEntries(
    ['owners-report', 'domains-report', 'products'].map((n) => [
      n,
      ajv.compile(
        JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', `${n}.schema.json`), 'utf8')),
      ),
    ]),
  );

  test.each(corpusNames)('%s', async (name) => {
    const project = await loadProject([path.join(corpusRoot, name, 'manifest.json')]);
    const opts: ReportOptions = {
      registry: new Registry(getBuiltinRules()),
      config: emptyEngineConfig(),
      now: NOW,
    };
    const owners = buildOwnersReport(project, opts);
    const domains = buildDomainsReport(project, opts);
    const products = buildProductsReport(project, opts);
    for (const [schema, report] of [
      ['owners-report', owners],
      ['domains-report', domains],
      ['products', products],
    ] as const) {
      const validate = validators[schema]!;
      expect(validate(JSON.parse(formatReportJson(report)))).toBe(true);
    }
    expectFits(formatOwnersText(owners));
    expectFits(formatDomainsText(domains));
    expectFits(formatProductsText(products));
    for (const csv of [
      formatOwnersCsv(owners),
      formatDomainsCsv(domains),
      formatProductsCsv(products),
    ]) {
      const records = parseCsv(csv);
      for (const rec of records) expect(rec.length).toBe(records[0]!.length);
    }
    formatOwnersMarkdown(owners);
    formatDomainsMarkdown(domains);
    formatProductsMarkdown(products);
    formatDomainsMermaid(domains);
    formatDomainsDot(domains);
  });

  interface RawNode {
    resource_type: string;
    package_name: string;
    access?: string;
    meta?: Record<string, unknown>;
    config?: { meta?: Record<string, unknown> };
    tags?: string[];
    original_file_path?: string;
  }

  test.each(
    ['dbt-bouncer-test-project', 'dap-jaffle-v12-1.12', 'cosmos-model_version'].filter((n) =>
      corpusNames.includes(n),
    ),
  )('%s: totals equal the raw manifest', async (name) => {
    const file = path.join(corpusRoot, name, 'manifest.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      metadata: { project_name?: string };
    } & Record<string, Record<string, RawNode> | undefined>;
    const project = await loadProject([file]);
    const root = project.projects[0]!.name;
    const all: RawNode[] = [
      'nodes',
      'sources',
      'exposures',
      'metrics',
      'semantic_models',
      'saved_queries',
    ].flatMap((k) => Object.values(raw[k] ?? {}));
    const own = all.filter(
      (n) =>
        n.package_name === root &&
        !['test', 'unit_test', 'operation', 'sql_operation'].includes(n.resource_type),
    );
    const opts: ReportOptions = {
      registry: new Registry(getBuiltinRules()),
      config: emptyEngineConfig(),
      now: NOW,
    };
    const owners = buildOwnersReport(project, opts);
    expect(owners.summary.resources).toBe(own.length);
    expect(owners.owners.reduce((n, o) => n + o.resources, 0) + owners.summary.unowned).toBe(
      own.length,
    );
    const truthy = (v: unknown) =>
      typeof v === 'string'
        ? !['', 'false', 'no', '0', 'off'].includes(v.trim().toLowerCase())
        : Array.isArray(v)
          ? v.length > 0
          : Boolean(v);
    const productCount = own.filter(
      (n) =>
        n.resource_type === 'model' &&
        (n.access === 'public' ||
          truthy({ ...n.meta, ...n.config?.meta }.data_product) ||
          (n.tags ?? []).includes('data_product')),
    ).length;
    expect(buildProductsReport(project, opts).summary.products).toBe(productCount);
    expect(own.length).toBeGreaterThan(0);

    // Domains from the folder under models/: cross-domain edges counted from depends_on.
    const engine = emptyEngineConfig();
    engine.domains.resolution = [{ kind: 'path', pattern: 'models/{domain}/**' }];
    const domains = buildDomainsReport(project, { ...opts, config: engine });
    const byId = new Map<string, RawNode & { depends_on?: { nodes?: string[] } }>();
    for (const k of [
      'nodes',
      'sources',
      'exposures',
      'metrics',
      'semantic_models',
      'saved_queries',
    ])
      for (const [id, n] of Object.entries(raw[k] ?? {})) byId.set(id, n);
    const skip = ['test', 'unit_test', 'operation', 'sql_operation'];
    const domainOf = (id: string): string | null => {
      const n = byId.get(id);
      if (!n || skip.includes(n.resource_type)) return null;
      return /^models\/([^/]+)\/.+/.exec(n.original_file_path ?? '')?.[1] ?? null;
    };
    const pairs = new Set<string>();
    for (const [id, n] of byId) {
      const from = domainOf(id);
      if (from === null) continue;
      for (const p of new Set(n.depends_on?.nodes ?? [])) {
        const to = domainOf(p);
        if (to !== null && to !== from) pairs.add(`${id}>${p}`);
      }
    }
    expect(domains.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual([...pairs].sort());
    expect(domains.matrix.reduce((n, m) => n + m.count, 0)).toBe(pairs.size);
  });
});

// ---------------------------------------------------------------------------------------------
// Golden outputs of a tiny project, as a reviewer reads them.

function tiny(): Project {
  const owner = { domain: 'sales', owner: 'sales@example.com' };
  return createProject({
    name: 'tiny',
    resources: [
      {
        uniqueId: 'model.tiny.orders',
        resourceType: 'model',
        name: 'orders',
        access: 'public',
        description: 'All orders.',
        meta: owner,
      },
      {
        uniqueId: 'model.tiny.stock',
        resourceType: 'model',
        name: 'stock',
        access: 'private',
        meta: { domain: 'ops', owner: '@ops' },
      },
      {
        uniqueId: 'model.tiny.fill_rate',
        resourceType: 'model',
        name: 'fill_rate',
        meta: owner,
        dependsOn: ['model.tiny.orders', 'model.tiny.stock'],
      },
    ],
  });
}

const GOLDEN: Record<string, string> = {
  ownersText: [
    'Ownership report (tiny)',
    '=======================',
    '3 resources: 3 owned, 0 without an owner, 0 without a domain; 2 owners, 2',
    'domains. Findings: 0 errors, 0 warnings, 0 info, 0 suppressed.',
    '',
    'Owners',
    '======',
    'Owner              Domains  Res  Mod  Pub  Prod  Desc  Test  Contr  E/W/I',
    '-----------------  -------  ---  ---  ---  ----  ----  ----  -----  -----',
    '@ops               ops        1    1    0     0    0%    0%     0%  0/0/0',
    'sales@example.com  sales      2    2    1     1   50%    0%     0%  0/0/0',
    '',
    'Domains',
    '=======',
    'Domain  Owners             Res  Mod  Pub  Prod  Desc  Test  Contr  E/W/I',
    '------  -----------------  ---  ---  ---  ----  ----  ----  -----  -----',
    'ops     @ops                 1    1    0     0    0%    0%     0%  0/0/0',
    'sales   sales@example.com    2    2    1     1   50%    0%     0%  0/0/0',
    '',
    'Res resources, Mod models, Pub public models, Prod data products; Desc, Test and',
    'Contr: share of models described, tested, with an enforced contract; E/W/I',
    'findings by severity (error/warn/info).',
    '',
    'Resources by type',
    '=================',
    'Owner              Resources',
    '-----------------  ---------',
    '@ops               model 1',
    'sales@example.com  model 2',
    '',
    'Resources without an owner',
    '==========================',
    'None.',
    '',
    'Owners without a domain',
    '=======================',
    'None.',
    '',
  ].join('\n'),
  domainsText: [
    'Domain dependency report (tiny)',
    '===============================',
    '2 domains, 1 cross-domain edge: 0 violations, 0 waived; 0 domain cycles.',
    '',
    'Coupling',
    '========',
    'Domain  Ca  Ce     I',
    '------  --  --  ----',
    'ops      1   0  0.00',
    'sales    0   1  1.00',
    '',
    'Ca: domains that depend on it; Ce: domains it depends on; I = Ce / (Ca + Ce), 0',
    'stable, 1 unstable.',
    '',
    'Dependencies between domains',
    '============================',
    'Domain  Depends on  Edges',
    '------  ----------  -----',
    'sales   ops             1',
    '',
    'Cross-domain edges',
    '==================',
    'From              To          Access   Contract  Status',
    '----------------  ----------  -------  --------  ------',
    'sales: fill_rate  ops: stock  private  -         ok',
    '',
    'Domain cycles',
    '=============',
    'None.',
    '',
  ].join('\n'),
  domainsMarkdown: [
    '# Domain dependency report',
    '',
    'Projects: tiny',
    '',
    '2 domains, 1 cross-domain edge: 0 violations, 0 waived; 0 domain cycles.',
    '',
    '## Matrix',
    '',
    'Rows depend on columns (edge counts).',
    '',
    '|  | ops | sales |',
    '| --- | ---: | ---: |',
    '| **ops** |  | 0 |',
    '| **sales** | 1 |  |',
    '',
    '## Coupling',
    '',
    '| Domain | Ca | Ce | I |',
    '| --- | ---: | ---: | ---: |',
    '| ops | 1 | 0 | 0.00 |',
    '| sales | 0 | 1 | 1.00 |',
    '',
    '## Cross-domain edges',
    '',
    '| From | From domain | To | To domain | Access | Contract | Status |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    '| fill\\_rate | sales | stock | ops | private |  | ok |',
    '',
    '## Domain cycles',
    '',
    'None.',
    '',
  ].join('\n'),
  domainsCsv: [
    'from_domain,from,from_type,to_domain,to,to_type,target_access,contract_enforced,allowed,waived,rules',
    'sales,model.tiny.fill_rate,model,ops,model.tiny.stock,model,private,false,true,false,',
    '',
  ].join('\r\n'),
};

describe('golden outputs', () => {
  const opts = (): ReportOptions => ({
    registry: new Registry(getBuiltinRules()),
    config: emptyEngineConfig(),
    now: NOW,
  });
  test('owners text', () => {
    expect(formatOwnersText(buildOwnersReport(tiny(), opts()))).toBe(GOLDEN.ownersText);
  });
  test('domains text, markdown and csv', () => {
    const report = buildDomainsReport(tiny(), opts());
    expect(formatDomainsText(report)).toBe(GOLDEN.domainsText);
    expect(formatDomainsMarkdown(report)).toBe(GOLDEN.domainsMarkdown);
    expect(formatDomainsCsv(report)).toBe(GOLDEN.domainsCsv);
  });
});
