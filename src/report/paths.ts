/**
 * Paths for the CI outputs: findings carry paths relative to the dbt project; annotations,
 * SARIF and Code Quality need them relative to the repository. The prefix is the project's
 * folder inside the repository (detected with `git rev-parse --show-toplevel`, or given with
 * --path-prefix). Also the pieces the CI reporters share: the report context, anchors for
 * findings without a file, and the per-finding status (every finding is new until base mode).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../engine/check.js';
import type { Registry } from '../engine/registry.js';

/** What reporters may use besides the result. Every field is optional. */
export interface ReportContext {
  /** Rule descriptions, default severities, resource types and documentation paths. */
  registry?: Registry;
  /** The dbt project's folder relative to the repository root, `/` separators ('' at the root). */
  pathPrefix?: string;
  /**
   * In a run over several projects (a mesh): each project's folder relative to the repository
   * root, by project name, for findings whose location names their project.
   */
  projectPrefixes?: Readonly<Record<string, string>>;
  /** The CI environment (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA, CI_PROJECT_URL, …). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The ids of the rules the run had enabled (JUnit's passing testcases). */
  enabledRules?: readonly string[];
  /**
   * Base URL that rule documentation paths (rules/ID.md, docs/findings/ID.md) are appended to
   * for SARIF's helpUri; default: DBT_STEWARD_DOCS_URL from `env`, else the files shipped in
   * the npm package (https://unpkg.com/dbt-steward@VERSION/).
   */
  docsBaseUrl?: string;
}

/** Where a finding stands against a base run; without a base every finding is new. */
export type FindingStatus = 'new' | 'existing' | 'fixed';

export function findingStatus(f: Finding): FindingStatus {
  const s = (f as Finding & { status?: FindingStatus }).status;
  return s ?? 'new';
}

/** Where findings without a file point: the project file. */
export const PROJECT_ANCHOR = 'dbt_project.yml';

/** `./a\b/` → `a/b`; '' and '.' → ''. Rejects nothing: the user's flag is taken as given. */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return '';
  let p = prefix.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

/** A project-relative file as a repository-relative path (`/` separators). */
export function repoPath(file: string, prefix: string | undefined): string {
  const f = file.replace(/\\/g, '/').replace(/^\.\//, '');
  const p = normalizePrefix(prefix);
  return p ? `${p}/${f}` : f;
}

/**
 * The repository-relative file a finding points at: its own, else dbt_project.yml. Given the
 * report context, a finding of one project of a mesh gets that project's prefix.
 */
export function findingPath(f: Finding, prefix: string | ReportContext | undefined): string {
  return repoPath(
    f.location?.file ?? PROJECT_ANCHOR,
    typeof prefix === 'object' ? prefixOf(f, prefix) : prefix,
  );
}

/** The repository folder of the project a finding belongs to. */
export function prefixOf(f: Finding, context: ReportContext): string | undefined {
  const project = f.location?.project;
  if (project !== undefined && context.projectPrefixes) {
    const own = Object.prototype.hasOwnProperty.call(context.projectPrefixes, project)
      ? context.projectPrefixes[project]
      : undefined;
    if (own !== undefined) return own;
  }
  return context.pathPrefix;
}

/** A path as a relative URI: each segment percent-encoded, `/` kept. */
export function pathToUri(p: string): string {
  return p
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/**
 * The project directory's path relative to the top of its git work tree
 * (`git rev-parse --show-toplevel` run in it); '' when git is missing, the directory is not
 * in a work tree, or it is the top itself.
 */
export function detectPathPrefix(projectDir: string): string {
  let top: string;
  try {
    top = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: projectDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return '';
  }
  if (!top) return '';
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const rel = path.relative(real(top), real(projectDir));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return '';
  return normalizePrefix(rel.split(path.sep).join('/'));
}

/** Severity order for caps: errors first. */
export const SEVERITY_RANK: Readonly<Record<string, number>> = { error: 0, warn: 1, info: 2 };

/** Unsuppressed before suppressed, then errors, warnings, infos; stable otherwise. */
export function byImportance(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        Number(!!a.f.suppressed) - Number(!!b.f.suppressed) ||
        (SEVERITY_RANK[a.f.severity] ?? 3) - (SEVERITY_RANK[b.f.severity] ?? 3) ||
        a.i - b.i,
    )
    .map((x) => x.f);
}
