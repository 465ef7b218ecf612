/**
 * JUnit XML for CI test tabs: one testcase per finding (classname = rule id, name = the
 * subject), a failure element for errors and warnings, and one passing testcase per enabled
 * rule saying how many resources it checked. The count is approximated from the result: the
 * project's own resources of the rule's resource types (the engine's findings count the
 * project). Findings beyond a cap are left out, with a note, so a huge project never yields
 * millions of testcases.
 */
import type { CheckResult, Finding } from '../engine/check.js';
import { byImportance, findingPath, type ReportContext } from './paths.js';

export const JUNIT_MAX_FINDINGS = 10_000;

/** Characters XML 1.0 does not allow (controls, lone surrogates, U+FFFE/FFFF). */
const ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for an XML attribute or element; illegal characters become U+FFFD. */
export function xmlEscape(s: string): string {
  return s
    .replace(ILLEGAL_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** For element text: newlines stay readable. */
function xmlText(s: string): string {
  return s
    .replace(ILLEGAL_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

const attrs = (a: Record<string, string | number | undefined>): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

export interface JunitOptions {
  maxFindings?: number;
}

/** What a rule checked, approximated from the project summaries: "7 resources", "1 project". */
function checkedLabel(result: CheckResult, context: ReportContext | undefined, id: string): string {
  const rule = context?.registry?.get(id)?.rule;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (!rule || rule.scope === 'project') return plural(result.projects.length, 'project');
  let n = 0;
  for (const p of result.projects) for (const t of rule.resourceTypes) n += p.counts[t] ?? 0;
  return plural(n, 'resource');
}

export function formatCheckJunit(
  result: CheckResult,
  context?: ReportContext,
  options: JunitOptions = {},
): string {
  const max = options.maxFindings ?? JUNIT_MAX_FINDINGS;
  const shown = byImportance(result.findings.filter((f) => !f.suppressed));
  const kept = shown.slice(0, max);
  const omitted = shown.length - kept.length;
  const cases: string[] = [];
  let failures = 0;
  const caseOf = (f: Finding): string => {
    const file = findingPath(f, context);
    const head = `    <testcase${attrs({
      classname: f.ruleId,
      name: f.subject.id || f.ruleId,
      file,
      line: f.location?.line,
      time: 0,
    })}`;
    const where = `${file}${f.location?.line !== undefined ? `:${f.location.line}` : ''}`;
    const detail = `${f.severity} ${f.ruleId} at ${where}\n${f.message}\nfingerprint: ${f.fingerprint}`;
    if (f.severity === 'info')
      return `${head}>\n      <system-out>${xmlText(detail)}</system-out>\n    </testcase>`;
    failures++;
    return `${head}>\n      <failure${attrs({ message: f.message, type: f.severity })}>${xmlText(detail)}</failure>\n    </testcase>`;
  };
  for (const f of kept) cases.push(caseOf(f));

  const ruleIds = [
    ...new Set([...(context?.enabledRules ?? []), ...result.findings.map((f) => f.ruleId)]),
  ].sort();
  const failing = new Map<string, number>();
  for (const f of shown)
    if (f.severity !== 'info') failing.set(f.ruleId, (failing.get(f.ruleId) ?? 0) + 1);
  for (const id of ruleIds) {
    const bad = failing.get(id) ?? 0;
    cases.push(
      `    <testcase${attrs({
        classname: id,
        name: `${id}: checked ${checkedLabel(result, context, id)}, ${bad} failing`,
        time: 0,
      })}/>`,
    );
  }
  for (const f of result.ruleFailures) {
    cases.push(
      `    <testcase${attrs({ classname: f.ruleId, name: `${f.ruleId}: rule error`, time: 0 })}>\n      <error${attrs({ message: f.error, type: 'rule-error' })}>${xmlText(`rule ${f.ruleId} threw on ${f.subject} (${f.count} target(s))`)}</error>\n    </testcase>`,
    );
  }
  const tests = cases.length;
  const errors = result.ruleFailures.length;
  const note =
    omitted > 0
      ? `${omitted} of ${shown.length} findings were left out (cap ${max}); the json format has them all.`
      : undefined;
  const props = [
    `      <property${attrs({ name: 'dbt-steward.version', value: result.tool.version })}/>`,
    `      <property${attrs({ name: 'dbt-steward.waived', value: result.summary.waived })}/>`,
    `      <property${attrs({ name: 'dbt-steward.baselined', value: result.summary.baselined })}/>`,
    ...(omitted > 0
      ? [`      <property${attrs({ name: 'dbt-steward.omitted', value: omitted })}/>`]
      : []),
  ];
  const suiteAttrs = attrs({
    name: 'dbt-steward check',
    tests,
    failures,
    errors,
    skipped: 0,
    time: 0,
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: result.tool.name, tests, failures, errors, time: 0 })}>`,
    `  <testsuite${suiteAttrs}>`,
    '    <properties>',
    ...props,
    '    </properties>',
    ...cases,
    ...(note ? [`    <system-out>${xmlText(note)}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
