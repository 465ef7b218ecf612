// Whole-graph traversals on a loaded manifest: `npm run bench:graph -- bench-out/manifest-100000.json`
// (generate it first with `npm run gen -- --models 100000`). Needs `npm run build`.
import { performance } from 'node:perf_hooks';
import { loadProject } from '../dist/src/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run bench:graph -- MANIFEST');
  process.exit(2);
}
const project = await loadProject([file]);
const g = project.graph;
const roots = g.ids().filter((id) => g.parents(id).length === 0);
const time = (fn) => {
  const t = performance.now();
  const out = fn();
  return [Math.round(performance.now() - t), out];
};
const [downMs, down] = time(() => g.downstream(roots));
const [cycMs, cycles] = time(() => g.cycles());
const [upMs] = time(() =>
  g
    .ids()
    .slice(0, 1000)
    .reduce((n, id) => n + g.upstream(id).length, 0),
);
console.log(
  `${g.size} nodes, ${g.edgeCount} edges: downstream of all ${roots.length} roots ${downMs} ms ` +
    `(${down.length} reached); cycles ${cycMs} ms (${cycles.length}); 1,000 upstream traversals ${upMs} ms`,
);
