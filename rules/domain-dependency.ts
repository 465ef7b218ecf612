import { z } from 'zod';
import { defineRule, resourceTypeLabel, type Resource, type RuleContext } from '../src/index.js';

const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? [v] : v));

const options = z.object({
  /** Per domain (or `*`), the domains it may depend on; a domain with no entry may depend on any. */
  allow: z.record(z.string(), list).default({}),
  /** Per domain (or `*`), the domains it must not depend on (wins over allow). */
  deny: z.record(z.string(), list).default({}),
  /** Also report domains reached only through other domains, with the path followed. */
  transitive: z.boolean().default(false),
});

type Options = z.infer<typeof options>;

const SELF = '$self';

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[\\^$.+?()[\]{}|/]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

const compiled = new Map<string, RegExp>();

/** Whether a list entry or a key names `domain`: `*`, `$self` (the depending domain), a glob or a name. */
function matches(pattern: string, domain: string, self: string): boolean {
  const p = pattern.trim();
  if (p === SELF) return domain === self;
  if (p === '*') return true;
  if (!p.includes('*')) return p === domain;
  let re = compiled.get(p);
  if (!re) {
    re = globToRegExp(p);
    compiled.set(p, re);
  }
  return re.test(domain);
}

/** Why `from` may not depend on `to`, or null when it may. */
function violation(options: Options, from: string, to: string): string | null {
  for (const [key, entries] of Object.entries(options.deny)) {
    if (!matches(key, from, from)) continue;
    const hit = entries.find((e) => matches(e, to, from));
    if (hit !== undefined) return `deny.${key} lists ${hit}`;
  }
  const keys = Object.keys(options.allow).filter((k) => matches(k, from, from));
  if (keys.length === 0) return null;
  const entries = keys.flatMap((k) => options.allow[k]!);
  if (entries.some((e) => matches(e, to, from))) return null;
  return `not in ${keys.map((k) => `allow.${k}`).join(', ')}: [${entries.join(', ')}]`;
}

const isTest = (r: Resource) => r.resourceType === 'test' || r.resourceType === 'unit_test';

const display = (r: Resource) => (r.version !== null ? `${r.name}.v${r.version}` : r.name);

function hasRules(options: Options, domain: string): boolean {
  return (
    Object.keys(options.allow).some((k) => matches(k, domain, domain)) ||
    Object.keys(options.deny).some((k) => matches(k, domain, domain))
  );
}

export default defineRule<Options>({
  id: 'domain-dependency',
  description:
    'Domains depend only on the domains the configuration allows (allow / deny lists), directly or, optionally, through other domains.',
  category: 'boundaries',
  scope: 'project',
  resourceTypes: ['model', 'snapshot', 'exposure', 'metric', 'semantic_model', 'saved_query'],
  severity: 'error',
  recommended: false,
  requiresDomains: true,
  identity: ['target'],
  options,
  messages: {
    direct:
      "{{childType}} '{{child}}' (domain {{from}}) depends on '{{parent}}' of domain {{to}}: {{from}} may not depend on {{to}} ({{reason}}).",
    indirect:
      "{{childType}} '{{child}}' (domain {{from}}) reaches '{{parent}}' of domain {{to}} through {{via}}: {{from}} may not depend on {{to}}, not even indirectly ({{reason}}). Path: {{path}}.",
  },
  check(project, context) {
    const { options } = context;
    if (Object.keys(options.allow).length === 0 && Object.keys(options.deny).length === 0) return;
    const own = new Set(project.projects.map((p) => p.name));
    const children = [...project.resources.values()]
      .filter((r) => !r.external && own.has(r.packageName) && !isTest(r))
      .sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0));

    // Direct dependencies.
    const direct = new Set<string>();
    for (const child of children) {
      const from = context.domainOf(child.uniqueId);
      if (from === null) continue;
      for (const pid of child.dependsOn) {
        const parent = project.resources.get(pid);
        if (!parent || isTest(parent)) continue;
        const to = context.domainOf(pid);
        if (to === null || to === from) continue;
        direct.add(`${from}\0${to}`);
        const reason = violation(options, from, to);
        if (reason === null) continue;
        context.report({
          messageId: 'direct',
          node: child.uniqueId,
          data: {
            childType: resourceTypeLabel(child.resourceType, true),
            child: display(child),
            from,
            parent: display(parent),
            to,
            reason,
            target: parent.uniqueId,
          },
          related: [parent.uniqueId],
        });
      }
    }
    if (!options.transitive) return;

    // Indirect dependencies: per domain with rules, a breadth-first walk upstream from all of
    // its resources, leaving the domain and stopping at the first resource of a forbidden one.
    const byDomain = new Map<string, Resource[]>();
    for (const r of children) {
      const d = context.domainOf(r.uniqueId);
      if (d === null || !hasRules(options, d)) continue;
      const l = byDomain.get(d);
      if (l) l.push(r);
      else byDomain.set(d, [r]);
    }
    for (const [from, starts] of [...byDomain.entries()].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    ))
      walk(from, starts, context, direct);
  },
});

function walk(
  from: string,
  starts: readonly Resource[],
  context: RuleContext<Options>,
  direct: ReadonlySet<string>,
): void {
  const { project, graph, options } = context;
  const pred = new Map<string, string | null>();
  const depth = new Map<string, number>();
  const queue: string[] = [];
  for (const s of starts) {
    pred.set(s.uniqueId, null);
    depth.set(s.uniqueId, 0);
    queue.push(s.uniqueId);
  }
  const reported = new Set<string>();
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (const pid of graph.parents(id)) {
      if (pred.has(pid)) continue;
      const parent = project.resources.get(pid);
      if (!parent || isTest(parent)) continue;
      const to = context.domainOf(pid);
      if (to === from) continue;
      pred.set(pid, id);
      const d = depth.get(id)! + 1;
      depth.set(pid, d);
      const reason = to === null ? null : violation(options, from, to);
      if (to === null || reason === null) {
        queue.push(pid);
        continue;
      }
      // A forbidden domain: a direct edge is reported above; stop here either way.
      if (d < 2 || direct.has(`${from}\0${to}`) || reported.has(to)) continue;
      reported.add(to);
      const path: string[] = [];
      for (let cur: string | null = pid; cur !== null; cur = pred.get(cur) ?? null) path.push(cur);
      path.reverse(); // from the resource of `from` to the one of `to`
      const child = project.resources.get(path[0]!)!;
      const domains: string[] = [];
      for (const step of path) {
        const dom = context.domainOf(step) ?? '(no domain)';
        if (domains[domains.length - 1] !== dom) domains.push(dom);
      }
      context.report({
        messageId: 'indirect',
        node: child.uniqueId,
        data: {
          childType: resourceTypeLabel(child.resourceType, true),
          child: display(child),
          from,
          parent: display(parent),
          to,
          via: domains.slice(1, -1).join(' → '),
          reason,
          path: path.map((p) => display(project.resources.get(p)!)).join(' → '),
          target: parent.uniqueId,
        },
        related: path.slice(1),
      });
    }
  }
}
