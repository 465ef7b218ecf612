/**
 * The pipeline's layering, enforced: load → graph → engine → report → cli, rules through the
 * public API only, one file for the graph library, `process` only at the entry point.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = new URL('../', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The repository-relative folder an import resolves to (for relative imports). */
function target(file: string, spec: string): string {
  return path.relative(root, path.resolve(root, path.dirname(file), spec));
}

const src = tsFiles('src');
const rules = tsFiles('rules');

const forbidden: Record<string, string[]> = {
  'src/load': ['src/engine', 'src/report', 'src/cli', 'src/index', 'rules'],
  'src/graph': ['src/load', 'src/engine', 'src/report', 'src/cli', 'src/index', 'rules'],
  'src/engine': ['src/load', 'src/report', 'src/cli', 'src/index', 'rules'],
  'src/report': ['src/load', 'src/cli', 'src/index', 'rules'],
};

describe('import boundaries', () => {
  test('the source tree is where the test expects it', () => {
    expect(src.length).toBeGreaterThan(10);
    expect(rules.length).toBeGreaterThan(1);
  });

  test.each(Object.entries(forbidden))('%s does not import %j', (folder, banned) => {
    const offending: string[] = [];
    for (const file of src.filter((f) => f.startsWith(folder + '/'))) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const t = target(file, spec);
        if (banned.some((b) => t === b || t.startsWith(b + '/') || t === b + '.js'))
          offending.push(`${file} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('the CLI uses only the public API (src/index) and its own folder', () => {
    const offending: string[] = [];
    for (const file of src.filter((f) => f.startsWith('src/cli/'))) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const t = target(file, spec);
        if (t !== 'src/index.js' && !t.startsWith('src/cli/')) offending.push(`${file} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('built-in rules import only the public API (and zod for options)', () => {
    const offending: string[] = [];
    for (const file of rules) {
      for (const spec of importsOf(file)) {
        const ok =
          spec === '../src/index.js' ||
          spec === 'zod' ||
          (file === 'rules/index.ts' && /^\.\/[a-z0-9-]+\.js$/.test(spec));
        if (!ok) offending.push(`${file} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('only src/graph/graphlib.ts imports the graph library', () => {
    const users = src.filter((f) => importsOf(f).includes('@dagrejs/graphlib'));
    expect(users).toEqual(['src/graph/graphlib.ts']);
  });

  test('only the entry point touches `process`', () => {
    const users = [...src, ...rules].filter((f) =>
      /\bprocess\.(?!env\b)/.test(fs.readFileSync(path.join(root, f), 'utf8')),
    );
    expect(users).toEqual(['src/cli/bin.ts']);
  });

  test('the import scanner sees imports (a check of this test itself)', () => {
    expect(importsOf('src/index.ts')).toContain('./engine/check.js');
    expect(importsOf('rules/owner-present.ts')).toEqual(['../src/index.js']);
  });
});
