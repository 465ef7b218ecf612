/**
 * A rule's options and messages as documentation, computed from the rule itself: the zod
 * options schema (through its JSON Schema) gives each key's type and description, parsing an
 * empty object gives the defaults. Printed by `dbt-steward rules ID` after the rule's doc.
 */
import { z } from 'zod';
import type { RegistryEntry } from '../engine/registry.js';
import type { AnyRule, Severity } from '../engine/rule.js';

export interface RuleOptionInfo {
  key: string;
  /** A TypeScript-like type: `string`, `integer`, `'a' | 'b'`, `string[]`. */
  type: string;
  /** The default (undefined when the option has none). */
  default?: unknown;
  required: boolean;
  description: string;
}

export interface RuleMessageInfo {
  messageId: string;
  severity: Severity;
  template: string;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  description?: string;
  default?: unknown;
};

/** The rule's options, in the order its schema declares them; empty when it takes none. */
export function ruleOptions(rule: AnyRule): RuleOptionInfo[] {
  if (!rule.options) return [];
  const schema = z.toJSONSchema(rule.options, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const parsed = rule.options.safeParse({});
  const defaults: Record<string, unknown> =
    parsed.success && parsed.data !== null && typeof parsed.data === 'object'
      ? (parsed.data as Record<string, unknown>)
      : {};
  if (!schema.properties) {
    return [
      {
        key: '(options)',
        type: typeText(schema),
        required: false,
        description: schema.description ?? '',
      },
    ];
  }
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([key, prop]) => {
    const info: RuleOptionInfo = {
      key,
      type: typeText(prop),
      required: required.has(key) && !(key in defaults),
      description: prop.description ?? '',
    };
    const value = key in defaults ? defaults[key] : prop.default;
    if (value !== undefined) info.default = value;
    return info;
  });
}

/** Every message of an entry with its default severity. */
export function entryMessages(entry: RegistryEntry): RuleMessageInfo[] {
  return Object.entries(entry.messages).map(([messageId, template]) => ({
    messageId,
    severity: entry.messageSeverities[messageId] ?? entry.severity,
    template,
  }));
}

function typeText(s: JsonSchema | boolean | undefined): string {
  if (s === undefined || s === true) return 'unknown';
  if (s === false) return 'never';
  if (s.const !== undefined) return JSON.stringify(s.const).replace(/"/g, "'");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v).replace(/"/g, "'")).join(' | ');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return [...new Set(alternatives.map(typeText))].join(' | ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length === 0) return 'unknown';
  return types
    .map((t) => {
      if (t === 'array') {
        const item = typeText(s.items);
        return item.includes(' ') ? `(${item})[]` : `${item}[]`;
      }
      if (t === 'object') {
        if (s.properties) return `{ ${Object.keys(s.properties).join(', ')} }`;
        if (s.additionalProperties && typeof s.additionalProperties === 'object')
          return `Record<string, ${typeText(s.additionalProperties)}>`;
        return 'object';
      }
      return t;
    })
    .join(' | ');
}

/**
 * The generated "Options and defaults" block (Markdown that reads as plain text): every
 * option with its type, default and description, then every message with its severity.
 */
export function formatRuleOptions(entry: RegistryEntry): string {
  const lines: string[] = ['## Options and defaults (generated)', ''];
  const options = entry.rule ? ruleOptions(entry.rule) : [];
  if (options.length === 0) lines.push('No options.');
  for (const o of options) {
    const parts = [o.type];
    if (o.required) parts.push('required');
    else if (o.default !== undefined) parts.push(`default: ${JSON.stringify(o.default)}`);
    lines.push(`- \`${o.key}\` (${parts.join(', ')})${o.description ? `: ${o.description}` : ''}`);
  }
  lines.push('', '## Messages (generated)', '');
  for (const m of entryMessages(entry))
    lines.push(`- \`${m.messageId}\` (${m.severity}): ${m.template}`);
  return lines.join('\n') + '\n';
}
