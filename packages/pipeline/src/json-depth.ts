/**
 * How deeply a JSON text nests, checked before anything walks the parsed value recursively (zod,
 * `JSON.stringify`, storage input checks): a body of 64 KB can nest 30,000 levels and exhaust the
 * stack of each of them.
 *
 * @module
 */

/** True when the text holds at most `max` opening brackets (counted natively, strings included). */
function fewBrackets(json: string, max: number): boolean {
  let count = 0;
  for (const open of ["{", "["]) {
    for (let i = json.indexOf(open); i !== -1; i = json.indexOf(open, i + 1)) {
      if (++count > max) return false;
    }
  }
  return true;
}

/** True when the JSON text nests objects and arrays deeper than `max` (strings are skipped). */
export function jsonDepthExceeds(json: string, max: number): boolean {
  // Nesting deeper than `max` takes more than `max` opening brackets; most bodies have far fewer,
  // and counting them is several times cheaper than the scan below.
  if (fewBrackets(json, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}
