/**
 * Base mode checks the base with the same rules as the head. A pull request changes a few
 * resources; the checks of a rule with `reach: 'neighbours'` on a target whose neighbourhood
 * did not change give what they gave on the head, so the base's run takes those findings from
 * the head's (RunRecording) and checks only the targets near a difference. replayScope()
 * says which targets those are, or that the head's findings cannot stand in at all.
 */
import type { Resource } from '../model.js';
import type { Project } from '../project.js';
import { resolutionContext } from './check.js';
import { identical } from './compare.js';
import type { EngineConfig } from './config.js';
import type { Registry } from './registry.js';
import type { Resolver } from './resolve.js';
import { Settings } from './settings.js';

/**
 * The targets the base's run must check anew: every resource that differs between base and
 * head (present on one side only, other data, another resolved domain or owner, other
 * overrides matching it) and every resource depending on one or depended on by one, on
 * either side. Null when no target may take the head's findings: the projects, the groups
 * or the presence of domains differ.
 */
export function replayScope(
  base: Project,
  head: Project,
  resolverBase: Resolver,
  resolverHead: Resolver,
  config: EngineConfig,
  registry: Registry,
): Set<string> | null {
  const names = (p: Project) => p.projects.map((i) => i.name).join('\0');
  if (names(base) !== names(head)) return null;
  if (base.groups.size !== head.groups.size) return null;
  for (const [id, g] of base.groups) if (!identical(g, head.groups.get(id))) return null;
  if (resolverBase.hasDomains() !== resolverHead.hasDomains()) return null;
  // Resolution reads the project directories (CODEOWNERS paths) and hands out the groups'
  // owner objects (which rules may compare by identity): the head's answers stand for the
  // base's only with the same directories and the very same group objects.
  const dirs = (p: Project) => p.projects.map((i) => i.rootDir ?? '').join('\0');
  const adoptable =
    dirs(base) === dirs(head) && [...base.groups].every(([id, g]) => head.groups.get(id) === g);

  // Resources present on one side only, or with other data.
  const differs = new Set<string>();
  for (const [id, b] of base.resources) {
    const h = head.resources.get(id);
    if (h === undefined || (b !== h && !identical(b, h))) differs.add(id);
  }
  for (const id of head.resources.keys()) if (!base.resources.has(id)) differs.add(id);
  /** Whether a resource's domain and owner resolve here as there, without resolving them. */
  const resolvesAlike = (b: Resource, depth = 0): boolean => {
    const attached = b.test?.attachedNode;
    // A test takes the domain of the node it is attached to.
    if (attached == null || attached === b.uniqueId) return true;
    const ab = base.resources.get(attached);
    return depth < 8 && ab !== undefined && !differs.has(attached) && resolvesAlike(ab, depth + 1);
  };

  const changed = new Set(differs);
  const alike: string[] = [];
  for (const [id, b] of base.resources) {
    if (differs.has(id)) continue;
    if (adoptable && resolvesAlike(b)) {
      alike.push(id);
      continue;
    }
    const db = resolverBase.domain(id)?.value ?? null;
    const dh = resolverHead.domain(id)?.value ?? null;
    if (
      db !== dh ||
      !identical(resolverBase.owner(id)?.value ?? null, resolverHead.owner(id)?.value ?? null)
    )
      changed.add(id);
  }
  resolverBase.adopt(resolverHead, alike);

  if (config.overrides.length > 0) {
    // Overrides match on paths, tags, packages and types (the resource's own data) and on
    // domains and selectors (not): compare what matches on each side.
    const settingsOf = (p: Project, r: Resolver) =>
      new Settings(registry, config, resolutionContext(p, r));
    const sb = settingsOf(base, resolverBase);
    const sh = settingsOf(head, resolverHead);
    for (const [id, b] of base.resources) {
      const h = head.resources.get(id);
      if (h && !changed.has(id) && sb.overridesOf(b) !== sh.overridesOf(h)) changed.add(id);
    }
  }

  const fresh = new Set(changed);
  for (const id of changed) {
    for (const p of [base, head]) {
      const r = p.resources.get(id);
      if (!r) continue;
      for (const n of p.graph.parents(id)) fresh.add(n);
      for (const n of p.graph.children(id)) fresh.add(n);
      // A test counts for the node it is attached to, a dependency or not.
      const attached = r.test?.attachedNode;
      if (attached) fresh.add(attached);
    }
  }
  return fresh;
}
