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
        })
        .strict(),
    ),
    edges: z.array(
      z.object({ from: z.string().describe('The upstream node.'), to: z.string() }).strict(),
    ),
  })
  .strict()
  .describe('Output of `dbt-steward lineage --format json`.');

/** The JSON Schemas to publish, by file name under schemas/. */
export function outputJsonSchemas(): Record<string, unknown> {
  const gen = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12' });
  return {
    'check-result.schema.json': gen(checkResultSchema),
    'lineage.schema.json': gen(lineageResultSchema),
  };
}
