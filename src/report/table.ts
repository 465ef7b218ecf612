/**
 * Aligned text tables that fit a terminal (80 columns by default): columns keep their
 * natural width when they can, else the widest text columns are narrowed and their cells
 * wrapped at spaces (long words are cut). Cells are untrusted: control characters are made
 * visible first, so they can neither drive the terminal nor break the alignment.
 */
import { plain } from './owner.js';

export interface TableColumn {
  header: string;
  /** Numbers are right-aligned and never wrapped. Default left. */
  align?: 'left' | 'right';
}

export interface TableOptions {
  /** Total width, default 80. */
  width?: number;
  /** Leave out the header row and its rule. */
  noHeader?: boolean;
  /** Spaces before every line. */
  indent?: number;
}

const GAP = 2;
const MIN_WIDTH = 6;

function clean(text: string): string {
  return plain(text.replace(/\r\n|\r|\n|\t/g, ' '));
}

/** Where to cut a word too long for `width`: after a `/._-@,` in its second half, else at width. */
function breakPoint(word: readonly string[], width: number): number {
  for (let i = width; i > width / 2; i--) if ('/._-@,'.includes(word[i - 1]!)) return i;
  return width;
}

/** Wraps `text` to lines of at most `width` characters, at spaces when it can. */
export function wrapText(text: string, width: number): string[] {
  const chars = [...text];
  if (chars.length <= width) return [text];
  const lines: string[] = [];
  let line: string[] = [];
  const words = text.split(' ');
  for (const word of words) {
    let w = [...word];
    if (line.length > 0 && line.length + 1 + w.length <= width) {
      line.push(' ', ...w);
      continue;
    }
    if (line.length > 0) lines.push(line.join(''));
    while (w.length > width) {
      const cut = breakPoint(w, width);
      lines.push(w.slice(0, cut).join(''));
      w = w.slice(cut);
    }
    line = w;
  }
  if (line.length > 0 || lines.length === 0) lines.push(line.join(''));
  return lines;
}

const len = (s: string) => [...s].length;

/** Renders a table; every line fits `width` unless the columns cannot shrink that far. */
export function renderTable(
  columns: readonly TableColumn[],
  rows: ReadonlyArray<readonly string[]>,
  options: TableOptions = {},
): string {
  const indent = ' '.repeat(options.indent ?? 0);
  const width = (options.width ?? 80) - indent.length;
  const header = columns.map((c) => clean(c.header));
  const body = rows.map((r) => columns.map((_, i) => clean(r[i] ?? '')));
  const all = options.noHeader ? body : [header, ...body];
  const widths = columns.map((_, i) => Math.max(1, ...all.map((r) => len(r[i]!))));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1);
  // Narrow the widest wrappable column, one character at a time, until the table fits.
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      if (columns[i]!.align === 'right' || widths[i]! <= MIN_WIDTH) continue;
      if (widest < 0 || widths[i]! > widths[widest]!) widest = i;
    }
    if (widest < 0) break;
    widths[widest]!--;
  }
  const lines: string[] = [];
  const emit = (cells: readonly string[]) => {
    const wrapped = cells.map((c, i) => wrapText(c, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let k = 0; k < height; k++) {
      const parts = wrapped.map((w, i) => {
        const text = w[k] ?? '';
        const pad = ' '.repeat(Math.max(0, widths[i]! - len(text)));
        return columns[i]!.align === 'right' ? pad + text : text + pad;
      });
      lines.push((indent + parts.join(' '.repeat(GAP))).trimEnd());
    }
  };
  if (!options.noHeader) {
    emit(header);
    lines.push(indent + widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)));
  }
  for (const r of body) emit(r);
  return lines.join('\n') + '\n';
}

/** A paragraph wrapped to `width` (control characters made visible). */
export function wrapParagraph(text: string, width = 80, indent = 0): string {
  const pad = ' '.repeat(indent);
  return (
    wrapText(clean(text), width - indent)
      .map((l) => (pad + l).trimEnd())
      .join('\n') + '\n'
  );
}
