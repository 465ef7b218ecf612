import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alg } from '@dagrejs/graphlib';
import type { Resource, ResourceType } from '../src/model.js';
import { LineageGraph } from '../src/graph/lineage.js';
import { condense, toGraphlib } from '../src/graph/graphlib.js';

function res(uniqueId: string, dependsOn: string[] = [], extra: Partial<Resource> = {}): Resource {
  const parts = uniqueId.split('.');
  const resourceType = (parts[0] ?? 'model') as ResourceType;
  return {
    uniqueId,
    resourceType,
    name: parts[parts.length - 1] ?? uniqueId,
    packageName: parts[1] ?? 'pkg',
    filePath: null,
    patchPath: null,
    fqn: parts.slice(1),
    description: '',
    meta: Object.create(null) as Record<string, unknown>,
    tags: [],
    group: null,
    access: resourceType === 'model' ? 'protected' : null,
    contract: null,
    materialized: null,
    columns: [],
    constraints: [],
    version: null,
    latestVersion: null,
    deprecationDate: null,
    dependsOn,
    external: false,
    sourceName: null,
    owner: null,
    test: null,
    projectName: 'pkg',
    ...extra,
  };
}

function testRes(uniqueId: string, attachedNode: string | null, dependsOn: string[]): Resource {
  return res(uniqueId, dependsOn, {
    test: { name: 'not_null', namespace: null, columnName: 'id', attachedNode },
  });
}

/*
 *   src.a ──► m.stg_a ──► m.int ──► m.mart ──► exposure.dash
 *   src.b ──► m.stg_b ───┘   └─────────────────► m.report
 */
const S_A = 'source.pkg.raw.a';
const S_B = 'source.pkg.raw.b';
const STG_A = 'model.pkg.stg_a';
const STG_B = 'model.pkg.stg_b';
const INT = 'model.pkg.int';
const MART = 'model.pkg.mart';
const REPORT = 'model.pkg.report';
const DASH = 'exposure.pkg.dash';

function diamond(): LineageGraph {
  return LineageGraph.fromResources([
    res(S_A),
    res(S_B),
    res(STG_A, [S_A]),
    res(STG_B, [S_B, S_B]),
    res(INT, [STG_A, STG_B]),
    res(MART, [INT]),
    res(REPORT, [INT]),
    res(DASH, [MART]),
  ]);
}

describe('LineageGraph basics', () => {
  test('nodes, indices and edges', () => {
    const g = diamond();
    expect(g.size).toBe(8);
    expect(g.edgeCount).toBe(7); // duplicate S_B dependency collapsed
    expect(g.ids()).toEqual([S_A, S_B, STG_A, STG_B, INT, MART, REPORT, DASH]);
    expect(g.has(INT)).toBe(true);
    expect(g.has('model.pkg.nope')).toBe(false);
    expect(g.index(INT)).toBe(4);
    expect(g.index('model.pkg.nope')).toBe(-1);
    expect(g.id(4)).toBe(INT);
    expect(() => g.id(99)).toThrow(RangeError);
    for (const id of g.ids()) expect(g.id(g.index(id))).toBe(id);
    expect(g.edges()).toEqual([
      [INT, MART],
      [INT, REPORT],
      [MART, DASH],
      [STG_A, INT],
      [STG_B, INT],
      [S_A, STG_A],
      [S_B, STG_B],
    ]);
  });

  test('parents and children are sorted', () => {
    const g = diamond();
    expect(g.parents(INT)).toEqual([STG_A, STG_B]);
    expect(g.children(INT)).toEqual([MART, REPORT]);
    expect(g.parents(S_A)).toEqual([]);
    expect(g.children(DASH)).toEqual([]);
    expect(g.parents(STG_B)).toEqual([S_B]);
    expect(g.parents('unknown')).toEqual([]);
    expect(g.children('unknown')).toEqual([]);
  });

  test('upstream / downstream with depth, BFS order, ties sorted', () => {
    const g = diamond();
    expect(g.upstream(DASH)).toEqual([MART, INT, STG_A, STG_B, S_A, S_B]);
    expect(g.upstream(DASH, { depth: 1 })).toEqual([MART]);
    expect(g.upstream(DASH, { depth: 2 })).toEqual([MART, INT]);
    expect(g.upstream(DASH, { depth: 3 })).toEqual([MART, INT, STG_A, STG_B]);
    expect(g.upstream(DASH, { depth: 0 })).toEqual([]);
    expect(g.downstream(S_A)).toEqual([STG_A, INT, MART, REPORT, DASH]);
    expect(g.downstream(S_A, { depth: 3 })).toEqual([STG_A, INT, MART, REPORT]);
    expect(g.downstream([S_A, S_B], { depth: 1 })).toEqual([STG_A, STG_B]);
    // start nodes are excluded even when reachable from other start nodes
    expect(g.downstream([S_A, STG_A, INT])).toEqual([MART, REPORT, DASH]);
    expect(g.downstream(DASH)).toEqual([]);
    expect(g.downstream('unknown')).toEqual([]);
    expect(g.upstream([])).toEqual([]);
  });

  test('path', () => {
    const g = diamond();
    expect(g.path(S_B, DASH)).toEqual([S_B, STG_B, INT, MART, DASH]);
    expect(g.path(STG_A, REPORT)).toEqual([STG_A, INT, REPORT]);
    expect(g.path(INT, INT)).toEqual([INT]);
    expect(g.path(DASH, S_A)).toBeNull(); // only downstream
    expect(g.path(S_A, S_B)).toBeNull();
    expect(g.path('unknown', DASH)).toBeNull();
  });

  test('shortest path is preferred', () => {
    const g = LineageGraph.fromResources([
      res('model.p.a'),
      res('model.p.b', ['model.p.a']),
      res('model.p.c', ['model.p.b']),
      res('model.p.d', ['model.p.c', 'model.p.a']),
    ]);
    expect(g.path('model.p.a', 'model.p.d')).toEqual(['model.p.a', 'model.p.d']);
  });

  test('subgraph is induced and sorted', () => {
    const g = diamond();
    const sub = g.subgraph([REPORT, INT, STG_B, S_A, 'unknown', INT]);
    expect(sub.nodes).toEqual([INT, REPORT, STG_B, S_A]);
    expect(sub.edges).toEqual([
      [INT, REPORT],
      [STG_B, INT],
    ]);
    expect(g.subgraph([])).toEqual({ nodes: [], edges: [] });
  });

  test('empty graph', () => {
    const g = LineageGraph.fromResources([]);
    expect(g.size).toBe(0);
    expect(g.edgeCount).toBe(0);
    expect(g.cycles()).toEqual([]);
    expect(g.edges()).toEqual([]);
    expect(g.upstream('x')).toEqual([]);
    expect(g.path('x', 'y')).toBeNull();
  });

  test('accepts any iterable', () => {
    function* gen(): Generator<Resource> {
      yield res('model.p.a');
      yield res('model.p.b', ['model.p.a']);
    }
    const g = LineageGraph.fromResources(gen());
    expect(g.children('model.p.a')).toEqual(['model.p.b']);
  });
});

describe('dangling ids', () => {
  test('unknown dependencies become dangling nodes', () => {
    const g = LineageGraph.fromResources([
      res('model.p.a', ['model.p.disabled', 'source.p.s.missing']),
      res('model.p.b', ['model.p.a', 'model.p.disabled']),
    ]);
    expect(g.size).toBe(4);
    expect(g.ids()).toEqual(['model.p.a', 'model.p.b', 'model.p.disabled', 'source.p.s.missing']);
    expect(g.isDangling('model.p.disabled')).toBe(true);
    expect(g.isDangling('source.p.s.missing')).toBe(true);
    expect(g.isDangling('model.p.a')).toBe(false);
    expect(g.isDangling('nope')).toBe(false);
    expect(g.children('model.p.disabled')).toEqual(['model.p.a', 'model.p.b']);
    expect(g.upstream('model.p.b')).toEqual([
      'model.p.a',
      'model.p.disabled',
      'source.p.s.missing',
    ]);
  });

  test('a resource listed after being referenced is not dangling', () => {
    const g = LineageGraph.fromResources([res('model.p.b', ['model.p.a']), res('model.p.a')]);
    expect(g.isDangling('model.p.a')).toBe(false);
    expect(g.ids()).toEqual(['model.p.b', 'model.p.a']);
  });

  test('repeated unique ids: first wins, dependencies merged', () => {
    const g = LineageGraph.fromResources([
      res('model.p.a'),
      res('model.p.b'),
      res('model.p.c', ['model.p.a']),
      res('model.p.c', ['model.p.b']),
    ]);
    expect(g.size).toBe(3);
    expect(g.parents('model.p.c')).toEqual(['model.p.a', 'model.p.b']);
  });
});

describe('cycles', () => {
  test('acyclic graph has none', () => {
    expect(diamond().cycles()).toEqual([]);
  });

  test('self-loop and two separate cycles', () => {
    const g = LineageGraph.fromResources([
      res('model.p.self', ['model.p.self']),
      // cycle 1: x → y → z → x, plus a tail
      res('model.p.x', ['model.p.z']),
      res('model.p.y', ['model.p.x']),
      res('model.p.z', ['model.p.y']),
      res('model.p.tail', ['model.p.z']),
      // cycle 2: b ⇄ a, reachable from cycle 1
      res('model.p.a', ['model.p.b', 'model.p.tail']),
      res('model.p.b', ['model.p.a']),
      res('model.p.lonely'),
    ]);
    expect(g.cycles()).toEqual([
      ['model.p.a', 'model.p.b'],
      ['model.p.self'],
      ['model.p.x', 'model.p.y', 'model.p.z'],
    ]);
    expect(g.parents('model.p.self')).toEqual(['model.p.self']);
    expect(g.edgeCount).toBe(8);
    // start nodes are excluded even when reachable through a cycle
    expect(g.downstream('model.p.self')).toEqual([]);
    expect(g.downstream('model.p.x')).toEqual([
      'model.p.y',
      'model.p.z',
      'model.p.tail',
      'model.p.a',
      'model.p.b',
    ]);
    expect(g.upstream('model.p.a')).toEqual([
      'model.p.b',
      'model.p.tail',
      'model.p.z',
      'model.p.y',
      'model.p.x',
    ]);
    expect(g.path('model.p.y', 'model.p.x')).toEqual(['model.p.y', 'model.p.z', 'model.p.x']);
  });

  test('agrees with graphlib', () => {
    const g = LineageGraph.fromResources([
      res('model.p.a', ['model.p.c']),
      res('model.p.b', ['model.p.a']),
      res('model.p.c', ['model.p.b']),
      res('model.p.d', ['model.p.d', 'model.p.c']),
      res('model.p.e', ['model.p.d']),
    ]);
    const gl = alg
      .findCycles(toGraphlib(g))
      .map((c) => [...c].sort())
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(g.cycles()).toEqual(gl);
  });
});

describe('tests attached to nodes', () => {
  test('testsOf and attachedTo', () => {
    const g = LineageGraph.fromResources([
      res('model.p.a'),
      res('model.p.b', ['model.p.a']),
      testRes('test.p.not_null_b_id', 'model.p.b', ['model.p.b']),
      testRes('test.p.unique_b_id', 'model.p.b', ['model.p.b']),
      testRes('test.p.relationships_b_a', 'model.p.b', ['model.p.a', 'model.p.b']),
      res('unit_test.p.b.ut', ['model.p.b'], {
        test: { name: null, namespace: null, columnName: null, attachedNode: 'model.p.b' },
      }),
      testRes('test.p.singular', null, ['model.p.a']),
      testRes('test.p.on_missing', 'model.p.missing', []),
      // not a test: test info is ignored
      res('model.p.c', [], {
        test: { name: null, namespace: null, columnName: null, attachedNode: 'model.p.a' },
      }),
    ]);
    expect(g.testsOf('model.p.b')).toEqual([
      'test.p.not_null_b_id',
      'test.p.relationships_b_a',
      'test.p.unique_b_id',
      'unit_test.p.b.ut',
    ]);
    expect(g.testsOf('model.p.a')).toEqual([]);
    expect(g.testsOf('unknown')).toEqual([]);
    expect(g.attachedTo('test.p.unique_b_id')).toBe('model.p.b');
    expect(g.attachedTo('unit_test.p.b.ut')).toBe('model.p.b');
    expect(g.attachedTo('test.p.singular')).toBeNull();
    expect(g.attachedTo('test.p.on_missing')).toBe('model.p.missing');
    expect(g.attachedTo('model.p.c')).toBeNull();
    expect(g.attachedTo('model.p.b')).toBeNull();
    expect(g.attachedTo('unknown')).toBeNull();
    // tests are ordinary downstream nodes in lineage
    expect(g.children('model.p.a')).toEqual([
      'model.p.b',
      'test.p.relationships_b_a',
      'test.p.singular',
    ]);
  });
});

describe('graphlib interop', () => {
  test('toGraphlib mirrors nodes and edges', () => {
    const g = diamond();
    const gl = toGraphlib(g);
    expect(gl.isDirected()).toBe(true);
    expect(gl.nodeCount()).toBe(g.size);
    expect(gl.edgeCount()).toBe(g.edgeCount);
    expect(gl.node(INT)).toBe(INT);
    expect(gl.hasEdge(INT, MART)).toBe(true);
    expect(gl.hasEdge(MART, INT)).toBe(false);
    expect(alg.isAcyclic(gl)).toBe(true);
  });

  test('condense counts edges between groups and finds group cycles', () => {
    const domainOf: Record<string, string | null> = {
      'model.p.f1': 'finance',
      'model.p.f2': 'finance',
      'model.p.m1': 'marketing',
      'model.p.m2': 'marketing',
      'model.p.s1': 'sales',
      'model.p.o1': 'ops',
      'model.p.none': null,
    };
    const g = LineageGraph.fromResources([
      res('model.p.f1'),
      res('model.p.f2', ['model.p.f1']), // within finance: dropped
      res('model.p.m1', ['model.p.f1', 'model.p.f2']), // finance→marketing ×2
      res('model.p.m2', ['model.p.m1', 'model.p.s1']), // sales→marketing
      res('model.p.s1', ['model.p.m1']), // marketing→sales (cycle with the above)
      res('model.p.o1', ['model.p.none', 'model.p.f2']), // null key dropped; finance→ops
      res('model.p.none', ['model.p.s1']), // null key dropped
    ]);
    const c = condense(g, (id) => domainOf[id] ?? null);
    expect(c.nodes).toEqual(['finance', 'marketing', 'ops', 'sales']);
    expect(c.edges).toEqual([
      { from: 'finance', to: 'marketing', count: 2 },
      { from: 'finance', to: 'ops', count: 1 },
      { from: 'marketing', to: 'sales', count: 1 },
      { from: 'sales', to: 'marketing', count: 1 },
    ]);
    expect(c.cycles).toEqual([['marketing', 'sales']]);
  });

  test('condense finds several group cycles', () => {
    const g = LineageGraph.fromResources([
      res('model.c.x', ['model.a.x']),
      res('model.b.x', ['model.c.x']),
      res('model.a.x', ['model.b.x']),
      res('model.e.x', ['model.d.x']),
      res('model.d.x', ['model.e.x', 'model.d.y']),
      res('model.d.y'),
    ]);
    const c = condense(g, (id) => id.split('.')[1] ?? null);
    expect(c.nodes).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.cycles).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(c.edges.find((e) => e.from === 'd' && e.to === 'd')).toBeUndefined();
  });
});

describe('large graphs (no recursion)', () => {
  test('200k-node chain', () => {
    const n = 200_000;
    const resources: Resource[] = new Array<Resource>(n);
    const id = (i: number): string => `model.p.n${i}`;
    for (let i = 0; i < n; i++) resources[i] = res(id(i), i === 0 ? [] : [id(i - 1)]);
    const g = LineageGraph.fromResources(resources);
    expect(g.size).toBe(n);
    expect(g.edgeCount).toBe(n - 1);

    const down = g.downstream(id(0));
    expect(down.length).toBe(n - 1);
    expect(down[0]).toBe(id(1));
    expect(down[n - 2]).toBe(id(n - 1));
    const up = g.upstream(id(n - 1));
    expect(up.length).toBe(n - 1);
    expect(up[n - 2]).toBe(id(0));
    expect(g.downstream(id(10), { depth: 5 })).toEqual([11, 12, 13, 14, 15].map(id));

    const p = g.path(id(0), id(n - 1));
    expect(p).not.toBeNull();
    expect(p!.length).toBe(n);
    expect(g.cycles()).toEqual([]);

    // closing the chain into one huge cycle
    resources[0] = res(id(0), [id(n - 1)]);
    const ring = LineageGraph.fromResources(resources);
    const cycles = ring.cycles();
    expect(cycles.length).toBe(1);
    expect(cycles[0]!.length).toBe(n);
    expect(ring.downstream(id(5)).length).toBe(n - 1);
  });

  test('100k-node wide layered graph', () => {
    const layers = 10;
    const width = 10_000;
    const id = (l: number, i: number): string => `model.p.l${l}_${i}`;
    const resources: Resource[] = [];
    for (let l = 0; l < layers; l++) {
      for (let i = 0; i < width; i++) {
        const deps =
          l === 0 ? [] : [id(l - 1, i), id(l - 1, (i + 1) % width), id(l - 1, (i * 7) % width)];
        resources.push(res(id(l, i), deps));
      }
    }
    const g = LineageGraph.fromResources(resources);
    expect(g.size).toBe(layers * width);
    expect(g.parents(id(5, 0))).toEqual([id(4, 0), id(4, 1)]); // (0*7)%w duplicates 0

    const roots = Array.from({ length: width }, (_, i) => id(0, i));
    const all = g.downstream(roots);
    expect(all.length).toBe((layers - 1) * width);
    expect(new Set(all).size).toBe(all.length);
    // BFS order: each layer comes before the next, sorted within the layer
    const layer1 = all.slice(0, width);
    expect(layer1).toEqual([...layer1].sort());
    expect(layer1.every((x) => x.startsWith('model.p.l1_'))).toBe(true);

    const upLast = g.upstream(id(layers - 1, 0));
    expect(upLast.length).toBeGreaterThan(layers - 1);
    expect(g.upstream(id(layers - 1, 0), { depth: 1 })).toEqual(g.parents(id(layers - 1, 0)));
    expect(g.downstream(roots, { depth: 2 }).length).toBe(2 * width);
    expect(g.path(id(0, 3), id(layers - 1, 3))!.length).toBe(layers);
    expect(g.cycles()).toEqual([]);
    expect(g.edges().length).toBe(g.edgeCount);
  });
});

// ---------------------------------------------------------------------------------------
// Real manifests: graph.parents(id) must equal dbt's own parent_map.

type RawNode = { unique_id?: string; resource_type?: string; depends_on?: { nodes?: string[] } };
type RawManifest = Record<string, unknown> & { parent_map?: Record<string, string[]> };

const SECTIONS = [
  'nodes',
  'sources',
  'exposures',
  'metrics',
  'semantic_models',
  'saved_queries',
  'unit_tests',
  'functions',
] as const;

function loadRaw(file: URL | string): {
  graph: LineageGraph;
  raw: RawManifest;
  loaded: Set<string>;
} {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawManifest;
  const resources: Resource[] = [];
  const loaded = new Set<string>();
  for (const section of SECTIONS) {
    const entries = raw[section];
    // `disabled` and friends may be arrays in old manifests; only objects are node maps.
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) continue;
    for (const [key, node] of Object.entries(entries as Record<string, RawNode>)) {
      const uniqueId = node.unique_id ?? key;
      loaded.add(uniqueId);
      resources.push(
        res(uniqueId, [...new Set(node.depends_on?.nodes ?? [])], {
          resourceType: (node.resource_type ?? 'model') as ResourceType,
        }),
      );
    }
  }
  return { graph: LineageGraph.fromResources(resources), raw, loaded };
}

function checkParentMap(file: URL | string): number {
  const { graph, raw, loaded } = loadRaw(file);
  const parentMap = raw.parent_map ?? {};
  let checked = 0;
  for (const [id, parents] of Object.entries(parentMap)) {
    if (!loaded.has(id)) continue;
    const expected = [...new Set(parents)].sort();
    expect({ id, parents: graph.parents(id) }).toEqual({ id, parents: expected });
    for (const p of expected) {
      if (!loaded.has(p))
        expect({ p, dangling: graph.isDangling(p) }).toEqual({ p, dangling: true });
      else expect(graph.isDangling(p)).toBe(false);
    }
    checked++;
  }
  return checked;
}

const manifestsDir = fileURLToPath(new URL('../../shared/corpus/manifests/', import.meta.url));

describe('real manifests', () => {
  test('dap-jaffle-v12-1.11 parents match parent_map', () => {
    const url = new URL(
      '../../shared/corpus/manifests/dap-jaffle-v12-1.11/manifest.json',
      import.meta.url,
    );
    const checked = checkParentMap(url);
    expect(checked).toBeGreaterThan(50);
    const { graph } = loadRaw(url);
    expect(graph.cycles()).toEqual([]);
  });

  test('every corpus manifest: parents match parent_map', () => {
    const dirs = readdirSync(manifestsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(dirs.length).toBeGreaterThan(0);
    let manifests = 0;
    for (const dir of dirs) {
      const file = `${manifestsDir}${dir}/manifest.json`;
      if (!existsSync(file)) continue;
      const checked = checkParentMap(file);
      expect({ dir, hasParentMap: checked > 0 }).toEqual({ dir, hasParentMap: true });
      manifests++;
    }
    expect(manifests).toBe(dirs.length);
  });
});
