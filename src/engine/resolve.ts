/**
 * Domain and owner resolution, step by step. The configured chains (`domains.resolution`,
 * `owners.resolution`) are tried in order and the first step with a value wins; every answer
 * carries `via` (which step gave it) and the file that declared it, so that findings and
 * `dbt-steward explain` can say why. No I/O: lines are found later, by src/load/locate.ts.
 */
import path from 'node:path';
import type { Group, Meta, OwnerValue, Resource } from '../model.js';
import { groupOf, type Project } from '../project.js';
import { matchCodeowners } from './codeowners.js';
import { keyParts } from './products.js';
import {
  emptyEngineConfig,
  type DomainsConfig,
  type DomainStep,
  type OwnersConfig,
  type OwnerStep,
} from './config.js';

/** What declared a value, for locating its line: a resource's YAML entry or a group's. */
export type DeclaredBy = { kind: 'resource'; id: string } | { kind: 'group'; id: string };

export interface Resolution<T> {
  value: T;
  /** The step that gave the value: `meta.domain`, `group:finance`, `path:models/{domain}/**`, `CODEOWNERS:12`, … */
  via: string;
  /** The file that declared it, relative to the dbt project (CODEOWNERS: as configured); null when none. */
  file: string | null;
  /** Where in the declaring YAML entry to look (`meta.domain`; `config.meta.domain` is tried too). */
  keyPath?: string;
  /** The line, when the step knows it without reading files (CODEOWNERS). */
  line?: number;
  /** The resource or group whose YAML entry declared the value. */
  declaredBy?: DeclaredBy;
}

/** `attached`: a test's domain taken from the node it tests. */
export type StepKind = DomainStep['kind'] | OwnerStep['kind'] | 'attached';

/** One step of a chain as evaluated for one resource; `value` is null when the step had nothing to say. */
export interface StepResult<T> {
  kind: StepKind;
  via: string;
  value: T | null;
  file: string | null;
  keyPath?: string;
  line?: number;
  declaredBy?: DeclaredBy;
  /** Why a step gave nothing although it found something (a non-text meta value, an owner-less CODEOWNERS line, …). */
  note?: string;
}

/** Two declaring steps that disagree: the first one with a value and the first one that differs from it. */
export interface DomainConflict {
  domain: string;
  via: string;
  other: string;
  otherVia: string;
}

export interface ResolverConfig {
  domains: DomainsConfig;
  owners: OwnersConfig;
}

/** Steps that declare a domain; `package` and `project` are fallbacks and never conflict. */
const DECLARING: ReadonlySet<StepKind> = new Set<StepKind>(['meta', 'group', 'path', 'tag']);
const FALLBACK: ReadonlySet<StepKind> = new Set<StepKind>(['package', 'project']);

/** A declared owner is present when it is a non-blank string, a non-empty list or an object with a value. */
export function hasValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.some(hasValue);
  if (typeof v === 'object') return Object.values(v).some(hasValue);
  return true;
}

function own(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/** A dotted key (`steward.domain`) in meta: nested maps first, then a literal dotted key. */
export function metaValue(meta: Meta, key: string): unknown {
  if (!key.includes('.')) return own(meta, key); // what the loop below gives, without a split
  let cur: unknown = meta;
  for (const part of keyParts(key)) {
    cur = own(cur, part);
    if (cur === undefined) break;
  }
  if (cur !== undefined || !key.includes('.')) return cur;
  return own(meta, key);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * A `{domain}` path pattern as a regular expression whose first group is the domain.
 * `{domain}` matches within one segment, `*` within one segment, `?` one character, `**` any
 * number of whole segments (a trailing `/**` at least one). Null when there is no `{domain}`.
 */
export function compileDomainPattern(pattern: string): RegExp | null {
  const p = pattern.replace(/\\/g, '/').replace(/^\.?\/+/, '');
  if (!p.includes('{domain}')) return null;
  const segments = p.split('/');
  let src = '^';
  let captured = false;
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = segments[i]!;
    if (seg === '**') {
      src += i === last ? '.+' : '(?:[^/]+/)*';
      continue;
    }
    for (const [j, piece] of seg.split('{domain}').entries()) {
      if (j > 0) {
        src += captured ? '\\1' : '([^/]+)';
        captured = true;
      }
      src += escapeRegExp(piece)
        .replace(/\\\*(?:\\\*)*/g, '[^/]*')
        .replace(/\\\?/g, '[^/]');
    }
    if (i < last) src += '/';
  }
  return new RegExp(src + '$');
}

function ownerOfList(owners: readonly string[]): OwnerValue {
  const list = owners.filter((o) => typeof o === 'string' && o.trim() !== '');
  if (list.length === 0) return null;
  return list.length === 1 ? list[0] : list;
}

const toPosix = (p: string): string => p.replace(/\\/g, '/');

/** The value cached under `id`, computed and cached on first use. */
function memoized<T>(cache: Map<string, T>, id: string, compute: () => T): T {
  let value = cache.get(id);
  if (value === undefined) {
    value = compute();
    cache.set(id, value);
  }
  return value;
}

/**
 * In a mesh (several projects loaded), domain boundaries are at least project boundaries: a
 * chain the config did not set ends with the `project` step (a mesh entry's domain, else the
 * project name). A configured chain is taken as written.
 */
export function meshChain<C extends ResolverConfig>(config: C, project: Project): C {
  const d = config.domains;
  if (d.resolutionConfigured || d.resolution.some((s) => s.kind === 'project')) return config;
  const mesh = project.projects.length > 1 || Object.keys(d.projects ?? {}).length > 0;
  if (!mesh) return config;
  return { ...config, domains: { ...d, resolution: [...d.resolution, { kind: 'project' }] } };
}

/** Memoized domain and owner resolution over one project and one configuration. */
export class Resolver {
  private readonly config: ResolverConfig;
  private readonly domainStepsMemo = new Map<string, StepResult<string>[]>();
  private readonly ownerStepsMemo = new Map<string, StepResult<OwnerValue>[]>();
  private readonly domainMemo = new Map<string, Resolution<string> | null>();
  private readonly ownerMemo = new Map<string, Resolution<OwnerValue> | null>();
  private readonly patterns = new Map<string, RegExp | null>();
  private readonly rootDirs = new Map<string, string | null>();
  private readonly ownProjects: ReadonlySet<string>;
  /** Tests whose attached node is being resolved (guards against cycles of attachments). */
  private readonly inProgress = new Set<string>();
  private hasDomainsMemo: boolean | undefined;

  constructor(
    private readonly project: Project,
    config?: ResolverConfig,
  ) {
    this.config = meshChain(config ?? emptyEngineConfig(), project);
    for (const p of project.projects)
      if (!this.rootDirs.has(p.name)) this.rootDirs.set(p.name, p.rootDir);
    this.ownProjects = new Set(project.projects.map((p) => p.name));
  }

  /**
   * Takes another resolver's answers for the given resources, known to be the same here: base
   * mode's replayScope() passes the resources that are the same on both sides (tests with
   * the node they are attached to), under one configuration, groups and project directories.
   */
  adopt(other: Resolver, ids: Iterable<string>): void {
    const take = <T>(mine: Map<string, T>, theirs: Map<string, T>, id: string) => {
      const v = theirs.get(id);
      if (v !== undefined && !mine.has(id)) mine.set(id, v);
    };
    for (const id of ids) {
      take(this.domainMemo, other.domainMemo, id);
      take(this.ownerMemo, other.ownerMemo, id);
      take(this.domainStepsMemo, other.domainStepsMemo, id);
      take(this.ownerStepsMemo, other.ownerStepsMemo, id);
    }
  }

  /** The resource's domain: the first step of the chain with a value (tests: else their node's). */
  domain(id: string): Resolution<string> | null {
    // Asked by many rules for every resource: a hit allocates nothing (no compute closure).
    const hit = this.domainMemo.get(id);
    if (hit !== undefined) return hit;
    return memoized(this.domainMemo, id, () => firstOf(this.domainSteps(id)));
  }

  /** The resource's owner as declared: the first step of the owner chain with a value. */
  owner(id: string): Resolution<OwnerValue> | null {
    const hit = this.ownerMemo.get(id);
    if (hit !== undefined) return hit;
    return memoized(this.ownerMemo, id, () => {
      const steps = this.ownerStepsMemo.get(id);
      if (steps) return firstOf(steps);
      // Only the steps up to the first with a value: the rest (explain's) are not needed here.
      const resource = this.project.resources.get(id);
      if (!resource) return null;
      for (const step of this.config.owners.resolution) {
        const s = this.ownerStep(resource, step);
        if (s.value !== null) return firstOf([s]);
      }
      return null;
    });
  }

  /** Every step of the domain chain, in order, with what it said (for explain). */
  domainSteps(id: string): StepResult<string>[] {
    const hit = this.domainStepsMemo.get(id);
    if (hit !== undefined) return hit;
    return memoized(this.domainStepsMemo, id, () => {
      const resource = this.project.resources.get(id);
      return resource ? this.domainStepsOf(resource) : [];
    });
  }

  /** Every step of the owner chain, in order, with what it said (for explain). */
  ownerSteps(id: string): StepResult<OwnerValue>[] {
    return memoized(this.ownerStepsMemo, id, () => {
      const resource = this.project.resources.get(id);
      return resource ? this.ownerStepsOf(resource) : [];
    });
  }

  /** The first disagreement between declaring steps (meta, group, path, tag), or null. */
  conflict(id: string): DomainConflict | null {
    // conflicts(id)[0] without building the list (asked for every target on every run).
    let first: StepResult<string> | null = null;
    const memo = this.domainStepsMemo.get(id);
    if (memo) {
      for (const s of memo) {
        if (s.value === null || !DECLARING.has(s.kind)) continue;
        if (first === null) first = s;
        else if (s.value !== first.value)
          return { domain: first.value!, via: first.via, other: s.value, otherVia: s.via };
      }
      return null;
    }
    // Not resolved yet (tests, mostly): only the declaring steps of the chain matter, so the
    // attached step and the memo entry are skipped. domainStep is pure: same values, same order.
    const resource = this.project.resources.get(id);
    if (!resource) return null;
    for (const step of this.config.domains.resolution) {
      if (!DECLARING.has(step.kind)) continue;
      const s = this.domainStep(resource, step);
      if (s.value === null) continue;
      if (first === null) first = s;
      else if (s.value !== first.value)
        return { domain: first.value!, via: first.via, other: s.value, otherVia: s.via };
    }
    return null;
  }

  /** Every declaring step that disagrees with the first declaring step with a value. */
  conflicts(id: string): DomainConflict[] {
    const declaring = this.domainSteps(id).filter(
      (s): s is StepResult<string> & { value: string } => DECLARING.has(s.kind) && s.value !== null,
    );
    const first = declaring[0];
    if (!first) return [];
    const out: DomainConflict[] = [];
    for (const s of declaring) {
      if (s.value !== first.value)
        out.push({ domain: first.value, via: first.via, other: s.value, otherVia: s.via });
    }
    return out;
  }

  /**
   * Whether domains are in use: some are declared in the config, or a resource of the checked
   * projects gets one from a meta key or a dbt group. Until then the domain rules stay quiet.
   */
  hasDomains(): boolean {
    if (this.hasDomainsMemo === undefined) {
      // Declared domains, or a chain step beyond meta and group (a path pattern, the package,
      // the project, a tag prefix), mean domains are configured.
      this.hasDomainsMemo =
        Object.keys(this.config.domains.declared).length > 0 ||
        this.config.domains.resolution.some((s) => !isMetaOrGroup(s));
      if (!this.hasDomainsMemo && this.config.domains.resolution.some(isMetaOrGroup)) {
        for (const r of this.project.resources.values()) {
          if (r.external || !this.ownProjects.has(r.packageName)) continue;
          if (
            this.domainSteps(r.uniqueId).some(
              (s) => (s.kind === 'meta' || s.kind === 'group') && s.value !== null,
            )
          ) {
            this.hasDomainsMemo = true;
            break;
          }
        }
      }
    }
    return this.hasDomainsMemo;
  }

  /** The domain steps of a resource, not memoized (it need not be in the project). */
  domainStepsOf(resource: Resource): StepResult<string>[] {
    const steps: StepResult<string>[] = [];
    const isTest = resource.resourceType === 'test' || resource.resourceType === 'unit_test';
    let inherited = !isTest;
    const inherit = () => {
      inherited = true;
      if (steps.some((s) => s.value !== null)) return;
      const step = this.attachedStep(resource);
      if (step) steps.push(step);
    };
    for (const step of this.config.domains.resolution) {
      if (!inherited && FALLBACK.has(step.kind)) inherit();
      steps.push(withoutPlace(this.domainStep(resource, step)));
    }
    if (!inherited) inherit();
    return steps;
  }

  /** The owner steps of a resource, not memoized (it need not be in the project). */
  ownerStepsOf(resource: Resource): StepResult<OwnerValue>[] {
    return this.config.owners.resolution.map((step) =>
      withoutPlace(this.ownerStep(resource, step)),
    );
  }

  private attachedStep(resource: Resource): StepResult<string> | null {
    const parentId = resource.test?.attachedNode;
    if (!parentId || parentId === resource.uniqueId || this.inProgress.has(resource.uniqueId))
      return null;
    const parent = this.project.resources.get(parentId);
    if (!parent) return null;
    this.inProgress.add(resource.uniqueId);
    let d: Resolution<string> | null;
    try {
      d = this.domain(parentId);
    } finally {
      this.inProgress.delete(resource.uniqueId);
    }
    if (!d) return { kind: 'attached', via: `attached to ${parent.name}`, value: null, file: null };
    return { ...d, kind: 'attached', via: `${d.via} of ${parent.name}` };
  }

  private domainStep(r: Resource, step: DomainStep): StepResult<string> {
    const yaml = r.patchPath ?? r.filePath;
    // Object literals, not spreads of a shared base: this runs for every step of every resource.
    switch (step.kind) {
      case 'meta': {
        const keyPath = `meta.${step.key}`;
        const v = metaValue(r.meta, step.key);
        const text = typeof v === 'string' ? v.trim() : '';
        if (text !== '')
          return {
            kind: step.kind,
            via: keyPath,
            file: yaml,
            keyPath,
            declaredBy: { kind: 'resource', id: r.uniqueId },
            value: text,
          };
        // Nothing declared: already in the shape withoutPlace gives.
        if (v !== undefined && v !== null && !(typeof v === 'string'))
          return {
            kind: step.kind,
            via: keyPath,
            value: null,
            file: null,
            note: `${keyPath} is not text`,
          };
        return { kind: step.kind, via: keyPath, value: null, file: null };
      }
      case 'group': {
        const name = r.group?.trim() ?? '';
        if (name === '') return { kind: 'group', via: 'group', value: null, file: null };
        const g = groupOf(this.project, r);
        return g
          ? {
              kind: 'group',
              via: `group:${name}`,
              value: name,
              file: g.filePath,
              declaredBy: { kind: 'group', id: g.uniqueId },
            }
          : {
              kind: 'group',
              via: `group:${name}`,
              value: name,
              file: yaml,
              keyPath: 'group',
              declaredBy: { kind: 'resource', id: r.uniqueId },
            };
      }
      case 'path': {
        const via = `path:${step.pattern}`;
        let re = this.patterns.get(step.pattern);
        if (re === undefined) {
          re = compileDomainPattern(step.pattern);
          this.patterns.set(step.pattern, re);
        }
        const m = r.filePath !== null && re ? re.exec(r.filePath) : null;
        return { kind: 'path', via, value: m?.[1] ?? null, file: m ? r.filePath : null };
      }
      case 'package':
        return {
          kind: 'package',
          via: 'package',
          value: r.packageName || null,
          file: r.packageName === r.projectName ? 'dbt_project.yml' : null,
        };
      case 'project': {
        const projects = this.config.domains.projects;
        const mesh =
          projects && Object.prototype.hasOwnProperty.call(projects, r.projectName)
            ? projects[r.projectName]
            : undefined;
        if (mesh)
          return {
            kind: 'project',
            via: `project:${r.projectName}`,
            value: mesh.domain,
            file: mesh.origin,
          };
        return {
          kind: 'project',
          via: 'project',
          value: r.projectName || null,
          file: 'dbt_project.yml',
        };
      }
      case 'tag': {
        const via = `tag:${step.prefix}`;
        for (const tag of [...r.tags].sort()) {
          if (!tag.startsWith(step.prefix)) continue;
          const rest = tag.slice(step.prefix.length).trim();
          if (rest !== '')
            return {
              kind: 'tag',
              via,
              value: rest,
              file: yaml,
              keyPath: 'tags',
              declaredBy: { kind: 'resource', id: r.uniqueId },
            };
        }
        return { kind: 'tag', via, value: null, file: null };
      }
    }
  }

  private ownerStep(r: Resource, step: OwnerStep): StepResult<OwnerValue> {
    const yaml = r.patchPath ?? r.filePath;
    switch (step.kind) {
      case 'meta': {
        const keyPath = `meta.${step.key}`;
        const v = metaValue(r.meta, step.key);
        return {
          kind: 'meta',
          via: keyPath,
          value: hasValue(v) ? v : null,
          file: yaml,
          keyPath,
          declaredBy: { kind: 'resource', id: r.uniqueId },
        };
      }
      case 'exposure': {
        const via = 'exposure owner';
        if (r.resourceType !== 'exposure')
          return { kind: 'exposure', via, value: null, file: null };
        return {
          kind: 'exposure',
          via,
          value: hasValue(r.owner) ? r.owner : null,
          file: yaml,
          keyPath: 'owner',
          declaredBy: { kind: 'resource', id: r.uniqueId },
        };
      }
      case 'group': {
        const g: Group | null = groupOf(this.project, r);
        if (!g) {
          const none = { kind: 'group' as const, via: 'group owner', value: null, file: null };
          return r.group ? { ...none, note: `group ${r.group} is not in the manifest` } : none;
        }
        return {
          kind: 'group',
          via: `group:${g.name} owner`,
          value: hasValue(g.owner) ? g.owner : null,
          file: g.filePath,
          keyPath: 'owner',
          declaredBy: { kind: 'group', id: g.uniqueId },
        };
      }
      case 'domain': {
        const d =
          this.project.resources.get(r.uniqueId) === r
            ? this.domain(r.uniqueId)
            : firstOf(this.domainStepsOf(r));
        if (!d) return { kind: 'domain', via: 'domain owners', value: null, file: null };
        const via = `domain:${d.value} owners`;
        const decl = own(this.config.domains.declared, d.value) as
          DomainsConfig['declared'][string] | undefined;
        if (!decl) {
          // Only worth saying when some domains are declared.
          const declaring = Object.keys(this.config.domains.declared).length > 0;
          const note = declaring ? `domain ${d.value} is not declared in the config` : undefined;
          return { kind: 'domain', via, value: null, file: null, ...(note ? { note } : {}) };
        }
        return {
          kind: 'domain',
          via,
          value: ownerOfList(decl.owners),
          file: null,
          note: decl.origin,
        };
      }
      case 'codeowners':
        return this.codeownersStep(r, step);
    }
  }

  private codeownersStep(
    r: Resource,
    step: Extract<OwnerStep, { kind: 'codeowners' }>,
  ): StepResult<OwnerValue> {
    const rootDir = this.rootDirs.get(r.projectName) ?? null;
    // Shown relative to the dbt project, like every other file (`../.github/CODEOWNERS` when the project is in a subfolder).
    const file =
      rootDir !== null && path.isAbsolute(step.file)
        ? toPosix(path.relative(rootDir, step.file))
        : step.file;
    const none = (note?: string): StepResult<OwnerValue> => ({
      kind: 'codeowners',
      via: 'CODEOWNERS',
      value: null,
      file,
      ...(note !== undefined ? { note } : {}),
    });
    if (r.filePath === null) return none();
    if (r.packageName !== r.projectName) return none('package files are not in this repository');
    // Without a known project directory, the dbt project is taken to sit at the repository root.
    const rel =
      rootDir === null
        ? r.filePath
        : path.relative(path.resolve(step.root), path.resolve(rootDir, r.filePath));
    const entry = matchCodeowners(step.entries, toPosix(rel));
    if (!entry) return none();
    const value = ownerOfList(entry.owners);
    const found: StepResult<OwnerValue> = {
      kind: 'codeowners',
      via: `CODEOWNERS:${entry.line}`,
      value,
      file,
      line: entry.line,
    };
    if (value === null) found.note = `line ${entry.line} (${entry.pattern}) names no owner`;
    return found;
  }
}

/** A step that said nothing declares nothing: no file or key to point at (CODEOWNERS still names the file read). */
function withoutPlace<T>(step: StepResult<T>): StepResult<T> {
  if (step.value !== null || step.kind === 'codeowners') return step;
  // Steps built placeless ({kind, via, value, file: null[, note]}) need no copy.
  if (step.file === null && step.keyPath === undefined && step.declaredBy === undefined)
    return step;
  const out: StepResult<T> = { kind: step.kind, via: step.via, value: null, file: null };
  if (step.line !== undefined) out.line = step.line;
  if (step.note !== undefined) out.note = step.note;
  return out;
}

function isMetaOrGroup(step: DomainStep): boolean {
  return step.kind === 'meta' || step.kind === 'group';
}

function firstOf<T>(steps: readonly StepResult<T>[]): Resolution<T> | null {
  for (const s of steps) {
    if (s.value === null) continue;
    const r: Resolution<T> = { value: s.value, via: s.via, file: s.file };
    if (s.keyPath !== undefined) r.keyPath = s.keyPath;
    if (s.line !== undefined) r.line = s.line;
    if (s.declaredBy !== undefined) r.declaredBy = s.declaredBy;
    return r;
  }
  return null;
}

/** The domain of one resource (default chain: meta `domain`, then the dbt group). */
export function resolveDomain(
  project: Project,
  resource: Resource,
  config?: ResolverConfig,
): Resolution<string> | null {
  const resolver = new Resolver(project, config);
  return project.resources.get(resource.uniqueId) === resource
    ? resolver.domain(resource.uniqueId)
    : firstOf(resolver.domainStepsOf(resource));
}

/** The owner of one resource (default chain: meta `owner`, exposure owner, group owner, domain owners). */
export function resolveOwner(
  project: Project,
  resource: Resource,
  config?: ResolverConfig,
): Resolution<OwnerValue> | null {
  const resolver = new Resolver(project, config);
  return project.resources.get(resource.uniqueId) === resource
    ? resolver.owner(resource.uniqueId)
    : firstOf(resolver.ownerStepsOf(resource));
}
