/**
 * The registry of every finding id the tool can emit: the rules' and the engine's and
 * loader's own (waivers, baseline, domain conflicts, parse errors, breaking changes). One
 * place for kinds, default severities and presets, read by the config, `dbt-steward rules`
 * and the generated rules/README.md.
 */
import type { Origin, RuleEntry } from './config.js';
import type { AnyRule, Severity, SeverityOrOff } from './rule.js';

export type FindingKind = 'rule' | 'engine' | 'loader';
export type PresetName = 'recommended' | 'strict' | 'all';
export const PRESETS: readonly PresetName[] = ['recommended', 'strict', 'all'];

export interface RegistryEntry {
  id: string;
  kind: FindingKind;
  description: string;
  category: string;
  severity: Severity;
  messageSeverities: Readonly<Record<string, Severity>>;
  messages: Readonly<Record<string, string>>;
  /** The severity in each built-in preset ('off' when not in it). */
  presets: Readonly<Record<PresetName, SeverityOrOff>>;
  /** Set for rules. */
  rule?: AnyRule;
  /** The `data` keys that tell two findings on one subject apart (part of the fingerprint). */
  identity: readonly string[];
  /** Only meaningful once domains exist (configured, or declared by some resource). */
  requiresDomains: boolean;
  /** Where the documentation is, relative to the package root. */
  doc: string;
}

interface EngineFindingSpec {
  id: string;
  kind: FindingKind;
  description: string;
  category: string;
  severity: Severity;
  recommended: boolean;
  messages: Record<string, string>;
  identity?: readonly string[];
  requiresDomains?: boolean;
}

/** Findings the engine and the loader emit themselves. Their docs live in docs/findings/. */
const ENGINE_FINDINGS: readonly EngineFindingSpec[] = [
  {
    id: 'domain-conflict',
    kind: 'engine',
    identity: ['otherVia'],
    description: 'Two steps of the domain resolution chain give a resource different domains.',
    category: 'domains',
    severity: 'warn',
    recommended: true,
    requiresDomains: true,
    messages: {
      conflict:
        "'{{name}}' is in domain '{{domain}}' by {{via}}, but {{otherVia}} says '{{other}}'.",
    },
  },
  {
    id: 'waiver-invalid',
    kind: 'engine',
    identity: ['origin'],
    description: 'A waiver is malformed: no reason, an unknown rule or messageId, or a bad date.',
    category: 'waivers',
    severity: 'error',
    recommended: true,
    messages: {
      invalid: 'Waiver for {{rule}} on {{subject}} is not applied: {{problem}}.',
    },
  },
  {
    id: 'waiver-expired',
    kind: 'engine',
    identity: ['origin'],
    description: 'A waiver is past its expiry date and no longer suppresses anything.',
    category: 'waivers',
    severity: 'error',
    recommended: true,
    messages: {
      expired:
        'Waiver for {{rule}} on {{subject}} expired on {{expires}}; fix the findings it covered or renew it with a new date and reason.',
    },
  },
  {
    id: 'waiver-unused',
    kind: 'engine',
    identity: ['origin'],
    description: 'A waiver suppresses nothing (reported only in a full, unselected run).',
    category: 'waivers',
    severity: 'error',
    recommended: true,
    messages: {
      unused: 'Waiver for {{rule}} on {{subject}} suppresses nothing; remove it.',
    },
  },
  {
    id: 'baseline-stale',
    kind: 'engine',
    identity: ['fingerprint'],
    description: 'A baseline entry matches no finding any more; prune the baseline.',
    category: 'baseline',
    severity: 'error',
    recommended: true,
    messages: {
      stale:
        'Baseline entry for {{rule}} on {{subject}} matches {{missing}} finding(s) fewer than recorded; run `dbt-steward baseline prune`.',
    },
  },
  {
    id: 'rule-error',
    kind: 'engine',
    identity: ['rule'],
    description: 'A rule threw while checking (with --continue-on-rule-error).',
    category: 'engine',
    severity: 'error',
    recommended: true,
    messages: {
      threw: 'Rule {{rule}} failed on {{subject}} ({{count}} target(s) in all): {{error}}',
    },
  },
  {
    id: 'parse-error',
    kind: 'loader',
    description: 'A project file could not be read or parsed.',
    category: 'input',
    severity: 'error',
    recommended: true,
    identity: ['file'],
    messages: { parse: '{{file}}: {{error}}' },
  },
  {
    id: 'ref-unresolved',
    kind: 'loader',
    description: 'A ref() or source() names nothing the project defines.',
    category: 'input',
    severity: 'error',
    recommended: true,
    identity: ['target'],
    messages: { unresolved: "'{{name}}' refers to {{target}}, which is not defined." },
  },
  {
    id: 'orphan-properties',
    kind: 'loader',
    identity: ['name'],
    description: 'A properties YAML entry describes a model, seed or snapshot that has no file.',
    category: 'input',
    severity: 'warn',
    recommended: true,
    messages: {
      orphan: "{{file}} describes {{kind}} '{{name}}', but no such file exists in the project.",
    },
  },
  {
    id: 'duplicate-resource',
    kind: 'loader',
    identity: ['name', 'file'],
    description: 'Two files define a resource of the same type and name (dbt refuses to parse).',
    category: 'input',
    severity: 'error',
    recommended: true,
    messages: {
      duplicate: "{{kind}} '{{name}}' is defined twice: in {{file}} and in {{other}}.",
    },
  },
  {
    id: 'ref-dynamic',
    kind: 'loader',
    identity: ['name'],
    description:
      "A model's ref() or source() arguments are computed, so its dependencies cannot be read from source.",
    category: 'input',
    severity: 'info',
    recommended: true,
    messages: {
      dynamic:
        "'{{name}}' has ref()/source() calls whose arguments are only known at run time ({{calls}}); its lineage may be incomplete without a manifest.",
    },
  },
  {
    id: 'breaking-change',
    kind: 'engine',
    description: 'A change to a public or contracted model breaks its consumers.',
    category: 'contracts',
    severity: 'error',
    recommended: true,
    messages: {
      breaking: "Breaking change to '{{name}}': {{change}}.",
      crossProject: "Breaking change to '{{name}}': {{change}}; it breaks projects {{projects}}.",
    },
    identity: ['kind', 'change'],
  },
];

function entryOfRule(rule: AnyRule): RegistryEntry {
  return {
    id: rule.id,
    kind: 'rule',
    description: rule.description,
    category: rule.category,
    severity: rule.severity,
    messageSeverities: rule.messageSeverities ?? {},
    messages: rule.messages,
    presets: {
      recommended: rule.recommended ? rule.severity : 'off',
      strict: rule.strictSeverity ?? 'error',
      all: rule.severity,
    },
    rule,
    identity: rule.identity ?? [],
    requiresDomains: rule.requiresDomains ?? false,
    doc: `rules/${rule.id}.md`,
  };
}

function entryOfEngine(spec: EngineFindingSpec): RegistryEntry {
  return {
    id: spec.id,
    kind: spec.kind,
    description: spec.description,
    category: spec.category,
    severity: spec.severity,
    messageSeverities: {},
    messages: spec.messages,
    presets: {
      recommended: spec.recommended ? spec.severity : 'off',
      strict: 'error',
      all: spec.severity,
    },
    identity: spec.identity ?? [],
    requiresDomains: spec.requiresDomains ?? false,
    doc: `docs/findings/${spec.id}.md`,
  };
}

/** Every finding id, rules first (as given), then the engine's and loader's. */
export class Registry {
  readonly entries: ReadonlyMap<string, RegistryEntry>;

  constructor(rules: readonly AnyRule[]) {
    const map = new Map<string, RegistryEntry>();
    for (const spec of ENGINE_FINDINGS) map.set(spec.id, entryOfEngine(spec));
    for (const rule of rules) {
      if (map.has(rule.id)) {
        const other = map.get(rule.id)!;
        throw new Error(
          `rule id "${rule.id}" is defined twice (${other.kind === 'rule' ? 'by two rules' : `the ${other.kind} already emits it`})`,
        );
      }
      map.set(rule.id, entryOfRule(rule));
    }
    this.entries = new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  get(id: string): RegistryEntry | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  rules(): AnyRule[] {
    const out: AnyRule[] = [];
    for (const e of this.entries.values()) if (e.rule) out.push(e.rule);
    return out;
  }

  /** The setting layer of a built-in preset: every id at its severity in that preset. */
  presetLayer(name: PresetName, origin: Origin = `dbt-steward:${name}`): Record<string, RuleEntry> {
    const out: Record<string, RuleEntry> = {};
    for (const e of this.entries.values()) {
      const severity = e.presets[name];
      // A rule's default per-message severities are applied by the engine while the rule
      // runs at its default severity, so presets only set the rule's severity.
      out[e.id] = { severity, origin };
    }
    return out;
  }
}
