/**
 * Effective rule settings: the config's layers (presets, extended files, the file itself)
 * and then every matching override, in order. A layer that sets only a severity keeps the
 * options set before it; per-message severities merge key by key.
 */
import picomatch from 'picomatch';
import type { Resource } from '../model.js';
import type { EngineConfig, Origin, Override, OverrideMatch, RuleEntry } from './config.js';
import type { Registry, RegistryEntry } from './registry.js';
import type { Severity, SeverityOrOff } from './rule.js';

export interface EffectiveSetting {
  id: string;
  severity: SeverityOrOff;
  options: Record<string, unknown>;
  messageSeverities: Record<string, SeverityOrOff>;
  /** The layers that set something, in order. */
  origins: Origin[];
}

/** What a finding or a check target is, for matching overrides. */
export type SettingsSubject =
  { kind: 'node'; resource: Resource } | { kind: 'domain'; id: string } | { kind: 'project' };

export interface SettingsContext {
  domainOf(id: string): string | null;
  /** unique_ids a selector picks (memoized by the caller). */
  select(selector: string): ReadonlySet<string>;
}

function apply(into: EffectiveSetting, layer: RuleEntry): void {
  if (layer.severity !== undefined) into.severity = layer.severity;
  if (layer.options !== undefined) into.options = { ...layer.options };
  if (layer.messageSeverities !== undefined)
    into.messageSeverities = { ...into.messageSeverities, ...layer.messageSeverities };
  into.origins.push(layer.origin);
}

function listOrNull(v: readonly string[] | undefined): readonly string[] | null {
  return v && v.length > 0 ? v : null;
}

export class Settings {
  private readonly base = new Map<string, EffectiveSetting>();
  private readonly masks = new Map<string, string>();
  private readonly byMask = new Map<string, Map<string, EffectiveSetting>>();
  private readonly fileMatchers: Array<((p: string) => boolean) | null>;

  constructor(
    private readonly registry: Registry,
    private readonly config: EngineConfig,
    private readonly context: SettingsContext,
  ) {
    for (const id of registry.ids()) {
      const s: EffectiveSetting = {
        id,
        severity: 'off',
        options: {},
        messageSeverities: {},
        origins: [],
      };
      for (const layer of config.rules[id] ?? []) apply(s, layer);
      this.base.set(id, s);
    }
    this.fileMatchers = config.overrides.map((o) => {
      const files = listOrNull(o.match.files);
      return files ? picomatch([...files], { dot: true }) : null;
    });
  }

  /** The settings before overrides (the top-level layers). */
  baseOf(id: string): EffectiveSetting {
    const s = this.base.get(id);
    if (!s) throw new Error(`no registry entry ${id}`);
    return s;
  }

  /** Whether the id runs anywhere: at the top level or in some override. */
  enabledAnywhere(id: string): boolean {
    if (this.baseOf(id).severity !== 'off') return true;
    return this.config.overrides.some((o) => {
      const layer = o.rules[id];
      return layer?.severity !== undefined && layer.severity !== 'off';
    });
  }

  /** The indexes of the overrides that match a resource, as one key (`0,2`; '' for none). */
  overridesOf(resource: Resource): string {
    return this.maskOf({ kind: 'node', resource });
  }

  /** The overrides that match a subject, as a key of their indexes. */
  private maskOf(subject: SettingsSubject): string {
    if (subject.kind === 'project') return '';
    const cacheKey = subject.kind === 'node' ? subject.resource.uniqueId : `\0domain:${subject.id}`;
    let mask = this.masks.get(cacheKey);
    if (mask === undefined) {
      const hits: number[] = [];
      this.config.overrides.forEach((o, i) => {
        if (this.matches(o, i, subject)) hits.push(i);
      });
      mask = hits.join(',');
      this.masks.set(cacheKey, mask);
    }
    return mask;
  }

  private matches(o: Override, index: number, subject: SettingsSubject): boolean {
    const m: OverrideMatch = o.match;
    if (subject.kind === 'domain') {
      // Domain findings have no file, tags or package: only a domains-only override applies.
      const domains = listOrNull(m.domains);
      const others =
        listOrNull(m.files) ??
        listOrNull(m.tags) ??
        listOrNull(m.packages) ??
        listOrNull(m.resourceTypes) ??
        m.select;
      return domains !== null && !others && domains.includes(subject.id);
    }
    if (subject.kind !== 'node') return false;
    const r = subject.resource;
    const files = this.fileMatchers[index];
    if (files) {
      const paths = [r.filePath, r.patchPath].filter((p): p is string => p !== null);
      if (!paths.some((p) => files(p))) return false;
    }
    const domains = listOrNull(m.domains);
    if (domains) {
      const d = this.context.domainOf(r.uniqueId);
      if (d === null || !domains.includes(d)) return false;
    }
    const tags = listOrNull(m.tags);
    if (tags && !r.tags.some((t) => tags.includes(t))) return false;
    const packages = listOrNull(m.packages);
    if (packages && !packages.includes(r.packageName)) return false;
    const types = listOrNull(m.resourceTypes);
    if (types && !types.includes(r.resourceType)) return false;
    if (m.select && !this.context.select(m.select).has(r.uniqueId)) return false;
    return true;
  }

  /** The effective setting of `id` for a subject (a resource, a domain or the project). */
  forSubject(id: string, subject: SettingsSubject): EffectiveSetting {
    // No overrides (the common case): every subject has the base setting, no mask to key.
    if (this.config.overrides.length === 0) return this.baseOf(id);
    const mask = this.maskOf(subject);
    if (mask === '') return this.baseOf(id);
    let map = this.byMask.get(mask);
    if (!map) {
      map = new Map();
      this.byMask.set(mask, map);
    }
    let s = map.get(id);
    if (!s) {
      const base = this.baseOf(id);
      s = {
        ...base,
        options: { ...base.options },
        messageSeverities: { ...base.messageSeverities },
        origins: [...base.origins],
      };
      for (const i of mask.split(',')) {
        const layer = this.config.overrides[Number(i)]!.rules[id];
        if (layer) apply(s, layer);
      }
      map.set(id, s);
    }
    return s;
  }

  forResource(id: string, resource: Resource | null): EffectiveSetting {
    if (this.config.overrides.length === 0) return this.baseOf(id);
    return this.forSubject(id, resource ? { kind: 'node', resource } : { kind: 'project' });
  }

  /** Every id that is not off for a resource, in id order (explain). */
  allForResource(resource: Resource | null): EffectiveSetting[] {
    return this.registry
      .ids()
      .map((id) => this.forResource(id, resource))
      .filter((s) => s.severity !== 'off');
  }
}

/**
 * The severity of one finding: an explicit per-message severity wins; else the rule's
 * default per-message severity while the rule runs at its default severity; else the rule's.
 */
export function severityOf(
  setting: EffectiveSetting,
  entry: RegistryEntry,
  messageId: string,
): SeverityOrOff {
  const explicit = setting.messageSeverities[messageId];
  if (explicit !== undefined) return explicit;
  if (setting.severity === entry.severity) {
    const d: Severity | undefined = entry.messageSeverities[messageId];
    if (d !== undefined) return d;
  }
  return setting.severity;
}
