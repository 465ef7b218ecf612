/**
 * The shared corpus seen with domains: the real manifests carry no meta.domain, so the
 * boundary rule tests give every resource the domain of its top folder under `models/`
 * (`models/{domain}/**`) and compare the rules' findings with counts computed here from the
 * raw JSON, independently of the loader and of the resolver.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  check,
  emptyEngineConfig,
  getBuiltinRules,
  Registry,
  type CheckResult,
  type Project,
  type RuleSetting,
} from '../../src/index.js';
import { CORPUS_DIR } from './corpus.js';

export type Json = Record<string, any>;

/** One raw resource: its unique_id, type, package and dependencies as the manifest has them. */
export interface RawResource {
  id: string;
  type: string;
  packageName: string;
  file: string;
  external: boolean;
  dependsOn: string[];
  access: string | null;
  meta: Json;
  tags: string[];
  json: Json;
}

const SECTIONS = [
  'nodes',
  'sources',
  'exposures',
  'metrics',
  'semantic_models',
  'saved_queries',
  'unit_tests',
];

const rawCache = new Map<string, Map<string, RawResource>>();

/** Every resource of a corpus manifest, read straight from its JSON. */
export function rawResources(name: string): Map<string, RawResource> {
  let out = rawCache.get(name);
  if (out) return out;
  const raw = JSON.parse(
    readFileSync(path.join(CORPUS_DIR, name, 'manifest.json'), 'utf8'),
  ) as Json;
  out = new Map();
  for (const section of SECTIONS) {
    for (const [id, v] of Object.entries((raw[section] ?? {}) as Json)) {
      const n = v as Json;
      const type =
        section === 'nodes'
          ? String(n.resource_type).replace(/ /g, '_')
          : section === 'sources'
            ? 'source'
            : section.replace(/s$/, '').replace(/ie$/, 'y');
      const file = String(n.original_file_path ?? '').replace(/\\/g, '/');
      out.set(id, {
        id,
        type: id.startsWith('unit_test.') ? 'unit_test' : type,
        packageName: String(n.package_name),
        file,
        external: file === '' && (n.path ?? '') === '',
        dependsOn: [...new Set<string>((n.depends_on?.nodes ?? []) as string[])],
        access: (n.access ?? n.config?.access ?? null) as string | null,
        meta: { ...(n.meta ?? {}), ...(n.config?.meta ?? {}) },
        tags: [...new Set([...(n.tags ?? []), ...(n.config?.tags ?? [])])] as string[],
        json: n,
      });
    }
  }
  rawCache.set(name, out);
  return out;
}

/** The folder domain: the first folder under `models/`, when the file sits below it. */
export function folderDomain(r: RawResource | undefined): string | null {
  if (!r || r.external) return null;
  const m = /^models\/([^/]+)\/.+$/.exec(r.file);
  return m ? m[1]! : null;
}

export const isTestType = (type: string) => type === 'test' || type === 'unit_test';

/** Runs the rules given (every other id off) with folder domains declared. */
export function checkWithFolderDomains(
  project: Project,
  name: string,
  rules: Record<string, RuleSetting>,
  extra: (engine: ReturnType<typeof emptyEngineConfig>) => void = () => {},
): CheckResult {
  const engine = emptyEngineConfig();
  engine.domains.resolution = [
    { kind: 'meta', key: 'domain' },
    { kind: 'group' },
    { kind: 'path', pattern: 'models/{domain}/**' },
  ];
  const domains = new Set<string>();
  for (const r of rawResources(name).values()) {
    const d = folderDomain(r);
    if (d !== null) domains.add(d);
  }
  for (const d of domains)
    engine.domains.declared[d] = {
      name: d,
      description: '',
      owners: [],
      public: [],
      origin: 'test',
    };
  extra(engine);
  return check(project, {
    config: { engine, registry: new Registry(getBuiltinRules()) },
    rules,
    now: new Date('2026-01-01T00:00:00Z'),
  });
}

/** The checked project's own resources (the root package, not injected). */
export function ownRaw(project: Project, name: string): RawResource[] {
  const own = new Set(project.projects.map((p) => p.name));
  return [...rawResources(name).values()].filter((r) => !r.external && own.has(r.packageName));
}
