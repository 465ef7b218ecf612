/**
 * The command line, in process: main(argv, io) with stdout/stderr captured. Real corpus
 * manifests are read in place; small manifests are written into temporary directories.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBuiltinRules } from '../src/index.js';
import { runCli, type Run } from './helpers/cli.js';
import { tinyManifest, type TinyModel } from './helpers/tiny-manifest.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};

const corpusDir = (name: string) =>
  fileURLToPath(new URL(`../../shared/corpus/manifests/${name}/`, import.meta.url));
const BOUNCER_DIR = corpusDir('dbt-bouncer-test-project');
const BOUNCER = path.join(BOUNCER_DIR, 'manifest.json');
const BOUNCER_PROJECT = 'dbt_bouncer_test_project';
const ORDERS = `model.${BOUNCER_PROJECT}.orders`;

interface RawManifest {
  metadata: Record<string, unknown>;
  nodes: Record<string, RawEntry>;
  sources: Record<string, RawEntry>;
  exposures: Record<string, RawEntry>;
  parent_map: Record<string, string[]>;
}
interface RawEntry {
  unique_id: string;
  resource_type: string;
  name: string;
  package_name: string;
  original_file_path: string;
  group?: string | null;
  meta?: Record<string, unknown>;
  config?: { meta?: Record<string, unknown>; group?: string | null };
}
const bouncer = JSON.parse(fs.readFileSync(BOUNCER, 'utf8')) as RawManifest;

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-cli-'));
  tmpDirs.push(d);
  return d;
}

/**
 * These tests are about the command line, not the rule set: `check` runs with a config that
 * keeps only owner-present and domain-present, so the expectations stay put as rules are added.
 */
const FOCUS_CONFIG = path.join(tmpDir(), 'dbt-steward.json');
fs.writeFileSync(
  FOCUS_CONFIG,
  JSON.stringify({
    rules: Object.fromEntries(
      getBuiltinRules().map((r) => [
        r.id,
        r.id === 'owner-present' ? 'error' : r.id === 'domain-present' ? 'warn' : 'off',
      ]),
    ),
  }),
);

function run(argv: string[], cwd: string = repoRoot): Promise<Run> {
  const focused =
    argv[0] === 'check' && !argv.includes('--config') ? [...argv, '--config', FOCUS_CONFIG] : argv;
  return runCli(focused, cwd);
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

// ---------------------------------------------------------------------------------------
// A tiny v12 manifest

const CLEAN: TinyModel[] = [
  { name: 'stg_a', owner: 'team-a', domain: 'sales' },
  { name: 'mart_a', owner: 'team-a', domain: 'sales', deps: ['stg_a'] },
];

function writeTiny(models: TinyModel[], dir = tmpDir(), name = 'manifest.json'): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, tinyManifest(models));
  return file;
}

// ---------------------------------------------------------------------------------------
// What the bouncer manifest should give, computed from the raw JSON

function hasOwner(e: RawEntry): boolean {
  const o = e.config?.meta?.owner ?? e.meta?.owner;
  return typeof o === 'string' ? o.trim() !== '' : o !== undefined && o !== null;
}
const ownModels = Object.values(bouncer.nodes).filter(
  (n) => n.resource_type === 'model' && n.package_name === BOUNCER_PROJECT,
);
const groupless = ownModels.every((m) => !m.group && !m.config?.group);
const expectedOwnerless = ownModels
  .filter((m) => !hasOwner(m))
  .map((m) => m.unique_id)
  .sort();

function ancestors(id: string): Set<string> {
  const out = new Set<string>();
  const todo = [...(bouncer.parent_map[id] ?? [])];
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    todo.push(...(bouncer.parent_map[p] ?? []));
  }
  return out;
}

// ---------------------------------------------------------------------------------------

describe('help and version', () => {
  test('--help exits 0 and describes both commands, inputs and exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('check [inputs..]');
    expect(r.stdout).toContain('lineage [inputs..]');
    expect(r.stdout).toContain('Exit codes: 0 clean, 1 findings that fail the run, 2 usage');
  });

  test('check --help lists the command options', async () => {
    const r = await run(['check', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--select', '--exclude', '--format', '--output', '--exit-zero', '--debug'])
      expect(r.stdout).toContain(opt);
  });

  test('--version prints the package.json version and exits 0', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });
});

describe('check: exit codes', () => {
  test('the bouncer manifest has models with no owner: error findings, exit 1', async () => {
    expect(expectedOwnerless.length).toBeGreaterThan(0);
    const r = await run(['check', BOUNCER]);
    expect(r.code).toBe(1);
    // No resource declares a domain: domain-present stays quiet and says why, once.
    expect(r.stderr).toBe(
      'dbt-steward: hint: domain rules are skipped: no domain is configured and no resource declares one; set meta.domain (or a dbt group) on models, or configure `domains` in dbt-steward.yml\n',
    );
    expect(r.stdout).toContain('owner-present');
    expect(r.stdout).toMatch(/\d+ problems \(\d+ errors, \d+ warnings\)\n$/);
  });

  test('--exit-zero: exit 0 with the same findings printed', async () => {
    const plain = await run(['check', BOUNCER]);
    const r = await run(['check', BOUNCER, '--exit-zero']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
  });

  test('every model with an owner and a domain: exit 0, no problems', async () => {
    const file = writeTiny(CLEAN);
    const r = await run(['check', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tiny (manifest v12, dbt 1.9.4): 2 model');
    expect(r.stdout).toContain('No problems (0 errors, 0 warnings).');
  });

  test('warnings alone (a model without a domain) do not fail the run', async () => {
    const file = writeTiny([
      { name: 'a', owner: 'team-a', domain: 'sales' },
      { name: 'b', owner: 'team-a' },
    ]);
    const r = await run(['check', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toMatchObject({ error: 0, warn: 1 });
    expect(out.findings[0]).toMatchObject({
      ruleId: 'domain-present',
      severity: 'warn',
      nodeId: 'model.tiny.b',
    });
  });

  test('one model without an owner: exit 1, one owner-present finding on that model', async () => {
    const file = writeTiny([...CLEAN, { name: 'orphan', domain: 'sales' }]);
    const r = await run(['check', file, '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({
      ruleId: 'owner-present',
      severity: 'error',
      nodeId: 'model.tiny.orphan',
      data: { name: 'orphan' },
      location: { file: 'models/schema.yml' },
    });
  });
});

describe('inputs', () => {
  let fileJson: string;
  beforeAll(async () => {
    fileJson = (await run(['check', BOUNCER, '--format', 'json'])).stdout;
  });

  test('a directory holding manifest.json reads that manifest', async () => {
    const r = await run(['check', BOUNCER_DIR, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(fileJson);
  });

  test('a dbt project directory with a fresh target/manifest.json', async () => {
    const proj = tmpDir();
    fs.writeFileSync(path.join(proj, 'dbt_project.yml'), 'name: tiny\n');
    // The model files it describes, with the checksums dbt would store: the manifest is fresh.
    const manifest = JSON.parse(tinyManifest(CLEAN));
    fs.mkdirSync(path.join(proj, 'models'));
    for (const node of Object.values<any>(manifest.nodes)) {
      fs.writeFileSync(path.join(proj, node.original_file_path), node.raw_code);
      node.checksum = {
        name: 'sha256',
        checksum: createHash('sha256').update(node.raw_code).digest('hex'),
      };
    }
    fs.mkdirSync(path.join(proj, 'target'));
    fs.writeFileSync(path.join(proj, 'target', 'manifest.json'), JSON.stringify(manifest));
    const r = await run(['check', proj]);
    // The first line on stderr says what was read.
    expect(r.stderr).toBe(
      `dbt-steward: reading ${path.relative(repoRoot, proj)} from target/manifest.json\n`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tiny (manifest v12');
  });

  test('a project directory whose target/manifest.json is the corpus manifest (symlinked, --manifest)', async () => {
    const proj = tmpDir();
    fs.writeFileSync(path.join(proj, 'dbt_project.yml'), `name: ${BOUNCER_PROJECT}\n`);
    fs.mkdirSync(path.join(proj, 'target'));
    fs.symlinkSync(BOUNCER, path.join(proj, 'target', 'manifest.json'));
    // Its model files are not there, so it is stale: --manifest reads it all the same.
    const stale = await run(['check', proj, '--format', 'json']);
    expect(stale.stderr.split('\n')[0]).toMatch(
      /^dbt-steward: reading \S+ from source \(target\/manifest\.json is stale: models\/\S+ was removed/,
    );
    const r = await run([
      'check',
      proj,
      '--manifest',
      path.join(proj, 'target', 'manifest.json'),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(fileJson);
  });

  test('no input: the current directory (io.cwd), resolved like any directory', async () => {
    const r = await run(['check', '--format', 'json'], BOUNCER_DIR);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(fileJson);
    const proj = tmpDir();
    writeTiny(CLEAN, path.join(proj, 'target'));
    const clean = await run(['check'], proj);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('tiny (manifest v12');
  });

  test('relative inputs resolve against io.cwd, not the process directory', async () => {
    const r = await run(['check', 'manifest.json', '--format', 'json'], BOUNCER_DIR);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(fileJson);
  });

  test('the same manifest given twice is read once', async () => {
    const r = await run(['check', BOUNCER, BOUNCER_DIR, '--format', 'json']);
    expect(r.stdout).toBe(fileJson);
  });

  test('the current directory without a manifest: exit 2 with a hint', async () => {
    const r = await run(['check'], tmpDir());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^dbt-steward: error: \.: no manifest\.json and no dbt_project\.yml found in it or below it; pass /,
    );
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('check --format json', () => {
  let out: any;
  let raw: string;
  beforeAll(async () => {
    const r = await run(['check', BOUNCER, '--format', 'json']);
    expect(r.code).toBe(1);
    raw = r.stdout;
    out = JSON.parse(raw);
  });

  test('the envelope: formatVersion, tool, projects, summary, ruleFailures, hints', () => {
    expect(Object.keys(out)).toEqual([
      'formatVersion',
      'tool',
      'projects',
      'findings',
      'summary',
      'ruleFailures',
      'hints',
    ]);
    expect(out.ruleFailures).toEqual([]);
    expect(out.hints).toEqual([expect.stringMatching(/^domain rules are skipped/)]);
    expect(out.formatVersion).toBe(1);
    expect(out.tool).toEqual({ name: 'dbt-steward', version: pkg.version });
    expect(out.projects).toHaveLength(1);
    const p = out.projects[0];
    expect(Object.keys(p).sort()).toEqual([
      'counts',
      'dbtVersion',
      'input',
      'name',
      'schemaVersion',
    ]);
    expect(p).toMatchObject({
      name: BOUNCER_PROJECT,
      schemaVersion: 12,
      dbtVersion: bouncer.metadata.dbt_version,
      input: 'manifest',
    });
    const models = Object.values(bouncer.nodes).filter((n) => n.resource_type === 'model');
    expect(p.counts.model).toBe(models.length);
    expect(p.counts.source).toBe(Object.keys(bouncer.sources).length);
    expect(p.counts.exposure).toBe(Object.keys(bouncer.exposures).length);
    // counts keys are sorted, for stable output
    expect(Object.keys(p.counts)).toEqual(Object.keys(p.counts).sort());
  });

  test('every finding has the documented fields', () => {
    expect(out.findings.length).toBeGreaterThan(0);
    for (const f of out.findings) {
      expect(typeof f.ruleId).toBe('string');
      expect(typeof f.messageId).toBe('string');
      expect(typeof f.data).toBe('object');
      expect(['error', 'warn', 'info']).toContain(f.severity);
      expect(typeof f.message).toBe('string');
      expect(f.message).not.toContain('{{');
      expect(f.nodeId).toMatch(/^model\./);
      expect(f.subject).toEqual({ kind: 'node', id: f.nodeId });
      expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(f.message).toContain(`'${f.data.name}'`);
    }
    const fingerprints = out.findings.map((f: any) => f.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  test('owner-present errors are exactly the own models with no owner', () => {
    expect(groupless).toBe(true);
    const ids = out.findings
      .filter((f: any) => f.ruleId === 'owner-present')
      .map((f: any) => f.nodeId)
      .sort();
    expect(ids).toEqual(expectedOwnerless);
    for (const f of out.findings.filter((x: any) => x.ruleId === 'owner-present'))
      expect(f.severity).toBe('error');
    // models of installed packages (tiktok_ads, internal_package) are not checked
    expect(out.findings.every((f: any) => f.nodeId.startsWith(`model.${BOUNCER_PROJECT}.`))).toBe(
      true,
    );
  });

  test('summary counts agree with the findings', () => {
    const count = (s: string) => out.findings.filter((f: any) => f.severity === s).length;
    expect(out.summary).toEqual({
      error: count('error'),
      warn: count('warn'),
      info: count('info'),
      waived: 0,
      baselined: 0,
    });
    expect(out.summary.error).toBe(expectedOwnerless.length);
  });

  test('the same input twice gives byte-identical output (json and text)', async () => {
    const again = await run(['check', BOUNCER, '--format', 'json']);
    expect(again.stdout).toBe(raw);
    const t1 = await run(['check', BOUNCER]);
    const t2 = await run(['check', BOUNCER]);
    expect(t1.stdout).toBe(t2.stdout);
    const l1 = await run(['lineage', BOUNCER, '--format', 'json']);
    const l2 = await run(['lineage', BOUNCER, '--format', 'json']);
    expect(l1.stdout).toBe(l2.stdout);
  });
});

describe('outputs', () => {
  test('--format json=FILE --format text: JSON to the file, text to stdout', async () => {
    const dir = tmpDir();
    const json = (await run(['check', BOUNCER, '--format', 'json'])).stdout;
    const text = (await run(['check', BOUNCER])).stdout;
    const r = await run(['check', BOUNCER, '--format', 'json=out.json', '--format', 'text'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(text);
    expect(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')).toBe(json);
    expect(listFiles(dir)).toEqual(['out.json']);
  });

  test('--output FILE --format json: the file only, nothing on stdout', async () => {
    const dir = tmpDir();
    const json = (await run(['check', BOUNCER, '--format', 'json'])).stdout;
    const r = await run(['check', BOUNCER, '--output', 'out.json', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')).toBe(json);
  });

  test('--output FILE alone writes text', async () => {
    const dir = tmpDir();
    const text = (await run(['check', BOUNCER])).stdout;
    const r = await run(['check', BOUNCER, '-o', 'report.txt'], dir);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(dir, 'report.txt'), 'utf8')).toBe(text);
  });

  test('two formats on stdout: exit 2, nothing written', async () => {
    const r = await run(['check', BOUNCER, '--format', 'json', '--format', 'text']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('only one --format can go to standard output');
    expect(r.stderr).not.toContain('    at ');
  });

  test('an unknown format: exit 2 naming it and the known ones', async () => {
    const r = await run(['check', BOUNCER, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"xml" is not a known format; use one of: text, json');
    const file = await run(['lineage', BOUNCER, '--format', 'sarif=out.sarif'], tmpDir());
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('"sarif"');
  });

  test('--output with several formats is a usage error', async () => {
    const dir = tmpDir();
    const r = await run(
      ['check', BOUNCER, '--format', 'json=a.json', '--format', 'text', '-o', 'b.txt'],
      dir,
    );
    expect(r.code).toBe(2);
    expect(listFiles(dir)).toEqual([]);
  });

  test('an output file in a directory that does not exist: exit 2, clear message, no stray files', async () => {
    const dir = tmpDir();
    const r = await run(
      ['check', BOUNCER, '--quiet', '--format', 'json=missing/sub/out.json'],
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'dbt-steward: error: missing/sub/out.json: cannot write the output file (ENOENT); check that its directory exists and is writable\n',
    );
    expect(listFiles(dir)).toEqual([]);
  });

  test('an output path that is a directory: exit 2, and the temporary file is cleaned up', async () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'out.json'));
    fs.writeFileSync(path.join(dir, 'out.json', 'keep'), 'x');
    const r = await run(['check', BOUNCER, '-q', '-o', 'out.json', '--format', 'json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dbt-steward: error: out\.json: cannot write the output file/);
    expect(r.stderr).not.toContain('    at ');
    expect(listFiles(dir)).toEqual(['out.json', path.join('out.json', 'keep')]);
  });

  test('an existing output file is replaced whole, by rename (new inode), no temp left', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'out.json');
    // longer than the new output: an in-place write would leave a tail behind
    fs.writeFileSync(target, 'x'.repeat(5_000_000));
    const inodeBefore = fs.statSync(target).ino;
    const file = writeTiny(CLEAN);
    const r = await run(['check', file, '--format', 'json=out.json'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const written = fs.readFileSync(target, 'utf8');
    expect(written).toBe((await run(['check', file, '--format', 'json'])).stdout);
    expect(JSON.parse(written).findings).toEqual([]);
    expect(fs.statSync(target).ino).not.toBe(inodeBefore);
    expect(listFiles(dir)).toEqual(['out.json']);
  });

  test('a failed run leaves an existing output file untouched', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'out.json');
    fs.writeFileSync(target, 'previous');
    const r = await run(['check', path.join(dir, 'nope.json'), '--format', 'json=out.json'], dir);
    expect(r.code).toBe(2);
    expect(fs.readFileSync(target, 'utf8')).toBe('previous');
  });
});

describe('selection', () => {
  test('--select NAME keeps only the findings of that model', async () => {
    expect(expectedOwnerless).toContain(ORDERS);
    const r = await run(['check', BOUNCER, '--select', 'orders', '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.length).toBeGreaterThan(0);
    expect(new Set(out.findings.map((f: any) => f.nodeId))).toEqual(new Set([ORDERS]));
    // domain-present stays quiet: nothing in this project declares a domain.
    expect(out.findings.map((f: any) => f.ruleId).sort()).toEqual(['owner-present']);
  });

  test('-s with a unique_id and the same with a graph operator', async () => {
    const byId = JSON.parse((await run(['check', BOUNCER, '-s', ORDERS, '-f', 'json'])).stdout);
    const byName = JSON.parse((await run(['check', BOUNCER, '-s', 'orders', '-f', 'json'])).stdout);
    expect(byId.findings).toEqual(byName.findings);
    const up = JSON.parse((await run(['check', BOUNCER, '-s', '+orders', '-f', 'json'])).stdout);
    const ids = new Set(up.findings.map((f: any) => f.nodeId));
    const expected = new Set(
      [ORDERS, ...ancestors(ORDERS)].filter((id) => expectedOwnerless.includes(id)),
    );
    expect(ids).toEqual(expected);
    expect(ids.size).toBeGreaterThan(1);
  });

  test('--exclude NAME drops that model’s findings and keeps the rest', async () => {
    const all = JSON.parse((await run(['check', BOUNCER, '-f', 'json'])).stdout);
    const r = await run(['check', BOUNCER, '--exclude', 'orders', '-f', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings).toEqual(all.findings.filter((f: any) => f.nodeId !== ORDERS));
    expect(out.findings.length).toBe(all.findings.length - 1);
  });

  test('--select and --exclude of the same model: no findings, exit 0', async () => {
    const r = await run(['check', BOUNCER, '-s', 'orders', '--exclude', 'orders']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No problems');
  });

  test('--select of a name that matches nothing: exit 2, one line naming it', async () => {
    const r = await run(['check', BOUNCER, '--select', 'no_such_model']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'dbt-steward: error: --select "no_such_model" matches no resource; check the name\n',
    );
    const lineage = await run(['lineage', BOUNCER, '-s', '+no_such_model']);
    expect(lineage.code).toBe(2);
  });
});

describe('lineage', () => {
  let out: any;
  beforeAll(async () => {
    // The manifest has a default YAML selector (package:dbt_bouncer_test_project); an explicit
    // --select replaces it, as in dbt; fqn:* picks every node (dbt's fqn method leaves out
    // sources, exposures and semantic models, so those are named too).
    const every = ['fqn:*', 'source:*', 'exposure:*', 'semantic_model:*'];
    const r = await run(['lineage', BOUNCER, '-s', ...every, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    out = JSON.parse(r.stdout);
  });

  test("without --select the manifest's default selector applies, as in dbt", async () => {
    const r = await run(['lineage', BOUNCER, '--format', 'json']);
    expect(r.code).toBe(0);
    const packages = new Set(JSON.parse(r.stdout).nodes.map((n: any) => n.package));
    expect(packages).toEqual(new Set([BOUNCER_PROJECT]));
  });

  test('the whole graph: nodes with their fields', () => {
    expect(Object.keys(out)).toEqual(['formatVersion', 'nodes', 'edges']);
    expect(out.formatVersion).toBe(1);
    for (const n of out.nodes) {
      expect(Object.keys(n)).toEqual([
        'id',
        'resourceType',
        'name',
        'package',
        'domain',
        'owner',
        'access',
        'file',
        'external',
      ]);
    }
    // the nodes are the resources dbt lists in parent_map, sorted
    const ids = out.nodes.map((n: any) => n.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids)).toEqual(new Set(Object.keys(bouncer.parent_map)));
    const orders = out.nodes.find((n: any) => n.id === ORDERS);
    const raw = bouncer.nodes[ORDERS]!;
    expect(orders).toEqual({
      id: ORDERS,
      resourceType: 'model',
      name: 'orders',
      package: BOUNCER_PROJECT,
      domain: null,
      owner: null,
      access: 'public',
      file: raw.original_file_path,
      external: false,
    });
  });

  test('owners declared in meta show on the nodes', () => {
    const withOwner = Object.values(bouncer.nodes).filter(hasOwner);
    expect(withOwner.length).toBeGreaterThan(0);
    for (const raw of withOwner) {
      const n = out.nodes.find((x: any) => x.id === raw.unique_id);
      expect(n.owner).toEqual(raw.config?.meta?.owner ?? raw.meta?.owner);
    }
  });

  test('edges go from upstream to downstream and are exactly the parent_map', () => {
    const edges = new Set(out.edges.map((e: any) => `${e.from} -> ${e.to}`));
    expect(edges.size).toBe(out.edges.length);
    const expected = new Set<string>();
    for (const [child, parents] of Object.entries(bouncer.parent_map))
      for (const p of parents) expected.add(`${p} -> ${child}`);
    expect(edges).toEqual(expected);
    expect(edges).toContain(`model.${BOUNCER_PROJECT}.stg_orders -> ${ORDERS}`);
    expect(edges).not.toContain(`${ORDERS} -> model.${BOUNCER_PROJECT}.stg_orders`);
  });

  test('-s +NAME: the node, its ancestors and their tests (dbt eager), with the edges among them', async () => {
    const r = await run(['lineage', BOUNCER, '-s', '+orders', '--format', 'json']);
    expect(r.code).toBe(0);
    const sub = JSON.parse(r.stdout);
    const chain = new Set([ORDERS, ...ancestors(ORDERS)]);
    expect(chain.size).toBeGreaterThan(3);
    // dbt's eager indirect selection: tests on a selected node come along with it.
    const expected = new Set(chain);
    for (const [id, parents] of Object.entries(bouncer.parent_map)) {
      if (/^(test|unit_test)\./.test(id) && parents.some((p) => chain.has(p))) expected.add(id);
    }
    expect(expected.size).toBeGreaterThan(chain.size);
    expect(new Set(sub.nodes.map((n: any) => n.id))).toEqual(expected);
    const expectedEdges = new Set<string>();
    for (const id of expected)
      for (const p of bouncer.parent_map[id] ?? [])
        if (expected.has(p)) expectedEdges.add(`${p} -> ${id}`);
    expect(new Set(sub.edges.map((e: any) => `${e.from} -> ${e.to}`))).toEqual(expectedEdges);
  });

  test('-s NAME+ gives the node and its descendants', async () => {
    const r = await run(['lineage', BOUNCER, '-s', 'stg_orders+', '--format', 'json']);
    const ids = new Set(JSON.parse(r.stdout).nodes.map((n: any) => n.id));
    expect(ids).toContain(`model.${BOUNCER_PROJECT}.stg_orders`);
    expect(ids).toContain(ORDERS);
    expect(ids).not.toContain(`seed.${BOUNCER_PROJECT}.raw_orders`);
  });

  test('text output lists upstream (<-) and downstream (->) neighbours', async () => {
    const r = await run(['lineage', BOUNCER, '-s', '+orders']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${ORDERS}  (`));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at]).toBe(`${ORDERS}  (model, public)`);
    expect(lines).toContain(`  <- model.${BOUNCER_PROJECT}.stg_orders`);
    expect(r.stdout).toMatch(/\n\d+ nodes, \d+ edges\n$/);
  });

  test('lineage of a tiny manifest', async () => {
    const file = writeTiny(CLEAN);
    const r = await run(['lineage', file, '-f', 'json']);
    expect(JSON.parse(r.stdout)).toEqual({
      formatVersion: 1,
      nodes: [
        {
          id: 'model.tiny.mart_a',
          resourceType: 'model',
          name: 'mart_a',
          package: 'tiny',
          domain: 'sales',
          owner: 'team-a',
          access: 'protected',
          file: 'models/mart_a.sql',
          external: false,
        },
        {
          id: 'model.tiny.stg_a',
          resourceType: 'model',
          name: 'stg_a',
          package: 'tiny',
          domain: 'sales',
          owner: 'team-a',
          access: 'protected',
          file: 'models/stg_a.sql',
          external: false,
        },
      ],
      edges: [{ from: 'model.tiny.stg_a', to: 'model.tiny.mart_a' }],
    });
  });

  test('lineage has no --exit-zero', async () => {
    const r = await run(['lineage', BOUNCER, '--exit-zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exit-zero');
  });
});

describe('usage errors', () => {
  function expectUsage(r: Run, mention: string): void {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).not.toMatch(/Error:/);
    // One line: the message and a pointer to --help.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dbt-steward: /);
    expect(lines[0]).toContain(mention);
    expect(lines[0]).toContain('dbt-steward --help');
  }

  test('an unknown command', async () => {
    expectUsage(await run(['bogus']), 'bogus');
  });

  test('an unknown flag', async () => {
    expectUsage(await run(['check', BOUNCER, '--bogus-flag']), 'bogus-flag');
    expectUsage(await run(['lineage', BOUNCER, '--frobnicate']), 'frobnicate');
  });

  test('a value outside the choices: one line naming the given value and the choices', async () => {
    const r = await run(['report', 'nope', BOUNCER]);
    expectUsage(r, 'Given: "nope"');
    expect(r.stderr).toContain('Choices: "owners", "domains", "products"');
  });

  test('no command', async () => {
    expectUsage(await run([]), 'name a command: check, lineage, explain');
  });

  test('--debug on a usage error: still exit 2, the message first', async () => {
    const r = await run(['check', BOUNCER, '--bogus-flag', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain('bogus-flag');
  });
});
