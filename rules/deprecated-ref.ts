import { defineRule, displayName } from '../src/index.js';
import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The instant a deprecation_date stands for. dbt writes an ISO date-time, usually with an
 * offset; a bare date or a date-time without offset is read as UTC. null when unreadable.
 */
function deprecationInstant(value: string): Date | null {
  let s = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s))
    s = `${s.replace(' ', 'T')}Z`;
  else s = s.replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T');
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}

/** Compares two dbt model versions: numerically when both are numbers, else as text. */
function compareVersions(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

const options = z.object({
  warnDays: z
    .number()
    .int()
    .min(0)
    .default(30)
    .describe('Warn this many days before the deprecation date (0: no early warning).'),
  requirePinnedLatest: z
    .boolean()
    .default(false)
    .describe("Report a reference pinned to a version older than the model's latest_version."),
});

export default defineRule({
  id: 'deprecated-ref',
  description:
    'No reference to a model past its deprecation_date; a warning ahead of it, and optionally one for pinned old versions.',
  category: 'contracts',
  scope: 'edge',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'error',
  messageSeverities: { soon: 'warn', oldVersion: 'warn' },
  recommended: true,
  options,
  identity: ['parent'],
  messages: {
    deprecated:
      "'{{child}}' refers to '{{parent}}', which was deprecated on {{date}}: move to {{replacement}} before the model is removed.",
    soon: "'{{child}}' refers to '{{parent}}', which will be deprecated on {{date}} ({{days}} day(s) from now): plan the move to {{replacement}}.",
    oldVersion:
      "'{{child}}' refers to version {{version}} of '{{name}}', but the latest version is {{latest}}: move to `ref('{{name}}')` or pin v={{latest}}.",
  },
  check({ parent, child }, context) {
    // Tests exercise the model itself; a model's other versions are not its consumers.
    if (child.resourceType === 'test' || child.resourceType === 'unit_test') return;
    if (
      child.resourceType === 'model' &&
      child.name === parent.name &&
      child.packageName === parent.packageName
    )
      return;
    const { warnDays, requirePinnedLatest } = context.options;
    const base = {
      child: displayName(child),
      parent: displayName(parent),
    };
    const newer =
      parent.latestVersion !== null &&
      parent.version !== null &&
      compareVersions(parent.version, parent.latestVersion) < 0;
    const replacement = newer
      ? `version ${parent.latestVersion} of '${parent.name}'`
      : 'its replacement';

    if (parent.deprecationDate !== null) {
      const at = deprecationInstant(parent.deprecationDate);
      if (at !== null) {
        // The date as written (dbt keeps the author's day, with the local offset).
        const date =
          /^\d{4}-\d{2}-\d{2}/.exec(parent.deprecationDate.trim())?.[0] ??
          at.toISOString().slice(0, 10);
        const left = at.getTime() - context.now.getTime();
        if (left <= 0) {
          context.report({
            messageId: 'deprecated',
            data: { ...base, date, replacement },
            related: [parent.uniqueId],
          });
          return;
        }
        if (warnDays > 0 && left <= warnDays * DAY_MS) {
          context.report({
            messageId: 'soon',
            data: { ...base, date, days: Math.ceil(left / DAY_MS), replacement },
            related: [parent.uniqueId],
          });
          return;
        }
      }
    }
    if (requirePinnedLatest && newer)
      context.report({
        messageId: 'oldVersion',
        data: {
          ...base,
          name: parent.name,
          version: parent.version!,
          latest: parent.latestVersion!,
        },
        related: [parent.uniqueId],
      });
  },
});
