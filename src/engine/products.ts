/**
 * What counts as a data product, shared by the boundary and product rules so that they agree:
 * a public model, or a model declared one through a meta key or a tag.
 */
import { z } from 'zod';
import type { Resource } from '../model.js';

export interface ProductOptions {
  /** Meta key (dotted path allowed) whose truthy value declares a product. Default `data_product`. */
  productMetaKey?: string;
  /** Tag that declares a product. Default `data_product`. */
  productTag?: string;
  /** Whether `access: public` alone makes a model a product. Default true. */
  publicIsProduct?: boolean;
}

export const DEFAULT_PRODUCT_META_KEY = 'data_product';
export const DEFAULT_PRODUCT_TAG = 'data_product';

/**
 * The ProductOptions as rule options, with defaults and descriptions, for the rules that
 * decide what a data product is: spread its `shape` (or the keys a rule takes) into the
 * rule's options object.
 */
export const productOptionsSchema = z.object({
  productMetaKey: z
    .string()
    .min(1)
    .default(DEFAULT_PRODUCT_META_KEY)
    .describe('Meta key (dotted path allowed) whose truthy value declares a data product.'),
  productTag: z
    .string()
    .min(1)
    .default(DEFAULT_PRODUCT_TAG)
    .describe('Tag that declares a data product.'),
  publicIsProduct: z
    .boolean()
    .default(true)
    .describe('Whether `access: public` alone makes a model a data product.'),
});

/** The value at a dotted path of a meta object (own keys only), or undefined. */
export function metaValue(meta: Readonly<Record<string, unknown>>, key: string): unknown {
  // A plain key (the usual case) needs no split.
  if (!key.includes('.')) {
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
    return Object.prototype.hasOwnProperty.call(meta, key) ? meta[key] : undefined;
  }
  let cur: unknown = meta;
  for (const part of keyParts(key)) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function truthy(v: unknown): boolean {
  if (typeof v === 'string')
    return !['', 'false', 'no', '0', 'off'].includes(v.trim().toLowerCase());
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Whether a model is declared a product (meta key or tag), not counting access. */
export function isDeclaredProduct(resource: Resource, options: ProductOptions = {}): boolean {
  if (resource.resourceType !== 'model') return false;
  const key = options.productMetaKey ?? DEFAULT_PRODUCT_META_KEY;
  const tag = options.productTag ?? DEFAULT_PRODUCT_TAG;
  return truthy(metaValue(resource.meta, key)) || resource.tags.includes(tag);
}

/** Whether a model is a data product: public (unless turned off), or declared one. */
export function isDataProduct(resource: Resource, options: ProductOptions = {}): boolean {
  if (resource.resourceType !== 'model') return false;
  if ((options.publicIsProduct ?? true) && resource.access === 'public') return true;
  return isDeclaredProduct(resource, options);
}

/** A dotted meta key's parts, split once per key (rules ask for every resource). */
const keyPartsCache = new Map<string, readonly string[]>();
export function keyParts(key: string): readonly string[] {
  let parts = keyPartsCache.get(key);
  if (!parts) {
    parts = key.split('.');
    // Keys come from config and rule options; a bound keeps odd callers from growing it forever.
    if (keyPartsCache.size < 1000) keyPartsCache.set(key, parts);
  }
  return parts;
}
