import {
  comparableOwners,
  defineRule,
  groupOf,
  metaValue,
  ownerLabel,
  parseOwner,
  resourceTypeLabel,
  sameOwner,
  type Group,
} from '../src/index.js';

export default defineRule({
  id: 'owner-consistent',
  description:
    "A model's meta owner agrees with its dbt group's owner, and a resource's owner is one of its declared domain's owners.",
  category: 'ownership',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model', 'seed', 'snapshot', 'source', 'exposure'],
  severity: 'warn',
  recommended: true,
  messages: {
    groupMismatch:
      "{{type}} '{{name}}' has {{key}} '{{owner}}', but its group '{{group}}' is owned by '{{groupOwner}}': make them agree, or drop {{key}} and let the group own it.",
    notDomainOwner:
      "{{type}} '{{name}}' is owned by '{{owner}}', who is not an owner of its domain '{{domain}}' ({{domainOwners}}).",
  },
  check(resource, context) {
    const memo = memoOf(context);
    let base: { type: string; name: string } | null = null;
    const baseData = () =>
      (base ??= { type: resourceTypeLabel(resource.resourceType, true), name: resource.name });

    // 1. The resource's own meta owner against its dbt group's owner.
    const metaStep = context.owners.resolution.find((s) => s.kind === 'meta');
    const group = groupOf(context.project, resource);
    if (metaStep && group && group.owner) {
      const value = metaValue(resource.meta, metaStep.key);
      let byValue = memo.groupChecks.get(group);
      if (!byValue) memo.groupChecks.set(group, (byValue = new Map<string, Mismatch | null>()));
      // The verdict depends on the meta value and the group only: decided once per pair.
      let mismatch = typeof value === 'string' ? byValue.get(value) : undefined;
      if (mismatch === undefined) {
        const own = parseOwner(value).owners;
        const theirs = parseOwner(group.owner).owners;
        const comparable = own.some((a) => theirs.some((b) => comparableOwners(a, b)));
        const agree = own.some((a) => theirs.some((b) => sameOwner(a, b)));
        mismatch =
          own.length > 0 && theirs.length > 0 && comparable && !agree
            ? {
                owner: own.map((o) => o.text).join(', '),
                groupOwner: theirs.map((o) => o.text).join(', '),
              }
            : null;
        if (typeof value === 'string') byValue.set(value, mismatch);
      }
      if (mismatch)
        context.report({
          messageId: 'groupMismatch',
          data: {
            ...baseData(),
            key: `meta.${metaStep.key}`,
            owner: mismatch.owner,
            group: group.name,
            groupOwner: mismatch.groupOwner,
          },
        });
    }

    // 2. The resolved owner against the declared owners of the resource's domain.
    const domain = context.domainOf(resource.uniqueId);
    if (domain === null || !Object.prototype.hasOwnProperty.call(context.declaredDomains, domain))
      return;
    const declared = context.declaredDomains[domain]!.owners.filter((o) => o.trim() !== '');
    if (declared.length === 0) return;
    const owner = context.ownerOf(resource.uniqueId);
    let byOwner = memo.domainChecks.get(domain);
    if (!byOwner) memo.domainChecks.set(domain, (byOwner = new Map<string, boolean>()));
    // Whether the owner is one of the domain's: decided once per (domain, owner text).
    let agrees = typeof owner === 'string' ? byOwner.get(owner) : undefined;
    if (agrees === undefined) {
      const owners = parseOwner(owner).owners;
      const domainOwners = parseOwner(declared).owners;
      agrees = owners.length === 0 || owners.some((o) => domainOwners.some((d) => sameOwner(o, d)));
      if (typeof owner === 'string') byOwner.set(owner, agrees);
    }
    if (agrees) return;
    context.report({
      messageId: 'notDomainOwner',
      data: { ...baseData(), owner: ownerLabel(owner), domain, domainOwners: declared.join(', ') },
    });
  },
});

interface Mismatch {
  owner: string;
  groupOwner: string;
}

/** Verdicts of one run (one rule context), shared by its targets. */
interface RunMemo {
  groupChecks: Map<Group, Map<string, Mismatch | null>>;
  domainChecks: Map<string, Map<string, boolean>>;
}
const memos = new WeakMap<object, RunMemo>();
function memoOf(context: object): RunMemo {
  let m = memos.get(context);
  if (!m) memos.set(context, (m = { groupChecks: new Map(), domainChecks: new Map() }));
  return m;
}
