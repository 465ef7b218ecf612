/**
 * YAML selectors as loaded: the manifest's `selectors` (kept by the loader, untrusted) and
 * the project's selectors.yml (`readSelectorsFile`), checked against real corpus projects
 * and against malformed files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { InputError } from '../src/errors.js';
import { resolveSelector, type Selectors } from '../src/graph/select.js';
import { projectSelectors } from '../src/graph/selectors.js';
import { loadProject } from '../src/load/index.js';
import { loadManifestBuffer } from '../src/load/manifest.js';
import { readSelectorsFile } from '../src/load/selectors-file.js';
import type { ManifestSelectors } from '../src/model.js';

const CORPUS = new URL('../../shared/corpus/', import.meta.url).pathname;
const BOUNCER_MANIFEST = path.join(CORPUS, 'manifests/dbt-bouncer-test-project/manifest.json');
const BOUNCER_PROJECT = path.join(CORPUS, 'projects/dbt-bouncer-dbt_project');
const FHIR_MANIFEST = path.join(CORPUS, 'manifests/google-fhir-dbt-analytics/manifest.json');
const FHIR_PROJECT = path.join(CORPUS, 'projects/google-fhir-dbt-analytics-at-bca9d3d');

function rawSelectors(file: string): Record<string, unknown> {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { selectors: Record<string, unknown> })
    .selectors;
}

/** A plain copy, to compare prototype-less maps with JSON. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('the manifest loader keeps `selectors`', () => {
  test.each([
    ['dbt-bouncer-test-project (v12)', BOUNCER_MANIFEST, 1],
    ['google-fhir-dbt-analytics (v7)', FHIR_MANIFEST, 36],
  ])('%s', async (_name, file, count) => {
    const project = await loadProject([file]);
    const selectors = project.projects[0]!.selectors;
    expect(selectors).not.toBeNull();
    expect(Object.keys(selectors!)).toHaveLength(count);
    expect(plain(selectors)).toEqual(rawSelectors(file));
    expect(Object.getPrototypeOf(selectors)).toBeNull();
    expect(project.warnings).toEqual([]);
  });

  const manifest = (extra: Record<string, unknown>): Buffer =>
    Buffer.from(
      JSON.stringify({
        metadata: {
          dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
          dbt_version: '1.10.5',
          project_name: 'tiny',
        },
        nodes: {},
        sources: {},
        ...extra,
      }),
    );

  test('none: null; empty: an empty map', () => {
    expect(loadManifestBuffer(manifest({}), 'm.json', null).info.selectors).toBeNull();
    expect(
      Object.keys(loadManifestBuffer(manifest({ selectors: {} }), 'm.json', null).info.selectors!),
    ).toEqual([]);
  });

  test('entries are copied field by field; bad entries are dropped with a warning', () => {
    const text = manifest({
      selectors: {
        good: {
          name: 'good',
          definition: { method: 'tag', value: 'x' },
          default: true,
          description: 'd',
          extra_field: 1,
        },
        raw_code: { definition: 'tag:y' },
        not_an_object: 'tag:x',
        no_definition: { name: 'no_definition' },
        bad_default: { definition: 'x', default: 2 },
      },
    })
      .toString('utf8')
      // a key JSON.stringify would not write from an object literal
      .replace('"raw_code"', '"__proto__"');
    const load = loadManifestBuffer(Buffer.from(text), 'm.json', null);
    const selectors = load.info.selectors!;
    expect(Object.keys(selectors).sort()).toEqual(['__proto__', 'good']);
    expect(selectors.good).toEqual({
      name: 'good',
      definition: { method: 'tag', value: 'x' },
      default: true,
      description: 'd',
    });
    expect(selectors['__proto__']).toEqual({ definition: 'tag:y' });
    expect(({} as Record<string, unknown>).definition).toBeUndefined();
    expect(load.warnings.map((w) => w.message)).toEqual([
      'selectors["not_an_object"] ignored: a selector is a mapping with "name" and "definition"',
      'selectors["no_definition"] ignored: it has no "definition"',
      'selectors["bad_default"] ignored: "default" must be true or false',
    ]);
  });
});

describe('readSelectorsFile on real projects', () => {
  test("dbt-bouncer: the file holds what the project's manifest holds", () => {
    const fromFile = readSelectorsFile(BOUNCER_PROJECT);
    expect(plain(fromFile)).toEqual(rawSelectors(BOUNCER_MANIFEST));
  });

  test('google-fhir: the same selections from the file as from the manifest (which inlines selector: references)', async () => {
    const fromFile = readSelectorsFile(FHIR_PROJECT)!;
    const fromManifest = rawSelectors(FHIR_MANIFEST) as unknown as Selectors;
    expect(Object.keys(fromFile).sort()).toEqual(Object.keys(fromManifest).sort());
    const differing = Object.keys(fromFile).filter(
      (n) => !isDeepStrictEqual(plain(fromFile[n]), fromManifest[n]),
    );
    expect(differing).toEqual(['resource_patient_encounter_observation']);
    expect(JSON.stringify(fromFile[differing[0]!]!.definition)).toContain('"method":"selector"');

    const project = await loadProject([FHIR_MANIFEST]);
    let nonEmpty = 0;
    for (const name of Object.keys(fromFile)) {
      const a = resolveSelector(name, fromFile, project.resources, project.graph);
      const b = resolveSelector(name, fromManifest, project.resources, project.graph);
      expect([name, [...a].sort()]).toEqual([name, [...b].sort()]);
      if (a.size > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(30);
    // merged, the file wins
    const merged = projectSelectors(project.projects, [fromFile]);
    expect(merged[differing[0]!]).toBe(fromFile[differing[0]!]);
  });
});

describe('readSelectorsFile on hand-written files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-selectors-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (text: string): void => fs.writeFileSync(path.join(dir, 'selectors.yml'), text);
  const read = (text: string): ManifestSelectors | null => {
    write(text);
    return readSelectorsFile(dir);
  };
  const errorOf = (text: string): string => {
    write(text);
    try {
      readSelectorsFile(dir, { cwd: dir });
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      const message = (err as InputError).message;
      expect(message).not.toContain('\n');
      expect((err as InputError).file).toBe('selectors.yml');
      return message;
    }
    throw new Error('expected an InputError');
  };

  test('no file, no project directory: null', () => {
    expect(readSelectorsFile(dir)).toBeNull();
    expect(readSelectorsFile(path.join(dir, 'missing'))).toBeNull();
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(readSelectorsFile(path.join(dir, 'file'))).toBeNull();
    // dbt reads selectors.yml only
    fs.writeFileSync(path.join(dir, 'selectors.yaml'), 'selectors: []\n');
    expect(readSelectorsFile(dir)).toBeNull();
  });

  test('empty files and lists: no selectors', () => {
    for (const text of ['', '# nothing yet\n', 'selectors: []\n', 'selectors:\n'])
      expect(Object.keys(read(text)!)).toEqual([]);
  });

  test("dbt's list form becomes the keyed form, fields copied", () => {
    const out = read(
      [
        'selectors:',
        '  - name: nodes_to_joy',
        '    definition: "tag:nightly"',
        '  - name: nodes_to_a_grecian_urn',
        '    description: Attic shape with a fair attitude',
        '    default: true',
        '    definition:',
        '      union:',
        '        - method: tag',
        '          value: nightly',
        '        - exclude: ["@tag:daily"]',
        '    owner: unknown keys are dropped',
        '',
      ].join('\n'),
    )!;
    expect(plain(out)).toEqual({
      nodes_to_joy: { name: 'nodes_to_joy', definition: 'tag:nightly' },
      nodes_to_a_grecian_urn: {
        name: 'nodes_to_a_grecian_urn',
        description: 'Attic shape with a fair attitude',
        default: true,
        definition: {
          union: [{ method: 'tag', value: 'nightly' }, { exclude: ['@tag:daily'] }],
        },
      },
    });
    expect(Object.getPrototypeOf(out)).toBeNull();
  });

  test('YAML as dbt reads it: anchors, merge keys, yes/no, a byte order mark', () => {
    const out = read(
      [
        '\uFEFFselectors:',
        '  - name: base',
        '    default: no',
        '    definition: &base',
        '      method: tag',
        '      value: nightly',
        '  - name: extended',
        '    default: yes',
        '    definition:',
        '      <<: *base',
        '      children: true',
        '',
      ].join('\n'),
    )!;
    expect(out.base!.default).toBe(false);
    expect(out.extended!.default).toBe(true);
    expect(plain(out.extended!.definition)).toEqual({
      method: 'tag',
      value: 'nightly',
      children: true,
    });
  });

  test('a Jinja default is kept as written (dbt renders it; we cannot): it is not a default', () => {
    const out = read(
      [
        'selectors:',
        '  - name: default_for_dev',
        `    default: "{{ target.name == 'dev' | as_bool }}"`,
        '    definition: "tag:x"',
        '  - name: quoted',
        '    default: "True"',
        '    definition: "tag:y"',
        '',
      ].join('\n'),
    )!;
    expect(out.default_for_dev!.default).toBe("{{ target.name == 'dev' | as_bool }}");
    expect(out.quoted!.default).toBe(true);
  });

  test('selector names are data', () => {
    const out = read(
      [
        'selectors:',
        '  - name: __proto__',
        '    definition: "tag:x"',
        '  - name: constructor',
        '    definition: "tag:y"',
        '',
      ].join('\n'),
    )!;
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
    expect(out['__proto__']!.definition).toBe('tag:x');
    expect(({} as Record<string, unknown>).definition).toBeUndefined();
  });

  test('malformed files: file:line, the problem and the fix', () => {
    expect(errorOf('selectors:\n  - name: a\n    definition: [tag:x\n')).toMatch(
      /^selectors\.yml:3: .+; fix the YAML syntax$/,
    );
    expect(errorOf('selectors:\n  - name: a\n  name: b\n')).toMatch(
      /^selectors\.yml:\d: .+; fix the YAML syntax$/,
    );
    expect(errorOf('- name: a\n  definition: x\n')).toMatch(
      /^selectors\.yml:1: not a mapping with a `selectors:` list; write `selectors:` followed by a list /,
    );
    expect(errorOf('# comment\nselector:\n  - name: a\n')).toMatch(
      /^selectors\.yml:2: no top-level `selectors:` key; write `selectors:` followed by a list /,
    );
    expect(errorOf('selectors:\n  name: a\n  definition: x\n')).toMatch(
      /^selectors\.yml:2: `selectors:` must be a list; /,
    );
    expect(
      errorOf('selectors:\n  - name: a\n    definition: "tag:x"\n  - definition: "tag:y"\n'),
    ).toMatch(
      /^selectors\.yml:4: a selector has no "name"; give each selector a `name:` \(https:\/\/docs\.getdbt\.com\/reference\/node-selection\/yaml-selectors\)$/,
    );
    expect(errorOf('selectors:\n  - name: [a]\n    definition: x\n')).toMatch(
      /^selectors\.yml:2: "name" must be a non-empty string; /,
    );
    expect(errorOf('selectors:\n  - "tag:x"\n')).toMatch(
      /^selectors\.yml:2: a selector has no "name"/,
    );
    expect(errorOf('selectors:\n  - name: a\n    description: x\n')).toMatch(
      /^selectors\.yml:2: selector "a": it has no "definition"; each selector needs a `definition:`/,
    );
    expect(errorOf('selectors:\n  - name: a\n    definition:\n')).toMatch(
      /^selectors\.yml:2: selector "a": it has no "definition"/,
    );
    expect(errorOf('selectors:\n  - name: a\n    default: maybe\n    definition: x\n')).toMatch(
      /^selectors\.yml:2: selector "a": "default" must be true or false; /,
    );
    expect(
      errorOf(
        'selectors:\n  - name: a\n    definition: x\n\n  - name: b\n    definition: y\n  - name: a\n    definition: z\n',
      ),
    ).toBe(
      'selectors.yml:7: selector "a" is defined twice (first at line 2); rename or remove one of them',
    );
  });

  test('an unreadable selectors.yml (a directory here) is an InputError', () => {
    fs.mkdirSync(path.join(dir, 'selectors.yml'));
    expect(() => readSelectorsFile(dir)).toThrow(InputError);
    expect(() => readSelectorsFile(dir)).toThrow(/selectors\.yml: is a directory, expected a file/);
  });

  test('too many aliases (a "billion laughs" file) is an InputError', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('selectors: []');
    expect(errorOf(lines.join('\n') + '\n')).toMatch(
      /^selectors\.yml:1: .*alias.*; simplify the anchors and aliases$/i,
    );
  });
});
