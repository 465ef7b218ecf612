/**
 * `dbt-steward rules [ID]`: lists every finding id the tool can report (rules, engine and
 * loader findings) with kind, default severity and presets; with an ID, prints that entry's
 * documentation followed by its options and messages, generated from the rule itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  didYouMean,
  formatRuleDoc,
  formatRulesJson,
  formatRulesText,
  getBuiltinRules,
  loadConfig,
  type Registry,
  ruleListing,
  type RegistryEntry,
} from '../../index.js';
import { formatOptions, outputs, UsageError, type CliIO, type Command } from '../common.js';
import { writeOutputs } from '../output.js';

interface RulesArgs {
  id: string | undefined;
  format: string[];
  output: string | undefined;
  config: string | undefined;
}

const PACKAGE_NAME = 'dbt-steward';

let packageRootCache: string | null = null;

/**
 * The package's root directory: the first directory up from this module holding the
 * package.json of dbt-steward (dist/src/cli/commands in a build, src/cli/commands in tests).
 */
export function packageRoot(): string {
  if (packageRootCache !== null) return packageRootCache;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown };
      if (pkg.name === PACKAGE_NAME) return (packageRootCache = dir);
    } catch {
      // no package.json here, or not readable: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root`);
    dir = parent;
  }
}

/** An entry's documentation file, or null when it has none (a plugin rule without docs). */
function readDoc(entry: RegistryEntry): string | null {
  try {
    return fs.readFileSync(path.join(packageRoot(), entry.doc), 'utf8');
  } catch {
    return null;
  }
}

/**
 * The registry the command describes: the built-in rules, the engine's findings and the
 * rules of the plugins named in the config file (found from the current directory, or --config).
 */
export async function registryFor(args: RulesArgs, io: CliIO): Promise<Registry> {
  const config = await loadConfig({
    cwd: io.cwd,
    ...(args.config !== undefined ? { configFile: args.config } : {}),
    startDirs: [io.cwd],
    rules: getBuiltinRules(),
  });
  return config.registry;
}

function entryOrUsageError(registry: Registry, id: string): RegistryEntry {
  const entry = registry.get(id);
  if (entry) return entry;
  const ids = registry.ids();
  const close = didYouMean(id, ids) ?? ids.find((x) => x.includes(id) || id.includes(x)) ?? null;
  throw new UsageError(
    `unknown rule id ${JSON.stringify(id)}${close ? `; did you mean ${JSON.stringify(close)}?` : ''} (run dbt-steward rules to list them)`,
  );
}

export const rulesCommand: Command = {
  command: 'rules [id]',
  describe: 'list the rules and findings (id, kind, severity, presets), or document one',
  builder: (y) =>
    formatOptions(
      y.positional('id', {
        type: 'string',
        describe: 'a rule or finding id: prints its documentation, options and messages',
      }),
      'text, json',
    ).option('config', {
      alias: 'c',
      type: 'string',
      describe: 'config file whose plugins add rules (default: dbt-steward.yml found from here)',
    }),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as RulesArgs;
    const registry = await registryFor(args, io);
    if (args.id === undefined) {
      const reporters: Record<string, (r: Registry) => string> = {
        text: formatRulesText,
        json: formatRulesJson,
      };
      const specs = outputs(args, reporters);
      writeOutputs(specs, (name) => reporters[name]!(registry), io);
      return 0;
    }
    const entry = entryOrUsageError(registry, args.id);
    const doc = readDoc(entry);
    const reporters: Record<string, () => string> = {
      text: () => formatRuleDoc(entry, doc),
      json: () => JSON.stringify({ ...ruleListing(entry), documentation: doc }, null, 2) + '\n',
    };
    const specs = outputs(args, reporters);
    writeOutputs(specs, (name) => reporters[name]!(), io);
    return 0;
  },
};
