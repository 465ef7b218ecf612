/**
 * The data of the governance reports (`dbt-steward report owners|domains|products`, and
 * `lineage --group-by domain`). No I/O, no formatting: reporters in src/report/report-*.ts
 * render these results. Every result is deterministic (sorted, no clock, no absolute paths).
 */
import { condense } from '../graph/graphlib.js';
import type { Access, OwnerValue, Resource, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import { runRules, type CheckResult, type Finding } from './check.js';
import type { EngineConfig } from './config.js';
import { roundCoverage } from './coverage.js';
import { isDocumented } from './documentation.js';
import { ownerLabel } from './owner-identity.js';
import { dataTestsOf } from './primary-key.js';
import { isDataProduct, metaValue } from './products.js';
import type { Registry } from './registry.js';
import { Resolver } from './resolve.js';

export const REPORTS_FORMAT_VERSION = 1;

/** Findings that apply (not waived, not baselined) by severity, and the suppressed ones. */
export interface SeverityCounts {
  error: number;
  warn: number;
  info: number;
  /** Findings suppressed by a waiver or the baseline (not counted in error/warn/info). */
  suppressed: number;
}

/** How many of `total` models pass; `percent` is rounded to two decimals, null when total is 0. */
export interface Share {
  count: number;
  total: number;
  percent: number | null;
}

/** What one owner or one domain holds. Shares are over the group's models. */
export interface OwnershipStats {
  /** Resources counted (tests, unit tests and operations are not). */
  resources: number;
  /** Resources by resource_type, keys sorted; absent types are left out. */
  byType: Partial<Record<ResourceType, number>>;
  models: number;
  publicModels: number;
  dataProducts: number;
  /** Models with a description. */
  described: Share;
  /** Models with at least one data test attached. */
  tested: Share;
  /** Models with an enforced contract. */
  contractEnforced: Share;
  /** Findings about the group's resources (and, for domains, about the domain itself). */
  findings: SeverityCounts;
}

export interface OwnerRow extends OwnershipStats {
  /** The owner as one line of text (`name <email>`, lists comma-joined). */
  owner: string;
  /** Domains of the owner's resources, sorted; empty when none of them has a domain. */
  domains: string[];
}

export interface DomainRow extends OwnershipStats {
  domain: string;
  /** Owners of the domain's resources, sorted. */
  owners: string[];
  /** Resources of the domain without an owner. */
  unowned: number;
}

export interface ResourceRef {
  id: string;
  name: string;
  resourceType: ResourceType;
  domain: string | null;
  file: string | null;
}

export interface OwnersReport {
  formatVersion: 1;
  kind: 'owners';
  /** The loaded dbt projects, by name. */
  projects: string[];
  summary: {
    resources: number;
    owned: number;
    unowned: number;
    owners: number;
    domains: number;
    /** Resources without a domain. */
    withoutDomain: number;
    findings: SeverityCounts;
  };
  /** Sorted by owner. */
  owners: OwnerRow[];
  /** Sorted by domain. */
  domains: DomainRow[];
  /** Resources with no owner, sorted by id. */
  unowned: ResourceRef[];
  /** Owners none of whose resources has a domain, sorted. */
  ownersWithoutDomain: string[];
}

/** One dependency between resources of two different domains: `from` depends on `to`. */
export interface CrossDomainEdge {
  /** unique_id of the dependent resource (the one that refs). */
  from: string;
  fromName: string;
  fromType: ResourceType;
  fromDomain: string;
  /** unique_id of the resource depended on (the target). */
  to: string;
  toName: string;
  toType: ResourceType;
  toDomain: string;
  /** The target's access (models only; null for other types). */
  targetAccess: Access | null;
  /** Whether the target has an enforced contract. */
  contractEnforced: boolean;
  /** False when the run reported cross-domain-ref or domain-dependency on this edge. */
  allowed: boolean;
  /** True when every such finding is suppressed by a waiver (the edge is then tolerated). */
  waived: boolean;
  /** The rule ids reported on this edge (waived ones included), sorted. */
  rules: string[];
}

/** Edges between two domains: `from` depends on `to` `count` times. */
export interface DomainDependency {
  from: string;
  to: string;
  count: number;
}

export interface DomainCoupling {
  domain: string;
  /** Afferent coupling: the number of other domains that depend on this one. */
  ca: number;
  /** Efferent coupling: the number of other domains this one depends on. */
  ce: number;
  /** Ce / (Ca + Ce), rounded to two decimals; null when both are 0. */
  instability: number | null;
}

export interface DomainsReport {
  formatVersion: 1;
  kind: 'domains';
  projects: string[];
  /** Every domain with a resource, sorted. */
  domains: string[];
  /** Non-zero cells of the domain-to-domain matrix (row `from` depends on column `to`), sorted. */
  matrix: DomainDependency[];
  /** Every cross-domain edge, sorted by (from, to). */
  edges: CrossDomainEdge[];
  /** Cycles among domains (each sorted, sorted by first domain). */
  cycles: string[][];
  /**
   * In a run over several projects (a mesh): the same matrix with projects for domains (row
   * `from` depends on column `to`), sorted; absent for a single project.
   */
  projectMatrix?: DomainDependency[];
  /** Per domain, sorted by domain. */
  coupling: DomainCoupling[];
  summary: {
    domains: number;
    crossDomainEdges: number;
    /** Edges not allowed and not waived. */
    violations: number;
    waived: number;
    cycles: number;
  };
}

export interface ProductColumn {
  name: string;
  dataType: string | null;
  description: string;
  /** Constraint types on the column (not_null, primary_key, …). */
  constraints: string[];
}

export interface ProductConsumer {
  id: string;
  name: string;
  resourceType: ResourceType;
}

export interface ProductConsumerGroup {
  /** null: consumers without a domain. */
  domain: string | null;
  consumers: ProductConsumer[];
}

export interface ProductRecord {
  id: string;
  name: string;
  package: string;
  owner: string | null;
  /** The owner as declared (a string, a list or an object). */
  ownerValue: OwnerValue;
  domain: string | null;
  description: string;
  access: Access | null;
  version: string | null;
  latestVersion: string | null;
  materialized: string | null;
  contract: { enforced: boolean; columns: ProductColumn[] };
  /**
   * Where the product is stored. The loaded model has no database, schema or alias, so
   * `relation` is dbt's default alias: the model name, `name_v{version}` for versions.
   */
  storage: { relation: string };
  /** The relations of every version of the model (the product's tables), sorted. */
  tables: string[];
  /** meta `sla` as declared (any JSON value), null when absent. */
  sla: unknown;
  tags: string[];
  /** Resources that depend on the product (tests left out), grouped by domain. */
  consumers: ProductConsumerGroup[];
}

export interface ProductsReport {
  formatVersion: 1;
  kind: 'products';
  projects: string[];
  /** Sorted by id. */
  products: ProductRecord[];
  summary: { products: number; contractEnforced: number; withOwner: number; withDomain: number };
}

/** `lineage --group-by domain`: the lineage collapsed to domains. */
export interface DomainLineage {
  formatVersion: 1;
  kind: 'domain-lineage';
  /** Domains with their number of (selected) resources, sorted. */
  nodes: Array<{ domain: string; resources: number }>;
  /** Lineage direction: `from` is upstream of `to`; count = lineage edges. */
  edges: DomainDependency[];
  cycles: string[][];
  /** Selected resources without a domain (left out of the graph). */
  withoutDomain: number;
}

/** What every report builder takes. */
export interface ReportOptions {
  registry: Registry;
  config: EngineConfig;
  now?: Date;
  /** Restricts the resources reported on (from --select/--exclude); null or absent: all. */
  selected?: ReadonlySet<string> | null;
  /** A resolver over the same project and config (made when absent). */
  resolver?: Resolver;
  /** The run's findings (made with runRules when absent). */
  check?: CheckResult;
}

/** Resource types that reports leave out: tests and operations are not owned assets. */
const NOT_COUNTED: ReadonlySet<ResourceType> = new Set<ResourceType>([
  'test',
  'unit_test',
  'operation',
  'sql_operation',
]);

/** The rules whose findings on an edge make it not allowed. */
export const EDGE_RULES: readonly string[] = [
  'cross-domain-ref',
  'cross-project-consumers',
  'cross-project-public-only',
  'domain-dependency',
];

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Context {
  own: ReadonlySet<string>;
  selected: ReadonlySet<string> | null;
  resolver: Resolver;
  check: () => CheckResult;
  projects: string[];
  domainOf: (id: string) => string | null;
  ownerOf: (id: string) => string | null;
}

function contextOf(project: Project, options: ReportOptions): Context {
  const resolver = options.resolver ?? new Resolver(project, options.config);
  let check = options.check;
  return {
    own: new Set(project.projects.map((p) => p.name)),
    selected: options.selected ?? null,
    resolver,
    check: () =>
      (check ??= runRules(project, {
        registry: options.registry,
        config: options.config,
        ...(options.now ? { now: options.now } : {}),
        selected: options.selected ?? null,
      })),
    projects: [...new Set(project.projects.map((p) => p.name))].sort(compareStrings),
    domainOf: (id) => resolver.domain(id)?.value ?? null,
    ownerOf: (id) => {
      const v = resolver.owner(id)?.value ?? null;
      if (v === null) return null;
      const label = ownerLabel(v).trim();
      return label === '' ? null : label;
    },
  };
}

/** The resources a report counts: of the loaded projects, not injected, selected, not tests. */
function counted(project: Project, ctx: Context): Resource[] {
  const out: Resource[] = [];
  for (const r of project.resources.values()) {
    if (r.external || !ctx.own.has(r.packageName) || NOT_COUNTED.has(r.resourceType)) continue;
    if (ctx.selected && !ctx.selected.has(r.uniqueId)) continue;
    out.push(r);
  }
  return out.sort((a, b) => compareStrings(a.uniqueId, b.uniqueId));
}

function share(count: number, total: number): Share {
  return { count, total, percent: total === 0 ? null : roundCoverage((count * 100) / total) };
}

const noFindings = (): SeverityCounts => ({ error: 0, warn: 0, info: 0, suppressed: 0 });

function addFinding(c: SeverityCounts, f: Finding): void {
  if (f.suppressed) c.suppressed++;
  else c[f.severity]++;
}

interface Tally {
  resources: Resource[];
  findings: SeverityCounts;
}

function statsOf(project: Project, t: Tally, productOf: (r: Resource) => boolean): OwnershipStats {
  const byTypeMap = new Map<ResourceType, number>();
  for (const r of t.resources)
    byTypeMap.set(r.resourceType, (byTypeMap.get(r.resourceType) ?? 0) + 1);
  const byType: Partial<Record<ResourceType, number>> = {};
  for (const k of [...byTypeMap.keys()].sort(compareStrings)) byType[k] = byTypeMap.get(k)!;
  const models = t.resources.filter((r) => r.resourceType === 'model');
  return {
    resources: t.resources.length,
    byType,
    models: models.length,
    publicModels: models.filter((r) => r.access === 'public').length,
    dataProducts: models.filter(productOf).length,
    described: share(models.filter((r) => isDocumented(r.description)).length, models.length),
    tested: share(
      models.filter((r) => dataTestsOf(project, project.graph, r.uniqueId).length > 0).length,
      models.length,
    ),
    contractEnforced: share(
      models.filter((r) => r.contract?.enforced === true).length,
      models.length,
    ),
    findings: t.findings,
  };
}

function tallyOf<K>(map: Map<K, Tally>, key: K): Tally {
  let t = map.get(key);
  if (!t) {
    t = { resources: [], findings: noFindings() };
    map.set(key, t);
  }
  return t;
}

/** `report owners`: what each owner and each domain holds, and what nobody owns. */
export function buildOwnersReport(project: Project, options: ReportOptions): OwnersReport {
  const ctx = contextOf(project, options);
  const resources = counted(project, ctx);
  const productOf = (r: Resource) => isDataProduct(r);
  const byOwner = new Map<string, Tally>();
  const byDomain = new Map<string, Tally>();
  const ownerDomains = new Map<string, Set<string>>();
  const domainOwners = new Map<string, Set<string>>();
  const domainUnowned = new Map<string, number>();
  const unowned: ResourceRef[] = [];
  const ownerById = new Map<string, string | null>();
  const domainById = new Map<string, string | null>();
  let withoutDomain = 0;
  for (const r of resources) {
    const owner = ctx.ownerOf(r.uniqueId);
    const domain = ctx.domainOf(r.uniqueId);
    ownerById.set(r.uniqueId, owner);
    domainById.set(r.uniqueId, domain);
    if (domain === null) withoutDomain++;
    else {
      tallyOf(byDomain, domain).resources.push(r);
      if (!domainOwners.has(domain)) domainOwners.set(domain, new Set());
      if (owner !== null) domainOwners.get(domain)!.add(owner);
      else domainUnowned.set(domain, (domainUnowned.get(domain) ?? 0) + 1);
    }
    if (owner === null) {
      unowned.push({
        id: r.uniqueId,
        name: r.name,
        resourceType: r.resourceType,
        domain,
        file: r.filePath,
      });
      continue;
    }
    tallyOf(byOwner, owner).resources.push(r);
    if (!ownerDomains.has(owner)) ownerDomains.set(owner, new Set());
    if (domain !== null) ownerDomains.get(owner)!.add(domain);
  }

  const total = noFindings();
  for (const f of ctx.check().findings) {
    addFinding(total, f);
    if (f.subject.kind === 'domain') {
      const t = byDomain.get(f.subject.id);
      if (t) addFinding(t.findings, f);
      continue;
    }
    if (f.nodeId === undefined) continue;
    const owner = ownerById.get(f.nodeId);
    if (owner) addFinding(byOwner.get(owner)!.findings, f);
    const domain = domainById.get(f.nodeId);
    if (domain) addFinding(byDomain.get(domain)!.findings, f);
  }

  const owners: OwnerRow[] = [...byOwner.keys()].sort(compareStrings).map((owner) => ({
    owner,
    domains: [...ownerDomains.get(owner)!].sort(compareStrings),
    ...statsOf(project, byOwner.get(owner)!, productOf),
  }));
  const domains: DomainRow[] = [...byDomain.keys()].sort(compareStrings).map((domain) => ({
    domain,
    owners: [...domainOwners.get(domain)!].sort(compareStrings),
    unowned: domainUnowned.get(domain) ?? 0,
    ...statsOf(project, byDomain.get(domain)!, productOf),
  }));
  return {
    formatVersion: REPORTS_FORMAT_VERSION,
    kind: 'owners',
    projects: ctx.projects,
    summary: {
      resources: resources.length,
      owned: resources.length - unowned.length,
      unowned: unowned.length,
      owners: owners.length,
      domains: domains.length,
      withoutDomain,
      findings: total,
    },
    owners,
    domains,
    unowned,
    ownersWithoutDomain: owners.filter((o) => o.domains.length === 0).map((o) => o.owner),
  };
}

const isTest = (r: Resource | undefined) =>
  r !== undefined && (r.resourceType === 'test' || r.resourceType === 'unit_test');

/**
 * `report domains`: the domain graph. Nodes are the resources with a domain (injected
 * cross-project nodes included; tests and operations left out; only selected ones when a
 * selection is given); an edge is a dependency between two of them in different domains.
 */
export function buildDomainsReport(project: Project, options: ReportOptions): DomainsReport {
  const ctx = contextOf(project, options);
  const keyOf = (id: string): string | null => {
    const r = project.resources.get(id);
    if (!r || NOT_COUNTED.has(r.resourceType)) return null;
    if (ctx.selected && !ctx.selected.has(id)) return null;
    return ctx.domainOf(id);
  };
  const condensed = condense(project.graph, keyOf);

  // Findings on edges: by (dependent, target).
  const onEdge = new Map<string, Finding[]>();
  for (const f of ctx.check().findings) {
    if (!EDGE_RULES.includes(f.ruleId) || f.nodeId === undefined) continue;
    const target = f.data.target;
    if (typeof target !== 'string') continue;
    const key = `${f.nodeId}\0${target}`;
    const list = onEdge.get(key);
    if (list) list.push(f);
    else onEdge.set(key, [f]);
  }

  const edges: CrossDomainEdge[] = [];
  for (const [up, down] of project.graph.edges()) {
    const fromDomain = keyOf(down);
    const toDomain = keyOf(up);
    if (fromDomain === null || toDomain === null || fromDomain === toDomain) continue;
    const from = project.resources.get(down)!;
    const to = project.resources.get(up)!;
    const findings = onEdge.get(`${down}\0${up}`) ?? [];
    edges.push({
      from: down,
      fromName: from.name,
      fromType: from.resourceType,
      fromDomain,
      to: up,
      toName: to.name,
      toType: to.resourceType,
      toDomain,
      targetAccess: to.access,
      contractEnforced: to.contract?.enforced === true,
      allowed: findings.length === 0,
      waived: findings.length > 0 && findings.every((f) => f.suppressed?.by === 'waiver'),
      rules: [...new Set(findings.map((f) => f.ruleId))].sort(compareStrings),
    });
  }
  edges.sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to));

  // Dependency direction: the dependent domain depends on the upstream one.
  const matrix: DomainDependency[] = condensed.edges
    .map((e) => ({ from: e.to, to: e.from, count: e.count }))
    .sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to));
  const coupling: DomainCoupling[] = condensed.nodes.map((domain) => {
    const ca = new Set(matrix.filter((m) => m.to === domain).map((m) => m.from)).size;
    const ce = new Set(matrix.filter((m) => m.from === domain).map((m) => m.to)).size;
    return {
      domain,
      ca,
      ce,
      instability: ca + ce === 0 ? null : roundCoverage(ce / (ca + ce)),
    };
  });
  // A mesh: which project depends on which (installed packages belong to their project).
  let projectMatrix: DomainDependency[] | undefined;
  if (project.projects.length > 1) {
    const counts = new Map<string, DomainDependency>();
    for (const [up, down] of project.graph.edges()) {
      const from = project.resources.get(down);
      const to = project.resources.get(up);
      if (!from || !to || NOT_COUNTED.has(from.resourceType) || NOT_COUNTED.has(to.resourceType))
        continue;
      if (ctx.selected && !(ctx.selected.has(down) && ctx.selected.has(up))) continue;
      if (from.projectName === to.projectName) continue;
      const key = `${from.projectName}\0${to.projectName}`;
      const cell = counts.get(key);
      if (cell) cell.count++;
      else counts.set(key, { from: from.projectName, to: to.projectName, count: 1 });
    }
    projectMatrix = [...counts.values()].sort(
      (a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to),
    );
  }
  return {
    formatVersion: REPORTS_FORMAT_VERSION,
    kind: 'domains',
    projects: ctx.projects,
    domains: condensed.nodes,
    matrix,
    edges,
    cycles: condensed.cycles,
    ...(projectMatrix ? { projectMatrix } : {}),
    coupling,
    summary: {
      domains: condensed.nodes.length,
      crossDomainEdges: edges.length,
      violations: edges.filter((e) => !e.allowed && !e.waived).length,
      waived: edges.filter((e) => e.waived).length,
      cycles: condensed.cycles.length,
    },
  };
}

/** dbt's default relation name of a model: its name, `name_v{version}` for a version. */
export function relationOf(r: Resource): string {
  return r.version !== null ? `${r.name}_v${r.version}` : r.name;
}

/** `report products`: the data-product catalog, one record per product (each version is one). */
export function buildProductsReport(project: Project, options: ReportOptions): ProductsReport {
  const ctx = contextOf(project, options);
  const models = [...project.resources.values()].filter(
    (r) => r.resourceType === 'model' && !r.external && ctx.own.has(r.packageName),
  );
  const products: ProductRecord[] = [];
  for (const r of models.sort((a, b) => compareStrings(a.uniqueId, b.uniqueId))) {
    if (!isDataProduct(r)) continue;
    if (ctx.selected && !ctx.selected.has(r.uniqueId)) continue;
    const tables = models
      .filter((m) => m.packageName === r.packageName && m.name === r.name)
      .map(relationOf);
    const byDomain = new Map<string | null, ProductConsumer[]>();
    for (const c of project.graph.children(r.uniqueId)) {
      const consumer = project.resources.get(c);
      if (!consumer || NOT_COUNTED.has(consumer.resourceType)) continue;
      const d = ctx.domainOf(c);
      const list = byDomain.get(d) ?? [];
      list.push({ id: c, name: consumer.name, resourceType: consumer.resourceType });
      byDomain.set(d, list);
    }
    const consumers: ProductConsumerGroup[] = [...byDomain.entries()]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : compareStrings(a, b)))
      .map(([domain, list]) => ({
        domain,
        consumers: list.sort((a, b) => compareStrings(a.id, b.id)),
      }));
    const sla = metaValue(r.meta, 'sla');
    products.push({
      id: r.uniqueId,
      name: r.name,
      package: r.packageName,
      owner: ctx.ownerOf(r.uniqueId),
      ownerValue: ctx.resolver.owner(r.uniqueId)?.value ?? null,
      domain: ctx.domainOf(r.uniqueId),
      description: r.description,
      access: r.access,
      version: r.version,
      latestVersion: r.latestVersion,
      materialized: r.materialized,
      contract: {
        enforced: r.contract?.enforced === true,
        columns: r.columns.map((c) => ({
          name: c.name,
          dataType: c.dataType,
          description: c.description,
          constraints: c.constraints.map((k) => k.type),
        })),
      },
      storage: { relation: relationOf(r) },
      tables: [...new Set(tables)].sort(compareStrings),
      sla: sla === undefined ? null : sla,
      tags: [...r.tags].sort(compareStrings),
      consumers,
    });
  }
  return {
    formatVersion: REPORTS_FORMAT_VERSION,
    kind: 'products',
    projects: ctx.projects,
    products,
    summary: {
      products: products.length,
      contractEnforced: products.filter((p) => p.contract.enforced).length,
      withOwner: products.filter((p) => p.owner !== null).length,
      withDomain: products.filter((p) => p.domain !== null).length,
    },
  };
}

/**
 * The lineage of `ids` (all resources when null) collapsed to domains: resources without a
 * domain, and tests, are left out; edges keep lineage direction (upstream → downstream).
 */
export function buildDomainLineage(
  project: Project,
  ids: Iterable<string> | null,
  resolver: Pick<Resolver, 'domain'>,
): DomainLineage {
  const wanted = ids === null ? null : new Set(ids);
  const counts = new Map<string, number>();
  let withoutDomain = 0;
  const keys = new Map<string, string | null>();
  for (const r of project.resources.values()) {
    if (wanted && !wanted.has(r.uniqueId)) continue;
    if (isTest(r)) continue;
    const d = resolver.domain(r.uniqueId)?.value ?? null;
    keys.set(r.uniqueId, d);
    if (d === null) withoutDomain++;
    else counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const condensed = condense(project.graph, (id) => keys.get(id) ?? null);
  return {
    formatVersion: REPORTS_FORMAT_VERSION,
    kind: 'domain-lineage',
    nodes: [...counts.keys()].sort(compareStrings).map((domain) => ({
      domain,
      resources: counts.get(domain)!,
    })),
    edges: condensed.edges.map((e) => ({ from: e.from, to: e.to, count: e.count })),
    cycles: condensed.cycles,
    withoutDomain,
  };
}
