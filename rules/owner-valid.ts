import {
  defineRule,
  groupOf,
  metaValue,
  parseOwner,
  resourceTypeLabel,
  type OwnerFormat,
  type ParsedOwner,
  type Resource,
  type RuleContext,
} from '../src/index.js';

/** Where the resolved owner was declared, as far as the rule can tell (for the message). */
function ownerOrigin(resource: Resource, owner: unknown, context: RuleContext<unknown>): string {
  const group = groupOf(context.project, resource);
  if (group && owner === group.owner) return `the owner of group ${group.name}`;
  if (resource.resourceType === 'exposure' && owner === resource.owner) return 'the exposure owner';
  for (const step of context.owners.resolution) {
    if (step.kind !== 'meta') continue;
    if (metaValue(resource.meta, step.key) === owner) return `meta.${step.key}`;
  }
  const domain = context.domainOf(resource.uniqueId);
  if (domain !== null && Object.prototype.hasOwnProperty.call(context.declaredDomains, domain))
    return `the owners of domain ${domain}`;
  return 'its owner';
}

const parsedMemo = new WeakMap<object, Map<string, ParsedOwner>>();

const FORMAT_LABEL: Record<OwnerFormat, string> = {
  email: 'an e-mail address',
  handle: 'an @handle',
  name: 'a name',
};

export default defineRule({
  id: 'owner-valid',
  description:
    'Owners are well formed: e-mail addresses and @handles parse, in an accepted format, and known when an owner registry is required.',
  category: 'ownership',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model', 'seed', 'snapshot', 'source', 'exposure'],
  severity: 'warn',
  recommended: true,
  identity: ['owner'],
  messages: {
    badEmail:
      "{{type}} '{{name}}' has the owner '{{owner}}' ({{origin}}), which is not a well-formed e-mail address.",
    badHandle:
      "{{type}} '{{name}}' has the owner '{{owner}}' ({{origin}}), which is not a well-formed @handle (@user or @org/team).",
    format:
      "{{type}} '{{name}}' has the owner '{{owner}}' ({{origin}}), which is {{format}}; owners.formats accepts {{accepted}}.",
    unknown:
      "{{type}} '{{name}}' has the owner '{{owner}}' ({{origin}}), which is not in the owner registry (owners.registry.known).",
    unreadable:
      "{{type}} '{{name}}' has an owner ({{origin}}) that is {{owner}}, not an e-mail address, an @handle or a name.",
  },
  check(resource, context) {
    const owner = context.ownerOf(resource.uniqueId);
    if (owner === null || owner === undefined) return;
    // Owners repeat across resources: each owner text parsed once per run (this context).
    let parsedByText = parsedMemo.get(context);
    if (!parsedByText) parsedMemo.set(context, (parsedByText = new Map<string, ParsedOwner>()));
    let parsed = typeof owner === 'string' ? parsedByText.get(owner) : undefined;
    if (!parsed) {
      parsed = parseOwner(owner);
      if (typeof owner === 'string') parsedByText.set(owner, parsed);
    }
    // Most owners are valid: the message's base data is built only for a finding.
    let baseMemo: { type: string; name: string } | null = null;
    const base = () =>
      (baseMemo ??= { type: resourceTypeLabel(resource.resourceType, true), name: resource.name });
    let originMemo: string | null = null;
    const origin = () => (originMemo ??= ownerOrigin(resource, owner, context));
    for (const what of parsed.unreadable)
      context.report({
        messageId: 'unreadable',
        data: { ...base(), owner: what, origin: origin() },
      });

    const formats = context.owners.formats;
    const registry = context.owners.registry;
    // Registry entries are compared as text, case-insensitively, whatever their kind.
    const fold = (t: string) => t.trim().replace(/\s+/g, ' ').toLowerCase();
    const known = registry?.require ? new Set(registry.known.map(fold)) : null;

    for (const entry of parsed.owners) {
      let malformed = false;
      for (const id of entry.identities) {
        if (id.wellFormed) continue;
        malformed = true;
        context.report({
          messageId: id.kind === 'handle' ? 'badHandle' : 'badEmail',
          data: { ...base(), owner: id.value, origin: origin() },
        });
      }
      if (malformed) continue;
      if (!entry.identities.some((id) => formats.includes(id.kind))) {
        const kind = entry.identities[0]!.kind;
        context.report({
          messageId: 'format',
          data: {
            ...base(),
            owner: entry.text,
            origin: origin(),
            format: FORMAT_LABEL[kind],
            accepted: formats.length > 0 ? formats.join(', ') : 'nothing',
          },
        });
        continue;
      }
      if (known && !entry.identities.some((id) => known.has(fold(id.value))))
        context.report({
          messageId: 'unknown',
          data: { ...base(), owner: entry.text, origin: origin() },
        });
    }
  },
});
