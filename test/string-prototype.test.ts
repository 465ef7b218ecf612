/**
 * nunjucks's runtime leaves String.prototype in V8's slow dictionary mode when it loads (its
 * SafeString is made with Object.create(String.prototype, …)), which slows every string
 * operation of the process. Source mode loads nunjucks only to compile a template (plain
 * macros and statically read models need none), and then has V8 make String.prototype fast
 * again. Checked in a child process with V8's natives
 * syntax, on the built library (CI builds before testing).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const built = fs.existsSync(path.resolve('dist', 'src', 'index.js'));

function probe(input: string, mode: 'source' | 'manifest'): { nunjucks: boolean; fast: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const { loadProject } = await import(${JSON.stringify(path.resolve('dist', 'src', 'index.js'))});
    await loadProject([${JSON.stringify(input)}], { mode: ${JSON.stringify(mode)} });
    const cache = createRequire(import.meta.url).cache;
    const nunjucks = Object.keys(cache).some((k) => k.includes('/nunjucks/'));
    console.log(JSON.stringify({ nunjucks, fast: %HasFastProperties(String.prototype) }));
  `;
  const out = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as { nunjucks: boolean; fast: boolean };
}

(built ? describe : describe.skip)('String.prototype stays fast', () => {
  test('a project with a model to render: nunjucks loaded, String.prototype fast', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-strproto-'));
    try {
      fs.writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: p\nversion: "1.0"\n');
      fs.mkdirSync(path.join(dir, 'models'));
      // A loop: no static reading, the template is compiled and rendered.
      fs.writeFileSync(
        path.join(dir, 'models', 'm.sql'),
        '{% for i in range(2) %}select {{ i }} union all {% endfor %}select 2',
      );
      expect(probe(dir, 'source')).toEqual({ nunjucks: true, fast: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a project whose macros and models are plain: nunjucks is not loaded', () => {
    expect(probe(path.resolve('fixtures', 'example-mesh'), 'source')).toEqual({
      nunjucks: false,
      fast: true,
    });
  });

  test('a manifest: nunjucks is not even loaded', () => {
    const manifest = path.resolve('fixtures', 'example-mesh', 'target', 'manifest.json');
    expect(probe(manifest, 'manifest')).toEqual({ nunjucks: false, fast: true });
  });
});
