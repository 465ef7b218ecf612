import type { OwnerValue } from '../model.js';

/** An owner as one line of text: `name <email>` for objects, comma-joined lists. */
export function ownerText(owner: OwnerValue | null): string {
  if (owner === null || owner === undefined) return '';
  if (typeof owner === 'string') return owner;
  if (Array.isArray(owner)) return owner.map(ownerText).filter(Boolean).join(', ');
  if (typeof owner === 'object') {
    const o = owner as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name : '';
    const email = Array.isArray(o.email)
      ? o.email.join(', ')
      : typeof o.email === 'string'
        ? o.email
        : '';
    if (name && email) return `${name} <${email}>`;
    return name || email || JSON.stringify(owner);
  }
  return String(owner as string | number | boolean);
}

/** Control characters (terminal escapes included) made visible, so untrusted text cannot drive the terminal. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
