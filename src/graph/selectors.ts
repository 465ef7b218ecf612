/**
 * Which YAML selectors a run sees (the manifests' `selectors` and the projects'
 * selectors.yml files), and dbt's policy for `--selector NAME`, `--select`/`--exclude` and
 * the default selector.
 */
import type { ManifestSelector, ManifestSelectors, ProjectInfo } from '../model.js';
import {
  defaultSelector,
  resolveSelector,
  selectResources,
  SelectorError,
  type IndirectSelection,
  type SelectionContext,
  type Selectors,
} from './select.js';

/** An unrendered Jinja expression somewhere in the entry (`{{ … }}` or `{% … %}`). */
function hasJinja(entry: ManifestSelector): boolean {
  const text = JSON.stringify(entry) ?? '';
  return text.includes('{{') || text.includes('{%');
}

/**
 * The selectors of the loaded projects, by name. For each project (in input order), its
 * `selectors.yml` (`fromFiles[i]`, null when it has none) beats the manifest's copy of the
 * same name, as the file is what the next `dbt parse` reads; except where the file's entry
 * holds Jinja (`{{ target.name == 'prod' }}`), which dbt-steward cannot render and dbt
 * rendered into the manifest's copy: then the manifest's copy is used when there is one.
 * Across projects, the first project that defines a name wins.
 */
export function projectSelectors(
  projects: readonly Pick<ProjectInfo, 'selectors'>[],
  fromFiles: readonly (ManifestSelectors | null | undefined)[],
): Selectors {
  const out = Object.create(null) as Record<string, ManifestSelector>;
  projects.forEach((project, i) => {
    const manifest = project.selectors ?? null;
    const file = fromFiles[i] ?? null;
    const own = Object.create(null) as Record<string, ManifestSelector>;
    if (manifest) for (const name of Object.keys(manifest)) own[name] = manifest[name]!;
    if (file)
      for (const name of Object.keys(file)) {
        const entry = file[name]!;
        if (!(hasJinja(entry) && Object.hasOwn(own, name))) own[name] = entry;
      }
    for (const name of Object.keys(own)) if (!Object.hasOwn(out, name)) out[name] = own[name]!;
  });
  return out;
}

/** The selection flags of a command. Empty lists and a missing or empty selector are unset. */
export interface SelectionArgs {
  select?: readonly string[] | null;
  exclude?: readonly string[] | null;
  selector?: string | null;
  /** Default: eager, as in dbt. */
  indirectSelection?: IndirectSelection;
}

function given(list: readonly string[] | null | undefined): boolean {
  return (list ?? []).some((s) => s.trim() !== '');
}

/**
 * The selected ids for a command's selection flags, with dbt's policy:
 *
 * - `--selector NAME` selects what the YAML selector NAME selects (from `selectors`, see
 *   `projectSelectors`). It replaces `--select`/`--exclude`: giving both is a SelectorError
 *   ("use --selector or --select/--exclude, not both"; dbt would silently ignore one).
 * - `--select`/`--exclude` select as `selectResources` does (`selector:NAME` terms included).
 * - With none of the three, the selector marked `default: true` applies, if there is one
 *   (as in dbt, `--exclude` alone also turns the default off); several defaults are a
 *   SelectorError.
 *
 * Returns null when nothing restricts the selection (no flags, no default selector).
 * `ctx.domainOf` / `ctx.ownerOf` serve the `domain:` and `owner:` methods.
 */
export function selectionFor(
  args: SelectionArgs,
  selectors: Selectors | null | undefined,
  ctx: SelectionContext,
): Set<string> | null {
  const { resources, graph, domainOf, ownerOf } = ctx;
  const extra = { domainOf, ownerOf };
  const selector = args.selector?.trim() ?? '';
  const hasSelect = given(args.select);
  const hasExclude = given(args.exclude);
  const options = {
    ...extra,
    ...(args.indirectSelection ? { indirectSelection: args.indirectSelection } : {}),
  };
  if (selector !== '') {
    if (hasSelect || hasExclude)
      throw new SelectorError(
        `--selector ${JSON.stringify(selector)} with ${hasSelect ? '--select' : '--exclude'}: use --selector or --select/--exclude, not both`,
      );
    return resolveSelector(selector, selectors, resources, graph, {
      ...options,
      label: `--selector ${JSON.stringify(selector)}`,
    });
  }
  if (args.selector !== undefined && args.selector !== null)
    throw new SelectorError('--selector needs a selector name');
  if (!hasSelect && !hasExclude) {
    const name = defaultSelector(selectors);
    if (name === null) return null;
    return resolveSelector(name, selectors, resources, graph, {
      ...options,
      label: `default selector ${JSON.stringify(name)}`,
    });
  }
  return selectResources(
    {
      select: args.select ?? [],
      exclude: args.exclude ?? [],
      selectors: selectors ?? null,
      ...(args.indirectSelection ? { indirectSelection: args.indirectSelection } : {}),
    },
    resources,
    graph,
    extra,
  );
}
