/** --format NAME[=FILE] handling and atomic output files. */
import path from 'node:path';
import { writeFileAtomic } from '../index.js';

export interface OutputSpec {
  format: string;
  /** null: standard output. */
  file: string | null;
}

/**
 * Parses repeatable --format values. At most one format goes to stdout; `--output FILE`
 * sends the single format (text when none is named) to FILE.
 */
export function parseFormats(
  formats: readonly string[],
  output: string | undefined,
  known: readonly string[],
): OutputSpec[] {
  const specs: OutputSpec[] = formats.map((f) => {
    const eq = f.indexOf('=');
    const format = eq < 0 ? f : f.slice(0, eq);
    const file = eq < 0 ? null : f.slice(eq + 1);
    if (!known.includes(format)) {
      throw new Error(
        `--format ${JSON.stringify(format)} is not a known format; use one of: ${known.join(', ')}`,
      );
    }
    if (file === '') throw new Error(`--format ${format}=: the file name is empty`);
    return { format, file };
  });
  if (output !== undefined) {
    if (output === '') throw new Error('--output: the file name is empty');
    const toStdout = specs.filter((s) => s.file === null);
    if (specs.length === 0) specs.push({ format: 'text', file: output });
    else if (specs.length === 1 && toStdout.length === 1) specs[0]!.file = output;
    else
      throw new Error('--output goes with a single --format; use --format NAME=FILE for several');
  }
  if (specs.length === 0) specs.push({ format: 'text', file: null });
  if (specs.filter((s) => s.file === null).length > 1) {
    throw new Error(
      'only one --format can go to standard output; give the others a file: --format NAME=FILE',
    );
  }
  return specs;
}

/**
 * Renders every output first, then writes each file atomically (temporary file in the same
 * directory, then rename), so that a failure never leaves a partial file behind, and only
 * then prints to standard output.
 */
export function writeOutputs(
  specs: readonly OutputSpec[],
  render: (format: string) => string,
  io: { stdout: (t: string) => void; cwd: string },
): void {
  const rendered = specs.map((s) => ({ spec: s, text: render(s.format) }));
  // Files first: a file that cannot be written fails the run before anything is printed.
  for (const { spec, text } of rendered) {
    if (spec.file !== null) writeFileAtomic(path.resolve(io.cwd, spec.file), text, spec.file);
  }
  for (const { spec, text } of rendered) if (spec.file === null) io.stdout(text);
}
