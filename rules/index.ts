/** The built-in rules, in id order. Generated docs and `dbt-steward rules` read this list. */
import type { AnyRule } from '../src/index.js';
import domainPresent from './domain-present.js';
import ownerPresent from './owner-present.js';

export const builtinRules: readonly AnyRule[] = [domainPresent, ownerPresent];
