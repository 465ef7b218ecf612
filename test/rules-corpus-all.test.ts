/**
 * Every manifest of the shared corpus, checked with the `all` preset (every rule on, at its
 * default severity) and with `strict`: no rule may fail on a real project, and the results
 * must be deterministic and valid against the published JSON Schema.
 */
import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { configFromObject, formatCheckJson, getBuiltinRules, runRules } from '../src/index.js';
import { corpusNames, corpusProject } from './rules/corpus.js';

const NAMES = corpusNames();
const schema = JSON.parse(
  fs.readFileSync(new URL('../schemas/check-result.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ strict: false }).compile(schema);

test('the corpus is present', () => {
  expect(NAMES.length).toBeGreaterThan(10);
});

describe.each(['all', 'strict'])('preset dbt-steward:%s', (preset) => {
  const config = configFromObject(
    { extends: `dbt-steward:${preset}` },
    { rules: getBuiltinRules() },
  );

  test.each(NAMES)('%s: every rule runs without failing', async (name) => {
    const project = await corpusProject(name);
    const options = {
      registry: config.registry,
      config: config.engine,
      now: new Date('2026-06-01T00:00:00Z'),
    };
    const result = runRules(project, options);
    expect(result.ruleFailures).toEqual([]);
    const json = formatCheckJson(result);
    expect(validate(JSON.parse(json))).toBe(true);
    // Same input, same output.
    expect(formatCheckJson(runRules(project, options))).toBe(json);
  });
});
