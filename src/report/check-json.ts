/** The JSON contract of `check` (schemas/check-result.schema.json). Keys in a fixed order. */
import type { CheckResult } from '../engine/check.js';

export function formatCheckJson(result: CheckResult): string {
  const out = {
    formatVersion: result.formatVersion,
    tool: result.tool,
    projects: result.projects,
    findings: result.findings.map((f) => ({
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
    })),
    summary: result.summary,
    ruleFailures: result.ruleFailures,
    hints: result.hints,
  };
  return JSON.stringify(out, null, 2) + '\n';
}
