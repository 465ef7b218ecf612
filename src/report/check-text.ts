/** Human-readable check output, grouped by file like ESLint's stylish format. */
import type { CheckResult, Finding } from '../engine/check.js';
import { plain } from './owner.js';

export function formatCheckText(result: CheckResult): string {
  const lines: string[] = [];
  for (const p of result.projects) {
    const counts = Object.entries(p.counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    lines.push(
      plain(
        `${p.name} (manifest v${p.schemaVersion}, dbt ${p.dbtVersion}): ${counts || 'no resources'}`,
      ),
    );
  }
  lines.push('');
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const file = f.location?.file ?? `(${f.subject.kind} ${f.subject.id})`;
    let list = byFile.get(file);
    if (!list) byFile.set(file, (list = []));
    list.push(f);
  }
  for (const [file, findings] of byFile) {
    lines.push(plain(file));
    for (const f of findings) {
      const pos = f.location?.line ? `${f.location.line}:${f.location.column ?? 1}  ` : '';
      const sup = f.suppressed ? ` (${f.suppressed.by}: ${f.suppressed.reason})` : '';
      lines.push(plain(`  ${pos}${f.severity.padEnd(5)}  ${f.message}  ${f.ruleId}${sup}`));
      if (f.nodeId) lines.push(plain(`         ${f.nodeId}`));
    }
    lines.push('');
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
