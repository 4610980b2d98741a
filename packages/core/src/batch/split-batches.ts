/**
 * Cutting a queue of items into requests a vendor accepts: at most `maxItems` per request and, when
 * the vendor has a body limit, at most `maxBytes` per request body. Pure; vendor-neutral.
 *
 * @module
 */

/** The limits of one request. */
export interface BatchLimits {
  /** Most items in one request (TikTok: 1,000; Segment batch: none documented, 500 KB). */
  maxItems: number;
  /** Most bytes of one request body, envelope included. @default no byte limit */
  maxBytes?: number | undefined;
  /** Bytes of the request body without any item (the JSON envelope around the array). @default 0 */
  overheadBytes?: number | undefined;
  /** Bytes between two items (the comma of a JSON array). @default 1 */
  separatorBytes?: number | undefined;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `JSON.stringify(value)`: what one item adds to a JSON request body. */
export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value);
  if (text === undefined) return 0;
  // Only non-ASCII text needs encoding to know its UTF-8 length.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  return /^[\u0000-\u007f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

function checkLimits(limits: BatchLimits): void {
  const { maxItems, maxBytes, overheadBytes = 0, separatorBytes = 1 } = limits;
  if (!Number.isSafeInteger(maxItems) || maxItems < 1) {
    throw new RangeError("batch limits: maxItems must be an integer of at least 1");
  }
  if (maxBytes !== undefined && !(maxBytes > 0)) {
    throw new RangeError("batch limits: maxBytes must be positive");
  }
  if (!(overheadBytes >= 0) || !(separatorBytes >= 0)) {
    throw new RangeError("batch limits: overheadBytes and separatorBytes must not be negative");
  }
}

/**
 * Cuts `items` into consecutive batches, in order, each with at most `limits.maxItems` items and, with
 * `maxBytes`, a body of at most `maxBytes` (overhead + item sizes + separators). `sizeOf` gives an
 * item's bytes (default {@link jsonByteLength}); it is called once per item, and only when `maxBytes`
 * is set. An item too large even alone gets a batch of its own: the vendor decides about it.
 *
 * @example splitBatches(events, { maxItems: 1000, maxBytes: 1_000_000, overheadBytes: 80 })
 */
export function splitBatches<T>(
  items: readonly T[],
  limits: BatchLimits,
  sizeOf: (item: T) => number = jsonByteLength,
): T[][] {
  checkLimits(limits);
  const { maxItems, maxBytes, overheadBytes = 0, separatorBytes = 1 } = limits;
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = overheadBytes;
  for (const item of items) {
    const size = maxBytes === undefined ? 0 : sizeOf(item);
    const added = current.length === 0 ? size : separatorBytes + size;
    const full = current.length >= maxItems || (maxBytes !== undefined && bytes + added > maxBytes);
    if (current.length > 0 && full) {
      batches.push(current);
      current = [];
      bytes = overheadBytes;
    }
    bytes += current.length === 0 ? size : separatorBytes + size;
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
