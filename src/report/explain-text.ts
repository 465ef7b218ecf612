/**
 * `explain` as text: per resource its domain and owner with the chain of steps that led to
 * them (the step that gave the value marked `→`), conflicts, the rules that apply and the
 * suppressed findings. Untrusted values have their control characters escaped.
 */
import type { ExplainAnswer, ExplainResource, ExplainResult } from '../engine/explain.js';
import { ownerText, plain } from './owner.js';

const NONE = '—';

function place(file: string | null, line?: number): string {
  if (file === null) return '';
  return line !== undefined ? `${file}:${line}` : file;
}

function answerLines<T>(
  label: string,
  width: number,
  answer: ExplainAnswer<T>,
  text: (value: T) => string,
): string[] {
  const lines: string[] = [];
  const head = `  ${label.padEnd(width)}  `;
  if (answer.value === null || answer.via === null) {
    lines.push(`${head}${NONE}  (no step gave one)`);
  } else {
    const where = [answer.via, place(answer.file, answer.line)].filter(Boolean).join(', ');
    lines.push(`${head}${text(answer.value) || NONE}  (${where})`);
    if (answer.note) lines.push(`${' '.repeat(head.length)}${answer.note}`);
  }
  const winner = answer.steps.findIndex((s) => s.value !== null);
  const viaWidth = Math.max(0, ...answer.steps.map((s) => s.via.length));
  answer.steps.forEach((s, i) => {
    const mark = i === winner ? '→ ' : '  ';
    const value = s.value === null ? NONE : text(s.value) || NONE;
    const extra: string[] = [];
    if (s.value !== null && s.file !== null && i !== winner) extra.push(place(s.file, s.line));
    if (s.note) extra.push(s.note);
    const tail = extra.length > 0 ? `  (${extra.join('; ')})` : '';
    lines.push(`    ${mark}${s.via.padEnd(viaWidth)}  ${value}${tail}`);
  });
  return lines;
}

function resourceLines(r: ExplainResource): string[] {
  const lines: string[] = [];
  const files = [r.file, r.yamlFile !== r.file ? r.yamlFile : null].filter((f) => f !== null);
  lines.push(`${r.uniqueId}  (${[r.resourceType, ...files].join(', ')})`);
  const width = 'domain'.length;
  lines.push(...answerLines('domain', width, r.domain, (v) => v));
  lines.push(...answerLines('owner', width, r.owner, ownerText));
  for (const c of r.conflicts)
    lines.push(`  conflict  ${c.via} says ${c.domain}, ${c.otherVia} says ${c.other}`);
  if (r.rules.length > 0) {
    lines.push('  rules');
    const idWidth = Math.max(...r.rules.map((s) => s.id.length));
    const sevWidth = Math.max(...r.rules.map((s) => s.severity.length));
    for (const s of r.rules) {
      const opts = Object.keys(s.options).length > 0 ? `  ${JSON.stringify(s.options)}` : '';
      const origins = s.origins.length > 0 ? `  (${s.origins.join(', ')})` : '';
      lines.push(`    ${s.id.padEnd(idWidth)}  ${s.severity.padEnd(sevWidth)}${origins}${opts}`);
    }
  } else lines.push('  rules  none apply');
  if (r.suppressions.length > 0) {
    lines.push('  suppressed');
    for (const s of r.suppressions) {
      const origin = s.origin ? `  (${s.origin})` : '';
      lines.push(`    ${s.ruleId}/${s.messageId}  ${s.by}: ${s.reason || NONE}${origin}`);
    }
  }
  return lines.map((l) => plain(l.trimEnd()));
}

export function formatExplainText(result: ExplainResult): string {
  const blocks = result.resources.map((r) => resourceLines(r).join('\n'));
  for (const id of result.missing) blocks.push(plain(`${id}  (not in the project)`));
  if (blocks.length === 0) return 'no resources to explain\n';
  return blocks.join('\n\n') + '\n';
}
