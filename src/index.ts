/**
 * dbt-steward's public API. The CLI and the built-in rules use only what is exported here.
 */
import type { Baseline } from './engine/baseline.js';
import { runRules, type CheckResult } from './engine/check.js';
import { emptyEngineConfig, type EngineConfig, type RuleEntry } from './engine/config.js';
import { Registry } from './engine/registry.js';
import type { AnyRule, SeverityOrOff } from './engine/rule.js';
import type { Project } from './project.js';

// Model
export type {
  Access,
  Column,
  Constraint,
  Contract,
  Group,
  InputKind,
  LoadWarning,
  ManifestSelector,
  ManifestSelectors,
  Meta,
  OwnerValue,
  ProjectInfo,
  Resource,
  ResourceType,
  TestInfo,
} from './model.js';
export { RESOURCE_TYPES } from './model.js';
export type { Project } from './project.js';
export { createProject, groupOf, makeResource, type ResourceInit } from './project.js';
export { InputError } from './errors.js';
export { writeFileAtomic } from './write-file.js';
export { VERSION } from './version.js';

// Loading
export {
  loadProject,
  parseVars,
  resolveInput,
  type LoadOptions,
  type ResolvedInput,
} from './load/index.js';
export { readFileInBackground } from './load/read-file.js';
export { NEWEST_SCHEMA_VERSION } from './load/manifest.js';
export type { ManifestMemo, ManifestReuse } from './load/manifest.js';
export { readSelectorsFile, SELECTORS_FILE } from './load/selectors-file.js';
export { Locator, yamlFileOf, type YamlPosition } from './load/locate.js';

// Graph
export { LineageGraph } from './graph/lineage.js';
export { condense, type CondensedEdge, type CondensedGraph } from './graph/graphlib.js';
export {
  defaultSelector,
  resolveSelector,
  selectResources,
  SelectorError,
  selectTerm,
  withIndirectTests,
  type IndirectSelection,
  type ResolveOptions,
  type Selection,
  type SelectionContext,
  type SelectionExtras,
  type SelectorEntry,
  type Selectors,
} from './graph/select.js';
export { projectSelectors, selectionFor, type SelectionArgs } from './graph/selectors.js';

// Rules and checking
export {
  defineRule,
  formatMessage,
  placeholders,
  SEVERITIES,
  type AnyRule,
  type Edge,
  type EdgeRule,
  type NodeRule,
  type ProjectRule,
  type ReportDescriptor,
  type Rule,
  type RuleContext,
  type RuleScope,
  type Severity,
  type SeverityOrOff,
  type RuleReach,
} from './engine/rule.js';
export {
  breakingChanges,
  breakingFindings,
  changeKinds,
  classifyFindings,
  compareProjects,
  impactOf,
  normalizeDataType,
  unparsedFiles,
  type BaseModeResult,
  type BreakingChange,
  type BreakingKind,
  type ChangeKind,
  type ClassifiedFinding,
  type ImpactGroup,
  type ModifiedResource,
  type ProjectChanges,
  type RenamedResource,
  type ResourceImpact,
} from './engine/compare.js';
export { replayScope } from './engine/replay.js';
export {
  applySuppressions,
  compareFindings,
  ConfigError,
  exitCodeOf,
  fingerprintOf,
  FORMAT_VERSION,
  resolutionContext,
  runRules,
  RunRecording,
  summarize,
  type CheckResult,
  type ExitPolicy,
  type Finding,
  type Location,
  type RuleFailure,
  type RunOptions,
  type SuppressionOptions,
} from './engine/check.js';
export {
  DEFAULT_DOMAIN_RESOLUTION,
  DEFAULT_OWNER_RESOLUTION,
  emptyEngineConfig,
  type CentralWaiver,
  type CodeownersEntry,
  type DomainDeclaration,
  type DomainsConfig,
  type DomainStep,
  type EngineConfig,
  type Origin,
  type Override,
  type OverrideMatch,
  type OwnerFormat,
  type OwnersConfig,
  type OwnerStep,
  type RuleEntry,
} from './engine/config.js';
export {
  PRESETS,
  Registry,
  type FindingKind,
  type PresetName,
  type RegistryEntry,
} from './engine/registry.js';
export {
  CONFIG_FILE_NAMES,
  configFromObject,
  findConfigFile,
  loadConfig,
  printableConfig,
  resolveRuleEntries,
  type LoadConfigOptions,
  type LoadedConfig,
  type MeshProject,
  type ResolvedRuleSetting,
} from './config/load.js';
export { configFileSchema, configJsonSchema, type ConfigFile } from './config/schema.js';
export type { LoadedPlugin, PluginReporter } from './config/plugins.js';
export { Settings, severityOf, type EffectiveSetting } from './engine/settings.js';
export {
  changedResources,
  changedScope,
  isMacroPath,
  projectFileChange,
  scopeOf,
  type ChangedReasons,
  type ChangedScopeOptions,
  type ProjectFileChange,
} from './engine/changed.js';
export {
  DEFAULT_PRODUCT_META_KEY,
  DEFAULT_PRODUCT_TAG,
  isDataProduct,
  isDeclaredProduct,
  metaValue,
  productOptionsSchema,
  type ProductOptions,
} from './engine/products.js';
export {
  coverageOptionsSchema,
  coverageShortfalls,
  isOwnModel,
  reportCoverage,
  roundCoverage,
  type CoverageOptions,
  type CoverageShortfall,
} from './engine/coverage.js';
export {
  documentationApplies,
  isDocumented,
  listColumns,
  type DocumentedOptions,
  type DocumentedTypes,
} from './engine/documentation.js';
export {
  BOUNDARY_TARGET_TYPES,
  displayName,
  RESOURCE_TYPE_LABELS,
  resourceTypeLabel,
} from './engine/labels.js';
export {
  modelTypeByFolder,
  modelTypeByPrefix,
  modelTypeOf,
  modelTypesOption,
  type ModelTypes,
} from './engine/model-types.js';
export {
  dataTestsOf,
  DEFAULT_PRIMARY_KEY_TEST_SETS,
  hasPrimaryKeyConstraint,
  isPrimaryKeyTested,
  runsTestMacro,
  testedNodeOf,
} from './engine/primary-key.js';
export {
  comparableOwners,
  identityKey,
  isEmail,
  isHandle,
  ownerIdentityOf,
  ownerLabel,
  parseOwner,
  sameOwner,
  type OwnerEntry,
  type OwnerIdentity,
  type OwnerIdentityKind,
  type ParsedOwner,
} from './engine/owner-identity.js';
export {
  applyWaivers,
  collectWaivers,
  expiryInstant,
  isWaivable,
  type EngineFindingDraft,
  type Waiver,
  type WaiverContext,
  type WaiverScope,
} from './engine/waivers.js';
export {
  applyBaseline,
  buildBaseline,
  pruneBaseline,
  subjectKey,
  subjectOfKey,
  type ApplyBaselineOptions,
  type Baseline,
  type BaselineEntry,
} from './engine/baseline.js';
export {
  BASELINE_FORMAT_VERSION,
  readBaselineFile,
  serializeBaseline,
  writeBaselineFile,
} from './config/baseline-file.js';
export {
  hasValue,
  Resolver,
  resolveDomain,
  resolveOwner,
  type DeclaredBy,
  type DomainConflict,
  type Resolution,
  type ResolverConfig,
  type StepResult,
} from './engine/resolve.js';
export { matchCodeowners, parseCodeowners } from './engine/codeowners.js';
export {
  EXPLAIN_FORMAT_VERSION,
  explainResources,
  type ExplainAnswer,
  type ExplainLocator,
  type ExplainResource,
  type ExplainResult,
  type ExplainRuleSetting,
  type ExplainStep,
  type ExplainSuppression,
  type ExplainSuppressionInput,
} from './engine/explain.js';
export {
  lineageOf,
  LINEAGE_FORMAT_VERSION,
  type LineageNode,
  type LineageResult,
} from './engine/lineage.js';
export {
  buildDomainLineage,
  buildDomainsReport,
  buildOwnersReport,
  buildProductsReport,
  EDGE_RULES,
  relationOf,
  REPORTS_FORMAT_VERSION,
  type CrossDomainEdge,
  type DomainCoupling,
  type DomainDependency,
  type DomainLineage,
  type DomainRow,
  type DomainsReport,
  type OwnershipStats,
  type OwnerRow,
  type OwnersReport,
  type ProductColumn,
  type ProductConsumer,
  type ProductConsumerGroup,
  type ProductRecord,
  type ProductsReport,
  type ReportOptions,
  type ResourceRef,
  type SeverityCounts,
  type Share,
} from './engine/reports.js';
export {
  formatDomainLineageText,
  formatDomainsText,
  formatOwnersText,
  formatProductsText,
} from './report/report-text.js';
export {
  formatDomainLineageMarkdown,
  formatDomainsMarkdown,
  formatOwnersMarkdown,
  formatProductsMarkdown,
  mdText,
} from './report/report-markdown.js';
export {
  formatDomainLineageCsv,
  formatDomainsCsv,
  formatLineageCsv,
  formatOwnersCsv,
  formatProductsCsv,
} from './report/report-csv.js';
export { csvCell, formatCsv } from './report/csv.js';
export { renderTable, wrapText, type TableColumn, type TableOptions } from './report/table.js';
export { formatReportJson } from './report/report-json.js';
export {
  formatDomainsHtml,
  formatOwnersHtml,
  formatProductsHtml,
  formatReportHtml,
  type HtmlReportInput,
} from './report/report-html.js';
export {
  formatDomainLineageMermaid,
  formatDomainsMermaid,
  formatLineageMermaid,
  mermaidLabel,
} from './report/report-mermaid.js';
export {
  dotString,
  formatDomainLineageDot,
  formatDomainsDot,
  formatLineageDot,
} from './report/report-dot.js';

// Reporters
export {
  checkReporters,
  lineageReporters,
  explainReporters,
  formatExplainJson,
  formatExplainText,
  formatCheckJson,
  formatCheckText,
  formatLineageJson,
  formatLineageText,
  formatCheckSarif,
  formatCheckJunit,
  formatCheckGithub,
  formatCheckCodequality,
  formatCheckMarkdown,
  type Reporter,
  type ReportContext,
} from './report/index.js';
export {
  detectPathPrefix,
  findingPath,
  findingStatus,
  normalizePrefix,
  pathToUri,
  repoPath,
  type FindingStatus,
} from './report/paths.js';
export {
  formatRuleDoc,
  formatRulesJson,
  formatRulesText,
  ruleListing,
  rulesReadme,
  type RuleListing,
} from './report/rules-text.js';
export {
  entryMessages,
  formatRuleOptions,
  ruleOptions,
  type RuleMessageInfo,
  type RuleOptionInfo,
} from './report/rule-options.js';
export { didYouMean } from './config/suggest.js';

// Imported last: the rule modules import this module's exports.
import { builtinRules } from '../rules/index.js';
import { ConfigError } from './engine/check.js';

/** The built-in rules. */
export function getBuiltinRules(): readonly AnyRule[] {
  return builtinRules;
}

/** A rule's setting in code: a severity, or [severity, options]. */
export type RuleSetting = SeverityOrOff | [SeverityOrOff, Record<string, unknown>?];

export interface CheckOptions {
  /** A resolved configuration (from loadConfig or configFromObject); default: the recommended preset. */
  config?: { engine: EngineConfig; registry: Registry };
  /** Settings layered on top of the configuration, by rule or finding id. */
  rules?: Record<string, RuleSetting>;
  /** Rules to run besides the built-in ones (and the config's plugins). */
  extraRules?: readonly AnyRule[];
  now?: Date;
  /** unique_ids to check (from a selection); absent: a full run. */
  selected?: ReadonlySet<string> | null;
  baseline?: { baseline: Baseline; file: string } | null;
  continueOnRuleError?: boolean;
}

/**
 * Checks a loaded project: the configuration's rules (the recommended preset by default),
 * adjusted by `options.rules`, then waivers and the baseline.
 */
export function check(project: Project, options: CheckOptions = {}): CheckResult {
  let registry = options.config?.registry ?? new Registry(builtinRules);
  if (options.extraRules && options.extraRules.length > 0)
    registry = new Registry([...registry.rules(), ...options.extraRules]);
  const base = options.config?.engine ?? {
    ...emptyEngineConfig(),
    rules: Object.fromEntries(
      Object.entries(registry.presetLayer('recommended')).map(([id, e]) => [id, [e]]),
    ),
  };
  const config: EngineConfig = { ...base, rules: { ...base.rules } };
  for (const [id, setting] of Object.entries(options.rules ?? {})) {
    if (!registry.has(id))
      throw new ConfigError(`unknown rule id "${id}"; run \`dbt-steward rules\` to list them`);
    const layer: RuleEntry = Array.isArray(setting)
      ? { severity: setting[0], origin: 'check() options' }
      : { severity: setting, origin: 'check() options' };
    if (Array.isArray(setting) && setting[1] !== undefined) layer.options = setting[1];
    config.rules[id] = [...(config.rules[id] ?? []), layer];
  }
  return runRules(project, {
    registry,
    config,
    now: options.now,
    selected: options.selected ?? null,
    baseline: options.baseline ?? null,
    continueOnRuleError: options.continueOnRuleError ?? false,
  });
}
