/**
 * Interns identity keys (kind index + value) to dense integer ids, 0, 1, 2, … in order of first
 * sight. An open-addressing hash table over one `Int32Array`: each slot holds the key's hash (its low
 * bits replaced by the kind; the slot comes from its high bits) and its id, so probing and growing never touch the value strings, and a
 * string is compared only when hash and kind already match. Far fewer cache misses than a `Map` per
 * kind on millions of keys.
 *
 * @module
 */

/** Per-process seed, so crafted values cannot be made to collide (hash flooding). */
const SEED = (Math.random() * 0x100000000) | 0;
const KIND_BITS = 3;
const KIND_MASK = (1 << KIND_BITS) - 1;
/** Most entries per slot before the table doubles (linear probing stays short below it). */
const LOAD = 0.75;

/**
 * Seeded 32-bit hash of a kind and a value: FNV-1a over the UTF-16 units, then a Murmur3 finalizer
 * so every bit of the slot index depends on the whole value.
 */
function hashKey(kind: number, value: string): number {
  let h = SEED ^ kind;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The table. Kinds are small integers (below 8). */
export class KeyTable {
  /** The kind of each id. */
  kinds: Uint8Array;
  /** The value of each id. */
  readonly values: string[] = [];
  /** Pairs `[tag, id + 1]`; `0` marks an empty slot. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  /** `expected`: about how many distinct keys will be interned (the table grows past it). */
  constructor(expected: number) {
    let size = 8;
    while (size * LOAD < expected) size *= 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
    this.kinds = new Uint8Array(Math.max(expected, 8));
  }

  /** How many keys are interned. */
  get size(): number {
    return this.count;
  }

  /** The id of the key, or -1 when it was never interned. */
  find(kind: number, value: string): number {
    const tag = (hashKey(kind, value) & ~KIND_MASK) | kind;
    const { slots, mask, values } = this;
    for (let s = (tag >>> KIND_BITS) & mask; ; s = (s + 1) & mask) {
      const entry = slots[2 * s + 1] as number;
      if (entry === 0) return -1;
      if (slots[2 * s] === tag && values[entry - 1] === value) return entry - 1;
    }
  }

  /** The id of the key, interning it first when new. */
  intern(kind: number, value: string): number {
    const tag = (hashKey(kind, value) & ~KIND_MASK) | kind;
    const { slots, mask, values } = this;
    let s = (tag >>> KIND_BITS) & mask;
    for (; ; s = (s + 1) & mask) {
      const entry = slots[2 * s + 1] as number;
      if (entry === 0) break;
      if (slots[2 * s] === tag && values[entry - 1] === value) return entry - 1;
    }
    const id = this.count++;
    slots[2 * s] = tag;
    slots[2 * s + 1] = id + 1;
    values.push(value);
    if (id >= this.kinds.length) {
      const kinds = new Uint8Array(this.kinds.length * 2);
      kinds.set(this.kinds);
      this.kinds = kinds;
    }
    this.kinds[id] = kind;
    if (this.count > (mask + 1) * LOAD) this.grow();
    return id;
  }

  /** Doubles the slots, re-placing entries by their stored tags. */
  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(size * 2);
    const mask = size - 1;
    for (let o = 0; o < old.length; o += 2) {
      const entry = old[o + 1] as number;
      if (entry === 0) continue;
      const tag = old[o] as number;
      let s = (tag >>> KIND_BITS) & mask;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = tag;
      slots[2 * s + 1] = entry;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
