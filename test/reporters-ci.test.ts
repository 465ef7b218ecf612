/**
 * The CI output formats of `check`: sarif (validated against the SARIF 2.1.0 schema kept in
 * test/fixtures/sarif), junit (read by a real XML parser), github workflow commands,
 * GitLab Code Quality and the pull-request markdown; repository-relative paths with the
 * project in a subfolder of a git repository; caps; hostile text escaped everywhere.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv04Module from 'ajv-draft-04';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  detectPathPrefix,
  formatCheckCodequality,
  formatCheckGithub,
  formatCheckJunit,
  formatCheckMarkdown,
  formatCheckSarif,
  getBuiltinRules,
  normalizePrefix,
  pathToUri,
  Registry,
  type CheckResult,
  type Finding,
} from '../src/index.js';
import { escapeData, escapeProperty } from '../src/report/check-github.js';
import { runCli } from './helpers/cli.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MESH = path.join(REPO, 'fixtures', 'example-mesh');
const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'sarif', 'sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
const NOW = '2026-06-01';

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-ci-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

// A CommonJS module: under NodeNext typing its default export is the module object.
const Ajv04 = ((Ajv04Module as unknown as { default?: typeof Ajv04Module.default }).default ??
  Ajv04Module) as unknown as typeof Ajv04Module.default;

function sarifValidator() {
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  // The schema's formats, checked as RFC 3986 asks (ajv-formats is not a dependency).
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i);
  ajv.addFormat('uri-reference', /^[^\s<>"{}|\\^`]*$/);
  ajv.addFormat('date-time', true);
  return ajv.compile(SCHEMA);
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; helpUri?: string }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region?: unknown } }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; justification: string }[];
    }[];
    invocations: { toolExecutionNotifications?: { message: { text: string } }[] }[];
    properties: { truncated?: { omitted: number } };
  }[];
}

// A git repository whose dbt project sits in analytics/.
const gitRepo = tmpDir();
const project = path.join(gitRepo, 'analytics');
fs.cpSync(MESH, project, { recursive: true });
execFileSync('git', ['init', '-q'], { cwd: gitRepo });

describe('path prefix', () => {
  test('detected from git: the project folder relative to the repository top', () => {
    expect(detectPathPrefix(project)).toBe('analytics');
    expect(detectPathPrefix(gitRepo)).toBe('');
  });

  test('no git work tree: empty', () => {
    expect(detectPathPrefix(tmpDir())).toBe('');
  });

  test('normalized', () => {
    expect(normalizePrefix('./a\\b/')).toBe('a/b');
    expect(normalizePrefix('.')).toBe('');
    expect(normalizePrefix(undefined)).toBe('');
    expect(pathToUri('dir with space/a#b(c).yml')).toBe('dir%20with%20space/a%23b%28c%29.yml');
  });
});

describe('sarif on a project in a subfolder of a git repository', () => {
  let log: SarifLog;
  beforeAll(async () => {
    const run = await runCli(
      ['check', 'analytics', '--now', NOW, '--format', 'sarif=out.sarif', '--exit-zero'],
      gitRepo,
    );
    expect(run.code).toBe(0);
    log = JSON.parse(fs.readFileSync(path.join(gitRepo, 'out.sarif'), 'utf8')) as SarifLog;
  });

  test('valid against the SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The validator does reject what breaks the schema.
    expect(validate({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
  });

  test('repository-relative uris, rules with help, levels and fingerprints', () => {
    const run = log.runs[0]!;
    expect(run.results.length).toBeGreaterThan(10);
    for (const r of run.results) {
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^analytics\//);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(r.partialFingerprints['dbtSteward/v1']).toMatch(/^[0-9a-f]{32}$/);
    }
    const uris = run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('analytics/dbt_project.yml');
    for (const rule of run.tool.driver.rules)
      expect(rule.helpUri).toMatch(
        /^https:\/\/unpkg\.com\/dbt-steward@[^/]+\/(rules|docs\/findings)\/[a-z-]+\.md$/,
      );
    // The waived findings are there, marked as suppressed in source.
    const suppressed = run.results.filter((r) => r.suppressions);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const r of suppressed) expect(r.suppressions![0]!.kind).toBe('inSource');
  });

  test('every CI format in one run, each with repository paths', async () => {
    fs.mkdirSync(path.join(gitRepo, 'out'), { recursive: true });
    const run = await runCli(
      [
        'check',
        'analytics',
        '--now',
        NOW,
        '--format',
        'junit=out/junit.xml',
        '--format',
        'codequality=out/cq.json',
        '--format',
        'markdown=out/comment.md',
        '--format',
        'github',
        '--exit-zero',
      ],
      gitRepo,
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    for (const l of lines.filter((x) => x.includes('file=')))
      expect(l).toMatch(/^::(error|warning|notice) file=analytics\//);
    const xml = fs.readFileSync(path.join(gitRepo, 'out/junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/checked \d+ resources/);
    const cq = JSON.parse(fs.readFileSync(path.join(gitRepo, 'out/cq.json'), 'utf8')) as {
      location: { path: string };
    }[];
    expect(cq.length).toBeGreaterThan(0);
    for (const i of cq) expect(i.location.path).toMatch(/^analytics\//);
    const md = fs.readFileSync(path.join(gitRepo, 'out/comment.md'), 'utf8');
    expect(md).toMatch(/^<!-- dbt-steward:check -->\n### /);
    expect(md).toContain('analytics/');
  });

  test('--path-prefix overrides the detected prefix', async () => {
    const run = await runCli(
      [
        'check',
        'analytics',
        '--now',
        NOW,
        '--format',
        'sarif',
        '--path-prefix',
        './mono/dbt/',
        '--exit-zero',
      ],
      gitRepo,
    );
    const out = JSON.parse(run.stdout) as SarifLog;
    for (const r of out.runs[0]!.results)
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^mono\/dbt\//);
  });
});

/** A result with findings as given (defaults filled in). */
function resultOf(findings: Partial<Finding>[]): CheckResult {
  const full: Finding[] = findings.map((f, i) => ({
    ruleId: 'owner-present',
    messageId: 'missing',
    data: {},
    severity: 'error',
    message: `finding ${i}`,
    subject: { kind: 'node', id: `model.p.m${i}` },
    nodeId: `model.p.m${i}`,
    fingerprint: i.toString(16).padStart(32, '0'),
    location: { file: `models/m${i}.yml`, line: i + 1, column: 3 },
    ...f,
  }));
  const count = (s: string) => full.filter((f) => f.severity === s && !f.suppressed).length;
  return {
    formatVersion: 1,
    tool: { name: 'dbt-steward', version: '0.1.0' },
    projects: [
      {
        name: 'p',
        schemaVersion: 12,
        dbtVersion: '1.9.0',
        input: 'manifest',
        counts: { model: 7, source: 2 },
      },
    ],
    findings: full,
    summary: {
      error: count('error'),
      warn: count('warn'),
      info: count('info'),
      waived: full.filter((f) => f.suppressed?.by === 'waiver').length,
      baselined: full.filter((f) => f.suppressed?.by === 'baseline').length,
    },
    ruleFailures: [],
    hints: [],
  };
}

const registry = new Registry(getBuiltinRules());
const HOSTILE =
  'evil|`x`<script>alert(1)</script>&amp; @team %0A,:\r\n::error::pwn\u0000\u0007\uFFFE';
const hostile = resultOf([
  {
    message: HOSTILE,
    subject: { kind: 'node', id: `model.p.${HOSTILE}` },
    nodeId: `model.p.${HOSTILE}`,
    location: { file: 'models/a b,c:d%.yml', line: 2, column: 1 },
    data: { domain: HOSTILE, owner: 'x@y.z' },
  },
  { severity: 'warn', location: undefined, subject: { kind: 'domain', id: 'growth' } },
  { severity: 'info', suppressed: { by: 'baseline', reason: HOSTILE } },
]);

describe('junit', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
  type Case = { '@classname': string; '@name': string; failure?: { '@message': string } };

  test('one testcase per finding, one passing testcase per enabled rule', () => {
    const r = resultOf([{}, { severity: 'warn', ruleId: 'domain-present' }, { severity: 'info' }]);
    const xml = formatCheckJunit(r, {
      registry,
      pathPrefix: 'analytics',
      enabledRules: ['owner-present', 'domain-present', 'public-contract'],
    });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml) as {
      testsuites: { testsuite: { testcase: Case[]; '@failures': string } };
    };
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases.filter((c) => c.failure)).toHaveLength(2);
    expect(doc.testsuites.testsuite['@failures']).toBe('2');
    expect(cases[0]).toMatchObject({
      '@classname': 'owner-present',
      '@name': 'model.p.m0',
      '@file': 'analytics/models/m0.yml',
    });
    const passing = cases.filter((c) => / checked /.test(c['@name']));
    expect(passing.map((c) => c['@classname'])).toEqual([
      'domain-present',
      'owner-present',
      'public-contract',
    ]);
    // owner-present checks models and more: at least the 7 models.
    expect(passing.find((c) => c['@classname'] === 'public-contract')!['@name']).toMatch(
      /checked 7 resources/,
    );
  });

  test('capped, with a note', () => {
    const r = resultOf(Array.from({ length: 50 }, () => ({})));
    const xml = formatCheckJunit(r, { registry }, { maxFindings: 10 });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect((xml.match(/<failure /g) ?? []).length).toBe(10);
    expect(xml).toContain('40 of 50 findings were left out');
  });

  test('hostile text: well-formed XML, illegal characters replaced', () => {
    const xml = formatCheckJunit(hostile, { registry });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<script>');
    expect([...xml].some((c) => c === '\u0000' || c === '\u0007' || c === '\uFFFE')).toBe(false);
    const doc = parser.parse(xml) as { testsuites: { testsuite: { testcase: Case[] } } };
    const c = doc.testsuites.testsuite.testcase[0]!;
    expect(c.failure!['@message']).toContain('<script>');
  });
});

describe('github workflow commands', () => {
  test('escaping of data and properties', () => {
    expect(escapeData('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac:d,e');
    expect(escapeProperty('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac%3Ad%2Ce');
    const out = formatCheckGithub(hostile, { pathPrefix: 'analytics' });
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2); // the suppressed info is left out
    expect(lines[0]).toMatch(
      /^::error file=analytics\/models\/a b%2Cc%3Ad%25\.yml,line=2,col=1,title=dbt-steward owner-present::evil\|/,
    );
    expect(lines[0]).toContain('%250A,:%0D%0A::error::pwn');
    expect(lines[1]).toBe(
      '::warning file=analytics/dbt_project.yml,title=dbt-steward owner-present::finding 1',
    );
  });

  test('10 annotations per level, errors first, then one notice with the rest', () => {
    const r = resultOf([
      ...Array.from({ length: 3 }, () => ({ severity: 'info' as const })),
      ...Array.from({ length: 25 }, () => ({ severity: 'error' as const })),
      ...Array.from({ length: 12 }, () => ({ severity: 'warn' as const })),
    ]);
    const lines = formatCheckGithub(r).trimEnd().split('\n');
    const kinds = lines.map((l) => /^::(\w+)/.exec(l)![1]);
    expect(kinds.filter((k) => k === 'error')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'warning')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'notice')).toHaveLength(4);
    expect(kinds.slice(0, 10)).toEqual(Array(10).fill('error'));
    expect(lines.at(-1)).toMatch(
      /^::notice title=dbt-steward::15 more errors, 2 more warnings not annotated/,
    );
  });
});

describe('codequality', () => {
  test('the documented fields', () => {
    const r = resultOf([
      {},
      { severity: 'warn', location: undefined },
      { severity: 'info' },
      { fingerprint: '0'.repeat(32) },
    ]);
    const issues = JSON.parse(formatCheckCodequality(r, { pathPrefix: 'analytics' })) as {
      description: string;
      check_name: string;
      fingerprint: string;
      severity: string;
      location: { path: string; lines: { begin: number } };
    }[];
    expect(issues).toHaveLength(4);
    for (const i of issues) {
      expect(typeof i.description).toBe('string');
      expect(i.check_name).toBe('owner-present');
      expect(['blocker', 'critical', 'major', 'minor', 'info']).toContain(i.severity);
      expect(i.location.path).toMatch(/^analytics\//);
      expect(Number.isInteger(i.location.lines.begin)).toBe(true);
    }
    expect(issues.map((i) => i.severity)).toEqual(['major', 'minor', 'info', 'major']);
    expect(issues[1]!.location).toEqual({ path: 'analytics/dbt_project.yml', lines: { begin: 1 } });
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(4);
    // Hostile text is JSON-escaped and suppressed findings are left out.
    const h = JSON.parse(formatCheckCodequality(hostile)) as { description: string }[];
    expect(h).toHaveLength(2);
    expect(h[0]!.description).toBe(HOSTILE);
  });
});

describe('markdown', () => {
  test('summary, table with forge links, domains and owners, details', () => {
    const md = formatCheckMarkdown(hostile, {
      pathPrefix: 'analytics',
      env: {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'abc123',
      },
    });
    expect(md).toContain('dbt-steward: 1 error, 1 warning, 0 info (0 waived, 1 baselined)');
    expect(md).toContain(
      '(https://github.com/o/r/blob/abc123/analytics/models/a%20b%2Cc%3Ad%25.yml#L2)',
    );
    expect(md).toContain('analytics/dbt\\_project.yml');
    expect(md).toContain('#### Domains and owners affected');
    expect(md).toContain('x&#64;y.z (1)');
    expect(md).toContain('<details>');
    // Untrusted text: no raw HTML, pipes escaped, no mention.
    expect(md).not.toContain('<script>');
    expect(md).not.toMatch(/[^\\]\|`x`/);
    expect(md).not.toContain('@team');
    const gl = formatCheckMarkdown(hostile, {
      pathPrefix: 'analytics',
      env: { CI_PROJECT_URL: 'https://gitlab.example/g/p', CI_COMMIT_SHA: 'def' },
    });
    expect(gl).toContain('(https://gitlab.example/g/p/-/blob/def/analytics/');
    expect(formatCheckMarkdown(hostile)).not.toContain('](');
  });

  test('capped below 65,536 characters with a note', () => {
    const r = resultOf(
      Array.from({ length: 3000 }, (_, i) => ({ message: `m${i} ${'x'.repeat(200)}` })),
    );
    const md = formatCheckMarkdown(r);
    expect(md.length).toBeLessThan(65_536);
    expect(md).toMatch(/\d+ more findings were left out/);
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
  });
});

describe('sarif details', () => {
  test('hostile text stays data; suppressions kinds; valid', () => {
    const log = JSON.parse(formatCheckSarif(hostile, { registry, pathPrefix: 'a b' })) as SarifLog;
    const validate = sarifValidator();
    expect(validate(log)).toBe(true);
    const results = log.runs[0]!.results;
    expect(results[0]!.message.text).toBe(HOSTILE);
    expect(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'a%20b/models/a%20b%2Cc%3Ad%25.yml',
    );
    expect(results.at(-1)!.suppressions).toEqual([{ kind: 'external', justification: HOSTILE }]);
  });

  test('capped, errors kept first, with a note', () => {
    const r = resultOf([
      ...Array.from({ length: 5 }, () => ({ severity: 'info' as const })),
      ...Array.from({ length: 5 }, () => ({ severity: 'error' as const })),
    ]);
    const log = JSON.parse(formatCheckSarif(r, { registry }, { maxResults: 6 })) as SarifLog;
    const run = log.runs[0]!;
    expect(run.results.map((x) => x.level)).toEqual([
      'error',
      'error',
      'error',
      'error',
      'error',
      'note',
    ]);
    expect(run.properties.truncated).toMatchObject({ omitted: 4 });
    expect(run.invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(
      /^4 of 10 results were left out/,
    );
    expect(sarifValidator()(log)).toBe(true);
  });
});
