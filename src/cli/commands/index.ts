/** Every CLI command, in the order `--help` lists them. */
import type { Command } from '../common.js';
import { baselineCommand } from './baseline.js';
import { checkCommand } from './check.js';
import { explainCommand } from './explain.js';
import { lineageCommand } from './lineage.js';
import { reportCommand } from './report.js';
import { rulesCommand } from './rules.js';

export const commands: readonly Command[] = [
  checkCommand,
  lineageCommand,
  explainCommand,
  reportCommand,
  baselineCommand,
  rulesCommand,
];
