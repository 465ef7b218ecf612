/**
 * zod schemas of the JSON outputs: the contract other tools read. The published JSON
 * Schemas in schemas/ are generated from these (`npm run schemas`), and a test keeps them
 * current and validates real outputs against them.
 */
import { z } from 'zod';

const severity = z.enum(['error', 'warn', 'info']);
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const checkResultSchema = z
  .object({
    formatVersion: z.literal(1).describe('Bumped on any incompatible change of this format.'),
    tool: z.object({ name: z.literal('dbt-steward'), version: z.string() }).strict(),
    projects: z.array(
      z
        .object({
          name: z.string().describe('The dbt project name (root project of the manifest).'),
          schemaVersion: z.number().int().describe('Manifest schema version (1–12).'),
          dbtVersion: z.string(),
          input: z.enum(['manifest', 'source']),
          counts: z
            .record(z.string(), z.number().int().nonnegative())
            .describe('Resources per dbt resource_type, e.g. {model: 12, test: 30}.'),
        })
        .strict(),
    ),
    findings: z.array(
      z
        .object({
          ruleId: z.string(),
          messageId: z.string(),
          data: z.record(z.string(), scalar),
          severity,
          message: z.string(),
          nodeId: z.string().optional().describe('The dbt unique_id, for node findings.'),
          subject: z
            .object({ kind: z.enum(['node', 'domain', 'project']), id: z.string() })
            .strict(),
          location: z
            .object({
              file: z.string().describe('Relative to the dbt project directory.'),
              project: z
                .string()
                .optional()
                .describe('The dbt project the file belongs to, in a run over several projects.'),
              line: z.number().int().positive().optional(),
              column: z.number().int().positive().optional(),
            })
            .strict()
            .optional(),
          related: z.array(z.string()).optional(),
          fingerprint: z
            .string()
            .describe('Stable identity built from ids, never from line numbers.'),
          suppressed: z
            .object({
              by: z.enum(['waiver', 'baseline']),
              reason: z.string(),
              origin: z.string().optional().describe('Where the waiver or baseline entry is.'),
            })
            .strict()
            .optional()
            .describe('Set when a waiver or the baseline hides the finding; it is still counted.'),
          keyPath: z
            .string()
            .optional()
            .describe("The key inside the subject's YAML entry the finding points at."),
          status: z
            .enum(['new', 'existing', 'fixed'])
            .optional()
            .describe(
              'Base mode (--base): new in this change, existing in the base too, or fixed (in the base only; not counted in the summary).',
            ),
        })
        .strict(),
    ),
    summary: z
      .object({
        error: z.number().int(),
        warn: z.number().int(),
        info: z.number().int(),
        waived: z.number().int(),
        baselined: z.number().int(),
      })
      .strict(),
    ruleFailures: z
      .array(
        z
          .object({
            ruleId: z.string(),
            subject: z.string().describe('The first target the rule failed on.'),
            count: z.number().int().positive().describe('How many targets it failed on.'),
            error: z.string(),
          })
          .strict(),
      )
      .describe('Rules that threw; the run exits 2 while any is listed.'),
    hints: z.array(z.string()).describe('One-line advice, such as how to configure domains.'),
    changes: z
      .object({
        added: z.array(z.string()),
        removed: z.array(z.string()).describe('Disabled models count as removed.'),
        renamed: z.array(
          z
            .object({
              from: z.string(),
              to: z.string(),
              resourceType: z.string(),
              by: z.enum(['checksum', 'path', 'name']),
            })
            .strict(),
        ),
        modified: z.array(
          z
            .object({
              uniqueId: z.string(),
              resourceType: z.string(),
              kinds: z.array(
                z.enum([
                  'config',
                  'columns',
                  'access',
                  'contract',
                  'version',
                  'owner',
                  'domain',
                  'materialized',
                  'description',
                  'checksum',
                ]),
              ),
            })
            .strict(),
        ),
      })
      .strict()
      .optional()
      .describe('Base mode (--base): resources added, removed, renamed and modified.'),
    impact: z
      .array(
        z
          .object({
            uniqueId: z.string(),
            change: z.enum(['added', 'removed', 'renamed', 'modified']),
            downstream: z
              .number()
              .int()
              .nonnegative()
              .describe('Transitive downstream resources, tests left out.'),
            groups: z.array(
              z
                .object({
                  domain: z.string().nullable(),
                  owner: z.string().nullable(),
                  count: z.number().int().nonnegative(),
                  byType: z.record(z.string(), z.number().int().nonnegative()),
                  exposures: z.array(z.string()),
                })
                .strict(),
            ),
          })
          .strict(),
      )
      .optional()
      .describe('Base mode (--base): for each changed resource, what it reaches downstream.'),
  })
  .strict()
  .describe('Output of `dbt-steward check --format json`.');

const owner = z
  .unknown()
  .describe('The resolved owner as declared: a string, or an object such as {name, email}.');

export const lineageResultSchema = z
  .object({
    formatVersion: z.literal(1),
    nodes: z.array(
      z
        .object({
          id: z.string().describe('dbt unique_id'),
          resourceType: z.string(),
          name: z.string(),
          package: z.string(),
          domain: z.string().nullable(),
          owner: owner,
          access: z.enum(['public', 'protected', 'private']).nullable(),
          file: z.string().nullable(),
          external: z.boolean(),
          project: z
            .string()
            .optional()
            .describe('The dbt project of the resource, in a run over several projects.'),
        })
        .strict(),
    ),
    edges: z.array(
      z.object({ from: z.string().describe('The upstream node.'), to: z.string() }).strict(),
    ),
  })
  .strict()
  .describe('Output of `dbt-steward lineage --format json`.');

const resourceType = z.string().describe('dbt resource_type (model, source, exposure, …).');
const access = z.enum(['public', 'protected', 'private']).nullable();
const nonNegative = z.number().int().nonnegative();

const severityCounts = z
  .object({
    error: nonNegative,
    warn: nonNegative,
    info: nonNegative,
    suppressed: nonNegative.describe('Findings hidden by a waiver or the baseline.'),
  })
  .strict();

const share = z
  .object({
    count: nonNegative,
    total: nonNegative,
    percent: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .describe('Rounded to 2 decimals; null when total is 0.'),
  })
  .strict();

const ownershipStats = {
  resources: nonNegative.describe('Resources counted (tests and operations are not).'),
  byType: z.record(z.string(), nonNegative).describe('Resources by resource_type.'),
  models: nonNegative,
  publicModels: nonNegative,
  dataProducts: nonNegative,
  described: share.describe('Models with a description.'),
  tested: share.describe('Models with at least one data test.'),
  contractEnforced: share.describe('Models with an enforced contract.'),
  findings: severityCounts,
};

const resourceRef = z
  .object({
    id: z.string(),
    name: z.string(),
    resourceType,
    domain: z.string().nullable(),
    file: z.string().nullable(),
  })
  .strict();

export const ownersReportSchema = z
  .object({
    formatVersion: z.literal(1),
    kind: z.literal('owners'),
    projects: z.array(z.string()),
    summary: z
      .object({
        resources: nonNegative,
        owned: nonNegative,
        unowned: nonNegative,
        owners: nonNegative,
        domains: nonNegative,
        withoutDomain: nonNegative,
        findings: severityCounts,
      })
      .strict(),
    owners: z.array(
      z.object({ owner: z.string(), domains: z.array(z.string()), ...ownershipStats }).strict(),
    ),
    domains: z.array(
      z
        .object({
          domain: z.string(),
          owners: z.array(z.string()),
          unowned: nonNegative,
          ...ownershipStats,
        })
        .strict(),
    ),
    unowned: z.array(resourceRef).describe('Resources without an owner.'),
    ownersWithoutDomain: z.array(z.string()),
  })
  .strict()
  .describe('Output of `dbt-steward report owners --format json`.');

const domainDependency = z
  .object({ from: z.string(), to: z.string(), count: z.number().int().positive() })
  .strict();

export const domainsReportSchema = z
  .object({
    formatVersion: z.literal(1),
    kind: z.literal('domains'),
    projects: z.array(z.string()),
    domains: z.array(z.string()),
    matrix: z
      .array(domainDependency)
      .describe('Non-zero cells: domain `from` depends on domain `to` through `count` edges.'),
    edges: z.array(
      z
        .object({
          from: z.string().describe('unique_id of the dependent resource.'),
          fromName: z.string(),
          fromType: resourceType,
          fromDomain: z.string(),
          to: z.string().describe('unique_id of the resource depended on.'),
          toName: z.string(),
          toType: resourceType,
          toDomain: z.string(),
          targetAccess: access,
          contractEnforced: z.boolean(),
          allowed: z
            .boolean()
            .describe(
              'False when cross-domain-ref, domain-dependency or a cross-project rule reported the edge.',
            ),
          waived: z.boolean().describe('Every such finding is suppressed by a waiver.'),
          rules: z.array(z.string()),
        })
        .strict(),
    ),
    cycles: z.array(z.array(z.string())),
    projectMatrix: z
      .array(domainDependency)
      .optional()
      .describe(
        'Several projects only: project `from` depends on project `to` through `count` edges.',
      ),
    coupling: z.array(
      z
        .object({
          domain: z.string(),
          ca: nonNegative.describe('Afferent coupling: domains that depend on it.'),
          ce: nonNegative.describe('Efferent coupling: domains it depends on.'),
          instability: z.number().min(0).max(1).nullable().describe('Ce / (Ca + Ce).'),
        })
        .strict(),
    ),
    summary: z
      .object({
        domains: nonNegative,
        crossDomainEdges: nonNegative,
        violations: nonNegative,
        waived: nonNegative,
        cycles: nonNegative,
      })
      .strict(),
  })
  .strict()
  .describe('Output of `dbt-steward report domains --format json`.');

export const productsReportSchema = z
  .object({
    formatVersion: z.literal(1),
    kind: z.literal('products'),
    projects: z.array(z.string()),
    products: z.array(
      z
        .object({
          id: z.string().describe('dbt unique_id (versions: one record each).'),
          name: z.string(),
          package: z.string(),
          owner: z.string().nullable().describe('The owner as one line of text.'),
          ownerValue: owner,
          domain: z.string().nullable(),
          description: z.string(),
          access,
          version: z.string().nullable(),
          latestVersion: z.string().nullable(),
          materialized: z.string().nullable(),
          contract: z
            .object({
              enforced: z.boolean(),
              columns: z.array(
                z
                  .object({
                    name: z.string(),
                    dataType: z.string().nullable(),
                    description: z.string(),
                    constraints: z.array(z.string()),
                  })
                  .strict(),
              ),
            })
            .strict(),
          storage: z
            .object({
              relation: z
                .string()
                .describe("The relation name: dbt's default alias (name, or name_v<version>)."),
            })
            .strict(),
          tables: z.array(z.string()).describe('Relations of every version of the model.'),
          sla: z.unknown().describe('meta.sla as declared; null when absent.'),
          tags: z.array(z.string()),
          consumers: z.array(
            z
              .object({
                domain: z.string().nullable(),
                consumers: z.array(
                  z.object({ id: z.string(), name: z.string(), resourceType }).strict(),
                ),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    summary: z
      .object({
        products: nonNegative,
        contractEnforced: nonNegative,
        withOwner: nonNegative,
        withDomain: nonNegative,
      })
      .strict(),
  })
  .strict()
  .describe('Output of `dbt-steward report products --format json`: a data-product registry.');

/** The JSON Schemas to publish, by file name under schemas/. */
export function outputJsonSchemas(): Record<string, unknown> {
  const gen = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12' });
  return {
    'check-result.schema.json': gen(checkResultSchema),
    'lineage.schema.json': gen(lineageResultSchema),
    'owners-report.schema.json': gen(ownersReportSchema),
    'domains-report.schema.json': gen(domainsReportSchema),
    'products.schema.json': gen(productsReportSchema),
  };
}
