/**
 * CSV as RFC 4180 writes it (CRLF line ends, fields with a comma, quote, CR or LF quoted,
 * quotes doubled), hardened against formula injection: a cell that starts with =, +, -, @,
 * TAB or CR gets a leading `'`, so spreadsheets show it as text and never run it.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, neutralized and quoted as needed. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  // Numbers we write are data, not formulas (a negative number stays a number).
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: a header row, then the rows; CRLF after every record. */
export function formatCsv(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>,
): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}
