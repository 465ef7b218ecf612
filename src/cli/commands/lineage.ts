/** `dbt-steward lineage`: the lineage graph, all of it or what the selection picks. */
import { lineageOf, lineageReporters } from '../../index.js';
import {
  formatOptions,
  inputOptions,
  outputs,
  prepare,
  type CliIO,
  type Command,
  type CommonArgs,
} from '../common.js';
import { writeOutputs } from '../output.js';

export const lineageCommand: Command = {
  command: 'lineage [inputs..]',
  describe: 'print the lineage graph (all of it, or what --select picks)',
  builder: (y) => formatOptions(inputOptions(y), Object.keys(lineageReporters).join(', ')),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as CommonArgs;
    const specs = outputs(args, lineageReporters);
    const { project, selected, resolver } = await prepare(args, io);
    const result = lineageOf(project, selected, resolver);
    writeOutputs(specs, (name) => lineageReporters[name]!(result), io);
    return 0;
  },
};
