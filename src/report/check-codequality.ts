/**
 * GitLab Code Quality (a JSON array of issues) so merge requests show findings on the diff.
 * Severity mapping: error → major, warn → minor, info → info (blocker and critical are not
 * used: a governance finding never breaks the build by itself). Suppressed findings are left
 * out. Fingerprints are the finding's, made unique within the report when two findings share
 * one.
 */
import { createHash } from 'node:crypto';
import type { CheckResult } from '../engine/check.js';
import type { Severity } from '../engine/rule.js';
import { findingPath, findingStatus, type ReportContext } from './paths.js';

export type CodeQualitySeverity = 'blocker' | 'critical' | 'major' | 'minor' | 'info';

export const CODEQUALITY_SEVERITY: Readonly<Record<Severity, CodeQualitySeverity>> = {
  error: 'major',
  warn: 'minor',
  info: 'info',
};

export function formatCheckCodequality(result: CheckResult, context?: ReportContext): string {
  const seen = new Map<string, number>();
  const issues = result.findings
    .filter((f) => !f.suppressed)
    .map((f) => {
      const n = seen.get(f.fingerprint) ?? 0;
      seen.set(f.fingerprint, n + 1);
      const fingerprint =
        n === 0
          ? f.fingerprint
          : createHash('sha256').update(`${f.fingerprint}:${n}`).digest('hex').slice(0, 32);
      return {
        type: 'issue',
        description: f.message,
        check_name: f.ruleId,
        fingerprint,
        severity: CODEQUALITY_SEVERITY[f.severity],
        categories: ['Style'],
        location: {
          path: findingPath(f, context),
          lines: {
            begin: f.location?.line !== undefined && f.location.line >= 1 ? f.location.line : 1,
          },
        },
        content: { body: `${f.severity} ${f.ruleId} on ${f.subject.kind} ${f.subject.id}` },
        status: findingStatus(f),
      };
    });
  return `${JSON.stringify(issues, null, 2)}\n`;
}
