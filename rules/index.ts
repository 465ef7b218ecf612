/** The built-in rules, in id order. Generated docs and `dbt-steward rules` read this list. */
import type { AnyRule } from '../src/index.js';
import columnsDocumented from './columns-documented.js';
import crossDomainRef from './cross-domain-ref.js';
import crossDomainSource from './cross-domain-source.js';
import crossProjectConsumers from './cross-project-consumers.js';
import crossProjectPublicOnly from './cross-project-public-only.js';
import dataProductComplete from './data-product-complete.js';
import deprecatedRef from './deprecated-ref.js';
import descriptionPresent from './description-present.js';
import docCoverage from './doc-coverage.js';
import domainCycle from './domain-cycle.js';
import domainDependency from './domain-dependency.js';
import domainPresent from './domain-present.js';
import domainUnknownEdge from './domain-unknown-edge.js';
import exposurePublicOnly from './exposure-public-only.js';
import layerDependency from './layer-dependency.js';
import metricDomain from './metric-domain.js';
import metricOwnership from './metric-ownership.js';
import namingConvention from './naming-convention.js';
import ownerConsistent from './owner-consistent.js';
import ownerPresent from './owner-present.js';
import ownerValid from './owner-valid.js';
import piiExposure from './pii-exposure.js';
import primaryKeyTested from './primary-key-tested.js';
import productNaming from './product-naming.js';
import publicContract from './public-contract.js';
import publicDocumented from './public-documented.js';
import requiredMeta from './required-meta.js';
import testCoverage from './test-coverage.js';

export const builtinRules: readonly AnyRule[] = [
  columnsDocumented,
  crossDomainRef,
  crossDomainSource,
  crossProjectConsumers,
  crossProjectPublicOnly,
  dataProductComplete,
  deprecatedRef,
  descriptionPresent,
  docCoverage,
  domainCycle,
  domainDependency,
  domainPresent,
  domainUnknownEdge,
  exposurePublicOnly,
  layerDependency,
  metricDomain,
  metricOwnership,
  namingConvention,
  ownerConsistent,
  ownerPresent,
  ownerValid,
  piiExposure,
  primaryKeyTested,
  productNaming,
  publicContract,
  publicDocumented,
  requiredMeta,
  testCoverage,
];
