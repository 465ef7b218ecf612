/**
 * Golden outputs: `report owners|domains|products` on fixtures/example-mesh in text, markdown
 * and csv, compared byte for byte with test/golden/. After an intended change to a report,
 * rewrite the files with `UPDATE_GOLDEN=1 npm test -- test/reports-golden` and review the diff.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const GOLDEN = path.join(repoRoot, 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const KINDS = ['owners', 'domains', 'products'] as const;
const FORMATS = ['text', 'markdown', 'csv'] as const;

async function report(kind: string, format: string): Promise<string> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['report', kind, 'fixtures/example-mesh', '--now', '2026-06-01', '--format', format],
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      cwd: repoRoot,
      env: {},
    },
  );
  if (code !== 0) throw new Error(`report ${kind} --format ${format}: exit ${code}\n${stderr}`);
  return stdout;
}

/** The first lines where two texts differ, with a little context: enough to see what moved. */
function shortDiff(expected: string, actual: string, context = 2, max = 12): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const show = (s: string) => JSON.stringify(s);
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const out: string[] = [`first difference at line ${first + 1}:`];
  for (let i = Math.max(0, first - context); i < first; i++) out.push(`  ${show(a[i]!)}`);
  let shown = 0;
  for (let i = first; i < Math.max(a.length, b.length) && shown < max; i++) {
    if (a[i] === b[i]) continue;
    if (i < a.length) out.push(`- ${show(a[i]!)}`);
    if (i < b.length) out.push(`+ ${show(b[i]!)}`);
    shown++;
  }
  if (a.length !== b.length) out.push(`(${a.length} lines expected, ${b.length} written)`);
  return out.join('\n');
}

describe('report golden outputs (fixtures/example-mesh, --now 2026-06-01)', () => {
  for (const kind of KINDS) {
    for (const format of FORMATS) {
      const file = `report-${kind}.${format}.golden`;
      test(`report ${kind} --format ${format} matches test/golden/${file}`, async () => {
        const actual = await report(kind, format);
        const goldenPath = path.join(GOLDEN, file);
        if (UPDATE) {
          fs.mkdirSync(GOLDEN, { recursive: true });
          fs.writeFileSync(goldenPath, actual);
          return;
        }
        if (!fs.existsSync(goldenPath))
          throw new Error(
            `test/golden/${file} is missing; run UPDATE_GOLDEN=1 npm test -- test/reports-golden`,
          );
        const expected = fs.readFileSync(goldenPath, 'utf8');
        if (actual !== expected)
          throw new Error(
            `report ${kind} --format ${format} differs from test/golden/${file}` +
              ` (after an intended change: UPDATE_GOLDEN=1 npm test -- test/reports-golden)\n` +
              shortDiff(expected, actual),
          );
      });
    }
  }

  test('the golden outputs are deterministic: a second run writes the same bytes', async () => {
    for (const kind of KINDS) expect(await report(kind, 'csv')).toBe(await report(kind, 'csv'));
  });

  test('shortDiff points at the first differing line', () => {
    const d = shortDiff('a\nb\nc\n', 'a\nB\nc\n');
    expect(d).toContain('line 2');
    expect(d).toContain('- "b"');
    expect(d).toContain('+ "B"');
  });
});
