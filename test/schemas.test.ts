import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { check, formatCheckJson, formatLineageJson, lineageOf, loadProject } from '../src/index.js';
import { outputJsonSchemas } from '../src/report/schemas.js';

const repo = new URL('../', import.meta.url);
const corpus = (name: string) =>
  new URL(`../../shared/corpus/manifests/${name}/manifest.json`, import.meta.url).pathname;

function validator(name: string) {
  const schema = JSON.parse(fs.readFileSync(new URL(`schemas/${name}`, repo), 'utf8'));
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema);
}

describe('published JSON Schemas of the outputs', () => {
  test('schemas/ is current with the zod schemas (run `npm run schemas`)', () => {
    for (const [name, schema] of Object.entries(outputJsonSchemas())) {
      const onDisk = fs.readFileSync(new URL(`schemas/${name}`, repo), 'utf8');
      expect(onDisk).toBe(JSON.stringify(schema, null, 2) + '\n');
    }
  });

  test.each(['dbt-bouncer-test-project', 'dap-jaffle-v1', 'cosmos-cross_project-downstream'])(
    'check and lineage JSON of %s validate against their schemas',
    async (name) => {
      const project = await loadProject([corpus(name)]);
      const result = JSON.parse(formatCheckJson(check(project)));
      const validateCheck = validator('check-result.schema.json');
      expect(validateCheck.errors ?? []).toEqual([]);
      expect(validateCheck(result)).toBe(true);
      const lineage = JSON.parse(formatLineageJson(lineageOf(project, null)));
      const validateLineage = validator('lineage.schema.json');
      expect(validateLineage(lineage)).toBe(true);
    },
  );

  test('a finding with a missing field fails validation (the schema is not vacuous)', async () => {
    const project = await loadProject([corpus('dbt-bouncer-test-project')]);
    const result = JSON.parse(formatCheckJson(check(project)));
    expect(result.findings.length).toBeGreaterThan(0);
    delete result.findings[0].fingerprint;
    expect(validator('check-result.schema.json')(result)).toBe(false);
  });
});
