/**
 * The rule API. A rule is metadata plus a check that only reports facts: severity,
 * suppression and formatting belong to the engine (the ESLint model).
 */
import { z } from 'zod';
import type { LineageGraph } from '../graph/lineage.js';
import type { OwnerValue, Resource, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import type { DomainDeclaration, OwnersConfig } from './config.js';

export type Severity = 'error' | 'warn' | 'info';
export type SeverityOrOff = Severity | 'off';
export const SEVERITIES: readonly Severity[] = ['error', 'warn', 'info'];

export type RuleScope = 'node' | 'edge' | 'project';

/** A dependency: `child` depends on (refs, reads) `parent`. */
export interface Edge {
  parent: Resource;
  child: Resource;
}

export interface ReportDescriptor {
  messageId: string;
  /** Values for the message's {{placeholders}}; the rule's `identity` keys tell findings apart. */
  data?: Record<string, string | number | boolean | null>;
  /** The subject: defaults to the target node (node scope) or the edge's child (edge scope). */
  node?: string;
  /** Other resources involved: the other end of an edge, the path followed. */
  related?: string[];
  /**
   * For findings about a domain as a whole (coverage, cycles): the domain's name. Used when
   * `node` is not given; the finding's subject is then the domain.
   */
  domain?: string;
  /**
   * For findings about one dbt project as a whole, in a run over several (a mesh): its name.
   * Used when neither `node` nor `domain` is given; default: the first project.
   */
  project?: string;
}

export interface RuleContext<Options> {
  options: Options;
  project: Project;
  graph: LineageGraph;
  /** The resolved domain of a resource, or null. */
  domainOf(id: string): string | null;
  /** The resolved owner of a resource as declared (a string, or an object such as {name, email}), or null. */
  ownerOf(id: string): OwnerValue;
  /** The run's clock: use it instead of Date.now(), so runs are reproducible. */
  now: Date;
  /** The domains declared in the config (owners, description, public interface), by name. */
  declaredDomains: Readonly<Record<string, DomainDeclaration>>;
  /** The owners configuration (accepted formats, registry of known owners). */
  owners: Readonly<OwnersConfig>;
  /**
   * Whether another rule (or finding id) is enabled for a resource (or at the top level when
   * no resource is given): a composite rule leaves a defect to the single-purpose rule that
   * owns it when that one runs.
   */
  isEnabled(ruleId: string, resourceId?: string): boolean;
  /**
   * unique_ids picked by a dbt selector (memoized per run). A selector that matches nothing
   * gives an empty set; a malformed one throws SelectorError.
   */
  select(selector: string): ReadonlySet<string>;
  report(descriptor: ReportDescriptor): void;
}

interface RuleCommon<Options> {
  /** kebab-case, equal to the rule's file name. */
  id: string;
  /** One line. */
  description: string;
  category: string;
  resourceTypes: readonly ResourceType[];
  severity: Severity;
  /** Per messageId default severities, where they differ from `severity`. */
  messageSeverities?: Readonly<Record<string, Severity>>;
  recommended: boolean;
  /** Severity in the strict preset (default: error). Coverage thresholds, for one, stay warnings. */
  strictSeverity?: SeverityOrOff;
  /**
   * Only meaningful once domains exist: while no domain is configured and no resource declares
   * one, the engine skips the rule and prints one hint instead.
   */
  requiresDomains?: boolean;
  /** Message templates keyed by messageId, with {{placeholders}}. */
  messages: Readonly<Record<string, string>>;
  /** The `data` keys that tell two findings on the same subject apart (part of the fingerprint). */
  identity?: readonly string[];
  /** Options schema with defaults; unknown keys are an error. */
  options?: z.ZodType<Options>;
}

/**
 * What one check of a node or edge rule reads. `neighbours` promises: the target (an edge's
 * child), the resources it depends on and those that depend on it (tests and exposures
 * included), their domains, owners and this rule's settings, the groups, the options and
 * selections (`context.select`), the clock; and that it reports on its target only. Base
 * mode then takes the head's findings for a target where none of that differs between base
 * and head, instead of checking the base's copy again (docs/configuration.md). Left out: every
 * target is checked on both sides.
 */
export type RuleReach = 'neighbours';

export type NodeRule<Options = Record<string, never>> = RuleCommon<Options> & {
  scope: 'node';
  reach?: RuleReach;
  check(resource: Resource, context: RuleContext<Options>): void;
};
export type EdgeRule<Options = Record<string, never>> = RuleCommon<Options> & {
  scope: 'edge';
  reach?: RuleReach;
  check(edge: Edge, context: RuleContext<Options>): void;
};
export type ProjectRule<Options = Record<string, never>> = RuleCommon<Options> & {
  scope: 'project';
  check(project: Project, context: RuleContext<Options>): void;
};

export type Rule<Options = Record<string, never>> =
  NodeRule<Options> | EdgeRule<Options> | ProjectRule<Options>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a rule list holds rules of any options type
export type AnyRule = Rule<any>;

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of the {{placeholders}} in a message template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Declares a rule, checking its metadata once, when the module loads. */
export function defineRule<Options = Record<string, never>>(rule: Rule<Options>): Rule<Options> {
  if (!KEBAB.test(rule.id)) throw new Error(`rule id ${JSON.stringify(rule.id)} is not kebab-case`);
  if (!rule.description || rule.description.includes('\n'))
    throw new Error(`rule ${rule.id}: description must be one non-empty line`);
  if (Object.keys(rule.messages).length === 0) throw new Error(`rule ${rule.id}: no messages`);
  for (const id of Object.keys(rule.messageSeverities ?? {})) {
    if (!(id in rule.messages))
      throw new Error(`rule ${rule.id}: messageSeverities names unknown messageId ${id}`);
  }
  return rule;
}

/** Fills {{placeholders}}; a missing value stays visible as the placeholder itself. */
export function formatMessage(template: string, data: Record<string, unknown> | undefined): string {
  const parts = compiledTemplate(template);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 3) {
    const v = data?.[parts[i + 1]!];
    out +=
      v === undefined
        ? parts[i]!
        : typeof v === 'string'
          ? v
          : typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : JSON.stringify(v);
    out += parts[i + 2]!;
  }
  return out;
}

/**
 * A template split once at its placeholders: [text, (placeholder as written, key, text)*].
 * Findings number in the tens of thousands and share a few hundred templates; a regex replace
 * with a callback per finding was a visible share of a run.
 */
const compiledTemplates = new Map<string, string[]>();
function compiledTemplate(template: string): string[] {
  let parts = compiledTemplates.get(template);
  if (!parts) {
    parts = [];
    let last = 0;
    for (const m of template.matchAll(PLACEHOLDER)) {
      parts.push(template.slice(last, m.index), m[0], m[1]!);
      last = m.index + m[0].length;
    }
    parts.push(template.slice(last));
    // Unbounded templates (a caller formatting free text) must not grow the cache forever.
    if (compiledTemplates.size < 10_000) compiledTemplates.set(template, parts);
  }
  return parts;
}

/** Parses a rule's options (defaults applied, unknown keys rejected). */
export function parseRuleOptions<Options>(rule: Rule<Options>, raw: unknown): Options {
  if (!rule.options) {
    if (raw !== undefined && raw !== null && Object.keys(raw).length > 0) {
      throw new Error(`rule ${rule.id} takes no options, got ${Object.keys(raw).join(', ')}`);
    }
    return {} as Options;
  }
  const schema = rule.options instanceof z.ZodObject ? rule.options.strict() : rule.options;
  const res = schema.safeParse(raw ?? {});
  if (!res.success) {
    const issue = res.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '';
    throw new Error(
      `rule ${rule.id}: option ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`,
    );
  }
  return res.data as Options;
}
