/**
 * The config file: discovery, YAML/JSON parsing with positions, validation messages (one
 * line each, with the file, line:col, key path and fix), extends chains and their origins,
 * overrides, plugins (by path and as npm packages), plugin presets, the JSON Schema.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { builtinRules } from '../rules/index.js';
import { codeownersRoot, findCodeowners } from '../src/config/codeowners-file.js';
import {
  configFromObject,
  findConfigFile,
  loadConfig,
  printableConfig,
  resolveRuleEntries,
  type LoadedConfig,
} from '../src/config/load.js';
import { configJsonSchema } from '../src/config/schema.js';
import { didYouMean, editDistance } from '../src/config/suggest.js';
import { ConfigError } from '../src/engine/check.js';
import type { PresetName } from '../src/engine/registry.js';
import { defineRule, type AnyRule } from '../src/engine/rule.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/config/', import.meta.url));
const ACME = fileURLToPath(new URL('../fixtures/plugin-acme/', import.meta.url));
const REPO = fileURLToPath(new URL('../', import.meta.url));

/** A rule with options, to test option validation. */
const limitRule = defineRule<{ max: number; names: string[] }>({
  id: 'test-limit',
  description: 'A rule with options.',
  category: 'test',
  scope: 'project',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: false,
  messages: { over: 'Too many: {{n}}.', under: 'Too few.' },
  options: z.object({ max: z.number().default(3), names: z.array(z.string()).default([]) }),
  check() {},
});
const RULES: readonly AnyRule[] = [...builtinRules, limitRule];

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-config-')));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes files (path → content) under a new temporary directory and returns it. */
function project(files: Record<string, string>): string {
  const dir = tmpDir();
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

function load(dir: string, extra: { configFile?: string; startDirs?: string[] } = {}) {
  return loadConfig({
    cwd: dir,
    startDirs: extra.startDirs ?? [dir],
    rules: RULES,
    ...(extra.configFile !== undefined ? { configFile: extra.configFile } : {}),
  });
}

/** The ConfigError message of a failing load. */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

/** The error of loading one dbt-steward.yml with this text. */
function errorOfYaml(text: string, files: Record<string, string> = {}): Promise<string> {
  return errorOf(load(project({ 'dbt-steward.yml': text, ...files })));
}

/** The severity a built-in preset gives an id (built-in defaults may change). */
const preset = (c: LoadedConfig, name: PresetName, id: string) => c.registry.get(id)!.presets[name];

const severities = (c: LoadedConfig, id: string) =>
  (c.engine.rules[id] ?? []).map((e) => [e.origin, e.severity ?? null]);

describe('valid config files', () => {
  test('dbt-steward.yml with every key maps to the EngineConfig', async () => {
    const dir = path.join(FIXTURES, 'full');
    const config = await loadConfig({ cwd: FIXTURES, startDirs: [dir], rules: RULES });
    expect(config.file).toBe(path.join(dir, 'dbt-steward.yml'));
    expect(config.engine.file).toBe('full/dbt-steward.yml');
    expect(config.chain).toEqual(['dbt-steward:recommended', 'full/dbt-steward.yml']);
    expect(config.baseline).toBe(path.join(dir, '.steward-baseline.json'));
    expect(config.reporters).toEqual({});

    expect(config.engine.rules['owner-present']).toEqual([
      {
        severity: preset(config, 'recommended', 'owner-present'),
        origin: 'dbt-steward:recommended',
      },
      { severity: 'error', origin: 'full/dbt-steward.yml: rules.owner-present' },
    ]);
    expect(config.engine.rules['domain-present']?.[1]).toEqual({
      severity: 'warn',
      messageSeverities: { missing: 'info' },
      origin: 'full/dbt-steward.yml: rules.domain-present',
    });
    // Every registry id has its preset layer.
    expect(Object.keys(config.engine.rules).sort()).toEqual(config.registry.ids());

    expect(config.engine.overrides).toEqual([
      {
        match: { files: ['models/legacy/**'] },
        rules: {
          'owner-present': {
            severity: 'warn',
            origin: 'full/dbt-steward.yml: overrides[0].rules.owner-present',
          },
        },
        origin: 'full/dbt-steward.yml: overrides[0]',
      },
      {
        match: {
          domains: ['growth'],
          tags: ['deprecated'],
          packages: ['my_pkg'],
          resourceTypes: ['model', 'seed'],
          select: 'tag:pii path:models/x',
        },
        rules: {
          'domain-present': {
            severity: 'off',
            origin: 'full/dbt-steward.yml: overrides[1].rules.domain-present',
          },
        },
        origin: 'full/dbt-steward.yml: overrides[1]',
      },
    ]);

    expect(config.engine.domains.resolution).toEqual([
      { kind: 'meta', key: 'steward.domain' },
      { kind: 'group' },
      { kind: 'path', pattern: 'models/{domain}/**' },
      { kind: 'package' },
      { kind: 'project' },
      { kind: 'tag', prefix: 'domain:' },
    ]);
    expect(config.engine.domains.declared).toEqual({
      payments: {
        name: 'payments',
        description: 'Money in and out.',
        owners: ['payments@acme.com'],
        public: ['path:models/payments/marts', 'fct_payments*'],
        origin: 'full/dbt-steward.yml: domains.declared.payments',
      },
      growth: {
        name: 'growth',
        description: '',
        owners: ['@acme/growth'],
        public: [],
        origin: 'full/dbt-steward.yml: domains.declared.growth',
      },
    });

    const [meta, exposure, group, domain, codeowners] = config.engine.owners.resolution;
    expect([meta, exposure, group, domain]).toEqual([
      { kind: 'meta', key: 'owner' },
      { kind: 'exposure' },
      { kind: 'group' },
      { kind: 'domain' },
    ]);
    expect(codeowners).toEqual({
      kind: 'codeowners',
      file: path.join(dir, '.github', 'CODEOWNERS'),
      root: dir,
      entries: [
        { pattern: '*', owners: ['@acme/data'], line: 2 },
        { pattern: '/models/payments/', owners: ['payments@acme.com', '@acme/payments'], line: 4 },
        { pattern: 'models/growth/**', owners: ['@acme/growth'], line: 5 },
        { pattern: '\\#odd.sql', owners: ['@acme/odd'], line: 6 },
        { pattern: '/models/orphans/', owners: [], line: 7 },
      ],
    });
    expect(config.engine.owners.formats).toEqual(['email', 'handle']);
    expect(config.engine.owners.registry).toEqual({
      known: ['payments@acme.com', '@acme/growth'],
      require: true,
    });

    expect(config.engine.waivers).toEqual([
      {
        rule: 'owner-present',
        messageId: 'missing',
        select: 'path:models/legacy',
        paths: ['models/legacy/**'],
        domains: ['growth'],
        to: ['some_model'],
        reason: 'legacy, owner being hired',
        expires: '2026-12-31',
        origin: 'full/dbt-steward.yml: waivers[0]',
        file: 'full/dbt-steward.yml',
        line: 36,
      },
      {
        rule: 'domain-present',
        paths: ['models/scratch/**'],
        reason: null,
        expires: null,
        origin: 'full/dbt-steward.yml: waivers[1]',
        file: 'full/dbt-steward.yml',
        line: 44,
      },
    ]);
  });

  test('dbt-steward.json (with $schema) and dbt-steward.yaml', async () => {
    const json = await load(path.join(FIXTURES, 'json'));
    expect(json.engine.file).toBe('dbt-steward.json');
    expect(json.chain).toEqual(['dbt-steward:strict', 'dbt-steward.json']);
    expect(severities(json, 'owner-present')).toEqual([
      ['dbt-steward:strict', preset(json, 'strict', 'owner-present')],
      ['dbt-steward.json: rules.owner-present', 'error'],
    ]);
    expect(json.engine.waivers[0]).toMatchObject({
      paths: ['models/legacy/**'],
      expires: '2030-01-01',
      file: 'dbt-steward.json',
      line: 9,
    });

    const yaml = await load(path.join(FIXTURES, 'yaml'));
    expect(yaml.engine.file).toBe('dbt-steward.yaml');
    // No extends: recommended first.
    expect(yaml.chain).toEqual(['dbt-steward:recommended', 'dbt-steward.yaml']);
    expect(severities(yaml, 'domain-present')).toEqual([
      ['dbt-steward:recommended', preset(yaml, 'recommended', 'domain-present')],
      ['dbt-steward.yaml: rules.domain-present', 'info'],
    ]);
    expect(yaml.engine.owners.registry).toBeNull();
    expect(yaml.baseline).toBe(path.join(FIXTURES, 'baseline.json'));
  });

  test('no config file: the recommended preset and the default chains', async () => {
    const dir = project({ 'models/a.sql': 'select 1' });
    const config = await load(dir);
    expect(config.file).toBeNull();
    expect(config.engine.file).toBeNull();
    expect(config.chain).toEqual(['dbt-steward:recommended']);
    expect(config.baseline).toBeNull();
    expect(config.engine.domains.resolution).toEqual([
      { kind: 'meta', key: 'domain' },
      { kind: 'group' },
    ]);
    expect(severities(config, 'owner-present')).toEqual([
      ['dbt-steward:recommended', preset(config, 'recommended', 'owner-present')],
    ]);
    expect(severities(config, 'test-limit')).toEqual([['dbt-steward:recommended', 'off']]);
  });

  test('an empty file is an empty configuration', async () => {
    const config = await load(project({ 'dbt-steward.yml': '# nothing yet\n' }));
    expect(config.chain).toEqual(['dbt-steward:recommended', 'dbt-steward.yml']);
  });

  test('rule options are validated and kept as written; severity-only layers keep them', async () => {
    const dir = project({
      'dbt-steward.yml': [
        'rules:',
        '  test-limit: [warn, { max: 5, messageSeverities: { under: info } }]',
        'overrides:',
        '  - files: models/x/**',
        '    rules: { test-limit: error }',
        '',
      ].join('\n'),
    });
    const config = await load(dir);
    expect(config.engine.rules['test-limit']?.[1]).toEqual({
      severity: 'warn',
      options: { max: 5 },
      messageSeverities: { under: 'info' },
      origin: 'dbt-steward.yml: rules.test-limit',
    });
    expect(resolveRuleEntries(config.engine.rules['test-limit']!)).toEqual({
      severity: 'warn',
      options: { max: 5 },
      messageSeverities: { under: 'info' },
      origins: ['dbt-steward:recommended', 'dbt-steward.yml: rules.test-limit'],
    });
    expect(config.engine.overrides[0]?.rules['test-limit']).toEqual({
      severity: 'error',
      origin: 'dbt-steward.yml: overrides[0].rules.test-limit',
    });
  });
});

describe('discovery', () => {
  test('walks up from a nested project directory', async () => {
    const root = project({
      'dbt-steward.yml': 'rules: { domain-present: error }\n',
      'analytics/jaffle/dbt_project.yml': 'name: jaffle\n',
    });
    const nested = path.join(root, 'analytics', 'jaffle');
    expect(findConfigFile(nested)).toBe(path.join(root, 'dbt-steward.yml'));
    expect(findConfigFile(nested, nested)).toBeNull();
    const config = await loadConfig({ cwd: nested, startDirs: ['.'], rules: RULES });
    expect(config.engine.file).toBe('../../dbt-steward.yml');
    expect(config.chain).toEqual(['dbt-steward:recommended', '../../dbt-steward.yml']);
  });

  test('the first project directory that finds a file wins', async () => {
    const root = project({
      'a/x.txt': '',
      'b/dbt-steward.json': '{}',
      'c/dbt-steward.yml': '{}',
    });
    const config = await loadConfig({
      cwd: root,
      startDirs: ['a', 'b', 'c'],
      rules: RULES,
    });
    expect(config.engine.file).toBe('b/dbt-steward.json');
  });

  test('.yml before .yaml before .json; two in one directory is an error', async () => {
    const dir = project({ 'dbt-steward.yml': '{}', 'dbt-steward.json': '{}' });
    expect(await errorOf(load(dir))).toBe(
      '.: two config files, dbt-steward.yml and dbt-steward.json; keep one',
    );
  });

  test('--config names the file; a missing one is an error', async () => {
    const dir = project({ 'conf/steward.yaml': 'rules: { owner-present: warn }\n' });
    const config = await load(dir, { configFile: 'conf/steward.yaml' });
    expect(config.engine.file).toBe('conf/steward.yaml');
    expect(await errorOf(load(dir, { configFile: 'nope.yml' }))).toBe(
      'nope.yml: config file not found',
    );
  });
});

describe('invalid config files: one line per problem, with file:line:col, key path and fix', () => {
  test('unknown top-level key, with a suggestion', async () => {
    expect(
      await errorOfYaml('extends: dbt-steward:recommended\nrulez:\n  owner-present: warn\n'),
    ).toBe(
      'dbt-steward.yml:2:1: rulez: unknown key; did you mean "rules"? (allowed: $schema, extends, plugins, rules, overrides, domains, owners, waivers, mesh, baseline)',
    );
  });

  test('unknown rule id, with a suggestion', async () => {
    expect(await errorOfYaml('rules:\n  owner-present: warn\n  owner-presnt: error\n')).toBe(
      'dbt-steward.yml:3:3: rules.owner-presnt: unknown rule id; did you mean "owner-present"? (run `dbt-steward rules` to list them)',
    );
    expect(await errorOfYaml('rules:\n  no-such-thing: error\n')).toBe(
      'dbt-steward.yml:2:3: rules.no-such-thing: unknown rule id (run `dbt-steward rules` to list them)',
    );
  });

  test('unknown rule id inside an override', async () => {
    expect(
      await errorOfYaml(
        'overrides:\n  - files: a/**\n    rules: { owner-present: warn }\n  - tags: x\n    rules:\n      domain-presetn: warn\n',
      ),
    ).toBe(
      'dbt-steward.yml:6:7: overrides[1].rules.domain-presetn: unknown rule id; did you mean "domain-present"? (run `dbt-steward rules` to list them)',
    );
  });

  test('bad severity', async () => {
    expect(await errorOfYaml('rules:\n  owner-present: eror\n')).toBe(
      'dbt-steward.yml:2:3: rules.owner-present: invalid value "eror"; did you mean "error"?; expected a severity (off, info, warn, error), [severity] or [severity, {options}]',
    );
    expect(await errorOfYaml('rules:\n  owner-present: [fatal]\n')).toBe(
      'dbt-steward.yml:2:19: rules.owner-present[0]: invalid value "fatal"; expected one of off, info, warn, error',
    );
    expect(await errorOfYaml('rules:\n  owner-present: 2\n')).toBe(
      'dbt-steward.yml:2:3: rules.owner-present: expected a severity (off, info, warn, error), [severity] or [severity, {options}]',
    );
  });

  test('unknown option key, naming the rule and the key', async () => {
    expect(await errorOfYaml('rules:\n  owner-present: [warn, { someOption: 1 }]\n')).toBe(
      'dbt-steward.yml:2:27: rules.owner-present[1].someOption: rule owner-present takes no options (only messageSeverities)',
    );
    expect(await errorOfYaml('rules:\n  test-limit: [warn, { maxx: 1 }]\n')).toBe(
      'dbt-steward.yml:2:24: rules.test-limit[1].maxx: unknown option of rule test-limit; did you mean "max"? (options: max, names)',
    );
    expect(await errorOfYaml('rules:\n  test-limit: [warn, { max: lots }]\n')).toBe(
      'dbt-steward.yml:2:22: rules.test-limit[1]: rule test-limit: option max: Invalid input: expected number, received string',
    );
    expect(await errorOfYaml('rules:\n  waiver-expired: [warn, { days: 3 }]\n')).toBe(
      'dbt-steward.yml:2:28: rules.waiver-expired[1].days: waiver-expired is an engine finding and takes no options (only messageSeverities)',
    );
  });

  test('bad messageSeverities id and severity', async () => {
    expect(
      await errorOfYaml(
        'rules:\n  owner-present: [warn, { messageSeverities: { mising: info } }]\n',
      ),
    ).toBe(
      'dbt-steward.yml:2:48: rules.owner-present[1].messageSeverities.mising: unknown messageId of owner-present; did you mean "missing"? (messageIds: missing)',
    );
    expect(
      await errorOfYaml(
        'rules:\n  owner-present: [warn, { messageSeverities: { missing: loud } }]\n',
      ),
    ).toBe(
      'dbt-steward.yml:2:48: rules.owner-present[1].messageSeverities.missing: invalid value "loud"; expected one of off, info, warn, error',
    );
  });

  test('waivers: bad expires, unknown rule, unknown messageId, unknown key; a missing reason is kept as null', async () => {
    expect(
      await errorOfYaml(
        'waivers:\n  - rule: owner-present\n    reason: r\n    expires: 2026-02-30\n',
      ),
    ).toBe('dbt-steward.yml:4:5: waivers[0].expires: 2026-02-30 is not a real date (YYYY-MM-DD)');
    expect(
      await errorOfYaml(
        'waivers:\n  - rule: owner-present\n    reason: r\n    expires: next week\n',
      ),
    ).toBe('dbt-steward.yml:4:5: waivers[0].expires: expected a date as YYYY-MM-DD');
    expect(await errorOfYaml('waivers:\n  - rule: owner-presence\n    reason: r\n')).toBe(
      'dbt-steward.yml:2:5: waivers[0].rule: unknown rule id; did you mean "owner-present"? (run `dbt-steward rules` to list them)',
    );
    expect(
      await errorOfYaml('waivers:\n  - rule: owner-present\n    messageId: gone\n    reason: r\n'),
    ).toBe(
      'dbt-steward.yml:3:5: waivers[0].messageId: unknown messageId of owner-present (messageIds: missing)',
    );
    expect(
      await errorOfYaml('waivers:\n  - rule: owner-present\n    reason: r\n    path: models/**\n'),
    ).toBe(
      'dbt-steward.yml:4:5: waivers[0].path: unknown key; did you mean "paths"? (allowed: rule, messageId, select, paths, domains, to, reason, expires)',
    );
    expect(await errorOfYaml('waivers:\n  - reason: r\n')).toBe(
      'dbt-steward.yml:2:5: waivers[0].rule: required key is missing',
    );
    const config = await load(
      project({ 'dbt-steward.yml': 'waivers:\n  - rule: owner-present\n' }),
    );
    expect(config.engine.waivers[0]).toMatchObject({ reason: null, expires: null });
    // YAML 1.1 reads an unquoted date as a timestamp: it still comes out as YYYY-MM-DD.
    const yaml11 = await load(
      project({
        'dbt-steward.yml':
          '%YAML 1.1\n---\nwaivers:\n  - { rule: owner-present, reason: r, expires: 2026-12-31 }\n',
      }),
    );
    expect(yaml11.engine.waivers[0]?.expires).toBe('2026-12-31');
  });

  test('extends: cycle, missing file, unknown preset, a preset written as a package', async () => {
    const cycle = project({
      'dbt-steward.yml': 'extends: ./a.yml\n',
      'a.yml': 'extends: ./b.yml\n',
      'b.yml': 'rules: {}\nextends: [dbt-steward:all, ./a.yml]\n',
    });
    expect(await errorOf(load(cycle))).toBe(
      'b.yml:2:28: extends[1]: extends cycle: a.yml -> b.yml -> a.yml',
    );
    expect(await errorOfYaml('extends: ./base.yml\n')).toBe(
      'dbt-steward.yml:1:1: extends: ./base.yml not found (looked for base.yml)',
    );
    expect(await errorOfYaml('extends:\n  - dbt-steward:strct\n')).toBe(
      'dbt-steward.yml:2:5: extends[0]: unknown preset "dbt-steward:strct"; did you mean "dbt-steward:strict"? (built-in presets: dbt-steward:recommended, dbt-steward:strict, dbt-steward:all)',
    );
    expect(await errorOfYaml('extends: strict\n')).toBe(
      'dbt-steward.yml:1:1: extends: "strict" is read as an npm package; did you mean "dbt-steward:strict"?',
    );
    const missingPackage = await errorOfYaml('extends: "@acme/steward-config"\n');
    expect(missingPackage).toMatch(
      /^dbt-steward\.yml:1:1: extends: package @acme\/steward-config is not installed \(looked in node_modules from .* up\); install it, e.g\. npm install --save-dev @acme\/steward-config$/,
    );
  });

  test('YAML syntax errors name the line and column', async () => {
    expect(await errorOfYaml('rules:\n  owner-present: [warn\n  domain-present: warn\n')).toMatch(
      /^dbt-steward\.yml:3:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
    );
    expect(await errorOfYaml('rules:\n  owner-present: warn\n  owner-present: error\n')).toBe(
      'dbt-steward.yml:3:3: invalid YAML: Map keys must be unique',
    );
    const json = await errorOf(load(project({ 'dbt-steward.json': '{"rules": {,}}' })));
    expect(json).toMatch(/^dbt-steward\.json: invalid JSON: /);
    expect(json.split('\n')).toHaveLength(1);
  });

  test('structure: wrong types, bad domain and owner steps, empty override', async () => {
    expect(await errorOfYaml('extends: 3\n')).toBe(
      'dbt-steward.yml:1:1: extends: expected a string or a list of strings',
    );
    expect(await errorOfYaml('- rules\n')).toBe('dbt-steward.yml: expected a mapping, got a list');
    expect(await errorOfYaml('domains:\n  resolution: [grop]\n')).toBe(
      'dbt-steward.yml:2:16: domains.resolution[0]: invalid value "grop"; did you mean "group"?; expected a domain step: group, package, project, {meta: KEY}, {path: "PATTERN with {domain}"} or {tag: PREFIX}',
    );
    expect(await errorOfYaml('domains:\n  resolution: [{ path: models/x/** }]\n')).toBe(
      'dbt-steward.yml:2:18: domains.resolution[0].path: a path step needs a {domain} placeholder',
    );
    expect(await errorOfYaml('owners:\n  resolution: [{ meta: 3 }]\n')).toBe(
      'dbt-steward.yml:2:18: owners.resolution[0].meta: expected a string, got a number',
    );
    expect(await errorOfYaml('owners:\n  resolution: [{ codeowners: nope/CODEOWNERS }]\n')).toBe(
      'dbt-steward.yml:2:18: owners.resolution[0].codeowners: CODEOWNERS file nope/CODEOWNERS not found',
    );
    expect(await errorOfYaml('overrides:\n  - rules: { owner-present: warn }\n')).toBe(
      'dbt-steward.yml:2:5: overrides[0]: an override needs at least one of files, domains, tags, packages, resourceTypes, select',
    );
    expect(await errorOfYaml('overrides:\n  - resourceTypes: [modle]\n    rules: {}\n')).toMatch(
      /^dbt-steward\.yml:2:21: overrides\[0\]\.resourceTypes\[0\]: invalid value "modle"; did you mean "model"\?; expected one of model, seed, /,
    );
  });

  test('several problems: one line each, in file order', async () => {
    expect(
      await errorOfYaml('rules:\n  owner-presnt: warn\n  domain-present: [warn, { x: 1 }]\n'),
    ).toBe(
      [
        'dbt-steward.yml:2:3: rules.owner-presnt: unknown rule id; did you mean "owner-present"? (run `dbt-steward rules` to list them)',
        'dbt-steward.yml:3:28: rules.domain-present[1].x: rule domain-present takes no options (only messageSeverities)',
      ].join('\n'),
    );
  });

  test('a __proto__ key is rejected and pollutes nothing', async () => {
    expect(await errorOfYaml('rules:\n  __proto__: { polluted: true }\n')).toBe(
      'dbt-steward.yml:2:3: rules.__proto__: the key "__proto__" is not allowed',
    );
    expect(
      await errorOf(load(project({ 'dbt-steward.json': '{"__proto__": {"polluted": true}}' }))),
    ).toBe('dbt-steward.json:1:2: __proto__: the key "__proto__" is not allowed');
    expect(() =>
      configFromObject(JSON.parse('{"domains": {"declared": {"constructor": {}}}}'), {
        rules: RULES,
      }),
    ).toThrow('<config>: domains.declared.constructor: the key "constructor" is not allowed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('extends', () => {
  test('order and origins: preset, extended files in order, then the file itself', async () => {
    const dir = path.join(FIXTURES, 'extends');
    const config = await loadConfig({ cwd: dir, startDirs: ['.'], rules: RULES });
    expect(config.chain).toEqual([
      'dbt-steward:strict',
      'shared/base.yml',
      'middle.yml',
      'dbt-steward.yml',
    ]);
    expect(severities(config, 'owner-present')).toEqual([
      ['dbt-steward:strict', preset(config, 'strict', 'owner-present')],
      ['shared/base.yml: rules.owner-present', 'warn'],
      ['dbt-steward.yml: rules.owner-present', 'error'],
    ]);
    expect(resolveRuleEntries(config.engine.rules['domain-present']!)).toEqual({
      severity: 'error',
      options: undefined,
      messageSeverities: { missing: 'info' },
      origins: [
        'dbt-steward:strict',
        'shared/base.yml: rules.domain-present',
        'middle.yml: rules.domain-present',
      ],
    });
    // Overrides of extended files come first.
    expect(config.engine.overrides.map((o) => o.origin)).toEqual([
      'shared/base.yml: overrides[0]',
      'middle.yml: overrides[0]',
      'dbt-steward.yml: overrides[0]',
    ]);
    // Domains: resolution from base, declared merged by name (the top file's core wins).
    expect(config.engine.domains.resolution).toEqual([{ kind: 'meta', key: 'domain' }]);
    expect(config.engine.domains.declared.core).toMatchObject({
      owners: ['core-team@acme.com'],
      description: 'from top',
      origin: 'dbt-steward.yml: domains.declared.core',
    });
    expect(config.engine.domains.declared.payments?.origin).toBe(
      'shared/base.yml: domains.declared.payments',
    );
    expect(config.engine.owners.formats).toEqual(['email']);
    // Waivers concatenated; the baseline path is relative to the file that sets it.
    expect(config.engine.waivers.map((w) => [w.reason, w.file])).toEqual([
      ['base waiver', 'shared/base.yml'],
      ['top waiver', 'dbt-steward.yml'],
    ]);
    expect(config.baseline).toBe(path.join(dir, 'shared', 'base-baseline.json'));
  });

  test('a config package from node_modules (YAML main) and a JS module config', async () => {
    const dir = project({
      'node_modules/@acme/steward-config/package.json': JSON.stringify({
        name: '@acme/steward-config',
        main: 'steward.yml',
      }),
      'node_modules/@acme/steward-config/steward.yml': 'rules: { domain-present: error }\n',
      'shared.mjs': "export default { rules: { 'owner-present': 'info' }, overrides: [] };\n",
      'dbt-steward.yml': 'extends: ["@acme/steward-config", ./shared.mjs]\n',
    });
    const config = await load(dir);
    expect(config.chain).toEqual([
      'dbt-steward:recommended',
      'node_modules/@acme/steward-config/steward.yml',
      'shared.mjs',
      'dbt-steward.yml',
    ]);
    expect(severities(config, 'domain-present')[1]).toEqual([
      'node_modules/@acme/steward-config/steward.yml: rules.domain-present',
      'error',
    ]);
    expect(severities(config, 'owner-present')[1]).toEqual([
      'shared.mjs: rules.owner-present',
      'info',
    ]);
  });

  test('a preset later in the chain overrides the files before it', async () => {
    const dir = project({
      'base.yml': 'rules: { domain-present: off }\n',
      'dbt-steward.yml': 'extends: [./base.yml, dbt-steward:all]\n',
    });
    const config = await load(dir);
    expect(config.chain).toEqual(['base.yml', 'dbt-steward:all', 'dbt-steward.yml']);
    expect(resolveRuleEntries(config.engine.rules['domain-present']!).severity).toBe(
      preset(config, 'all', 'domain-present'),
    );
  });
});

describe('plugins', () => {
  test('by relative path: rules join the registry', async () => {
    const dir = project({});
    const local = `./${path.relative(dir, path.join(FIXTURES, 'plugins', 'local-plugin.js'))}`;
    const acme = `./${path.relative(dir, ACME)}`;
    fs.writeFileSync(
      path.join(dir, 'dbt-steward.yml'),
      `plugins: [${local}, ${acme}]\nrules:\n  local-tagged: warn\n`,
    );
    const config = await load(dir);
    expect(config.plugins.map((p) => [p.name, p.rules.map((r) => r.id)])).toEqual([
      ['local', ['local-tagged']],
      ['acme', ['acme-description-present']],
    ]);
    expect(config.registry.get('local-tagged')?.rule?.id).toBe('local-tagged');
    expect(config.registry.get('acme-description-present')?.presets.recommended).toBe('off');
    expect(severities(config, 'local-tagged')).toEqual([
      ['dbt-steward:recommended', 'info'],
      ['dbt-steward.yml: rules.local-tagged', 'warn'],
    ]);
    expect(Object.keys(config.reporters)).toEqual(['acme-summary']);
  });

  test('as an npm package, with its preset in extends', async () => {
    const dir = project({
      'dbt-steward.yml': [
        'plugins: [dbt-steward-plugin-acme]',
        'extends: acme:strict',
        'rules:',
        '  acme-description-present: [warn, { messageSeverities: { missing: info } }]',
        '',
      ].join('\n'),
    });
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ACME, path.join(dir, 'node_modules', 'dbt-steward-plugin-acme'), 'dir');
    const config = await load(dir);
    expect(config.chain).toEqual(['dbt-steward:recommended', 'acme:strict', 'dbt-steward.yml']);
    expect(severities(config, 'acme-description-present')).toEqual([
      ['dbt-steward:recommended', 'off'],
      ['acme:strict: rules.acme-description-present', 'error'],
      ['dbt-steward.yml: rules.acme-description-present', 'warn'],
    ]);
    expect(severities(config, 'domain-present')).toEqual([
      ['dbt-steward:recommended', preset(config, 'recommended', 'domain-present')],
      ['acme:strict: rules.domain-present', 'error'],
    ]);
    // The package name works as the plugin name too.
    const short = project({
      'dbt-steward.yml':
        'plugins: [dbt-steward-plugin-acme]\nextends: dbt-steward-plugin-acme:strict\n',
    });
    fs.mkdirSync(path.join(short, 'node_modules'));
    fs.symlinkSync(ACME, path.join(short, 'node_modules', 'dbt-steward-plugin-acme'), 'dir');
    expect((await load(short)).chain).toContain('acme:strict');
  });

  test('unknown plugin or plugin preset in extends', async () => {
    const dir = project({ 'dbt-steward.yml': 'extends: acme:strict\n' });
    expect(await errorOf(load(dir))).toBe(
      'dbt-steward.yml:1:1: extends: "acme:strict": no plugin named "acme" is loaded; add it to plugins',
    );
    const dir2 = project({});
    fs.writeFileSync(
      path.join(dir2, 'dbt-steward.yml'),
      `plugins: [./${path.relative(dir2, ACME)}]\nextends: acme:strikt\n`,
    );
    expect(await errorOf(load(dir2))).toBe(
      'dbt-steward.yml:2:1: extends: unknown preset "acme:strikt"; did you mean "strict"? (presets of plugin "acme": strict)',
    );
  });

  const pluginError = (file: string, extra = '') => {
    const dir = project({});
    const rel = `./${path.relative(dir, path.join(FIXTURES, 'plugins', file))}`;
    fs.writeFileSync(path.join(dir, 'dbt-steward.yml'), `plugins:\n  - ${rel}${extra}\n`);
    return { dir, rel, error: errorOf(load(dir)) };
  };

  test('a plugin that throws on import', async () => {
    const { rel, error } = pluginError('throws.js');
    expect(await error).toBe(
      `dbt-steward.yml:2:5: plugins[0]: plugin ${rel}: failed to import: acme licence server unreachable`,
    );
  });

  test('a plugin with a malformed rule', async () => {
    const { rel, error } = pluginError('malformed.js');
    expect(await error).toBe(
      `dbt-steward.yml:2:5: plugins[0]: plugin ${rel}: rules[0]: rule id "NotKebab" is not kebab-case`,
    );
  });

  test('a plugin redefining a built-in rule id, and two plugins defining the same id', async () => {
    const { rel, error } = pluginError('dup-builtin.js');
    expect(await error).toBe(
      `dbt-steward.yml:2:5: plugins[0]: plugin "dup" (${rel.slice(2)}): rule id "owner-present" is already defined by the built-in rules`,
    );
    const dir = project({});
    const acme = `./${path.relative(dir, ACME)}`;
    const copy = `./${path.relative(dir, path.join(FIXTURES, 'plugins', 'dup-acme.js'))}`;
    fs.writeFileSync(path.join(dir, 'dbt-steward.yml'), `plugins: [${acme}, ${copy}]\n`);
    expect(await errorOf(load(dir))).toBe(
      `dbt-steward.yml:1:${13 + acme.length}: plugins[1]: plugin "copycat" (${copy.slice(2)}): rule id "acme-description-present" is already defined by plugin "acme" (${path.relative(dir, path.join(ACME, 'index.js'))})`,
    );
  });

  test("a plugin rule taking the id of one of dbt-steward's own findings", async () => {
    const dir = project({
      'engine-id.mjs': [
        'export const rules = [{',
        "  id: 'waiver-expired', description: 'x', category: 'x', scope: 'project',",
        "  resourceTypes: ['model'], severity: 'warn', recommended: false,",
        "  messages: { x: 'x' }, check() {},",
        '}];',
        '',
      ].join('\n'),
      'dbt-steward.yml': 'plugins: ./engine-id.mjs\n',
    });
    expect(await errorOf(load(dir))).toBe(
      `dbt-steward.yml:1:1: plugins: plugin "engine-id" (engine-id.mjs): rule id "waiver-expired" is already defined by dbt-steward's own findings`,
    );
  });

  test('a plugin that is not installed', async () => {
    expect(await errorOfYaml('plugins: dbt-steward-plugin-nope\n')).toMatch(
      /^dbt-steward\.yml:1:1: plugins: plugin dbt-steward-plugin-nope: package dbt-steward-plugin-nope is not installed /,
    );
  });
});

describe('configFromObject', () => {
  test('builds synchronously, with built-in presets and Date expiries', () => {
    const config = configFromObject(
      {
        extends: 'dbt-steward:strict',
        rules: { 'domain-present': 'info' },
        waivers: [
          { rule: 'owner-present', reason: 'x', expires: new Date('2027-03-04T00:00:00Z') },
        ],
      },
      { rules: RULES },
    );
    expect(config.file).toBeNull();
    expect(config.engine.file).toBeNull();
    expect(config.chain).toEqual(['dbt-steward:strict', '<config>']);
    expect(config.engine.waivers[0]?.expires).toBe('2027-03-04');
    expect(severities(config, 'domain-present')).toEqual([
      ['dbt-steward:strict', preset(config, 'strict', 'domain-present')],
      ['<config>: rules.domain-present', 'info'],
    ]);
  });

  test('rejects plugins and extends of files', () => {
    expect(() =>
      configFromObject({ plugins: ['x'], extends: './a.yml' }, { rules: RULES, file: 'conf.yml' }),
    ).toThrow(
      [
        'conf.yml: extends: configFromObject extends built-in presets only; use loadConfig for files, packages and plugins',
        'conf.yml: plugins: configFromObject loads no plugins; use loadConfig',
      ].join('\n'),
    );
    expect(() => configFromObject({ rules: { x: () => 1 } }, { rules: RULES })).toThrow(
      '<config>: rules.x: expected data, got a function',
    );
  });
});

describe('printableConfig', () => {
  test('is plain, deterministic data with the final setting of every id', async () => {
    const dir = path.join(FIXTURES, 'full');
    const a = printableConfig(await loadConfig({ cwd: FIXTURES, startDirs: [dir], rules: RULES }));
    const b = printableConfig(await loadConfig({ cwd: FIXTURES, startDirs: [dir], rules: RULES }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const data = JSON.parse(JSON.stringify(a));
    expect(Object.keys(data)).toEqual([
      'file',
      'chain',
      'plugins',
      'rules',
      'overrides',
      'domains',
      'owners',
      'waivers',
      'baseline',
    ]);
    expect(data.rules['domain-present']).toEqual({
      severity: 'warn',
      messageSeverities: { missing: 'info' },
      origins: ['dbt-steward:recommended', 'full/dbt-steward.yml: rules.domain-present'],
    });
    expect(data.rules['test-limit']).toEqual({
      severity: 'off',
      options: { max: 3, names: [] },
      origins: ['dbt-steward:recommended'],
    });
    expect(Object.keys(data.rules)).toEqual([...Object.keys(data.rules)].sort());
    expect(Object.keys(data.domains.declared)).toEqual(['growth', 'payments']);
  });
});

describe('JSON Schema', () => {
  const schemaFile = path.join(REPO, 'schemas', 'config.schema.json');

  test('schemas/config.schema.json is current (run `npm run schemas`)', () => {
    expect(fs.readFileSync(schemaFile, 'utf8')).toBe(
      JSON.stringify(configJsonSchema(), null, 2) + '\n',
    );
  });

  test('validates a good config and rejects bad ones', async () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
      JSON.parse(fs.readFileSync(schemaFile, 'utf8')),
    );
    const good = JSON.parse(
      fs.readFileSync(path.join(FIXTURES, 'json', 'dbt-steward.json'), 'utf8'),
    );
    expect(validate(good)).toBe(true);
    const { parse } = await import('yaml');
    const full = parse(fs.readFileSync(path.join(FIXTURES, 'full', 'dbt-steward.yml'), 'utf8'));
    expect(validate(full)).toBe(true);
    expect(validate({ rulez: {} })).toBe(false);
    expect(validate({ rules: { 'owner-present': 'loud' } })).toBe(false);
    expect(validate({ waivers: [{ rule: 'x', expires: 'soon' }] })).toBe(false);
    expect(validate({ domains: { resolution: [{ path: 'models/x' }] } })).toBe(false);
  });
});

describe('helpers', () => {
  test('CODEOWNERS location and root', () => {
    const repo = project({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docs/CODEOWNERS': '* @a\n',
      'analytics/dbt_project.yml': 'name: a\n',
    });
    expect(findCodeowners(path.join(repo, 'analytics'))).toBe(
      path.join(repo, 'docs', 'CODEOWNERS'),
    );
    expect(codeownersRoot(path.join(repo, 'docs', 'CODEOWNERS'))).toBe(repo);
    expect(codeownersRoot(path.join(repo, '.github', 'CODEOWNERS'))).toBe(repo);
    expect(codeownersRoot(path.join(repo, 'analytics', 'CODEOWNERS'))).toBe(
      path.join(repo, 'analytics'),
    );
    fs.rmSync(path.join(repo, 'docs'), { recursive: true });
    expect(findCodeowners(path.join(repo, 'analytics'))).toBeNull();
  });

  test('the bare codeowners step finds the file', async () => {
    const repo = project({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.github/CODEOWNERS': '/analytics/ @data\n',
      'analytics/dbt-steward.yml': 'owners:\n  resolution: [{ meta: owner }, codeowners]\n',
    });
    const config = await loadConfig({ cwd: repo, startDirs: ['analytics'], rules: RULES });
    expect(config.engine.owners.resolution[1]).toEqual({
      kind: 'codeowners',
      file: path.join(repo, '.github', 'CODEOWNERS'),
      root: repo,
      entries: [{ pattern: '/analytics/', owners: ['@data'], line: 1 }],
    });
    const bare = project({
      'dbt-steward.yml': 'owners:\n  resolution: [codeowners]\n',
      '.git/x': '',
    });
    expect(await errorOf(load(bare))).toBe(
      'dbt-steward.yml:2:16: owners.resolution[0]: no CODEOWNERS file found in .github/, the root or docs/ of . or its parent directories; name it: {codeowners: PATH}',
    );
  });

  test('did you mean', () => {
    expect(editDistance('owner-presnt', 'owner-present')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(didYouMean('strct', ['recommended', 'strict', 'all'])).toBe('strict');
    expect(didYouMean('Rules', ['rules', 'extends'])).toBe('rules');
    expect(didYouMean('zzz', ['rules', 'extends'])).toBeNull();
  });
});
