/**
 * Junk identifiers: sentinel and placeholder values that SDKs and forms send when the real id is
 * missing. Each one would join every person it touches (research §1.7, first row).
 *
 * @module
 */

/**
 * Values never accepted as identifiers, compared case-insensitively after trimming and removing one
 * pair of surrounding quotes. Sources: PostHog's illegal distinct ids (Node ingestion
 * `person-merge-service.ts` and Rust capture `constants.rs`), Segment Unify's suggested blocked values,
 * RudderStack's exclusion examples, Adobe Identity Service's blocked values; plus common stringified
 * empties of other languages (`nil`, `<nil>`, `(null)`, `<null>`, `n/a`) and the JSON of an empty object
 * or array (`{}`, `[]`).
 */
export const BUILT_IN_JUNK_IDS: readonly string[] = [
  // PostHog, case-insensitive list
  "anonymous",
  "guest",
  "distinctid",
  "distinct_id",
  "id",
  "not_authenticated",
  "email",
  "undefined",
  "true",
  "false",
  // PostHog, case-sensitive list (compared case-insensitively here)
  "[object object]",
  "nan",
  "none",
  "null",
  "0",
  // PostHog Rust capture
  "00000000-0000-0000-0000-000000000000",
  "anonymous-user",
  "backend",
  "system",
  "user",
  // Segment Unify suggestions
  "-1",
  "void",
  "abc123",
  // RudderStack and Adobe examples
  "unknown",
  "invalid",
  // other stringified empties and placeholders
  "nil",
  "<nil>",
  "(null)",
  "<null>",
  // JSON of an empty object or array (JSON.stringify({}), a serialized empty list)
  "{}",
  "[]",
  "n/a",
  "na",
  "test",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
];

const JUNK = new Set(BUILT_IN_JUNK_IDS);
const JUNK_LENGTHS = new Set(BUILT_IN_JUNK_IDS.map((v) => v.length));

/** ASCII lower case of one UTF-16 unit below 128. */
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
/** Length, first and last unit of a value whose first and last units are ASCII. */
const signature = (length: number, first: number, last: number) =>
  length * 0x10000 + lowerAscii(first) * 0x100 + lowerAscii(last);
/**
 * The signatures of the (all-ASCII) junk ids. A value with ASCII ends lower-cases to a string of
 * the same ends, and to a junk id only with the same length (no character lower-cases to several
 * ASCII ones), so a value whose signature is missing here cannot be junk: no `toLowerCase` needed.
 */
const JUNK_SIGNATURES = new Set(
  BUILT_IN_JUNK_IDS.map((v) => signature(v.length, v.charCodeAt(0), v.charCodeAt(v.length - 1))),
);

/** Printable ASCII other than space: never trimmed. */
const isPrintable = (c: number) => c > 32 && c < 127;

/** Anything outside printable ASCII and space: only such values need the slow path of {@link cleanId}. */
const NOT_PLAIN = /[^\x20-\x7e]/;
/**
 * Invisible format characters that copy-paste and some SDKs leave in values: soft hyphen, Mongolian
 * vowel separator, zero-width space / non-joiner / joiner, left-to-right and right-to-left marks and
 * embeddings, word joiner and invisible operators, byte-order mark.
 */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/**
 * `String.prototype.trim`, skipping the scan when both ends are printable ASCII (nothing to trim):
 * identifiers are trimmed on every link.
 */
export function trimId(value: string): string {
  return value.length > 0 &&
    isPrintable(value.charCodeAt(0)) &&
    isPrintable(value.charCodeAt(value.length - 1))
    ? value
    : value.trim();
}

/**
 * A raw identifier as it should be compared and stored: invisible format characters (zero-width
 * space, byte-order mark, direction marks, soft hyphen, …) removed, then trimmed. Plain ASCII values
 * skip the scan. Idempotent.
 *
 * @example
 * cleanId(" v_123\u200b "); // "v_123"
 */
export function cleanId(value: string): string {
  if (!NOT_PLAIN.test(value)) return trimId(value);
  return value.replace(INVISIBLE, "").trim();
}

/** Segment Unify's suggested blocked pattern `^[0-]*$`: only zeros and dashes (`0`, the all-zero UUID). */
function zerosAndDashes(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== 48 && c !== 45) return false;
  }
  return true;
}

/** PostHog capture rejects distinct ids longer than 200 characters. */
export const MAX_ID_LENGTH = 200;

/** Why a value was rejected before reaching the identity graph. */
export type JunkReason = "empty" | "too_long" | "junk";

/**
 * Quote marks stripped from both ends before the junk check: ASCII quotes and backtick, and the
 * typographic ones word processors and phone keyboards substitute (`“null”`, `‘null’`, `„null“`,
 * `«null»`), plus their full-width forms.
 */
const QUOTES = new Set([
  '"',
  "'",
  "`",
  "\u2018",
  "\u2019",
  "\u201a",
  "\u201b",
  "\u201c",
  "\u201d",
  "\u201e",
  "\u201f",
  "\u2032",
  "\u2033",
  "\u00ab",
  "\u00bb",
  "\u2039",
  "\u203a",
  "\uff02",
  "\uff07",
]);
const ASCII_QUOTES = new Set(['"', "'", "`"]);

/** One pair of quotes removed: the same ASCII quote at both ends, or typographic quotes at both. */
function unquote(v: string): string {
  if (v.length < 2) return v;
  const first = v[0] as string;
  const last = v[v.length - 1] as string;
  if (ASCII_QUOTES.has(first) ? last === first : QUOTES.has(first) && QUOTES.has(last))
    return v.slice(1, -1).trim();
  return v;
}

/**
 * Why `value` is junk, or `null` when it is a usable identifier: empty or whitespace-only (invisible
 * characters such as zero-width spaces removed first, see {@link cleanId}), over
 * {@link MAX_ID_LENGTH} characters, or (once unquoted, with ASCII or typographic quotes, Unicode
 * NFKC-folded and lower-cased) in {@link BUILT_IN_JUNK_IDS} or made only of zeros and dashes.
 *
 * @example
 * junkIdReason("'null'"); // "junk"
 * junkIdReason("\u201cnull\u201d"); // "junk"
 * junkIdReason("cus_16BPgPSLGt5Q41I0"); // null
 */
export function junkIdReason(value: string): JunkReason | null {
  let v = cleanId(value);
  if (v === "") return "empty";
  if (v.length > MAX_ID_LENGTH) return "too_long";
  v = unquote(v);
  if (NOT_PLAIN.test(v)) v = v.normalize("NFKC");
  if (zerosAndDashes(v)) return "junk";
  if (!JUNK_LENGTHS.has(v.length)) return null;
  const head = v.charCodeAt(0);
  const tail = v.charCodeAt(v.length - 1);
  if (head < 128 && tail < 128 && !JUNK_SIGNATURES.has(signature(v.length, head, tail)))
    return null;
  return JUNK.has(v.toLowerCase()) ? "junk" : null;
}
