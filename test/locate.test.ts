/** Locating YAML declarations: entries per section, keys inside them, bad files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Locator, yamlFileOf } from '../src/load/locate.js';
import { makeResource, type ResourceInit } from '../src/project.js';
import type { Group } from '../src/model.js';

let dir: string;

function write(rel: string, text: string): void {
  const abs = path.join(dir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
}

const res = (init: ResourceInit) => makeResource(init);

const PROPS = `version: 2

models:
  - name: plain
    description: no meta
  - name: "quoted"
    meta:
      domain: growth
  - description: name second
    name: 'single_quoted'
    config:
      meta:
        owner: a@example.com
        steward:
          waive: [owner-present]
  - name: both
    meta:
      owner: top@example.com
    config:
      meta:
        owner: config@example.com
  - name: dim_customers
    latest_version: 2
    config:
      meta:
        domain: core
    versions:
      - v: 1
        config:
          meta:
            owner: v1@example.com
      - v: 2
  - name: 2024_orders

seeds:
  - name: country_codes
    config:
      group: core

snapshots:
  - name: customers_snapshot

sources:
  - name: app
    meta:
      owner: platform@example.com
    tables:
      - name: customers
        meta:
          domain: core
      - name: signups

exposures:
  - name: dash
    owner:
      name: BI

metrics:
  - name: revenue
semantic_models:
  - name: orders_sm
saved_queries:
  - name: sq
unit_tests:
  - name: ut_plain
    model: plain

groups:
  - name: finance
    owner:
      name: Finance
`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-locate-'));
  write('models/props.yml', PROPS);
  write('models/broken.yml', 'models:\n  - name: x\n    meta: [unclosed\n');
  write('models/multi.yml', 'models:\n  - name: a\n---\nmodels:\n  - name: b\n');
  write('models/scalar.yml', 'just a string\n');
  write(
    'models/deep.yml',
    'models:\n  - name: deep\n    meta: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
  );
  fs.mkdirSync(path.join(dir, 'models', 'dir.yml'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const locator = () =>
  new Locator(
    () => dir,
    () => dir,
  );

const model = (name: string, extra: Partial<ResourceInit> = {}) =>
  res({
    uniqueId: `model.my_project.${name}`,
    resourceType: 'model',
    name,
    patchPath: 'models/props.yml',
    filePath: `models/${name}.sql`,
    ...extra,
  });

describe('entries', () => {
  test('models: plain, double- and single-quoted names, name not first', () => {
    const l = locator();
    expect(l.lineOf(model('plain'))).toEqual({
      file: 'models/props.yml',
      line: 4,
      column: 5,
      atKey: false,
    });
    expect(l.lineOf(model('quoted'))?.line).toBe(6);
    expect(l.lineOf(model('single_quoted'))?.line).toBe(10);
    expect(l.lineOf(model('2024_orders'))?.line).toBe(33);
    expect(l.lineOf(model('missing'))).toBeNull();
  });

  test('each section', () => {
    const l = locator();
    const at = (init: ResourceInit) =>
      l.lineOf(res({ patchPath: 'models/props.yml', ...init }))?.line;
    expect(
      at({ uniqueId: 'seed.p.country_codes', resourceType: 'seed', name: 'country_codes' }),
    ).toBe(36);
    expect(
      at({ uniqueId: 'snapshot.p.s', resourceType: 'snapshot', name: 'customers_snapshot' }),
    ).toBe(41);
    expect(at({ uniqueId: 'exposure.p.dash', resourceType: 'exposure', name: 'dash' })).toBe(54);
    expect(at({ uniqueId: 'metric.p.revenue', resourceType: 'metric', name: 'revenue' })).toBe(59);
    expect(
      at({ uniqueId: 'semantic_model.p.o', resourceType: 'semantic_model', name: 'orders_sm' }),
    ).toBe(61);
    expect(at({ uniqueId: 'saved_query.p.sq', resourceType: 'saved_query', name: 'sq' })).toBe(63);
    expect(
      at({ uniqueId: 'unit_test.p.plain.ut', resourceType: 'unit_test', name: 'ut_plain' }),
    ).toBe(65);
    // A model's name in another section is not its entry.
    expect(at({ uniqueId: 'model.p.dash', resourceType: 'model', name: 'dash' })).toBeUndefined();
    expect(
      at({ uniqueId: 'operation.p.x', resourceType: 'operation', name: 'plain' }),
    ).toBeUndefined();
  });

  test('sources: the table under its source; YAML-defined resources without a patch path', () => {
    const l = locator();
    const table = (name: string, sourceName = 'app') =>
      res({
        uniqueId: `source.p.${sourceName}.${name}`,
        resourceType: 'source',
        name,
        sourceName,
        filePath: 'models/props.yml',
      });
    expect(l.lineOf(table('customers'))?.line).toBe(48);
    expect(l.lineOf(table('signups'))?.line).toBe(51);
    expect(l.lineOf(table('customers', 'other'))).toBeNull();
    expect(yamlFileOf(table('x'))).toBe('models/props.yml');
    expect(yamlFileOf(model('x', { patchPath: null }))).toBeNull();
  });

  test('groups', () => {
    const group: Group = {
      uniqueId: 'group.p.finance',
      name: 'finance',
      packageName: 'p',
      owner: null,
      description: '',
      meta: {},
      filePath: 'models/props.yml',
    };
    expect(locator().groupLine(group)).toEqual({
      file: 'models/props.yml',
      line: 69,
      column: 5,
      atKey: false,
    });
    expect(locator().groupLine({ ...group, name: 'nope' })).toBeNull();
    expect(new Locator(() => dir).groupLine(group)).toBeNull();
  });
});

describe('keys inside an entry', () => {
  test('meta.X and config.meta.X, either spelling', () => {
    const l = locator();
    expect(l.lineOf(model('quoted'), 'meta.domain')).toMatchObject({ line: 8, atKey: true });
    expect(l.lineOf(model('quoted'), 'config.meta.domain')).toMatchObject({ line: 8, atKey: true });
    expect(l.lineOf(model('single_quoted'), 'meta.owner')).toMatchObject({
      line: 13,
      column: 9,
      atKey: true,
    });
    expect(l.lineOf(model('single_quoted'), 'meta.steward.waive')?.line).toBe(15);
    // Both written: config.meta wins in dbt, so that is the line.
    expect(l.lineOf(model('both'), 'meta.owner')?.line).toBe(21);
  });

  test('a key that is not written: the entry line', () => {
    expect(locator().lineOf(model('plain'), 'meta.domain')).toMatchObject({
      line: 4,
      atKey: false,
    });
    expect(locator().lineOf(model('quoted'), 'meta.domain.deeper')).toMatchObject({
      line: 6,
      atKey: false,
    });
  });

  test('other keys: group, owner', () => {
    const l = locator();
    const seed = res({
      uniqueId: 'seed.p.country_codes',
      resourceType: 'seed',
      name: 'country_codes',
      patchPath: 'models/props.yml',
    });
    expect(l.lineOf(seed, 'group')).toMatchObject({ line: 38, atKey: true });
    const dash = res({
      uniqueId: 'exposure.p.dash',
      resourceType: 'exposure',
      name: 'dash',
      filePath: 'models/props.yml',
    });
    expect(l.lineOf(dash, 'owner')).toMatchObject({ line: 55, atKey: true });
  });

  test('versioned models: the version entry first, then the model entry', () => {
    const l = locator();
    const v1 = model('dim_customers', { version: '1', uniqueId: 'model.p.dim_customers.v1' });
    const v2 = model('dim_customers', { version: '2', uniqueId: 'model.p.dim_customers.v2' });
    expect(l.lineOf(v1)).toMatchObject({ line: 22, atKey: false });
    expect(l.lineOf(v1, 'meta.owner')).toMatchObject({ line: 31, atKey: true });
    expect(l.lineOf(v2, 'meta.owner')).toMatchObject({ line: 22, atKey: false });
    expect(l.lineOf(v2, 'meta.domain')).toMatchObject({ line: 26, atKey: true });
  });

  test('sources: the table entry, then the source entry', () => {
    const l = locator();
    const t = (name: string) =>
      res({
        uniqueId: `source.p.app.${name}`,
        resourceType: 'source',
        name,
        sourceName: 'app',
        filePath: 'models/props.yml',
      });
    expect(l.lineOf(t('customers'), 'meta.domain')?.line).toBe(50);
    expect(l.lineOf(t('signups'), 'meta.owner')).toMatchObject({ line: 46, atKey: true });
    expect(l.lineOf(t('signups'), 'meta.domain')).toMatchObject({ line: 51, atKey: false });
  });
});

describe('bad files give null, never an error', () => {
  const at = (patchPath: string | null, root: string | null = dir) =>
    new Locator(() => root).lineOf(model('x', { patchPath }));

  test('missing, malformed, multi-document, non-map, directory, too deep', () => {
    expect(at('models/nope.yml')).toBeNull();
    expect(at('models/broken.yml')).toBeNull();
    expect(at('models/multi.yml')).toBeNull();
    expect(at('models/scalar.yml')).toBeNull();
    expect(at('models/dir.yml')).toBeNull();
    expect(
      new Locator(() => dir).lineOf(model('deep', { patchPath: 'models/deep.yml' }), 'meta.x'),
    ).toBeNull();
  });

  test('no root, no YAML file, paths leaving the project', () => {
    expect(at('models/props.yml', null)).toBeNull();
    expect(at(null)).toBeNull();
    expect(at('../outside.yml')).toBeNull();
    expect(at('/etc/passwd')).toBeNull();
  });

  test('parsed files are cached', () => {
    const l = locator();
    write('models/cached.yml', 'models:\n  - name: c\n');
    expect(l.lineOf(model('c', { patchPath: 'models/cached.yml' }))?.line).toBe(2);
    write('models/cached.yml', 'models:\n\n\n  - name: c\n');
    expect(l.lineOf(model('c', { patchPath: 'models/cached.yml' }))?.line).toBe(2);
    expect(locator().lineOf(model('c', { patchPath: 'models/cached.yml' }))?.line).toBe(4);
  });
});
