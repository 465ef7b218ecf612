import { z } from 'zod';
import {
  defineRule,
  displayName,
  metaValue,
  resourceTypeLabel,
  RESOURCE_TYPES,
  type Resource,
} from '../src/index.js';

const options = z.object({
  consumersMetaKey: z
    .string()
    .min(1)
    .default('steward.consumers')
    .describe(
      'The meta key (dotted for nested keys) under which a model lists the projects allowed to reference it.',
    ),
});

type Options = z.infer<typeof options>;

/** Every resource type that can reference a model, but tests and operations. */
const CHECKED_TYPES = RESOURCE_TYPES.filter(
  (t) => !['test', 'unit_test', 'operation', 'sql_operation'].includes(t),
);

type Allowlist = { kind: 'none' } | { kind: 'list'; projects: string[] } | { kind: 'invalid' };

/** A model's consumer allowlist: absent, a list of project names, or malformed. */
function allowlistOf(model: Resource, key: string): Allowlist {
  const value = metaValue(model.meta, key);
  if (value === undefined || value === null) return { kind: 'none' };
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.every((v): v is string => typeof v === 'string' && v.trim() !== ''))
    return { kind: 'list', projects: items.map((v) => v.trim()) };
  return { kind: 'invalid' };
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export default defineRule<Options>({
  id: 'cross-project-consumers',
  description:
    'A model that lists its consumer projects (meta.steward.consumers) is referenced from other projects only by those.',
  category: 'boundaries',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: CHECKED_TYPES,
  severity: 'error',
  recommended: true,
  options,
  identity: ['target'],
  messages: {
    notAllowed:
      "{{childType}} '{{child}}' of project {{childProject}} references '{{parent}}' of project {{parentProject}}, whose meta.{{key}} does not list {{childProject}} (allowed: {{allowed}}): ask {{parentProject}} to add {{childProject}} to meta.{{key}}, or stop referencing '{{parent}}'.",
    invalid:
      "Model '{{name}}' sets meta.{{key}} to {{value}}: it must be a list of dbt project names (or one name); until it is, the allowlist is not enforced.",
  },
  check(resource, context) {
    const key = context.options.consumersMetaKey;
    if (resource.resourceType === 'model') {
      const value = metaValue(resource.meta, key);
      if (allowlistOf(resource, key).kind === 'invalid')
        context.report({
          messageId: 'invalid',
          data: { name: displayName(resource), key, value: show(value), target: resource.uniqueId },
        });
    }
    for (const id of resource.dependsOn) {
      const parent = context.project.resources.get(id);
      if (!parent || parent.resourceType !== 'model') continue;
      if (parent.projectName === resource.projectName) continue;
      const allow = allowlistOf(parent, key);
      if (allow.kind !== 'list' || allow.projects.includes(resource.projectName)) continue;
      context.report({
        messageId: 'notAllowed',
        data: {
          childType: resourceTypeLabel(resource.resourceType, true),
          child: displayName(resource),
          childProject: resource.projectName,
          parent: displayName(parent),
          parentProject: parent.projectName,
          allowed:
            allow.projects.length === 0
              ? 'no other project'
              : [...new Set(allow.projects)].join(', '),
          key,
          target: parent.uniqueId,
        },
        related: [parent.uniqueId],
      });
    }
  },
});
