/**
 * Delivery into the ecosystem: the composite GitHub Action (action.yml) and the pre-commit
 * hook (.pre-commit-hooks.yaml). Their structure is checked, the action's shell steps are run
 * with bash against the example mesh, and the hook's command line, as pre-commit builds it,
 * runs through the real binary.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { MARKDOWN_MARKER } from '../src/report/check-markdown.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const BIN = path.join(repoRoot, 'bin', 'dbt-steward.js');
const BIN_JS = path.join(repoRoot, 'dist', 'src', 'cli', 'bin.js');
const MESH = 'fixtures/example-mesh';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'continue-on-error'?: boolean;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}
interface Hook {
  id: string;
  name: string;
  description: string;
  entry: string;
  args?: string[];
  language: string;
  pass_filenames: boolean;
  files: string;
  require_serial: boolean;
}

const action = parse(fs.readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as Action;
const hooks = parse(
  fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8'),
) as Hook[];
const steps = action.runs.steps;
const stepById = (id: string) => steps.find((s) => s.id === id)!;
const stepUsing = (prefix: string) => steps.find((s) => s.uses?.startsWith(prefix))!;

function newestSource(dir = path.join(repoRoot, 'src')): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // The binary must run this code: build when dist is missing or older than the sources.
  if (!fs.existsSync(BIN_JS) || fs.statSync(BIN_JS).mtimeMs < newestSource()) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
  }
}, 300_000);

describe('action.yml', () => {
  test('is a composite action with the documented inputs and outputs', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    for (const name of ['path', 'base', 'config', 'formats', 'fail-on-existing', 'version']) {
      expect(action.inputs).toHaveProperty(name);
      expect(action.inputs[name]!.description).toBeTruthy();
      // every input has a default, so the action runs with none given
      expect(action.inputs[name]!.required ?? false).toBe(false);
      expect(typeof action.inputs[name]!.default).toBe('string');
    }
    expect(action.inputs.path!.default).toBe('.');
    expect(action.inputs.base!.default).toBe('${{ github.event.pull_request.base.sha }}');
    expect(action.inputs['fail-on-existing']!.default).toBe('false');
    expect(Object.keys(action.outputs)).toEqual(
      expect.arrayContaining(['exit-code', 'sarif', 'comment']),
    );
  });

  test('every run step names its shell (composite actions require it)', () => {
    const runSteps = steps.filter((s) => s.run !== undefined);
    expect(runSteps.length).toBeGreaterThanOrEqual(3);
    for (const s of runSteps) expect(s.shell).toBe('bash');
  });

  test('is safe from script injection: no expression inside a script body', () => {
    // Expressions are expanded into the script text before the shell (or github-script)
    // runs it; a branch name or an input could then run code. They belong in env: only.
    const bodies = steps.flatMap((s) => [s.run, s.with?.script]).filter((b) => b !== undefined);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    for (const body of bodies) expect(body).not.toContain('${{');
    // inputs reach the scripts through the environment
    const check = stepById('check');
    expect(check.env).toMatchObject({
      STEWARD_PATH: '${{ inputs.path }}',
      STEWARD_BASE: '${{ inputs.base }}',
      STEWARD_CONFIG: '${{ inputs.config }}',
      STEWARD_FORMATS: '${{ inputs.formats }}',
      STEWARD_FAIL_ON_EXISTING: '${{ inputs.fail-on-existing }}',
    });
    expect(stepById('install').env).toMatchObject({ STEWARD_VERSION: '${{ inputs.version }}' });
  });

  test('sets up Node.js 20 first', () => {
    expect(steps[0]!.uses).toBe('actions/setup-node@v4');
    expect(steps[0]!.with).toEqual({ 'node-version': '20' });
  });

  test('runs check with sarif, markdown and github, and --base when there is one', () => {
    const run = stepById('check').run!;
    expect(run).toContain('--format "sarif=');
    expect(run).toContain('--format "markdown=');
    expect(run).toContain('--format github');
    expect(run).toContain('"--base=$STEWARD_BASE"');
    expect(run).toContain('--fail-on-existing');
    // the exit code is captured, not fatal, so the report steps still run
    expect(run).not.toMatch(/set -[a-z]*e/);
    expect(run).toContain('exit-code=$code');
  });

  test('uploads SARIF without failing the action when the repository refuses it', () => {
    const upload = stepUsing('github/codeql-action/upload-sarif@');
    expect(upload.uses).toBe('github/codeql-action/upload-sarif@v3');
    expect(upload['continue-on-error']).toBe(true);
    expect(upload.with?.sarif_file).toBe('${{ steps.check.outputs.sarif }}');
    expect(upload.if).toContain("steps.check.outputs.sarif != ''");
  });

  test('posts or updates one comment found by the marker, else writes the job summary', () => {
    const comment = stepUsing('actions/github-script@');
    expect(comment.uses).toBe('actions/github-script@v7');
    expect(comment.env?.STEWARD_MARKER).toBe(MARKDOWN_MARKER);
    expect(comment.with?.['github-token']).toBe('${{ inputs.token }}');
    const script = comment.with!.script!;
    expect(script).toContain('listComments');
    expect(script).toContain('updateComment');
    expect(script).toContain('createComment');
    expect(script).toContain('includes(marker)');
    expect(script).toContain('403');
    expect(script).toContain('core.summary');
  });

  test('the last step exits with the check exit code', () => {
    const last = steps.at(-1)!;
    expect(last.env).toEqual({ STEWARD_EXIT_CODE: '${{ steps.check.outputs.exit-code }}' });
    for (const code of [0, 1, 2]) {
      const r = spawnSync('bash', ['-c', last.run!], {
        env: { PATH: process.env.PATH, STEWARD_EXIT_CODE: String(code) },
        encoding: 'utf8',
      });
      expect(r.status).toBe(code);
    }
    // no output from the check step (it did not run): fail, do not pass silently
    const none = spawnSync('bash', ['-c', last.run!], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(none.status).toBe(2);
  });

  test('the check step, run by bash on the example mesh, writes the outputs and the code', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-action-'));
    try {
      const githubOutput = path.join(tmp, 'github-output');
      fs.writeFileSync(githubOutput, '');
      const r = spawnSync('bash', ['-c', stepById('check').run!], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          PATH: process.env.PATH,
          RUNNER_TEMP: tmp,
          GITHUB_OUTPUT: githubOutput,
          STEWARD_CLI: BIN,
          STEWARD_PATH: MESH,
          STEWARD_BASE: '',
          STEWARD_CONFIG: '',
          STEWARD_FORMATS: ` junit=${path.join(tmp, 'steward.xml')}\n\tjson=${path.join(tmp, 'steward.json')}\n`,
          STEWARD_FAIL_ON_EXISTING: 'false',
        },
      });
      expect(r.status).toBe(0); // the step itself never fails
      expect(r.stderr).not.toContain('    at ');
      expect(r.stdout).toMatch(/^::error file=/m); // the github format goes to the log
      const out = Object.fromEntries(
        fs
          .readFileSync(githubOutput, 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(out['exit-code']).toBe('1'); // the example mesh has error findings
      expect(out.sarif).toBe(path.join(tmp, 'dbt-steward', 'steward.sarif'));
      expect(JSON.parse(fs.readFileSync(out.sarif!, 'utf8'))).toHaveProperty('version', '2.1.0');
      expect(fs.readFileSync(out.comment!, 'utf8').split('\n')[0]).toBe(MARKDOWN_MARKER);
      expect(fs.existsSync(path.join(tmp, 'steward.xml'))).toBe(true);
      expect(fs.existsSync(path.join(tmp, 'steward.json'))).toBe(true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the install step refuses a version that is not an npm version, range or tag', () => {
    const r = spawnSync('bash', ['-c', stepById('install').run!], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        STEWARD_VERSION: '1.0.0; touch /tmp/pwned',
        RUNNER_TEMP: os.tmpdir(),
        GITHUB_OUTPUT: '/dev/null',
      },
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('::error');
  });
});

describe('the README CI section', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## CI\n'), readme.indexOf('\n## Configuration\n'));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!));

  test('gives a GitHub workflow: full history, base from the pull request, permissions', () => {
    const wf = blocks.find((b) => b?.jobs !== undefined && b.on !== undefined);
    expect(wf.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      'security-events': 'write',
    });
    const [checkout, steward] = wf.jobs.check.steps;
    expect(checkout).toMatchObject({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    expect(steward.uses).toMatch(/\/dbt-steward@/);
    expect(steward.with.base).toBe('${{ github.event.pull_request.base.sha }}');
    for (const key of Object.keys(steward.with)) expect(action.inputs).toHaveProperty(key);
  });

  test('gives a GitLab job with a Code Quality report and the merge request base', () => {
    const job = blocks.find((b) => b?.['dbt-steward']?.script !== undefined)['dbt-steward'];
    expect(job.variables.GIT_DEPTH).toBe(0);
    expect(job.artifacts.reports.codequality).toBe('gl-code-quality-report.json');
    const script = job.script.join('\n');
    expect(script).toContain('--base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"');
    expect(script).toContain('--format codequality=gl-code-quality-report.json');
  });

  test('gives a pre-commit config using the hook, --changed-files last', () => {
    const cfg = blocks.find((b) => b?.repos !== undefined);
    const used = cfg.repos[0].hooks[0];
    expect(used.id).toBe(hooks[0]!.id);
    expect(used.args.at(-1)).toBe('--changed-files');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hook = hooks.find((h) => h.id === 'dbt-steward')!;

  test('declares a node hook running source mode on the changed files', () => {
    expect(hooks).toHaveLength(1);
    expect(hook).toMatchObject({
      name: 'dbt-steward',
      language: 'node',
      pass_filenames: true,
      require_serial: true,
    });
    expect(hook.description).toBeTruthy();
    expect(hook.entry.split(' ')).toEqual(['dbt-steward', 'check', '--source']);
    // --changed-files takes every following argument: it must be last, right before the files
    expect(hook.args?.at(-1)).toBe('--changed-files');
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.bin).toHaveProperty(hook.entry.split(' ')[0]!);
  });

  test('its files pattern matches the files of a dbt project only', () => {
    const re = new RegExp(hook.files);
    for (const f of [
      'models/orders.sql',
      'models/_models.yml',
      'dbt_project.yml',
      'models/schema.yaml',
      'models/py_model.py',
      'seeds/countries.csv',
      'models/docs.md',
    ])
      expect(re.test(f)).toBe(true);
    for (const f of ['src/index.ts', 'package.json', 'models/orders.sql.bak'])
      expect(re.test(f)).toBe(false);
  });

  /** The command line pre-commit builds: entry, args, then the file names. */
  function runHook(args: string[], files: string[]) {
    const [, ...entryArgs] = hook.entry.split(' ');
    return spawnSync(process.execPath, [BIN, ...entryArgs, ...args, ...files], {
      cwd: repoRoot, // pre-commit runs from the repository root, file names relative to it
      encoding: 'utf8',
      timeout: 120_000,
    });
  }

  test('runs on a project in a subfolder, given before --changed-files', () => {
    const r = runHook(
      [MESH, ...(hook.args ?? [])],
      [`${MESH}/models/legacy_customer_export.sql`, 'README.md'],
    );
    expect(r.error).toBeUndefined();
    expect([0, 1]).toContain(r.status);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).toContain('(--source)');
    expect(r.stderr).toMatch(/--changed-files: 2 changed file\(s\), 1 changed resource\(s\)/);
    expect(r.stdout).toContain('model.example_mesh.legacy_customer_export');
  });

  test('a change outside any resource reports no resource findings', () => {
    const r = runHook([MESH, ...(hook.args ?? [])], ['README.md']);
    expect(r.error).toBeUndefined();
    expect([0, 1]).toContain(r.status);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).toContain('0 changed resource(s)');
    expect(r.stdout).not.toContain('model.example_mesh.');
  });
});
