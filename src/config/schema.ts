/**
 * The config file's structure (dbt-steward.yml / .yaml / .json) as a zod schema: the source
 * of the structural validation and of the published JSON Schema (schemas/config.schema.json,
 * `npm run schemas`). What needs the rule registry (rule ids, rule options, messageIds) is
 * checked afterwards by load.ts.
 */
import { z } from 'zod';
import { RESOURCE_TYPES } from '../model.js';
import { suggestion } from './suggest.js';

export const SEVERITY_VALUES = ['off', 'info', 'warn', 'error'] as const;

const severity = z
  .enum(SEVERITY_VALUES)
  .describe('off, info, warn or error. A finding at error fails the run.');

const stringOrList = z
  .union([z.string(), z.array(z.string())], { error: 'expected a string or a list of strings' })
  .describe('A string or a list of strings.');

const ruleOptions = z
  .looseObject({
    messageSeverities: z
      .record(z.string(), severity)
      .optional()
      .describe('Severity per messageId of the rule, where it should differ from the rule.'),
  })
  .describe("The rule's options (see the rule's documentation).");

export const ruleSettingSchema = z
  .union([severity, z.tuple([severity]), z.tuple([severity, ruleOptions])], {
    error: 'expected a severity (off, info, warn, error), [severity] or [severity, {options}]',
  })
  .describe('A severity, [severity] or [severity, options].');

const rulesSchema = z
  .record(z.string(), ruleSettingSchema)
  .describe('Rule settings by rule id (run `dbt-steward rules` to list them).');

export const domainStepSchema = z
  .union(
    [
      z.enum(['group', 'package', 'project']),
      z.strictObject({
        meta: z.string().min(1).describe('A meta key; a dotted path reads nested keys.'),
      }),
      z.strictObject({
        path: z
          .string()
          .regex(/\{domain\}/, { error: 'a path step needs a {domain} placeholder' })
          .describe('A path pattern with a {domain} placeholder: models/{domain}/**'),
      }),
      z.strictObject({
        tag: z.string().min(1).describe('A tag prefix; the rest of the tag is the domain.'),
      }),
    ],
    {
      error:
        'expected a domain step: group, package, project, {meta: KEY}, {path: "PATTERN with {domain}"} or {tag: PREFIX}',
    },
  )
  .describe('One step of the domain resolution chain.');

export const ownerStepSchema = z
  .union(
    [
      z.enum(['exposure', 'group', 'domain', 'codeowners']),
      z.strictObject({
        meta: z.string().min(1).describe('A meta key; a dotted path reads nested keys.'),
      }),
      z.strictObject({
        codeowners: z
          .string()
          .min(1)
          .describe('Path of a CODEOWNERS file, relative to the config file.'),
      }),
    ],
    {
      error:
        'expected an owner step: exposure, group, domain, codeowners, {meta: KEY} or {codeowners: FILE}',
    },
  )
  .describe('One step of the owner resolution chain.');

const OVERRIDE_CRITERIA = ['files', 'domains', 'tags', 'packages', 'resourceTypes', 'select'];

export const overrideSchema = z
  .strictObject({
    files: stringOrList
      .optional()
      .describe("Globs against a resource's SQL or YAML path, relative to the dbt project."),
    domains: stringOrList.optional().describe('Domain names.'),
    tags: stringOrList.optional().describe('dbt tags.'),
    packages: stringOrList.optional().describe('dbt package names.'),
    resourceTypes: z
      .union([z.enum(RESOURCE_TYPES), z.array(z.enum(RESOURCE_TYPES))])
      .optional()
      .describe('dbt resource types: model, seed, snapshot, source, exposure, …'),
    select: z.string().optional().describe('dbt selection syntax: "tag:pii path:models/legacy".'),
    rules: rulesSchema,
  })
  .describe(
    `Rule settings for the resources matching every given criterion (${OVERRIDE_CRITERIA.join(', ')}).`,
  );

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const waiverSchema = z
  .strictObject({
    rule: z.string().describe('The rule (or finding) id it waives.'),
    messageId: z.string().optional().describe('Only findings with this messageId.'),
    select: z.string().optional().describe('dbt selection syntax for the subjects it covers.'),
    paths: stringOrList.optional().describe("Globs against the subject's SQL or YAML path."),
    domains: stringOrList.optional().describe('Domain names.'),
    to: stringOrList
      .optional()
      .describe('Edge findings: only those whose other end is one of these names or unique_ids.'),
    reason: z.string().nullish().describe('Why the findings are acceptable (required).'),
    expires: z
      .string()
      .regex(DATE, { error: 'expected a date as YYYY-MM-DD' })
      .nullish()
      .describe('Last day the waiver applies (YYYY-MM-DD, UTC).'),
  })
  .describe('A waiver: findings of a rule that are accepted, with a reason and an expiry date.');

const declaredDomainSchema = z
  .strictObject({
    owners: stringOrList.optional(),
    description: z.string().optional(),
    public: stringOrList
      .optional()
      .describe('The public interface: dbt selectors such as fct_* or path:models/x/marts.'),
  })
  .describe('A declared domain.');

const configShape = {
  $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
  extends: stringOrList
    .optional()
    .describe(
      'Configurations this one builds on, in order: dbt-steward:recommended|strict|all, a relative file, an npm package or PLUGIN:PRESET.',
    ),
  plugins: stringOrList
    .optional()
    .describe('Plugins: paths relative to this file, or npm package names.'),
  rules: rulesSchema.nullish(),
  overrides: z
    .array(overrideSchema)
    .nullish()
    .describe('Rule settings for some resources; later entries win.'),
  domains: z
    .strictObject({
      resolution: z
        .array(domainStepSchema)
        .optional()
        .describe('Where a resource\u2019s domain comes from, first match wins.'),
      declared: z.record(z.string(), declaredDomainSchema).nullish(),
    })
    .nullish(),
  owners: z
    .strictObject({
      resolution: z
        .array(ownerStepSchema)
        .optional()
        .describe('Where a resource\u2019s owner comes from, first match wins.'),
      formats: z
        .array(z.enum(['email', 'handle', 'name']))
        .optional()
        .describe('Accepted owner formats.'),
      registry: z
        .strictObject({
          known: z.array(z.string()),
          require: z
            .boolean()
            .optional()
            .describe('An owner that is not listed is a finding (default: true).'),
        })
        .nullish()
        .describe('Known owners.'),
    })
    .nullish(),
  waivers: z.array(waiverSchema).nullish(),
  mesh: z
    .strictObject({
      projects: z
        .array(
          z
            .strictObject({
              path: z
                .string()
                .describe(
                  'The dbt project directory (or a manifest.json, or a directory holding one), relative to this file.',
                ),
              domain: z
                .string()
                .optional()
                .describe(
                  "The project's default domain: the `project` step of the domain chain gives it instead of the project name.",
                ),
              base: z
                .string()
                .optional()
                .describe(
                  'What `check --base` compares this project with when no --base is given: a git ref, a manifest or a directory holding one (relative to this file).',
                ),
            })
            .describe('One dbt project of the mesh.'),
        )
        .describe('The projects checked together when no input is given on the command line.'),
    })
    .nullish()
    .describe('Several dbt projects governed as one graph (one project per domain).'),
  baseline: z
    .string()
    .nullish()
    .describe('The baseline file of accepted findings, relative to this file.'),
};

/** A config file. */
export const configFileSchema = z
  .strictObject(configShape)
  .meta({ title: 'dbt-steward configuration' })
  .describe('Configuration of dbt-steward (dbt-steward.yml, .yaml or .json).');

/** A preset exported by a plugin: a config file without `plugins`. */
export const presetSchema = configFileSchema.omit({ plugins: true, $schema: true });

export type ConfigFile = z.infer<typeof configFileSchema>;
export type RuleSettingInput = z.infer<typeof ruleSettingSchema>;
export type DomainStepInput = z.infer<typeof domainStepSchema>;
export type OwnerStepInput = z.infer<typeof ownerStepSchema>;
export type OverrideInput = z.infer<typeof overrideSchema>;
export type WaiverInput = z.infer<typeof waiverSchema>;

/** The JSON Schema of the config file (draft 2020-12), published as schemas/config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { target: 'draft-2020-12', io: 'input' });
}

// ---------------------------------------------------------------------------------------
// Turning zod issues into one-line messages.

export type KeyPath = readonly (string | number)[];

export interface PathMessage {
  path: KeyPath;
  message: string;
}

type Issue = z.core.$ZodIssue;

function expand(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return expand(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodDefault) return expand(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(expand);
  return [schema];
}

/** The schemas that can apply at `path` under `root` (several through unions). */
function schemasAt(root: z.ZodType, path: KeyPath): z.ZodType[] {
  let current = expand(root);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      if (s instanceof z.ZodObject && typeof seg === 'string') {
        const field = (s.shape as Record<string, z.ZodType>)[seg];
        if (field) next.push(field);
      } else if (s instanceof z.ZodArray && typeof seg === 'number') {
        next.push(s.element as z.ZodType);
      } else if (s instanceof z.ZodTuple && typeof seg === 'number') {
        const item = (s.def.items as z.ZodType[])[seg];
        if (item) next.push(item);
      } else if (s instanceof z.ZodRecord && typeof seg === 'string') {
        next.push(s.def.valueType as z.ZodType);
      }
    }
    current = next.flatMap(expand);
  }
  return current;
}

/** The keys an object at `path` may have. */
export function allowedKeys(root: z.ZodType, path: KeyPath): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(root, path)) {
    if (s instanceof z.ZodObject) for (const k of Object.keys(s.shape)) keys.add(k);
  }
  return [...keys];
}

function valueAt(value: unknown, path: KeyPath): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** How a value reads in a message: `a string`, `a list`, `null`. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
};

function isDefaultUnionMessage(message: string): boolean {
  return message === 'Invalid input';
}

function depth(issues: readonly Issue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

/** Picks the union branch the input was evidently meant for, or null when unclear. */
function pickBranch(errors: readonly (readonly Issue[])[]): readonly Issue[] | null {
  const typed = errors.filter(
    (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  if (typed.length === 1) return typed[0]!;
  if (typed.length === 0) return null;
  const deepest = Math.max(...typed.map(depth));
  const deep = typed.filter((b) => depth(b) === deepest);
  if (deepest > 0 && deep.length > 1) {
    const fewest = Math.min(...deep.map((b) => b.length));
    const few = deep.filter((b) => b.length === fewest);
    return few.length === 1 ? few[0]! : null;
  }
  return deep.length === 1 && deepest > 0 ? deep[0]! : null;
}

function issueMessages(
  issue: Issue,
  base: KeyPath,
  root: unknown,
  schema: z.ZodType,
): PathMessage[] {
  const path: KeyPath = [...base, ...(issue.path as (string | number)[])];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown key${suggestion(key, allowed)}${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      }));
    }
    case 'invalid_type': {
      if (value === undefined) return [{ path, message: 'required key is missing' }];
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [{ path, message: `expected ${expected}, got ${kindOf(value)}` }];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const hint = typeof value === 'string' ? suggestion(value, values) : '';
      return [
        {
          path,
          message: `invalid value ${JSON.stringify(value)}${hint}; expected one of ${values.join(', ')}`,
        },
      ];
    }
    case 'invalid_union': {
      const branch = pickBranch(issue.errors);
      // A bare word that matches no listed value: the union's own message lists every form.
      const onlyBadWord =
        branch !== null &&
        !isDefaultUnionMessage(issue.message) &&
        branch.every((i) => i.code === 'invalid_value' && i.path.length === 0);
      if (branch && !onlyBadWord)
        return branch.flatMap((i) => issueMessages(i, path, root, schema));
      let message = isDefaultUnionMessage(issue.message)
        ? `expected ${issue.errors.length} kinds of value, got ${kindOf(value)}`
        : issue.message;
      if (typeof value === 'string') {
        const words = issue.errors.flatMap((b) =>
          b.flatMap((i) => (i.code === 'invalid_value' ? i.values.map(String) : [])),
        );
        const hint = suggestion(value, words);
        if (hint) message = `invalid value ${JSON.stringify(value)}${hint}; ${message}`;
      }
      return [{ path, message }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/**
 * Validates `value` against `schema`: the parsed data, or one message per problem (with
 * the key path it concerns).
 */
export function validateWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
): { ok: true; data: T } | { ok: false; problems: PathMessage[] } {
  const res = schema.safeParse(value);
  if (res.success) return { ok: true, data: res.data };
  return {
    ok: false,
    problems: res.error.issues.flatMap((i) => issueMessages(i, [], value, schema)),
  };
}

/** `overrides[1].rules.owner-present`; odd keys quoted: `domains.declared["a b"]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_$][A-Za-z0-9_$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
