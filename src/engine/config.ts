/**
 * The resolved configuration the engine runs with: plain data, after the config file, its
 * `extends` chain and its plugins have been read and validated (src/config does that I/O).
 * Everything here can also be built in code by library users.
 */
import type { ResourceType } from '../model.js';
import type { SeverityOrOff } from './rule.js';

/** Where a setting came from, for `explain` and error messages: `dbt-steward.yml: rules.owner-present`. */
export type Origin = string;

/** One rule's setting as written in one layer; unset fields inherit from earlier layers. */
export interface RuleEntry {
  severity?: SeverityOrOff;
  /** Options as written (validated against the rule's schema when the run starts). */
  options?: Record<string, unknown>;
  /** Per messageId severities (`options.messageSeverities` in the file). */
  messageSeverities?: Record<string, SeverityOrOff>;
  origin: Origin;
}

/** Which resources an override applies to: every given criterion must match (AND); values within one are OR. */
export interface OverrideMatch {
  /** Globs against the resource's SQL path or YAML path, relative to the dbt project. */
  files?: string[];
  domains?: string[];
  tags?: string[];
  packages?: string[];
  resourceTypes?: ResourceType[];
  /** dbt selection syntax (`tag:pii path:models/legacy`), evaluated against the whole project. */
  select?: string;
}

export interface Override {
  match: OverrideMatch;
  rules: Record<string, RuleEntry>;
  origin: Origin;
}

/** One step of the domain resolution chain. */
export type DomainStep =
  /** A meta key (dotted path allowed: `steward.domain`), from meta or config.meta. */
  | { kind: 'meta'; key: string }
  /** The resource's dbt group name. */
  | { kind: 'group' }
  /** A path pattern with a `{domain}` placeholder: `models/{domain}/**`. */
  | { kind: 'path'; pattern: string }
  /** The dbt package the resource belongs to. */
  | { kind: 'package' }
  /** The dbt project the resource was loaded from. */
  | { kind: 'project' }
  /** The first tag starting with `prefix` (the rest of the tag is the domain). */
  | { kind: 'tag'; prefix: string };

/** One step of the owner resolution chain. */
export type OwnerStep =
  /** A meta key (dotted path allowed), from meta or config.meta. */
  | { kind: 'meta'; key: string }
  /** An exposure's own `owner` block. */
  | { kind: 'exposure' }
  /** The owner of the resource's dbt group. */
  | { kind: 'group' }
  /** The owners declared for the resource's resolved domain in `domains.declared`. */
  | { kind: 'domain' }
  /** A CODEOWNERS file, read by the config loader: the last matching pattern wins, as on GitHub. */
  | {
      kind: 'codeowners';
      file: string;
      /** Absolute directory the patterns are relative to (the repository root). */
      root: string;
      entries: CodeownersEntry[];
    };

export interface CodeownersEntry {
  /** The pattern as written (gitignore-style, relative to the repository root). */
  pattern: string;
  owners: string[];
  line: number;
}

export interface DomainDeclaration {
  name: string;
  description: string;
  owners: string[];
  /** The domain's public interface: dbt selectors (`fct_*`, `path:models/payments/marts`, `tag:public`). */
  public: string[];
  origin: Origin;
}

export type OwnerFormat = 'email' | 'handle' | 'name';

export interface OwnersConfig {
  resolution: OwnerStep[];
  /** Accepted owner formats (owner-valid checks them). */
  formats: OwnerFormat[];
  /** Known owners; with `require`, an owner that is not listed is a finding. */
  registry: { known: string[]; require: boolean } | null;
}

export interface DomainsConfig {
  resolution: DomainStep[];
  declared: Record<string, DomainDeclaration>;
  /** Whether a config set `domains.resolution` (else a mesh appends the `project` step). */
  resolutionConfigured?: boolean;
  /** A mesh's default domains by project name (the `project` step gives them). */
  projects?: Record<string, { domain: string; origin: string }>;
}

/** A waiver written in the config (for folders, paths, packages: what one cannot edit). */
export interface CentralWaiver {
  rule: string;
  messageId?: string;
  /** dbt selection syntax for the subjects it covers. */
  select?: string;
  /** Globs against the subject's SQL or YAML path. */
  paths?: string[];
  /** Domain names: covers domain findings and resources of those domains. */
  domains?: string[];
  /** Edge findings: only those whose other end (related[0]) is one of these names or unique_ids. */
  to?: string[];
  reason: string | null;
  /** YYYY-MM-DD, inclusive, UTC. */
  expires: string | null;
  origin: Origin;
  /** Where the waiver is written, for findings about the waiver itself. */
  file: string | null;
  line?: number;
}

export interface EngineConfig {
  /** The setting layers for each rule or engine finding id, in the order they apply (presets first). */
  rules: Record<string, RuleEntry[]>;
  overrides: Override[];
  domains: DomainsConfig;
  owners: OwnersConfig;
  waivers: CentralWaiver[];
  /** The config file that was read, relative to the working directory; null when none. */
  file: string | null;
}

export const DEFAULT_DOMAIN_RESOLUTION: readonly DomainStep[] = [
  { kind: 'meta', key: 'domain' },
  { kind: 'group' },
];

export const DEFAULT_OWNER_RESOLUTION: readonly OwnerStep[] = [
  { kind: 'meta', key: 'owner' },
  { kind: 'exposure' },
  { kind: 'group' },
  { kind: 'domain' },
];

/** A configuration with no rule settings (every id off) and the default chains; see presets.ts. */
export function emptyEngineConfig(): EngineConfig {
  return {
    rules: {},
    overrides: [],
    domains: { resolution: [...DEFAULT_DOMAIN_RESOLUTION], declared: {} },
    owners: {
      resolution: [...DEFAULT_OWNER_RESOLUTION],
      formats: ['email', 'handle', 'name'],
      registry: null,
    },
    waivers: [],
    file: null,
  };
}
