/**
 * Junk email addresses: the placeholders people type into forms to get past them (`test@test.com`,
 * `asdf@asdf.com`, `null@null.com`, `noreply@…`). Each is shared by thousands of unrelated visitors, so
 * as a merging key it would join them all into one person.
 *
 * @module
 */
import { BUILT_IN_JUNK_IDS } from "./junk-id.js";

/**
 * Local parts (before `@` and any `+tag`, trailing digits ignored: `test123`) that name no one.
 * Besides these, {@link BUILT_IN_JUNK_IDS} (`null`, `undefined`, `none`, …) are junk local parts too,
 * compared without ignoring digits (`user@` is junk, `user123@` is not).
 */
export const JUNK_EMAIL_LOCAL_PARTS: readonly string[] = [
  "test",
  "testing",
  "tester",
  "asdf",
  "qwerty",
  "fake",
  "fakeemail",
  "fake-email",
  "dummy",
  "sample",
  "example",
  "foo",
  "foobar",
  "noemail",
  "no-email",
  "no_email",
  "nomail",
  "no-mail",
  "nobody",
  "noreply",
  "no-reply",
  "no_reply",
  "donotreply",
  "do-not-reply",
  "do_not_reply",
  "none",
  "nothing",
  "spam",
  "xxx",
];

/** First domain labels (`@test.com`, `@noemail.net`) under which no one has a mailbox. */
export const JUNK_EMAIL_DOMAIN_LABELS: readonly string[] = [
  "test",
  "testing",
  "asdf",
  "qwerty",
  "fake",
  "fakeemail",
  "dummy",
  "noemail",
  "no-email",
  "nomail",
  "noreply",
  "no-reply",
  "donotreply",
  "null",
  "none",
  "nil",
  "undefined",
  "void",
  "nowhere",
  "domain",
];

const JUNK_WORDS = new Set(JUNK_EMAIL_LOCAL_PARTS);
const JUNK_LOCAL = new Set([...JUNK_EMAIL_LOCAL_PARTS, ...BUILT_IN_JUNK_IDS]);
const JUNK_DOMAIN = new Set(JUNK_EMAIL_DOMAIN_LABELS);

/** Keyboard rows and sequences people run a finger along (forwards; reversed runs are checked too). */
const RUNS = [
  "qwertyuiop",
  "asdfghjkl",
  "zxcvbnm",
  "qazwsxedc",
  "abcdefghijklmnopqrstuvwxyz",
  "01234567890",
];
const REVERSED = RUNS.map((run) => [...run].reverse().join(""));

/** Whether `s` (at least `min` characters) lies along a keyboard row or sequence, either way. */
const alongRun = (s: string, min: number) =>
  s.length >= min && (RUNS.some((r) => r.includes(s)) || REVERSED.some((r) => r.includes(s)));

/**
 * Whether `s` is a keyboard run: one character repeated (`aaa`, `xxxx`, `111`), a stretch of a
 * keyboard row or of the alphabet or digits of at least four characters (`asdf`, `qwer`, `abcd`,
 * `1234`, `4321`), the three-character start of one (`asd`, `qwe`, `zxc`, `abc`, `123`), or one of
 * these repeated (`asdfasdf`).
 */
export function isKeyboardRun(s: string): boolean {
  const n = s.length;
  if (n < 3) return false;
  for (let period = 1; period <= n / 2; period++) {
    if (n % period !== 0) continue;
    const unit = s.slice(0, period);
    if (unit.repeat(n / period) !== s) continue;
    if (period === 1 || alongRun(unit, 3)) return true;
  }
  if (alongRun(s, 4)) return true;
  return n === 3 && (RUNS.some((r) => r.startsWith(s)) || s === "321");
}

/** The local part without `+tag`, and without trailing digits (`test123` → `test`). */
function localWord(local: string): string {
  const plus = local.indexOf("+");
  const name = plus === -1 ? local : local.slice(0, plus);
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) >= 48 && name.charCodeAt(end - 1) <= 57) end--;
  return end === 0 ? name : name.slice(0, end);
}

/**
 * Whether a normalized address (see `normalizeEmail`) is a placeholder rather than someone's mailbox:
 * - its local part (without `+tag`; trailing digits ignored for {@link JUNK_EMAIL_LOCAL_PARTS}) is a
 *   junk word (`test@gmail.com`, `test123@x.io`, `noreply@acme.io`, `null+1@x.io`) or a keyboard run
 *   (`asdf@gmail.com`, `aaaa@x.io`, `123456@x.io`; see {@link isKeyboardRun});
 * - its local part equals the domain's first label (`test@test.com`, `a@a.co`, `jane@jane.dev`);
 * - the domain's first label is a junk word ({@link JUNK_EMAIL_DOMAIN_LABELS}: `@test.com`,
 *   `@noemail.net`) or a keyboard run of four or more characters (`@asdf.com`, `@xxxx.io`).
 *
 * @example
 * isJunkEmail("asdf@asdf.com"); // true
 * isJunkEmail("jane.doe@acme.io"); // false
 */
export function isJunkEmail(email: string): boolean {
  const at = email.lastIndexOf("@");
  if (at <= 0) return false;
  const local = email.slice(0, at);
  const dot = email.indexOf(".", at + 1);
  const label = email.slice(at + 1, dot === -1 ? email.length : dot);
  const plus = local.indexOf("+");
  const name = plus === -1 ? local : local.slice(0, plus);
  if (name === label) return true;
  const word = localWord(local);
  if (JUNK_WORDS.has(word) || JUNK_LOCAL.has(name) || isKeyboardRun(name) || isKeyboardRun(word))
    return true;
  if (JUNK_DOMAIN.has(label)) return true;
  return label.length >= 4 && isKeyboardRun(label);
}
