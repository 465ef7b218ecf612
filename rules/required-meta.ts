import { z } from 'zod';
import { defineRule, displayName, metaValue, RESOURCE_TYPES } from '../src/index.js';

function validRegex(s: string): boolean {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
}

const keySpec = z
  .object({
    type: z
      .enum(['string', 'number', 'boolean', 'list', 'email', 'date'])
      .optional()
      .describe(
        "The value's type: string, number, boolean, list, email (an e-mail address) or date (YYYY-MM-DD). A list value is checked element by element for email and date.",
      ),
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .describe('The allowed values (each element of a list value must be one of them).'),
    regex: z
      .string()
      .refine(validRegex, { message: 'is not a valid regular expression' })
      .optional()
      .describe(
        'A regular expression the value (each element of a list) must match; anchor it with ^…$ to match it whole.',
      ),
    nonEmpty: z
      .boolean()
      .optional()
      .describe(
        'The value must not be blank: no empty or whitespace-only string, empty list or empty mapping.',
      ),
  })
  .strict();

type KeySpec = z.infer<typeof keySpec>;

const requirement = z
  .object({
    select: z
      .string()
      .optional()
      .describe('A dbt selector of the resources the keys are required on (default: every model).'),
    keys: z
      .union([z.array(z.string().min(1)), z.record(z.string().min(1), keySpec.nullable())])
      .describe(
        'The required meta keys (dotted for nested keys: steward.tier), as a list or as a mapping of key to the checks its value must pass.',
      ),
  })
  .strict();

const options = z.object({
  requirements: z
    .array(requirement)
    .default([])
    .describe('Which meta keys are required where, and what their values must look like.'),
});

type Options = z.infer<typeof options>;

const KIND: Record<string, string> = {
  model: 'Model',
  seed: 'Seed',
  snapshot: 'Snapshot',
  source: 'Source table',
  exposure: 'Exposure',
  metric: 'Metric',
  semantic_model: 'Semantic model',
  saved_query: 'Saved query',
  analysis: 'Analysis',
  function: 'Function',
};

/** Every resource type but tests and operations. */
const CHECKED_TYPES = RESOURCE_TYPES.filter(
  (t) => !['test', 'unit_test', 'operation', 'sql_operation'].includes(t),
);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(v: unknown): boolean {
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (typeof v !== 'string') return false;
  const m = DATE.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function isBlank(v: unknown): boolean {
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (v !== null && typeof v === 'object' && !(v instanceof Date))
    return Object.keys(v).length === 0;
  return false;
}

function show(v: unknown): string {
  let s: string;
  if (v instanceof Date) s = v.toISOString().slice(0, 10);
  else if (typeof v === 'string') s = JSON.stringify(v);
  else s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** What is wrong with one element (a scalar, or an element of a list value), if anything. */
function elementProblem(v: unknown, spec: KeySpec): string | null {
  if (spec.type === 'email' && !(typeof v === 'string' && EMAIL.test(v)))
    return 'is not an e-mail address';
  if (spec.type === 'date' && !isDate(v)) return 'is not a date (YYYY-MM-DD)';
  if (spec.enum && !spec.enum.some((allowed) => allowed === v))
    return `is not one of ${spec.enum.map((e) => String(e)).join(', ')}`;
  if (spec.regex !== undefined) {
    const text = scalarText(v);
    if (text === null || !new RegExp(spec.regex, 'u').test(text))
      return `does not match /${spec.regex}/`;
  }
  return null;
}

/** What is wrong with a present value, if anything. */
function problemOf(v: unknown, spec: KeySpec): string | null {
  if (spec.nonEmpty && isBlank(v)) return 'is empty';
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string') return 'is not a string';
      break;
    case 'number':
      if (typeof v !== 'number') return 'is not a number';
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return 'is not a boolean';
      break;
    case 'list':
      if (!Array.isArray(v)) return 'is not a list';
      break;
    default:
      break;
  }
  const elements = Array.isArray(v) ? v : [v];
  for (const e of elements) {
    const p = elementProblem(e, spec);
    if (p !== null) return Array.isArray(v) ? `has an element that ${p}` : p;
  }
  return null;
}

interface KeyRule {
  requirement: string;
  specs: KeySpec[];
}

export default defineRule<Options>({
  id: 'required-meta',
  description:
    'Resources carry the meta keys the configuration requires (per dbt selector), with valid values: enum, regex, e-mail, date, non-empty.',
  category: 'metadata',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: CHECKED_TYPES,
  severity: 'warn',
  recommended: false,
  messages: {
    missing:
      "{{kind}} '{{name}}' has no meta.{{key}}, which is required for {{requirement}}: set it under meta (or config.meta) in its YAML, or with +meta in dbt_project.yml.",
    invalid: "{{kind}} '{{name}}' has meta.{{key}} = {{value}}, which {{problem}}.",
  },
  identity: ['key'],
  options,
  check(resource, context) {
    const keys = new Map<string, KeyRule>();
    for (const req of context.options.requirements) {
      const picked =
        req.select === undefined
          ? resource.resourceType === 'model'
          : context.select(req.select).has(resource.uniqueId);
      if (!picked) continue;
      const entries: Array<[string, KeySpec | null]> = Array.isArray(req.keys)
        ? req.keys.map((k) => [k, null])
        : Object.entries(req.keys);
      for (const [key, spec] of entries) {
        let k = keys.get(key);
        if (!k) {
          k = { requirement: req.select ?? 'every model', specs: [] };
          keys.set(key, k);
        }
        if (spec) k.specs.push(spec);
      }
    }
    if (keys.size === 0) return;
    const kind = KIND[resource.resourceType] ?? resource.resourceType;
    const name = displayName(resource);
    for (const [key, k] of keys) {
      const value = metaValue(resource.meta, key);
      if (value === undefined || value === null) {
        context.report({
          messageId: 'missing',
          data: { kind, name, key, requirement: k.requirement },
        });
        continue;
      }
      for (const spec of k.specs) {
        const problem = problemOf(value, spec);
        if (problem === null) continue;
        context.report({
          messageId: 'invalid',
          data: { kind, name, key, value: show(value), problem },
        });
        break;
      }
    }
  },
});
