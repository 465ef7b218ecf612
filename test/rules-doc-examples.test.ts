/**
 * Every built-in rule's documentation shows at least one failing and one passing example,
 * and the rule agrees with each: a failing example produces a finding of the rule, a passing
 * one none (see test/helpers/doc-examples.ts for how examples are written).
 */
import { getBuiltinRules } from '../src/index.js';
import {
  docExamples,
  exampleLabel,
  runDocExampleResult,
  type DocExample,
} from './helpers/doc-examples.js';

function explain(example: DocExample, ruleId: string): string {
  const result = runDocExampleResult(ruleId, example);
  const lines = result.findings.map((f) => `  - ${f.nodeId ?? f.subject.id}: ${f.message}`);
  return [...lines, ...result.hints.map((h) => `  hint: ${h}`)].join('\n');
}

describe.each(getBuiltinRules().map((r) => [r.id] as const))('%s doc examples', (ruleId) => {
  let examples: ReturnType<typeof docExamples> = { failing: [], passing: [] };
  let problem: Error | null = null;
  try {
    examples = docExamples(ruleId);
  } catch (err) {
    problem = err instanceof Error ? err : new Error(String(err));
  }

  test('has at least one failing and one passing example', () => {
    if (problem !== null) throw problem;
    expect(examples.failing.length).toBeGreaterThan(0);
    expect(examples.passing.length).toBeGreaterThan(0);
  });

  const failing = examples.failing.map((e) => [exampleLabel(e), e] as const);
  const passing = examples.passing.map((e) => [exampleLabel(e), e] as const);

  if (failing.length > 0)
    test.each(failing)('%s reports', (_label, example) => {
      const findings = runDocExampleResult(ruleId, example).findings;
      if (findings.length === 0)
        throw new Error(
          `${exampleLabel(example)}: expected a finding of ${ruleId}, got none\n${explain(example, ruleId)}`,
        );
    });

  if (passing.length > 0)
    test.each(passing)('%s passes', (_label, example) => {
      const findings = runDocExampleResult(ruleId, example).findings;
      if (findings.length > 0)
        throw new Error(
          `${exampleLabel(example)}: expected no finding of ${ruleId}, got:\n${explain(example, ruleId)}`,
        );
    });
});
