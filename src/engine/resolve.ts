/**
 * Domain and owner resolution. Each answer carries `via`, the step of the chain that gave
 * it, so that a finding (and later `dbt-steward explain`) can say why.
 */
import type { OwnerValue, Resource } from '../model.js';
import { groupOf, type Project } from '../project.js';

export interface Resolution<T> {
  value: T;
  /** Where the value came from: `meta.owner`, `group:finance`, `owner` (exposures), … */
  via: string;
}

/** A declared owner is present when it is a non-blank string, a non-empty list or an object with a value. */
export function hasValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.some(hasValue);
  if (typeof v === 'object') return Object.values(v).some(hasValue);
  return true;
}

export function resolveOwner(project: Project, resource: Resource): Resolution<OwnerValue> | null {
  if (hasValue(resource.meta.owner)) return { value: resource.meta.owner, via: 'meta.owner' };
  if (resource.resourceType === 'exposure' && hasValue(resource.owner))
    return { value: resource.owner, via: 'owner' };
  const group = groupOf(project, resource);
  if (group && hasValue(group.owner)) return { value: group.owner, via: `group:${group.name}` };
  return null;
}

export function resolveDomain(project: Project, resource: Resource): Resolution<string> | null {
  const d = resource.meta.domain;
  if (typeof d === 'string' && d.trim() !== '') return { value: d.trim(), via: 'meta.domain' };
  if (resource.group) return { value: resource.group, via: `group:${resource.group}` };
  return null;
}

/** Memoized resolvers over one project. */
export class Resolver {
  private readonly owners = new Map<string, Resolution<OwnerValue> | null>();
  private readonly domains = new Map<string, Resolution<string> | null>();

  constructor(private readonly project: Project) {}

  owner(id: string): Resolution<OwnerValue> | null {
    let r = this.owners.get(id);
    if (r === undefined) {
      const res = this.project.resources.get(id);
      r = res ? resolveOwner(this.project, res) : null;
      this.owners.set(id, r);
    }
    return r;
  }

  domain(id: string): Resolution<string> | null {
    let r = this.domains.get(id);
    if (r === undefined) {
      const res = this.project.resources.get(id);
      r = res ? resolveDomain(this.project, res) : null;
      this.domains.set(id, r);
    }
    return r;
  }
}
