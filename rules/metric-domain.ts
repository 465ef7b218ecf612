import { defineRule, type Resource } from '../src/index.js';

const KIND: Record<string, string> = { metric: 'Metric', semantic_model: 'Semantic model' };

/** A metric's label, when the loaded model carries one. */
function labelOf(r: Resource): string | null {
  const label = (r as Resource & { label?: unknown }).label;
  return typeof label === 'string' && label.trim() !== '' ? label : null;
}

/** Names and labels compare case-, space- and underscore-insensitively. */
function key(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

export default defineRule({
  id: 'metric-domain',
  description:
    'Every metric and semantic model belongs to a domain, and no metric name or label is defined in two domains.',
  category: 'semantics',
  scope: 'project',
  resourceTypes: ['metric', 'semantic_model'],
  severity: 'warn',
  recommended: true,
  requiresDomains: true,
  messages: {
    domain:
      "{{kind}} '{{name}}' has no domain: set `config: {meta: {domain: …}}` or put it in a dbt group, so that its definition has a home.",
    fragmented:
      "Metric {{by}} '{{value}}' is defined in {{count}} domains ({{domains}}: {{metrics}}): agree on one definition, owned by one domain, and let the others reference it.",
  },
  check(project, context) {
    const own = new Set(project.projects.map((p) => p.name));
    const isOwn = (r: Resource) => !r.external && own.has(r.packageName);
    const semantic = [...project.resources.values()]
      .filter((r) => r.resourceType === 'metric' || r.resourceType === 'semantic_model')
      .sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0));

    for (const r of semantic) {
      if (isOwn(r) && context.domainOf(r.uniqueId) === null)
        context.report({
          messageId: 'domain',
          node: r.uniqueId,
          data: { kind: KIND[r.resourceType] ?? r.resourceType, name: r.name },
        });
    }

    // The same name (or label) in several domains: one finding per name, on the first of
    // the checked project's metrics; metrics of packages and other loaded projects count as
    // the other definitions.
    const reported = new Set<string>();
    for (const by of ['name', 'label'] as const) {
      const groups = new Map<string, { value: string; metrics: Resource[] }>();
      for (const r of semantic) {
        if (r.resourceType !== 'metric' || context.domainOf(r.uniqueId) === null) continue;
        const value = by === 'name' ? r.name : labelOf(r);
        if (value === null) continue;
        const k = key(value);
        const g = groups.get(k) ?? { value, metrics: [] };
        g.metrics.push(r);
        groups.set(k, g);
      }
      for (const { value, metrics } of groups.values()) {
        const domains = [...new Set(metrics.map((m) => context.domainOf(m.uniqueId)!))].sort();
        if (domains.length < 2) continue;
        const subject = metrics.find(isOwn);
        if (!subject) continue;
        const signature = metrics.map((m) => m.uniqueId).join('\0');
        // A clash by label between the metrics already reported by name says nothing new.
        if (reported.has(signature)) continue;
        reported.add(signature);
        context.report({
          messageId: 'fragmented',
          node: subject.uniqueId,
          related: metrics.filter((m) => m !== subject).map((m) => m.uniqueId),
          data: {
            by,
            value,
            count: domains.length,
            domains: domains.join(', '),
            metrics: metrics
              .map((m) => `${m.packageName}.${m.name} in ${context.domainOf(m.uniqueId)!}`)
              .join(', '),
          },
        });
      }
    }
  },
});
