import type { OwnerValue } from '../model.js';

/** An owner as one line of text: `name <email>` for objects, comma-joined lists. */
export function ownerText(owner: OwnerValue): string {
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
  return typeof owner === 'number' || typeof owner === 'boolean' ? String(owner) : '';
}

/** Control characters (terminal escapes included) made visible, so untrusted text cannot drive the terminal. */
export function plain(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    out += control ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}
