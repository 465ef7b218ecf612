/** The JSON contract of `check` (schemas/check-result.schema.json). Keys in a fixed order. */
import type { CheckResult, Finding } from '../engine/check.js';
import type { BaseModeResult } from '../engine/compare.js';

export function formatCheckJson(result: CheckResult): string {
  const base = result as Partial<BaseModeResult>;
  const findings: Array<Finding & { status?: string }> = [
    ...result.findings,
    ...(base.fixed ?? []),
  ];
  const out = {
    formatVersion: result.formatVersion,
    tool: result.tool,
    projects: result.projects,
    findings: findings.map(findingJson),
    summary: result.summary,
    ruleFailures: result.ruleFailures,
    hints: result.hints,
    ...(base.changes ? { changes: base.changes } : {}),
    ...(base.impact ? { impact: base.impact } : {}),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

/** One finding, its keys in the contract's order (assigned one by one: no spread per key). */
function findingJson(f: Finding & { status?: string }): Record<string, unknown> {
  const o: Record<string, unknown> = {
    ruleId: f.ruleId,
    messageId: f.messageId,
    data: f.data,
    severity: f.severity,
    message: f.message,
  };
  if (f.nodeId !== undefined) o.nodeId = f.nodeId;
  o.subject = f.subject;
  if (f.location) o.location = f.location;
  if (f.related) o.related = f.related;
  o.fingerprint = f.fingerprint;
  if (f.suppressed) o.suppressed = f.suppressed;
  if (f.keyPath !== undefined) o.keyPath = f.keyPath;
  if (f.status !== undefined) o.status = f.status;
  return o;
}
