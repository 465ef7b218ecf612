/**
 * HTML escaping helpers for the self-contained HTML report. Every name and description in a
 * project is untrusted input: it goes through these before it reaches the page.
 */
import { createHash } from 'node:crypto';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

// eslint-disable-next-line no-control-regex -- dropping control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Escapes text for HTML element content and for double- or single-quoted attribute values.
 * NUL and other C0 controls except TAB, LF and CR are dropped (they are parse errors in HTML).
 */
export function escapeHtml(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(CONTROL_CHARS, '').replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** An attribute `name="value"` with the value escaped; the name must be a literal of ours. */
export function attr(name: string, value: string | number | boolean): string {
  if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(name)) throw new Error(`not an attribute name: ${name}`);
  if (/^on/i.test(name)) throw new Error(`event-handler attributes are not built: ${name}`);
  return `${name}="${escapeHtml(value)}"`;
}

/**
 * JSON for embedding inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 become
 * `\uXXXX` escapes, so neither `</script>` nor `<!--` can end or alter the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The CSP source expression (`'sha256-…'`) of an inline script or style body. */
export function cspHash(body: string): string {
  return `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;
}
