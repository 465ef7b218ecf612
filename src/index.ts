/**
 * dbt-steward's public API. The CLI and the built-in rules use only what is exported here.
 */
import { runRules, type CheckConfig, type CheckResult } from './engine/check.js';
import type { AnyRule } from './engine/rule.js';
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
export { VERSION } from './version.js';

// Loading
export { loadProject, resolveInput, type LoadOptions, type ResolvedInput } from './load/index.js';
export { NEWEST_SCHEMA_VERSION } from './load/manifest.js';

// Graph
export { LineageGraph } from './graph/lineage.js';
export {
  defaultSelector,
  resolveSelector,
  selectResources,
  SelectorError,
  selectTerm,
  withIndirectTests,
  type IndirectSelection,
  type Selection,
  type SelectionContext,
  type SelectorEntry,
  type Selectors,
} from './graph/select.js';

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
} from './engine/rule.js';
export {
  ConfigError,
  exitCodeOf,
  FORMAT_VERSION,
  type CheckConfig,
  type CheckResult,
  type Finding,
  type Location,
  type RuleSetting,
} from './engine/check.js';
export { resolveDomain, resolveOwner, type Resolution } from './engine/resolve.js';
export {
  lineageOf,
  LINEAGE_FORMAT_VERSION,
  type LineageNode,
  type LineageResult,
} from './engine/lineage.js';

// Reporters
export {
  checkReporters,
  lineageReporters,
  formatCheckJson,
  formatCheckText,
  formatLineageJson,
  formatLineageText,
  type Reporter,
} from './report/index.js';

// Imported last: the rule modules import this module's exports.
import { builtinRules } from '../rules/index.js';

/** The built-in rules. */
export function getBuiltinRules(): readonly AnyRule[] {
  return builtinRules;
}

/**
 * Checks a loaded project against the built-in rules (recommended ones on by default, as
 * adjusted by `config.rules`) plus `extraRules`.
 */
export function check(
  project: Project,
  config: CheckConfig = {},
  extraRules: readonly AnyRule[] = [],
): CheckResult {
  return runRules(project, [...builtinRules, ...extraRules], config);
}
