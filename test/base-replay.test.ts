/**
 * Base mode takes from the head what a pull request did not change: the base's manifest
 * entries that are the same as the head's (but for created_at and SQL bodies) share the
 * head's resources, and the checks of `reach: 'neighbours'` rules on targets away from every
 * difference take the head's findings. Both must give exactly what a run from scratch gives:
 * each scenario below compares them, on a generated 300-model manifest.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defineRule,
  getBuiltinRules,
  loadConfig,
  loadProject,
  replayScope,
  Resolver,
  runRules,
  RunRecording,
  type AnyRule,
  type CheckResult,
  type LoadedConfig,
  type ManifestMemo,
  type Project,
} from '../src/index.js';

const GEN = fileURLToPath(new URL('../scripts/gen-manifest.mjs', import.meta.url));
const NOW = new Date('2026-06-01T00:00:00Z');

type Obj = Record<string, any>;

let dir: string;
let generated: Obj;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-replay-'));
  const file = path.join(dir, 'generated.json');
  execFileSync(process.execPath, [GEN, '--models', '300', '--out', file, '--seed', '3', '--quiet']);
  generated = JSON.parse(fs.readFileSync(file, 'utf8')) as Obj;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const copy = (): Obj => structuredClone(generated);
const models = (m: Obj): Obj[] =>
  Object.values(m.nodes as Obj)
    .filter((n: Obj) => n.resource_type === 'model')
    .sort((a: Obj, b: Obj) => (a.unique_id < b.unique_id ? -1 : 1));
const depsOf = (x: Obj): string[] => (x.depends_on?.nodes as string[] | undefined) ?? [];
/** A model with parents and children among the models. */
function middleModel(m: Obj): Obj {
  const children = new Set<string>();
  for (const x of Object.values(m.nodes as Obj)) for (const d of depsOf(x)) children.add(d);
  return models(m).find((x) => x.depends_on.nodes.length > 0 && children.has(x.unique_id))!;
}
/** A later `dbt parse` of the same project: new created_at stamps, nothing else. */
function reparse(m: Obj): Obj {
  for (const n of Object.values(m.nodes as Obj)) n.created_at += 3600;
  for (const s of Object.values(m.sources as Obj)) s.created_at += 3600;
  return m;
}

let fileCount = 0;
function write(m: Obj): string {
  const file = path.join(dir, `m${fileCount++}.json`);
  fs.writeFileSync(file, JSON.stringify(m));
  return file;
}

async function configWith(extra: Obj, rules: AnyRule[] = []): Promise<LoadedConfig> {
  const file = path.join(dir, `config${fileCount++}.json`);
  fs.writeFileSync(file, JSON.stringify({ extends: 'dbt-steward:all', ...extra }));
  return loadConfig({
    cwd: dir,
    configFile: file,
    startDirs: [dir],
    rules: [...getBuiltinRules(), ...rules],
  });
}

interface Compared {
  scratch: CheckResult;
  replayed: CheckResult;
  base: Project;
  head: Project;
  fresh: Set<string> | null;
  recording: RunRecording;
}

/** The base checked from scratch, and checked taking what it can from the head's run. */
async function compare(
  headFile: string,
  baseFile: string,
  config: LoadedConfig,
): Promise<Compared> {
  const memos: ManifestMemo[] = [];
  const head = await loadProject([headFile], { manifestReuse: { record: (m) => memos.push(m) } });
  const base = await loadProject([baseFile], { manifestReuse: { from: memos } });
  const plain = await loadProject([baseFile]);
  // Sharing changes nothing that was loaded.
  expect([...base.resources.entries()]).toEqual([...plain.resources.entries()]);
  expect(base.graph.edgeCount).toBe(plain.graph.edgeCount);

  const run = { registry: config.registry, config: config.engine, now: NOW };
  const headResolver = new Resolver(head, config.engine);
  const recording = new RunRecording();
  runRules(head, { ...run, resolver: headResolver, record: recording });
  const scratch = runRules(plain, run);
  const resolver = new Resolver(base, config.engine);
  const fresh = replayScope(base, head, resolver, headResolver, config.engine, config.registry);
  const replayed = runRules(base, {
    ...run,
    resolver,
    ...(fresh !== null ? { replay: { recording, fresh } } : {}),
  });
  expect(replayed).toEqual(scratch);
  return { scratch, replayed, base, head, fresh, recording };
}

describe('check --base: the base takes what did not change from the head', () => {
  test('a re-parse with nothing changed: every entry shared, every target replayed', async () => {
    const head = copy();
    const config = await configWith({});
    const c = await compare(write(reparse(head)), write(copy()), config);
    // All but the sources' tests, whose attached node is resolved after loading (and which
    // are parsed again, to the same data).
    const unshared = [...c.base.resources.values()].filter(
      (r) => c.head.resources.get(r.uniqueId) !== r,
    );
    expect(unshared.length).toBeLessThan(c.base.resources.size / 20);
    for (const r of unshared) {
      expect(r.test?.attachedNode).toMatch(/^source\./);
      expect(r).toEqual(c.head.resources.get(r.uniqueId));
    }
    expect(c.fresh?.size).toBe(0);
    expect(c.recording.rules.size).toBeGreaterThan(10);
    expect(c.scratch.findings.length).toBeGreaterThan(100);
  });

  test('SQL edited: the entry is still shared (its SQL is not read)', async () => {
    const head = reparse(copy());
    const m = middleModel(head);
    m.raw_code = `${m.raw_code}\n-- edited`;
    m.compiled_code = `${m.compiled_code}\n-- edited`;
    const c = await compare(write(head), write(copy()), await configWith({}));
    expect(c.head.resources.get(m.unique_id)).toBe(c.base.resources.get(m.unique_id));
  });

  test('a description and a column edited: those resources and their neighbours are checked again', async () => {
    const head = reparse(copy());
    const m = middleModel(head);
    m.description = '';
    const last = Object.keys(m.columns).at(-1)!;
    delete m.columns[last];
    const c = await compare(write(head), write(copy()), await configWith({}));
    expect(c.head.resources.get(m.unique_id)).not.toBe(c.base.resources.get(m.unique_id));
    expect(c.fresh).toContain(m.unique_id);
    for (const parent of m.depends_on.nodes) expect(c.fresh).toContain(parent);
    expect(c.fresh!.size).toBeLessThan(c.base.resources.size / 4);
    // The description-present finding is the head's only: not in the base's findings.
    const gone = c.replayed.findings.filter(
      (f) => f.nodeId === m.unique_id && f.ruleId === 'description-present',
    );
    expect(gone).toEqual([]);
  });

  test("a model moved to another domain: its consumers' cross-domain findings are found anew", async () => {
    const head = reparse(copy());
    const m = middleModel(head);
    m.meta = { ...m.meta, domain: 'elsewhere' };
    m.config.meta = { ...m.config.meta, domain: 'elsewhere' };
    const c = await compare(
      write(head),
      write(copy()),
      await configWith({ domains: { resolution: [{ meta: 'domain' }] } }),
    );
    expect(c.fresh).toContain(m.unique_id);
  });

  test('models removed and renamed with their tests; a test re-attached', async () => {
    const head = reparse(copy());
    const list = models(head);
    const removed = list[10]!.unique_id;
    delete head.nodes[removed];
    for (const [id, t] of Object.entries(head.nodes as Obj))
      if (t.resource_type === 'test' && depsOf(t).includes(removed)) delete head.nodes[id];
    const moved = Object.values(head.nodes as Obj).find(
      (t: Obj) => t.resource_type === 'test' && t.attached_node === list[20]!.unique_id,
    )!;
    moved.attached_node = list[21]!.unique_id;
    moved.depends_on.nodes = [list[21]!.unique_id];
    for (const x of Object.values(head.nodes as Obj))
      if (x.depends_on?.nodes) x.depends_on.nodes = depsOf(x).filter((d) => d !== removed);
    await compare(write(head), write(copy()), await configWith({}));
  });

  test('a group owner changed: no target takes the head findings (groups reach everywhere)', async () => {
    const head = reparse(copy());
    const g = Object.values(head.groups as Obj)[0];
    g.owner = { email: 'someone-else@acme.io' };
    const c = await compare(write(head), write(copy()), await configWith({}));
    expect(c.fresh).toBeNull();
  });

  test('an override and a requirement selected through the graph: a change far away counts', async () => {
    const base = copy();
    const head = reparse(copy());
    const list = models(head);
    const sink = list.find((x) => x.depends_on.nodes.length > 0)!;
    // In the head, a model upstream of `sink` gets a new parent: `+sink` picks more.
    const extra = list.find(
      (x) => x.unique_id !== sink.unique_id && !sink.depends_on.nodes.includes(x.unique_id),
    )!;
    const parent = head.nodes[sink.depends_on.nodes[0]];
    parent.depends_on.nodes = [...parent.depends_on.nodes, extra.unique_id];
    const config = await configWith({
      overrides: [{ select: `+${sink.name}`, rules: { 'description-present': 'error' } }],
      rules: {
        'required-meta': ['warn', { requirements: [{ select: `+${sink.name}`, keys: ['sla'] }] }],
      },
    });
    const c = await compare(write(head), write(base), config);
    expect(c.fresh).toContain(extra.unique_id);
  });

  test('a rule that breaks its reach promise (reports on another node) is checked anew', async () => {
    // Reports on every parent of a model: its findings do not belong to its targets.
    const sloppy = defineRule({
      id: 'sloppy-parent-check',
      description: 'Reports on the parents of every model.',
      category: 'test',
      scope: 'node',
      reach: 'neighbours',
      resourceTypes: ['model'],
      severity: 'warn',
      recommended: false,
      messages: { parent: "'{{name}}' is a parent." },
      check(model, context) {
        for (const id of model.dependsOn)
          context.report({ messageId: 'parent', node: id, data: { name: id } });
      },
    });
    const head = reparse(copy());
    const m = middleModel(head);
    m.description = 'edited';
    const config = await configWith({ rules: { 'sloppy-parent-check': 'warn' } }, [sloppy]);
    const c = await compare(write(head), write(copy()), config);
    expect(c.recording.rules.has('sloppy-parent-check')).toBe(false);
    expect(c.scratch.findings.some((f) => f.ruleId === 'sloppy-parent-check')).toBe(true);
  });

  test('source mode (a git base): equal resources are not shared but still replayed', async () => {
    const example = path.resolve('fixtures', 'example-mesh');
    const copyTree = (name: string) => {
      const to = path.join(dir, name);
      fs.cpSync(example, to, { recursive: true, filter: (f) => !f.includes(`${path.sep}target`) });
      return to;
    };
    const baseDir = copyTree('example-base');
    const headDir = copyTree('example-head');
    const yml = path.join(headDir, 'models', 'finance', 'marts', '_finance__models.yml');
    const text = fs.readFileSync(yml, 'utf8');
    fs.writeFileSync(yml, text.replace("Invoices with the customer's country", 'Invoices'));
    const config = await configWith({});
    const head = await loadProject([headDir], { mode: 'source' });
    const base = await loadProject([baseDir], { mode: 'source' });
    const run = { registry: config.registry, config: config.engine, now: NOW };
    const headResolver = new Resolver(head, config.engine);
    const recording = new RunRecording();
    runRules(head, { ...run, resolver: headResolver, record: recording });
    const resolver = new Resolver(base, config.engine);
    const fresh = replayScope(base, head, resolver, headResolver, config.engine, config.registry);
    expect(fresh).not.toBeNull();
    expect(fresh!.size).toBeGreaterThan(0);
    expect(fresh!.size).toBeLessThan(base.resources.size / 2);
    const replayed = runRules(base, { ...run, resolver, replay: { recording, fresh: fresh! } });
    expect(replayed).toEqual(runRules(base, run));
  });

  test('the example mesh, one change at a time: every replayed run equals a run from scratch', async () => {
    // Every rule on (the example's config, extended with the options that widen what a check
    // reads), a saved query added, then each resource changed in turn in one of several ways,
    // both ways round (the change in the head, then in the base).
    const example = path.resolve('fixtures', 'example-mesh');
    const original = JSON.parse(
      fs.readFileSync(path.join(example, 'target', 'manifest.json'), 'utf8'),
    ) as Obj;
    const metric = original.metrics['metric.example_mesh.revenue_per_signup'] as Obj;
    original.saved_queries['saved_query.example_mesh.board_kpis'] = {
      ...metric,
      name: 'board_kpis',
      resource_type: 'saved_query',
      unique_id: 'saved_query.example_mesh.board_kpis',
      fqn: ['example_mesh', 'board_kpis'],
      depends_on: { macros: [], nodes: [metric.unique_id] },
    };
    const config = await configWith({
      extends: [path.join(example, 'dbt-steward.yml')],
      rules: {
        'exposure-public-only': ['error', { checkSemanticModels: true, checkSavedQueries: true }],
        'data-product-complete': ['warn', { includeConsumedCrossDomain: true }],
      },
    });
    const mutations: Array<(x: Obj) => void> = [
      (x) => {
        x.access = x.access === 'public' ? 'protected' : 'public';
        if (x.config) x.config.access = x.access;
      },
      (x) => {
        x.meta = { ...x.meta, domain: 'elsewhere', owner: 'someone@else.io' };
        if (x.config) x.config.meta = { ...x.config.meta, ...x.meta };
      },
      (x) => {
        x.description = '';
        x.tags = [...(x.tags ?? []), 'pii'];
        if (x.config?.contract) x.config.contract = { ...x.config.contract, enforced: false };
      },
      (x) => {
        x.deprecation_date = '2020-01-01';
        x.group = null;
        if (x.columns) x.columns = {};
      },
      (x) => {
        // A new edge (from a model of another domain), or one edge fewer.
        if (!x.depends_on) return;
        const nodes = x.depends_on.nodes as string[];
        if (nodes.length > 1) nodes.pop();
        else nodes.push('model.example_mesh.fct_payments');
      },
    ];
    const sections = ['nodes', 'sources', 'exposures', 'metrics', 'semantic_models'];
    const targets = sections.flatMap((sec) =>
      Object.keys(original[sec] as Obj)
        // Every resource but two tests in three (they repeat one another).
        .filter((id, i) => !id.startsWith('test.') || i % 3 === 0)
        .map((id) => [sec, id] as const),
    );
    const originalFile = write(original);
    let compared = 0;
    for (const [i, [section, id]] of targets.entries()) {
      const changed = structuredClone(original);
      mutations[i % mutations.length]!(changed[section][id] as Obj);
      const changedFile = write(changed);
      await compare(changedFile, originalFile, config);
      await compare(originalFile, changedFile, config);
      compared += 2;
    }
    expect(compared).toBeGreaterThan(60);
  });

  test('another project name: nothing is shared, the base is read in full', async () => {
    const head = reparse(copy());
    head.metadata.project_name = 'renamed_project';
    const memos: ManifestMemo[] = [];
    const headProject = await loadProject([write(head)], {
      manifestReuse: { record: (m) => memos.push(m) },
    });
    const base = await loadProject([write(copy())], { manifestReuse: { from: memos } });
    const common = [...base.resources].filter(([id, r]) => headProject.resources.get(id) === r);
    expect(common).toEqual([]);
  });
});
