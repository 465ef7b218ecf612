/** Python's string whitespace rules, which dbt's file reading and PyYAML follow. */

/**
 * Whether a UTF-16 code unit is in Python's `str.isspace()` set: what `str.strip()` removes
 * (not U+FEFF, unlike JS trim; but the separators U+001C–U+001F and U+0085, unlike JS `\s`).
 */
export function isPythonSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return c === 0x85 || isUnicodeSpace(c);
}

/**
 * The Unicode spaces and line/paragraph separators from U+00A0 up, which both Python's
 * `isspace()` and the regex `\s` count (they differ below, and on U+0085 and U+FEFF).
 */
export function isUnicodeSpace(c: number): boolean {
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Python's `str.strip()`. */
export function pyStrip(s: string): string {
  // Index scans from both ends: a regular expression retried its trailing alternative at
  // every blank of a file (tens of milliseconds over a thousand models).
  let start = 0;
  let end = s.length;
  while (start < end && isPythonSpace(s.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
