/**
 * Bad inputs: each gives exit 2 and ONE line on stderr that names the file (and the JSON
 * path where it applies) and says what to do, with no stack trace unless --debug. Run in
 * process through main(), and a few through the real binary as a child process.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type Run } from './helpers/cli.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};
const corpusDir = fileURLToPath(
  new URL('../../shared/corpus/manifests/dbt-bouncer-test-project/', import.meta.url),
);
const BOUNCER = path.join(corpusDir, 'manifest.json');
const isRoot = process.getuid?.() === 0;

const run = runCli;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-bad-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `content` to a fresh file in the temp dir; returns its name (relative to dir). */
let counter = 0;
function write(content: string | Buffer, name?: string): string {
  const file = name ?? `case-${++counter}.json`;
  fs.writeFileSync(path.join(dir, file), content);
  return file;
}

/**
 * Asserts the one-line error contract and returns the line. `mentions` are further
 * fragments the line must hold (the JSON path, the advice).
 */
function expectOneLine(r: Run, file: string, ...mentions: Array<string | RegExp>): string {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  expect(line).toMatch(/^dbt-steward: error: /);
  expect(line).toContain(file);
  for (const m of mentions) {
    if (typeof m === 'string') expect(line).toContain(m);
    else expect(line).toMatch(m);
  }
  return line;
}

/** The advice part of every message: something to do about it. */
const ADVICE = /; (regenerate|check the path|pass |make the file readable|run `dbt parse`)/;

const V12 = 'https://schemas.getdbt.com/dbt/manifest/v12.json';

function model(name: string, patch: (n: Record<string, any>) => void = () => {}) {
  const n: Record<string, any> = {
    unique_id: `model.x.${name}`,
    resource_type: 'model',
    name,
    package_name: 'x',
    path: `${name}.sql`,
    original_file_path: `models/${name}.sql`,
    fqn: ['x', name],
    meta: { owner: 'team', domain: 'd' },
    tags: [],
    config: { meta: { owner: 'team', domain: 'd' }, tags: [], access: 'protected' },
    access: 'protected',
    depends_on: { nodes: [], macros: [] },
  };
  patch(n);
  return n;
}

function manifest(
  nodes: Array<Record<string, any>>,
  schema: string | null = V12,
  extra: Record<string, unknown> = {},
): string {
  const metadata: Record<string, unknown> = { dbt_version: '1.9.0', project_name: 'x' };
  if (schema !== null) metadata.dbt_schema_version = schema;
  return JSON.stringify({
    metadata,
    nodes: Object.fromEntries(nodes.map((n) => [n.unique_id, n])),
    sources: {},
    exposures: {},
    groups: {},
    ...extra,
  });
}

describe('files that cannot be read', () => {
  test('a missing file', async () => {
    const r = await run(['check', 'no-such-manifest.json'], dir);
    expectOneLine(r, 'no-such-manifest.json', 'no such file or directory', ADVICE);
  });

  test('a missing file in lineage too', async () => {
    const r = await run(['lineage', 'nested/missing.json'], dir);
    expectOneLine(r, 'nested/missing.json', 'no such file or directory');
  });

  test('a directory with nothing to read', async () => {
    fs.mkdirSync(path.join(dir, 'emptydir'));
    const r = await run(['check', 'emptydir'], dir);
    expectOneLine(
      r,
      'emptydir',
      'no manifest.json and no dbt_project.yml found in it or below it',
      ADVICE,
    );
  });

  test('a dbt project directory not parsed yet is read from source, and says so first', async () => {
    fs.mkdirSync(path.join(dir, 'unparsed'));
    fs.writeFileSync(path.join(dir, 'unparsed', 'dbt_project.yml'), 'name: x\n');
    const r = await run(['check', 'unparsed'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(
      'dbt-steward: reading unparsed from source (no target/manifest.json)',
    );
  });

  test('a dbt project directory whose dbt_project.yml is broken', async () => {
    fs.mkdirSync(path.join(dir, 'broken-project'));
    fs.writeFileSync(path.join(dir, 'broken-project', 'dbt_project.yml'), 'name: [x\n');
    const r = await run(['check', 'broken-project'], dir);
    expect(r.stderr.split('\n')[0]).toBe(
      'dbt-steward: reading broken-project from source (no target/manifest.json)',
    );
    expectOneLine(
      { ...r, stderr: r.stderr.slice(r.stderr.indexOf('\n') + 1) },
      'broken-project/dbt_project.yml:',
    );
  });

  test('an unreadable file', async () => {
    if (isRoot) {
      // Running as root, chmod 000 does not stop reads (root bypasses file permissions), so
      // in process the unreadable path is a FIFO: it must be refused without blocking on
      // open. The real permission-denied case runs below through the binary as another user.
      const fifo = path.join(dir, 'pipe.json');
      const mk = spawnSync('mkfifo', [fifo]);
      if (mk.status !== 0) return; // no mkfifo on this system: nothing to test in process
      const r = await run(['check', 'pipe.json'], dir);
      expectOneLine(r, 'pipe.json', 'not a regular file or directory', ADVICE);
    } else {
      const file = write('{}', 'locked.json');
      fs.chmodSync(path.join(dir, file), 0o000);
      const r = await run(['check', file], dir);
      expectOneLine(r, file, 'permission denied', 'make the file readable');
    }
  });
});

describe('files that are not JSON', () => {
  test('an empty file', async () => {
    const file = write('');
    expectOneLine(await run(['check', file], dir), file, 'the file is empty', ADVICE);
  });

  test('a white-space-only file', async () => {
    const file = write('  \n\t\r\n   ');
    expectOneLine(await run(['check', file], dir), file, 'only white space', ADVICE);
  });

  test('not JSON: hello', async () => {
    const file = write('hello\n');
    expectOneLine(await run(['check', file], dir), file, 'not a JSON object', 'line 1', ADVICE);
  });

  test('a real manifest cut in half', async () => {
    const whole = fs.readFileSync(BOUNCER);
    const file = write(whole.subarray(0, Math.floor(whole.length / 2)));
    const line = expectOneLine(await run(['check', file], dir), file, 'regenerate it');
    expect(line).toMatch(/truncated|unexpected end|unterminated/);
  });

  test('a real manifest cut inside "nodes" names the section', async () => {
    const whole = fs.readFileSync(BOUNCER);
    const at = whole.indexOf('"nodes"') + 2000;
    const file = write(whole.subarray(0, at));
    expectOneLine(await run(['check', file], dir), file, 'in "nodes"', 'line ', ADVICE);
  });

  test('a binary file (random bytes with NULs)', async () => {
    const bytes = randomBytes(4096);
    bytes[0] = 0x7b; // even starting like a JSON object
    bytes[100] = 0;
    bytes[2000] = 0;
    const file = write(bytes, 'manifest.bin');
    expectOneLine(await run(['check', file], dir), file, 'binary file', ADVICE);
  });

  test('trailing garbage after the JSON object', async () => {
    const file = write(manifest([model('a')]) + '\n{"again": true}\n');
    expectOneLine(
      await run(['check', file], dir),
      file,
      'unexpected data after the end of the JSON object',
      'line 2, column 1',
      ADVICE,
    );
  });
});

describe('JSON that is not a dbt manifest', () => {
  test('{"a":1}', async () => {
    const file = write('{"a":1}');
    expectOneLine(await run(['check', file], dir), file, 'not a dbt manifest', 'pass ');
  });

  test('[]', async () => {
    const file = write('[]');
    expectOneLine(await run(['check', file], dir), file, 'not a JSON object', ADVICE);
  });

  test('a metadata block but no nodes', async () => {
    const file = write(JSON.stringify({ metadata: { dbt_schema_version: V12 } }));
    expectOneLine(await run(['check', file], dir), file, 'no "nodes" key');
  });

  test('another dbt artifact (the corpus catalog.json)', async () => {
    const r = await run(['check', path.join(corpusDir, 'catalog.json')], dir);
    expectOneLine(r, 'catalog.json', 'is not a dbt manifest schema URL', 'pass ');
  });

  test('no dbt_schema_version', async () => {
    const file = write(manifest([model('a')], null));
    expectOneLine(
      await run(['check', file], dir),
      file,
      'metadata.dbt_schema_version is missing',
      'regenerate it',
    );
  });
});

describe('wrong types in governance fields name the JSON path', () => {
  test.each<[string, (n: Record<string, any>) => void, string]>([
    ['meta is a string', (n) => (n.meta = 'owner: me'), 'nodes["model.x.y"].meta'],
    ['config.meta is a list', (n) => (n.config.meta = ['a']), 'nodes["model.x.y"].config.meta'],
    ['access is "secret"', (n) => (n.access = 'secret'), 'nodes["model.x.y"].access'],
    ['tags is 5', (n) => (n.tags = 5), 'nodes["model.x.y"].tags'],
    [
      'depends_on.nodes is a string',
      (n) => (n.depends_on.nodes = 'model.x.a'),
      'nodes["model.x.y"].depends_on.nodes',
    ],
    ['name is missing', (n) => delete n.name, 'nodes["model.x.y"].name'],
  ])('%s', async (_what, patch, jsonPath) => {
    const file = write(manifest([model('a'), model('y', patch)]));
    const r = await run(['check', file], dir);
    expectOneLine(r, file, `${jsonPath}: `, 'regenerate it with `dbt parse`');
  });

  test('a group whose owner is a string', async () => {
    const file = write(
      manifest([model('a')], V12, {
        groups: {
          'group.x.g': {
            unique_id: 'group.x.g',
            name: 'g',
            package_name: 'x',
            owner: 'me',
          },
        },
      }),
    );
    expectOneLine(await run(['check', file], dir), file, 'groups["group.x.g"].owner: ');
  });

  test('--debug shows the stack trace', async () => {
    const file = write(manifest([model('y', (n) => (n.meta = 'x'))]));
    const r = await run(['check', file, '--debug'], dir);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toContain('nodes["model.x.y"].meta');
    expect(r.stderr).toContain('InputError');
    expect(r.stderr).toContain('    at ');
  });

  test('--debug on a missing file shows the stack too', async () => {
    const r = await run(['lineage', 'gone.json', '--debug'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gone.json');
    expect(r.stderr).toContain('    at ');
  });
});

describe('schema versions', () => {
  const V99 = 'https://schemas.getdbt.com/dbt/manifest/v99.json';

  test('a v99 manifest of the right shape loads, with a warning on stderr', async () => {
    const file = write(manifest([model('a'), model('b')], V99));
    const r = await run(['check', file, '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dbt-steward: warning: /);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain('v99');
    const out = JSON.parse(r.stdout);
    expect(out.projects[0]).toMatchObject({ name: 'x', schemaVersion: 99 });
    expect(out.projects[0].counts).toEqual({ model: 2 });
  });

  test('a v99 manifest with findings exits 1', async () => {
    const file = write(
      manifest(
        [
          model('a', (n) => {
            n.meta = {};
            n.config.meta = {};
          }),
        ],
        V99,
      ),
    );
    const r = await run(['check', file], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('v99');
    expect(r.stdout).toContain('owner-present');
  });

  test('a v99 manifest that does not validate: exit 2', async () => {
    const file = write(manifest([model('y', (n) => (n.depends_on = { nodes: 7 }))], V99));
    expectOneLine(await run(['check', file], dir), file, 'nodes["model.x.y"].depends_on.nodes: ');
  });

  test('v0 is refused', async () => {
    const file = write(manifest([model('a')], 'https://schemas.getdbt.com/dbt/manifest/v0.json'));
    expectOneLine(await run(['check', file], dir), file, 'unknown manifest schema version v0');
  });
});

describe('__proto__ keys are data, never prototypes', () => {
  const body = `{
    "metadata": {"dbt_schema_version": "${V12}", "project_name": "x"},
    "nodes": {
      "__proto__": {
        "unique_id": "__proto__", "resource_type": "model", "name": "proto_node",
        "package_name": "x", "original_file_path": "models/p.sql", "path": "p.sql",
        "meta": {"owner": "o", "domain": "d", "__proto__": {"polluted": true}},
        "config": {"__proto__": {"polluted": true}, "meta": {"__proto__": {"polluted": true}}},
        "depends_on": {"nodes": []}
      },
      "model.x.y": {
        "unique_id": "model.x.y", "resource_type": "model", "name": "y",
        "package_name": "x", "original_file_path": "models/y.sql", "path": "y.sql",
        "meta": {"__proto__": {"polluted": true, "owner": "evil"}, "domain": "d"},
        "config": {"meta": {"__proto__": {"polluted": true}, "owner": "o"}},
        "depends_on": {"nodes": ["__proto__"]}
      },
      "model.x.z": {
        "unique_id": "model.x.z", "resource_type": "model", "name": "z",
        "package_name": "x", "original_file_path": "models/z.sql", "path": "z.sql",
        "meta": {"tier": 1},
        "config": {"meta": {"__proto__": {"owner": "evil", "domain": "evil"}, "tier": 2}},
        "depends_on": {"nodes": []}
      }
    }
  }`;

  afterEach(() => {
    expect(({} as any).polluted).toBeUndefined();
    expect((Object.prototype as any).polluted).toBeUndefined();
  });

  test('check loads it; the __proto__ values are not read as owner or domain', async () => {
    const file = write(body);
    const r = await run(['check', file, '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.projects[0].counts).toEqual({ model: 3 });
    // only z lacks an owner and a domain: "evil" hidden under __proto__ does not count
    const ownership = out.findings.filter((f: any) =>
      ['owner-present', 'domain-present'].includes(f.ruleId),
    );
    expect(ownership.map((f: any) => `${f.ruleId} ${f.nodeId}`).sort()).toEqual([
      'domain-present model.x.z',
      'owner-present model.x.z',
    ]);
    expect(r.code).toBe(1);
    expect(({} as any).polluted).toBeUndefined();
  });

  test('lineage keeps a node keyed "__proto__" and its edge', async () => {
    const file = write(body);
    const r = await run(['lineage', file, '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.nodes.map((n: any) => n.id)).toEqual(['__proto__', 'model.x.y', 'model.x.z']);
    expect(out.nodes[0]).toMatchObject({ name: 'proto_node', owner: 'o', domain: 'd' });
    expect(out.nodes[1]).toMatchObject({ owner: 'o', domain: 'd' });
    expect(out.edges).toEqual([{ from: '__proto__', to: 'model.x.y' }]);
  });
});

// ---------------------------------------------------------------------------------------
// The real binary, as a child process

const BIN_JS = path.join(repoRoot, 'dist', 'src', 'cli', 'bin.js');

function newestSource(): number {
  let newest = 0;
  for (const top of ['src', 'rules']) {
    for (const rel of fs.readdirSync(path.join(repoRoot, top), { recursive: true }) as string[]) {
      if (!String(rel).endsWith('.ts')) continue;
      newest = Math.max(newest, fs.statSync(path.join(repoRoot, top, String(rel))).mtimeMs);
    }
  }
  return newest;
}

function spawnBin(args: string[], options: { cwd?: string; uid?: number; gid?: number } = {}) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'dbt-steward.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
  });
}

describe('the real binary', () => {
  beforeAll(() => {
    // Build when dist is missing or older than the sources, so the binary runs this code.
    if (!fs.existsSync(BIN_JS) || fs.statSync(BIN_JS).mtimeMs < newestSource()) {
      const b = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
    }
  }, 300_000);

  function expectBinOneLine(r: ReturnType<typeof spawnBin>, file: string): void {
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('    at ');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dbt-steward: error: /);
    expect(lines[0]).toContain(file);
  }

  test('bin/dbt-steward.js is an executable node script (as npx runs it)', () => {
    const bin = path.join(repoRoot, 'bin', 'dbt-steward.js');
    expect(fs.readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    expect(pkg).toHaveProperty(['bin', 'dbt-steward'], 'bin/dbt-steward.js');
  });

  test('--version prints the package.json version', () => {
    const r = spawnBin(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });

  test('--help exits 0', () => {
    const r = spawnBin(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dbt-steward check [inputs..]');
    expect(r.stderr).toBe('');
  });

  test('a missing file: exit 2, one line', () => {
    expectBinOneLine(spawnBin(['check', 'does-not-exist.json']), 'does-not-exist.json');
  });

  test('an empty file and not-JSON: exit 2, one line', () => {
    const empty = write('');
    expectBinOneLine(spawnBin(['check', empty], { cwd: dir }), empty);
    const hello = write('hello');
    expectBinOneLine(spawnBin(['lineage', hello], { cwd: dir }), hello);
  });

  test('a wrong type: exit 2, one line with the JSON path', () => {
    const file = write(manifest([model('y', (n) => (n.access = 'secret'))]));
    const r = spawnBin(['check', file], { cwd: dir });
    expectBinOneLine(r, file);
    expect(r.stderr).toContain('nodes["model.x.y"].access');
  });

  test('--debug shows the stack trace', () => {
    const r = spawnBin(['check', 'does-not-exist.json', '--debug']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('does-not-exist.json');
    expect(r.stderr).toContain('    at ');
  });

  test('an unknown flag: exit 2, no stack trace', () => {
    const r = spawnBin(['check', '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('dbt-steward: Unknown argument: frobnicate (see dbt-steward --help)\n');
    expect(r.stderr).not.toContain('    at ');
  });

  test('findings: exit 1; --exit-zero: exit 0', () => {
    const r = spawnBin(['check', BOUNCER]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('owner-present');
    // Only the hint that domain rules wait for domains; no stack trace, no noise.
    expect(r.stderr).toMatch(/^dbt-steward: hint: domain rules are skipped[^\n]*\n$/);
    expect(spawnBin(['check', BOUNCER, '--exit-zero']).status).toBe(0);
  });

  test('a file without read permission: exit 2, one line saying so', () => {
    const name = write('{}', 'no-read.json');
    const file = path.join(dir, name);
    fs.chmodSync(file, 0o000);
    if (!isRoot) {
      const r = spawnBin(['check', file]);
      expectBinOneLine(r, name);
      expect(r.stderr).toContain('permission denied; make the file readable');
      return;
    }
    // As root chmod 000 does not stop reads, so run the binary as "nobody" (uid 65534).
    fs.chmodSync(dir, 0o755);
    const r = spawnBin(['check', file], { uid: 65534, gid: 65534, cwd: os.tmpdir() });
    const code = r.error && 'code' in r.error ? r.error.code : undefined;
    if (code === 'EPERM' || code === 'EACCES') return; // no setuid here (restricted container)
    // "nobody" must be able to run the tool at all: not so when the checkout sits in a
    // directory only root may enter (CI clones anywhere). Then this case cannot be staged.
    const probe = spawnBin(['--version'], { uid: 65534, gid: 65534, cwd: os.tmpdir() });
    if (probe.status !== 0) return;
    expectBinOneLine(r, name);
    expect(r.stderr).toContain('permission denied; make the file readable');
  });
});
