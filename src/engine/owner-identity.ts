/**
 * Reading an owner as declared (a string, a list, or an object such as a dbt group's
 * `{name, email}`) as a list of owners, each with the identities it can be recognised by: an
 * e-mail address, an @handle, a free-text name. Shared by the ownership rules, so that they
 * agree on what an owner is and when two owners are the same.
 */
import type { OwnerValue } from '../model.js';

export type OwnerIdentityKind = 'email' | 'handle' | 'name';

export interface OwnerIdentity {
  kind: OwnerIdentityKind;
  /** As written, trimmed. */
  value: string;
  /** Whether it is well formed for its kind (names always are). */
  wellFormed: boolean;
}

/** One owner: a string, or one object (whose name and e-mails are identities of the same owner). */
export interface OwnerEntry {
  /** The owner as one line of text: `name <email>` for objects. */
  text: string;
  identities: OwnerIdentity[];
}

export interface ParsedOwner {
  owners: OwnerEntry[];
  /** Values that are not owners (numbers, booleans, objects without name or email), described. */
  unreadable: string[];
}

// A practical address check: a local part of the usual characters, no leading, trailing or
// doubled dot; a domain of at least two labels, the last one alphabetic.
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

// `@user` or `@org/team` (GitHub), also `@group/subgroup/team` (GitLab): segments of letters,
// digits, `-`, `_` and `.`, starting and ending with a letter or digit.
const HANDLE_SEGMENT = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
const HANDLE = new RegExp(`^@${HANDLE_SEGMENT}(?:/${HANDLE_SEGMENT})*$`);

/** Whether `text` is a well-formed e-mail address. */
export function isEmail(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

/** Whether `text` is a well-formed @handle (`@user`, `@org/team`). */
export function isHandle(text: string): boolean {
  return HANDLE.test(text);
}

/**
 * What a piece of owner text is meant to be: a leading `@` makes a handle, any other `@` an
 * e-mail address, anything else a name.
 */
export function ownerIdentityOf(text: string, kind?: OwnerIdentityKind): OwnerIdentity {
  const value = text.trim();
  const k: OwnerIdentityKind =
    kind ?? (value.startsWith('@') ? 'handle' : value.includes('@') ? 'email' : 'name');
  const wellFormed = k === 'email' ? isEmail(value) : k === 'handle' ? isHandle(value) : true;
  return { kind: k, value, wellFormed };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping without name or email';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number' || typeof v === 'boolean') return `a ${typeof v} (${String(v)})`;
  return `a ${typeof v}`;
}

function textsOf(v: unknown): string[] {
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  return list.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
}

/** Reads an owner value as declared; blank strings and empty lists give no owner. */
export function parseOwner(owner: OwnerValue): ParsedOwner {
  const out: ParsedOwner = { owners: [], unreadable: [] };
  const visit = (v: unknown, top: boolean) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') {
      if (v.trim() === '') return;
      out.owners.push({ text: v.trim(), identities: [ownerIdentityOf(v)] });
      return;
    }
    if (Array.isArray(v)) {
      if (!top) {
        out.unreadable.push('a nested list');
        return;
      }
      for (const x of v as unknown[]) visit(x, false);
      return;
    }
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const names = textsOf(o.name);
      const emails = textsOf(o.email);
      if (names.length === 0 && emails.length === 0) {
        out.unreadable.push(describe(v));
        return;
      }
      const identities = [
        ...names.map((n) => ownerIdentityOf(n)),
        ...emails.map((e) => ownerIdentityOf(e, 'email')),
      ];
      const name = names.join(', ');
      const email = emails.map((e) => e.trim()).join(', ');
      out.owners.push({ text: name && email ? `${name} <${email}>` : name || email, identities });
      return;
    }
    out.unreadable.push(describe(v));
  };
  visit(owner, true);
  return out;
}

/** The key two identities are compared by: kind and case-folded, space-collapsed text. */
export function identityKey(identity: OwnerIdentity): string {
  return `${identity.kind}:${identity.value.replace(/\s+/g, ' ').toLowerCase()}`;
}

/** Whether two owners share an identity (e-mails and handles case-insensitively, names too). */
export function sameOwner(a: OwnerEntry, b: OwnerEntry): boolean {
  const keys = new Set(a.identities.map(identityKey));
  return b.identities.some((i) => keys.has(identityKey(i)));
}

/** Whether two owners have an identity of the same kind, so that they can be compared at all. */
export function comparableOwners(a: OwnerEntry, b: OwnerEntry): boolean {
  const kinds = new Set(a.identities.map((i) => i.kind));
  return b.identities.some((i) => kinds.has(i.kind));
}

/** One line of text for an owner value (`name <email>`, lists comma-joined). */
export function ownerLabel(owner: OwnerValue): string {
  const parsed = parseOwner(owner);
  return [...parsed.owners.map((o) => o.text), ...parsed.unreadable].join(', ');
}
