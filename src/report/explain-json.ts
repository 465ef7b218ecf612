/** `explain` as JSON: keys in a fixed order, 2-space indentation, a trailing newline. */
import type { ExplainAnswer, ExplainResult, ExplainStep } from '../engine/explain.js';

/** Untrusted or free-form values (options, owners) with their object keys sorted. */
function sorted(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => sorted(v, depth + 1));
  const keys = Object.keys(value).sort();
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(
    keys.map((k) => [k, sorted((value as Record<string, unknown>)[k], depth + 1)]),
  );
}

function step<T>(s: ExplainStep<T>) {
  return {
    kind: s.kind,
    via: s.via,
    value: sorted(s.value),
    file: s.file,
    ...(s.line !== undefined ? { line: s.line } : {}),
    ...(s.note !== undefined ? { note: s.note } : {}),
  };
}

function answer<T>(a: ExplainAnswer<T>) {
  return {
    value: sorted(a.value),
    via: a.via,
    file: a.file,
    ...(a.line !== undefined ? { line: a.line } : {}),
    ...(a.note !== undefined ? { note: a.note } : {}),
    steps: a.steps.map(step),
  };
}

export function formatExplainJson(result: ExplainResult): string {
  const out = {
    formatVersion: result.formatVersion,
    resources: result.resources.map((r) => ({
      uniqueId: r.uniqueId,
      name: r.name,
      resourceType: r.resourceType,
      package: r.package,
      file: r.file,
      yamlFile: r.yamlFile,
      domain: answer(r.domain),
      owner: answer(r.owner),
      conflicts: r.conflicts.map((c) => ({
        domain: c.domain,
        via: c.via,
        other: c.other,
        otherVia: c.otherVia,
      })),
      rules: r.rules.map((s) => ({
        id: s.id,
        severity: s.severity,
        options: sorted(s.options),
        origins: s.origins,
      })),
      suppressions: r.suppressions.map((s) => ({
        ruleId: s.ruleId,
        messageId: s.messageId,
        by: s.by,
        reason: s.reason,
        ...(s.origin !== undefined ? { origin: s.origin } : {}),
      })),
    })),
    missing: result.missing,
  };
  return JSON.stringify(out, null, 2) + '\n';
}
