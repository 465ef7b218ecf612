/**
 * SARIF 2.1.0 for code scanning (GitHub and others): one run, the rule id as ruleId, rule
 * metadata from the registry, levels from severities, partialFingerprints from the
 * fingerprint, repository-relative locations. Results are capped below GitHub's upload
 * limits, errors kept first; what was left out is said in a tool notification and in
 * run.properties.
 */
import type { CheckResult, Finding } from '../engine/check.js';
import type { Severity } from '../engine/rule.js';
import {
  byImportance,
  findingPath,
  findingStatus,
  pathToUri,
  type ReportContext,
} from './paths.js';

/** GitHub code scanning accepts at most 25,000 results per run. */
export const SARIF_MAX_RESULTS = 25_000;
/** The fingerprint's key in partialFingerprints (versioned: a new scheme gets a new key). */
export const SARIF_FINGERPRINT_KEY = 'dbtSteward/v1';
const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://www.npmjs.com/package/dbt-steward';

export function sarifLevel(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'error' ? 'error' : s === 'warn' ? 'warning' : 'note';
}

/** The base helpUri paths are appended to (ends with `/`). */
export function docsBase(result: CheckResult, context: ReportContext | undefined): string {
  const base =
    context?.docsBaseUrl ??
    context?.env?.DBT_STEWARD_DOCS_URL ??
    `https://unpkg.com/${result.tool.name}@${result.tool.version}/`;
  return base.endsWith('/') ? base : `${base}/`;
}

export interface SarifOptions {
  maxResults?: number;
}

export function formatCheckSarif(
  result: CheckResult,
  context?: ReportContext,
  options: SarifOptions = {},
): string {
  const max = options.maxResults ?? SARIF_MAX_RESULTS;
  // In base mode only what the change introduces is uploaded (existing and fixed stay out);
  // outside base mode every finding is new.
  const ordered = byImportance(result.findings.filter((f) => findingStatus(f) === 'new'));
  const kept = ordered.slice(0, max);
  const omitted = ordered.slice(max);

  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  const base = docsBase(result, context);
  const ruleOf = (id: string, f: Finding): number => {
    let i = ruleIndex.get(id);
    if (i !== undefined) return i;
    i = rules.length;
    ruleIndex.set(id, i);
    const entry = context?.registry?.get(id);
    const rule: Record<string, unknown> = {
      id,
      shortDescription: { text: entry?.description ?? id },
    };
    if (entry) rule.helpUri = `${base}${entry.doc.split('/').map(encodeURIComponent).join('/')}`;
    rule.defaultConfiguration = { level: sarifLevel(entry?.severity ?? f.severity) };
    if (entry) rule.properties = { category: entry.category, kind: entry.kind };
    rules.push(rule);
    return i;
  };

  const results = kept.map((f) => {
    const index = ruleOf(f.ruleId, f);
    const region: Record<string, number> = {};
    if (f.location?.line !== undefined && f.location.line >= 1) {
      region.startLine = f.location.line;
      if (f.location.column !== undefined && f.location.column >= 1)
        region.startColumn = f.location.column;
    }
    const physical: Record<string, unknown> = {
      artifactLocation: { uri: pathToUri(findingPath(f, context)) },
    };
    if (Object.keys(region).length > 0) physical.region = region;
    const location: Record<string, unknown> = { physicalLocation: physical };
    if (f.subject.id)
      location.logicalLocations = [
        {
          fullyQualifiedName: f.subject.id,
          kind: f.subject.kind === 'node' ? 'resource' : f.subject.kind,
        },
      ];
    const out: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: index,
      level: sarifLevel(f.severity),
      message: { text: f.message },
      locations: [location],
      partialFingerprints: { [SARIF_FINGERPRINT_KEY]: f.fingerprint },
    };
    if (f.suppressed)
      out.suppressions = [
        {
          kind: f.suppressed.by === 'waiver' ? 'inSource' : 'external',
          justification: f.suppressed.reason,
          ...(f.suppressed.origin !== undefined
            ? { properties: { origin: f.suppressed.origin } }
            : {}),
        },
      ];
    out.properties = {
      severity: f.severity,
      status: findingStatus(f),
      subject: `${f.subject.kind}:${f.subject.id}`,
      ...(f.related ? { related: f.related } : {}),
    };
    return out;
  });

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: result.tool.name,
        version: result.tool.version,
        semanticVersion: result.tool.version,
        informationUri: INFORMATION_URI,
        rules,
      },
    },
  };
  const notifications: Record<string, unknown>[] = [];
  if (omitted.length > 0) {
    const bySev = (s: Severity) => omitted.filter((f) => f.severity === s).length;
    notifications.push({
      level: 'warning',
      message: {
        text: `${omitted.length} of ${ordered.length} results were left out to stay within code scanning's limit of ${max} results per run (${bySev('error')} errors, ${bySev('warn')} warnings, ${bySev('info')} notes); the json format has them all.`,
      },
    });
  }
  for (const f of result.ruleFailures)
    notifications.push({
      level: 'error',
      message: { text: `rule ${f.ruleId} threw on ${f.subject}: ${f.error}` },
      associatedRule: { id: f.ruleId },
    });
  run.invocations = [
    {
      executionSuccessful: result.ruleFailures.length === 0,
      ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
    },
  ];
  run.results = results;
  run.columnKind = 'utf16CodeUnits';
  run.properties = {
    formatVersion: result.formatVersion,
    summary: result.summary,
    ...(omitted.length > 0
      ? { truncated: { total: ordered.length, kept: kept.length, omitted: omitted.length } }
      : {}),
  };
  const log = { $schema: SCHEMA_URI, version: '2.1.0', runs: [run] };
  return `${JSON.stringify(log, null, 2)}\n`;
}
