/** Human-readable check output, grouped by file like ESLint's stylish format. */
import type { CheckResult, Finding } from '../engine/check.js';
import type { BaseModeResult } from '../engine/compare.js';
import { findingStatus } from './paths.js';
import { plain as plainText } from './owner.js';

// Control characters (what plain() escapes): most lines have none and are kept as they are,
// instead of being rebuilt a character at a time.
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
const plain = (text: string): string => (hasControl(text) ? plainText(text) : text);

export function formatCheckText(result: CheckResult): string {
  const lines: string[] = [];
  const base = result as Partial<BaseModeResult>;
  for (const p of result.projects) {
    const counts = Object.entries(p.counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    lines.push(
      plain(
        `${p.name} (${p.input === 'source' ? 'read from source' : `manifest v${p.schemaVersion}, dbt ${p.dbtVersion}`}): ${counts || 'no resources'}`,
      ),
    );
  }
  lines.push('');
  const byFile = new Map<string, Finding[]>();
  // Suppressed findings are counted in the summary line, not listed (the JSON keeps them).
  for (const f of result.findings) {
    if (f.suppressed) continue;
    const file = f.location
      ? `${f.location.project !== undefined ? `${f.location.project}: ` : ''}${f.location.file}`
      : `(${f.subject.kind} ${f.subject.id})`;
    let list = byFile.get(file);
    if (!list) byFile.set(file, (list = []));
    list.push(f);
  }
  for (const [file, findings] of byFile) {
    lines.push(plain(file));
    for (const f of findings) {
      const pos = f.location?.line ? `${f.location.line}:${f.location.column ?? 1}  ` : '';
      const tag = base.changes && findingStatus(f) === 'existing' ? ' (existing)' : '';
      lines.push(plain(`  ${pos}${f.severity.padEnd(5)}  ${f.message}  ${f.ruleId}${tag}`));
      if (f.nodeId) lines.push(plain(`         ${f.nodeId}`));
    }
    lines.push('');
  }
  for (const r of result.ruleFailures)
    lines.push(
      plain(`rule ${r.ruleId} failed on ${r.subject} (${r.count} target(s)): ${r.error}`),
      '',
    );
  if (base.changes) {
    const c = base.changes;
    lines.push(
      `Compared with the base: ${c.added.length} added, ${c.removed.length} removed, ${c.renamed.length} renamed, ${c.modified.length} modified.`,
    );
    for (const i of base.impact ?? []) {
      const reach = i.groups
        .map((g) => {
          const types = Object.entries(g.byType)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ');
          return `${g.domain ?? '(no domain)'} (${types}${g.owner ? `, owner ${g.owner}` : ''})`;
        })
        .join('; ');
      lines.push(plain(`  ${i.uniqueId} (${i.change}) reaches ${reach}`));
    }
    const shown = result.findings.filter((f) => !f.suppressed);
    const fresh = shown.filter((f) => findingStatus(f) === 'new').length;
    const breaking = shown.filter((f) => f.ruleId === 'breaking-change').length;
    lines.push(
      `Findings: ${fresh} new, ${shown.length - fresh} existing, ${base.fixed?.length ?? 0} fixed${breaking ? `; ${breaking} breaking ${breaking === 1 ? 'change' : 'changes'}` : ''}.`,
      '',
    );
  }
  const s = result.summary;
  const total = s.error + s.warn + s.info;
  const parts = [
    `${s.error} ${s.error === 1 ? 'error' : 'errors'}`,
    `${s.warn} ${s.warn === 1 ? 'warning' : 'warnings'}`,
  ];
  if (s.info) parts.push(`${s.info} info`);
  if (s.waived) parts.push(`${s.waived} waived`);
  if (s.baselined) parts.push(`${s.baselined} baselined`);
  lines.push(
    total === 0
      ? `No problems (${parts.join(', ')}).`
      : `${total} ${total === 1 ? 'problem' : 'problems'} (${parts.join(', ')})`,
  );
  return lines.join('\n') + '\n';
}
