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
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      messageId: f.messageId,
      data: f.data,
      severity: f.severity,
      message: f.message,
      ...(f.nodeId !== undefined ? { nodeId: f.nodeId } : {}),
      subject: f.subject,
      ...(f.location ? { location: f.location } : {}),
      ...(f.related ? { related: f.related } : {}),
      fingerprint: f.fingerprint,
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
      ...(f.keyPath !== undefined ? { keyPath: f.keyPath } : {}),
      ...(f.status !== undefined ? { status: f.status } : {}),
    })),
    summary: result.summary,
    ruleFailures: result.ruleFailures,
    hints: result.hints,
    ...(base.changes ? { changes: base.changes } : {}),
    ...(base.impact ? { impact: base.impact } : {}),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
