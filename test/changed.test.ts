/**
 * Pre-commit scope: the pure part (src/engine/changed.ts) on projects built in code, and
 * `check --changed-files` / `--changed-from` on a temporary git repository.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { changedResources, changedScope, projectFileChange } from '../src/engine/changed.js';
import { createProject, getBuiltinRules, type ResourceInit } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { tinyManifest } from './helpers/tiny-manifest.js';
import { commitAll } from './helpers/git-repo.js';

const P = 'shop';
const id = (name: string) => `model.${P}.${name}`;

function model(
  name: string,
  dir: string,
  deps: string[] = [],
  extra: Partial<ResourceInit> = {},
): ResourceInit {
  return {
    uniqueId: id(name),
    resourceType: 'model',
    name,
    filePath: `models/${dir}/${name}.sql`,
    patchPath: `models/${dir}/_${dir.replace('/', '__')}__models.yml`,
    fqn: [P, ...dir.split('/'), name],
    dependsOn: deps,
    ...extra,
  };
}

/**
 *   source.shop.app.orders -> stg_orders -> int_orders -> fct_orders -> exposure
 *   stg_customers (core)   -> dim_customers              \-> test on fct_orders
 *   stg_payments (payments) -> fct_payments (also refs dim_customers)
 *   stg_utils refs a package model; fct_gone refs a model whose file was deleted
 */
function shop() {
  return createProject({
    name: P,
    resources: [
      {
        uniqueId: `source.${P}.app.orders`,
        resourceType: 'source',
        name: 'orders',
        sourceName: 'app',
        filePath: 'models/core/staging/_app__sources.yml',
        fqn: [P, 'core', 'staging', 'app', 'orders'],
      },
      model('stg_orders', 'core/staging', [`source.${P}.app.orders`]),
      model('stg_customers', 'core/staging'),
      model('int_orders', 'core/intermediate', [id('stg_orders')]),
      model('fct_orders', 'core/marts', [id('int_orders')]),
      model('dim_customers', 'core/marts', [id('stg_customers')], { patchPath: null }),
      model('stg_payments', 'payments/staging'),
      model('fct_payments', 'payments/marts', [id('stg_payments'), id('dim_customers')]),
      model('stg_utils', 'payments/staging', ['model.dbt_utils.date_spine'], { patchPath: null }),
      {
        uniqueId: 'model.dbt_utils.date_spine',
        resourceType: 'model',
        name: 'date_spine',
        packageName: 'dbt_utils',
        filePath: 'models/date_spine.sql',
        fqn: ['dbt_utils', 'date_spine'],
      },
      model('fct_gone', 'payments/marts', [id('stg_removed')], { patchPath: null }),
      {
        uniqueId: `test.${P}.not_null_fct_orders_id.abc`,
        resourceType: 'test',
        name: 'not_null_fct_orders_id',
        filePath: 'models/core/marts/_core__marts__models.yml',
        fqn: [P, 'core', 'marts', 'not_null_fct_orders_id'],
        dependsOn: [id('fct_orders')],
        test: {
          name: 'not_null',
          namespace: null,
          columnName: 'id',
          attachedNode: id('fct_orders'),
        },
      },
      {
        uniqueId: `exposure.${P}.kpis`,
        resourceType: 'exposure',
        name: 'kpis',
        filePath: 'models/core/_core__exposures.yml',
        fqn: [P, 'core', 'kpis'],
        dependsOn: [id('fct_orders')],
      },
    ],
  });
}

const sorted = (s: Iterable<string>) => [...s].sort();
const ALL_MODELS = [
  'stg_orders',
  'stg_customers',
  'int_orders',
  'fct_orders',
  'dim_customers',
  'stg_payments',
  'fct_payments',
  'stg_utils',
  'fct_gone',
].map(id);

describe('changedScope (pure)', () => {
  const project = shop();

  it('a changed SQL file: the model and both ends of its edges', () => {
    expect(sorted(changedScope(project, ['models/core/intermediate/int_orders.sql']))).toEqual(
      sorted([id('int_orders'), id('stg_orders'), id('fct_orders')]),
    );
  });

  it('takes Windows separators and ./ prefixes', () => {
    expect(
      sorted(changedScope(project, ['.\\models\\core\\intermediate\\int_orders.sql'])),
    ).toEqual(sorted(changedScope(project, ['models/core/intermediate/int_orders.sql'])));
  });

  it('a changed YAML file: every resource it defines or documents, with neighbours', () => {
    const changed = changedResources(project, ['models/core/marts/_core__marts__models.yml']);
    // fct_orders (patchPath) and the test defined there; dim_customers has no YAML entry
    expect(sorted(changed.keys())).toEqual(
      sorted([id('fct_orders'), `test.${P}.not_null_fct_orders_id.abc`]),
    );
    expect(sorted(changedScope(project, ['models/core/marts/_core__marts__models.yml']))).toEqual(
      sorted([
        id('fct_orders'),
        id('int_orders'),
        `test.${P}.not_null_fct_orders_id.abc`,
        `exposure.${P}.kpis`,
      ]),
    );
  });

  it('a sources file: its sources and the models reading them', () => {
    expect(sorted(changedScope(project, ['models/core/staging/_app__sources.yml']))).toEqual(
      sorted([`source.${P}.app.orders`, id('stg_orders')]),
    );
  });

  it('files that no resource comes from change nothing', () => {
    expect(
      changedScope(project, ['README.txt', '.github/workflows/ci.yml', 'models/x/notes.txt']),
    ).toEqual(new Set());
  });

  it('dbt_project.yml without its previous content: every resource of the project', () => {
    const scope = changedScope(project, ['dbt_project.yml']);
    for (const m of ALL_MODELS) expect(scope.has(m)).toBe(true);
    expect(scope.has(`source.${P}.app.orders`)).toBe(true);
  });

  it('dbt_project.yml: only the resources under the changed part of a config tree', () => {
    const before = {
      name: P,
      profile: 'a',
      models: { [P]: { '+materialized': 'view', core: { '+meta': { domain: 'core' } } } },
    };
    const after = {
      name: P,
      profile: 'b', // inert
      models: {
        [P]: {
          '+materialized': 'view',
          core: { '+meta': { domain: 'core' }, marts: { '+access': 'public' } },
        },
      },
    };
    const changed = changedResources(project, ['dbt_project.yml'], {
      projectFile: { before, after },
    });
    expect(sorted(changed.keys())).toEqual(sorted([id('fct_orders'), id('dim_customers')]));
    expect(changed.get(id('fct_orders'))).toMatch(/shop\/core\/marts/);
  });

  it('dbt_project.yml: a folder-level config change reaches the whole folder; vars reach everything', () => {
    const base = { models: { [P]: { payments: { '+group': 'payments' } } } };
    const folder = changedResources(project, ['dbt_project.yml'], {
      projectFile: { before: base, after: { models: { [P]: { payments: { '+group': 'pay' } } } } },
    });
    expect(sorted(folder.keys())).toEqual(
      sorted([id('stg_payments'), id('fct_payments'), id('stg_utils'), id('fct_gone')]),
    );
    const vars = changedResources(project, ['dbt_project.yml'], {
      projectFile: { before: base, after: { ...base, vars: { x: 1 } } },
    });
    expect(vars.size).toBe(project.resources.size); // the root's config reaches packages too
    const inert = changedResources(project, ['dbt_project.yml'], {
      projectFile: { before: base, after: { ...base, 'on-run-end': ['select 1'] } },
    });
    expect(inert.size).toBe(0);
  });

  it('projectFileChange: config keys vs folders', () => {
    const tree = (models: unknown) => ({ models });
    // a top-level +config: every model
    expect(projectFileChange(tree({ '+tags': ['a'] }), tree({ '+tags': ['b'] }))).toEqual({
      all: false,
      prefixes: [{ types: ['model'], fqn: [] }],
    });
    // a plain (no +) scalar is a config too; a plain mapping is a folder
    expect(
      projectFileChange(tree({ p: { x: { tags: 'a' } } }), tree({ p: { x: { tags: 'b' } } })),
    ).toEqual({ all: false, prefixes: [{ types: ['model'], fqn: ['p', 'x'] }] });
    // a folder removed
    expect(projectFileChange(tree({ p: { x: { '+tags': 'a' } } }), tree({ p: {} }))).toEqual({
      all: false,
      prefixes: [{ types: ['model'], fqn: ['p', 'x'] }],
    });
    // unparsable or missing file: everything
    expect(projectFileChange(undefined, tree({})).all).toBe(true);
    // sources tree
    expect(
      projectFileChange({ sources: { p: { '+meta': { a: 1 } } } }, { sources: { p: {} } }),
    ).toEqual({ all: false, prefixes: [{ types: ['source'], fqn: ['p'] }] });
  });

  it('a macro file: its users when known, else every model', () => {
    const users = new Map([['macros/cents.sql', [id('fct_payments')]]]);
    expect(
      sorted(changedResources(project, ['macros/cents.sql'], { macroUsers: users }).keys()),
    ).toEqual([id('fct_payments')]);
    expect(sorted(changedResources(project, ['macros/other.sql']).keys())).toEqual(
      sorted(ALL_MODELS),
    );
    // generic tests under <test-path>/generic are macros too; other test SQL is not
    expect(changedResources(project, ['tests/generic/is_even.sql']).size).toBe(ALL_MODELS.length);
    expect(changedResources(project, ['tests/assert_positive.sql']).size).toBe(0);
    expect(
      changedResources(project, ['dbt/macros/x.sql'], { macroPaths: ['dbt/macros'] }).size,
    ).toBe(ALL_MODELS.length);
  });

  it('a docs file: its users when known, else every resource documented in YAML', () => {
    const users = new Map([['models/docs.md', [id('int_orders')]]]);
    expect(
      sorted(changedResources(project, ['models/docs.md'], { docUsers: users }).keys()),
    ).toEqual([id('int_orders')]);
    const fallback = changedResources(project, ['models/docs.md']);
    expect(fallback.has(id('fct_orders'))).toBe(true);
    expect(fallback.has(`source.${P}.app.orders`)).toBe(true);
    expect(fallback.has(id('dim_customers'))).toBe(false); // no YAML entry
  });

  it('packages.yml: what depends on other packages', () => {
    // a dangling parent may be a package that is not installed
    expect(sorted(changedResources(project, ['packages.yml']).keys())).toEqual([
      id('fct_gone'),
      id('stg_utils'),
    ]);
  });

  it('a deleted model file: the models that referenced it', () => {
    expect(sorted(changedScope(project, ['models/payments/staging/stg_removed.sql']))).toEqual([
      id('fct_gone'),
    ]);
  });

  it('a loader fault in a changed file puts its resource in scope', () => {
    const p = shop();
    p.diagnostics.push({
      id: 'ref-unresolved',
      messageId: 'unresolved',
      data: { ref: 'nope' },
      nodeId: id('stg_customers'),
      file: 'models/core/staging/stg_customers.sql',
    });
    expect(
      changedResources(p, ['models/core/staging/stg_customers.sql']).has(id('stg_customers')),
    ).toBe(true);
  });

  it('changed lines of a YAML file: only the entries they fall in', () => {
    const file = 'models/core/marts/_core__marts__models.yml';
    // fct_orders at line 4, dim_customers at line 20 (a flat list, one column)
    const p = createProject({
      name: P,
      resources: [
        model('fct_orders', 'core/marts', [], { yamlPosition: { line: 4, column: 5 } }),
        model('dim_customers', 'core/marts', [], { yamlPosition: { line: 20, column: 5 } }),
        {
          uniqueId: `test.${P}.unique_dim_customers_id.abc`,
          resourceType: 'test',
          name: 'unique_dim_customers_id',
          filePath: file,
          dependsOn: [id('dim_customers')],
        },
      ],
    });
    const lines = (ranges: Array<[number, number]>) =>
      sorted(changedResources(p, [file], { changedLines: new Map([[file, ranges]]) }).keys());
    expect(lines([[25, 26]])).toEqual([id('dim_customers')]);
    expect(lines([[4, 4]])).toEqual([id('fct_orders')]);
    expect(lines([[19, 20]])).toEqual(sorted([id('fct_orders'), id('dim_customers')]));
    // the file's header (version, models:) changed: every resource of the file
    expect(lines([[1, 2]])).toHaveLength(3);
    // an entry without a position (manifest mode) or entries at different depths: whole file
    const unpositioned = changedResources(project, [file], {
      changedLines: new Map([[file, [[30, 30]]]]),
    });
    expect(unpositioned.size).toBe(2);
    const nested = createProject({
      name: P,
      resources: [
        model('a', 'core/marts', [], { yamlPosition: { line: 4, column: 5 } }),
        model('b', 'core/marts', [], { yamlPosition: { line: 9, column: 9 } }),
      ],
    });
    expect(
      changedResources(nested, ['models/core/marts/_core__marts__models.yml'], {
        changedLines: new Map([['models/core/marts/_core__marts__models.yml', [[10, 10]]]]),
      }).size,
    ).toBe(2);
  });

  it('another loaded project: only its own resources', () => {
    const other = changedResources(project, ['models/core/intermediate/int_orders.sql'], {
      projectName: 'elsewhere',
    });
    expect(other.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// The CLI on a temporary git repository

function hasGit(): boolean {
  try {
    execFileSync('which', ['git'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const GIT = hasGit();
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-changed-'));
  tmpDirs.push(d);
  return d;
}

/** Only owner-present, so the expected findings are one per model without an owner. */
const FOCUS = (() => {
  const file = path.join(tmpDir(), 'focus.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      rules: Object.fromEntries(
        getBuiltinRules().map((r) => [r.id, r.id === 'owner-present' ? 'error' : 'off']),
      ),
    }),
  );
  return file;
})();

const TINY = (name: string) => `model.tiny.${name}`;

/**
 * A dbt project `tiny` in `repo/analytics/` (so paths must be mapped from the repository root):
 * a -> b -> c, and d on its own; no model has an owner. The manifest and the source files
 * describe the same project, so the test holds whichever input the loader picks.
 */
function tinyRepo(): { repo: string; project: string } {
  const repo = tmpDir();
  const project = path.join(repo, 'analytics');
  const models = [
    { name: 'a' },
    { name: 'b', deps: ['a'] },
    { name: 'c', deps: ['b'] },
    { name: 'd' },
  ];
  fs.mkdirSync(path.join(project, 'models'), { recursive: true });
  fs.mkdirSync(path.join(project, 'target'), { recursive: true });
  fs.mkdirSync(path.join(project, 'macros'), { recursive: true });
  fs.writeFileSync(
    path.join(project, 'dbt_project.yml'),
    'name: tiny\nversion: "1.0.0"\nprofile: tiny\nmodels:\n  tiny:\n    +materialized: view\n',
  );
  for (const m of models)
    fs.writeFileSync(
      path.join(project, 'models', `${m.name}.sql`),
      m.deps ? `select * from {{ ref('${m.deps[0]}') }}\n` : 'select 1 as id\n',
    );
  fs.writeFileSync(
    path.join(project, 'models', 'schema.yml'),
    `version: 2\n\nmodels:\n${models.map((m) => `  - name: ${m.name}\n    description: Model ${m.name}.\n`).join('')}`,
  );
  fs.writeFileSync(
    path.join(project, 'macros', 'money.sql'),
    '{% macro money(x) -%}\n  round({{ x }}, 2)\n{%- endmacro %}\n',
  );
  fs.writeFileSync(path.join(project, 'target', 'manifest.json'), tinyManifest(models));
  commitAll(repo);
  return { repo, project };
}

function nodesOf(stdout: string): string[] {
  const result = JSON.parse(stdout) as { findings: Array<{ nodeId?: string }> };
  return [...new Set(result.findings.map((f) => f.nodeId ?? '(project)'))].sort();
}

const check = (cwd: string, ...args: string[]) =>
  runCli(['check', 'analytics', '--format', 'json', '--config', FOCUS, ...args], cwd);

const gitDescribe = GIT ? describe : describe.skip;
if (!GIT)
  console.warn(
    'changed.test.ts: git is not installed (`which git` failed): skipping the --changed-from tests',
  );

gitDescribe('check --changed-files / --changed-from (git repository)', () => {
  it('without a scope, every model is reported', async () => {
    const { repo } = tinyRepo();
    const r = await check(repo);
    expect(r.code).toBe(1);
    expect(nodesOf(r.stdout)).toEqual(['a', 'b', 'c', 'd'].map(TINY));
  });

  it('--changed-files: paths relative to the working directory, mapped to the project', async () => {
    const { repo } = tinyRepo();
    const r = await check(repo, '--changed-files', 'analytics/models/b.sql');
    expect(r.stderr).toMatch(
      /--changed-files: 1 changed file\(s\), 1 changed resource\(s\), 3 in scope/,
    );
    expect(nodesOf(r.stdout)).toEqual(['a', 'b', 'c'].map(TINY));
  });

  it('--changed-files: a file outside the project changes nothing (exit 0)', async () => {
    const { repo } = tinyRepo();
    fs.writeFileSync(path.join(repo, 'README.md'), 'hello\n');
    const r = await check(repo, '--changed-files', 'README.md');
    expect(r.code).toBe(0);
    expect(nodesOf(r.stdout)).toEqual([]);
  });

  it('--changed-from: uncommitted edits, untracked files and commits since the ref', async () => {
    const { repo, project } = tinyRepo();
    // uncommitted edit of d
    fs.appendFileSync(path.join(project, 'models', 'd.sql'), '-- touched\n');
    let r = await check(repo, '--changed-from', 'HEAD');
    expect(r.stderr).toMatch(/--changed-from HEAD: 1 changed file/);
    expect(nodesOf(r.stdout)).toEqual([TINY('d')]);
    // a commit that touches a, on top
    fs.appendFileSync(path.join(project, 'models', 'a.sql'), '-- touched\n');
    execFileSync('git', ['commit', '-q', '-am', 'touch a and d'], { cwd: repo });
    fs.writeFileSync(path.join(project, 'models', 'notes.txt'), 'untracked\n');
    r = await check(repo, '--changed-from', 'HEAD~1');
    expect(nodesOf(r.stdout)).toEqual(['a', 'b', 'd'].map(TINY));
    // run from inside the project directory: same answer
    r = await runCli(
      ['check', '.', '--format', 'json', '--config', FOCUS, '--changed-from', 'HEAD~1'],
      project,
    );
    expect(nodesOf(r.stdout)).toEqual(['a', 'b', 'd'].map(TINY));
  });

  it('--changed-from with --select: the intersection', async () => {
    const { repo, project } = tinyRepo();
    fs.appendFileSync(path.join(project, 'models', 'b.sql'), '-- touched\n');
    const r = await check(repo, '--changed-from', 'HEAD', '--select', 'c', 'd');
    expect(nodesOf(r.stdout)).toEqual([TINY('c')]);
  });

  it('dbt_project.yml: only the folders whose config changed since the ref', async () => {
    const { repo, project } = tinyRepo();
    const file = path.join(project, 'dbt_project.yml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('profile: tiny', 'profile: other'),
    );
    let r = await check(repo, '--changed-from', 'HEAD');
    expect(nodesOf(r.stdout)).toEqual([]); // profile does not change any config
    fs.appendFileSync(file, '    +tags: [nightly]\n');
    r = await check(repo, '--changed-from', 'HEAD');
    expect(nodesOf(r.stdout)).toEqual(['a', 'b', 'c', 'd'].map(TINY));
  });

  it('a properties file: its edited entry when the loader knows entry positions (source mode), else the file', async () => {
    const { repo, project } = tinyRepo();
    const file = path.join(project, 'models', 'schema.yml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('description: Model d.', 'description: Model d, now documented.'),
    );
    const r = await check(repo, '--changed-from', 'HEAD');
    const input = (JSON.parse(r.stdout) as { projects: Array<{ input: string }> }).projects[0]
      ?.input;
    expect(nodesOf(r.stdout)).toEqual(
      input === 'source' ? [TINY('d')] : ['a', 'b', 'c', 'd'].map(TINY),
    );
    // a top-level key changed: the whole file, in either mode
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('version: 2', 'version: 2\nseeds: []'),
    );
    const all = await check(repo, '--changed-from', 'HEAD');
    expect(nodesOf(all.stdout)).toEqual(['a', 'b', 'c', 'd'].map(TINY));
  });

  it('a macro: the models that call it', async () => {
    const { repo, project } = tinyRepo();
    fs.writeFileSync(
      path.join(project, 'models', 'c.sql'),
      "select {{ money('amount') }} as amount from {{ ref('b') }}\n",
    );
    execFileSync('git', ['commit', '-q', '-am', 'c uses money'], { cwd: repo });
    fs.writeFileSync(
      path.join(project, 'macros', 'money.sql'),
      '{% macro money(x) -%}\n  round({{ x }}, 4)\n{%- endmacro %}\n',
    );
    const r = await check(repo, '--changed-from', 'HEAD');
    expect(nodesOf(r.stdout)).toEqual(['b', 'c'].map(TINY));
  });

  it('the dbt-steward config file changed: a full run', async () => {
    const { repo } = tinyRepo();
    const r = await check(repo, '--changed-files', FOCUS);
    expect(r.stderr).toMatch(/checking everything/);
    expect(nodesOf(r.stdout)).toEqual(['a', 'b', 'c', 'd'].map(TINY));
  });

  it('a bad ref: one line naming the ref and the fix, exit 2', async () => {
    const { repo } = tinyRepo();
    const r = await check(repo, '--changed-from', 'no-such-branch');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // (the loader may print which input it used on the first line)
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes('no-such-branch'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--changed-from no-such-branch: git cannot compare it with HEAD/);
    expect(lines[0]).toMatch(/git fetch origin no-such-branch/);
  });

  it('outside a git repository: says so', async () => {
    const dir = tmpDir();
    fs.cpSync(path.join(tinyRepo().project), path.join(dir, 'analytics'), { recursive: true });
    const r = await check(dir, '--changed-from', 'main');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--changed-from main: .* is not in a git repository/);
  });

  it('--changed-files and --changed-from together: a usage error', async () => {
    const { repo } = tinyRepo();
    const r = await check(repo, '--changed-from', 'HEAD', '--changed-files', 'x.sql');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mutually exclusive|conflict/i);
  });
});
