/**
 * Coverage of the checked project's models: the share of them that pass a test (described,
 * tested), for the project and for each domain, against a minimum with per-domain minimums,
 * as dbt-project-evaluator computes its coverage percentages. Shared by doc-coverage and
 * test-coverage, so that both measure, round and compare in the same way.
 */
import { z } from 'zod';
import type { Resource } from '../model.js';
import type { Project } from '../project.js';
import type { RuleContext } from './rule.js';

/**
 * The options of a coverage rule: `minimum`, `domains` (per-domain minimums) and `perDomain`.
 * `what` names the models counted (`described`), `target` the evaluator's variable
 * (`documentation_coverage_target`).
 */
export function coverageOptionsSchema(what: string, target: string) {
  const percent = z.number().min(0).max(100);
  return z.object({
    minimum: percent
      .default(100)
      .describe(
        `The lowest acceptable share of ${what} models, in percent (the evaluator's ${target}).`,
      ),
    domains: z
      .record(z.string().min(1), percent)
      .default({})
      .describe('Per-domain minimums, by domain name (payments: 80); other domains use minimum.'),
    perDomain: z
      .boolean()
      .default(true)
      .describe(
        'Also measure every domain on its own (models without a domain count only for the project).',
      ),
  });
}

export type CoverageOptions = z.output<ReturnType<typeof coverageOptionsSchema>>;

/** A coverage below its minimum: of one domain, or (domain null) of one whole project. */
export interface CoverageShortfall {
  domain: string | null;
  /** The project measured (domain null); in a mesh each project is measured on its own. */
  project: string | null;
  /** In percent, rounded to two decimals as the evaluator rounds its *_coverage_pct. */
  coverage: number;
  /** Models that pass (described, tested). */
  covered: number;
  total: number;
  minimum: number;
}

/** round(x, 2), as the evaluator rounds its coverage percentages. */
export function roundCoverage(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A model of the checked project itself (not of a package, not injected). */
export function isOwnModel(r: Resource, own: ReadonlySet<string>): boolean {
  return r.resourceType === 'model' && !r.external && own.has(r.packageName);
}

interface Tally {
  total: number;
  covered: number;
}

/**
 * The coverages below their minimum: every domain's (sorted by name, when `perDomain` is on;
 * models without a domain count only for the project), then the project's (when it has models).
 */
export function coverageShortfalls(
  project: Project,
  covered: (model: Resource) => boolean,
  options: CoverageOptions,
  domainOf: (id: string) => string | null,
): CoverageShortfall[] {
  const own = new Set(project.projects.map((p) => p.name));
  const byProject = new Map<string, Tally>(
    project.projects.map((p) => [p.name, { total: 0, covered: 0 }]),
  );
  const byDomain = new Map<string, Tally>();
  for (const r of project.resources.values()) {
    if (!isOwnModel(r, own)) continue;
    const passes = covered(r);
    const all = byProject.get(r.packageName)!;
    all.total++;
    if (passes) all.covered++;
    if (!options.perDomain) continue;
    const domain = domainOf(r.uniqueId);
    if (domain === null) continue;
    let t = byDomain.get(domain);
    if (!t) {
      t = { total: 0, covered: 0 };
      byDomain.set(domain, t);
    }
    t.total++;
    if (passes) t.covered++;
  }
  const out: CoverageShortfall[] = [];
  const check = (domain: string | null, name: string | null, t: Tally, minimum: number) => {
    const coverage = roundCoverage((t.covered * 100) / t.total);
    if (coverage < minimum) out.push({ domain, project: name, coverage, ...t, minimum });
  };
  for (const domain of [...byDomain.keys()].sort())
    check(domain, null, byDomain.get(domain)!, options.domains[domain] ?? options.minimum);
  for (const [name, all] of byProject) if (all.total > 0) check(null, name, all, options.minimum);
  return out;
}

/**
 * Measures and reports, as a coverage rule does: a `domain` finding per domain and a `project`
 * finding for the project below their minimum, with data `domain` or `project`, `coverage`,
 * `countKey` (the number of models that pass), `total` and `minimum`.
 */
export function reportCoverage(
  project: Project,
  context: RuleContext<CoverageOptions>,
  covered: (model: Resource) => boolean,
  countKey: string,
): void {
  const domainOf = (id: string) => context.domainOf(id);
  for (const s of coverageShortfalls(project, covered, context.options, domainOf)) {
    const data = {
      coverage: s.coverage,
      [countKey]: s.covered,
      total: s.total,
      minimum: s.minimum,
    };
    if (s.domain !== null)
      context.report({
        messageId: 'domain',
        domain: s.domain,
        data: { domain: s.domain, ...data },
      });
    else
      context.report({
        messageId: 'project',
        data: { project: s.project ?? '', ...data },
        ...(s.project !== null && project.projects.length > 1 ? { project: s.project } : {}),
      });
  }
}
