/**
 * GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message` for errors,
 * `::warning` for warnings, `::notice` for infos. GitHub shows only 10 annotations per level
 * per step, so at most 10 of each are written, errors first, and one `::notice::` line says
 * how many more there are (the notices then keep 9 slots). Suppressed findings are left out.
 */
import type { CheckResult, Finding } from '../engine/check.js';
import { findingStatus, byImportance, findingPath, type ReportContext } from './paths.js';

/** Annotations GitHub shows per level and step. */
export const GITHUB_ANNOTATIONS_PER_LEVEL = 10;

/** A command's message: `%`, CR and LF escaped. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND = { error: 'error', warn: 'warning', info: 'notice' } as const;

function command(f: Finding, context: ReportContext | undefined): string {
  const props: string[] = [`file=${escapeProperty(findingPath(f, context))}`];
  if (f.location?.line !== undefined) {
    props.push(`line=${f.location.line}`);
    if (f.location.column !== undefined) props.push(`col=${f.location.column}`);
  }
  props.push(`title=${escapeProperty(`dbt-steward ${f.ruleId}`)}`);
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message)}`;
}

export function formatCheckGithub(result: CheckResult, context?: ReportContext): string {
  const cap = GITHUB_ANNOTATIONS_PER_LEVEL;
  // Fixed findings are not annotated; new ones come before existing ones (base mode).
  const open = byImportance(
    result.findings.filter((f) => !f.suppressed && findingStatus(f) !== 'fixed'),
  );
  const shown = [
    ...open.filter((f) => findingStatus(f) === 'new'),
    ...open.filter((f) => findingStatus(f) !== 'new'),
  ];
  const of = (s: Finding['severity']) => shown.filter((f) => f.severity === s);
  const errors = of('error');
  const warnings = of('warn');
  const infos = of('info');
  const over = (n: number, c: number) => Math.max(0, n - c);
  const needNote = errors.length > cap || warnings.length > cap || infos.length > cap;
  const infoCap = needNote ? cap - 1 : cap;
  const lines: string[] = [];
  for (const f of errors.slice(0, cap)) lines.push(command(f, context));
  for (const f of warnings.slice(0, cap)) lines.push(command(f, context));
  for (const f of infos.slice(0, infoCap)) lines.push(command(f, context));
  if (needNote) {
    const parts: string[] = [];
    const e = over(errors.length, cap);
    const w = over(warnings.length, cap);
    const i = over(infos.length, infoCap);
    if (e > 0) parts.push(`${e} more error${e === 1 ? '' : 's'}`);
    if (w > 0) parts.push(`${w} more warning${w === 1 ? '' : 's'}`);
    if (i > 0) parts.push(`${i} more notice${i === 1 ? '' : 's'}`);
    lines.push(
      `::notice title=${escapeProperty('dbt-steward')}::${escapeData(
        `${parts.join(', ')} not annotated (GitHub shows ${cap} per level); see the job log or the sarif/json output for all findings`,
      )}`,
    );
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
