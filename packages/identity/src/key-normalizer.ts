/**
 * From a raw key (as a form, a tracker or a webhook gives it) to a graph key: normalization per kind,
 * junk and blocklist checks, role mailboxes, optional hashing.
 *
 * @module
 */
import { type IdentityKey, type IdentityKeyKind, isStorableText } from "@revtrace/core";
import { foldGmailAddress, isReservedEmailDomain, normalizeEmail } from "./email.js";
import { hashIdentityValue, isSha256Hex } from "./hash.js";
import {
  type IdentityRules,
  type IdentityRulesInput,
  resolveIdentityRules,
} from "./identity-rules.js";
import { isJunkEmail } from "./junk-email.js";
import { cleanId, type JunkReason, junkIdReason } from "./junk-id.js";
import {
  isPlaceholderNationalNumber,
  mayBePlaceholderE164,
  normalizePhone,
  parsePhone,
} from "./phone.js";
import { isRoleMailbox } from "./role-mailbox.js";

/** Prefix of a hashed role mailbox's value: `role:<sha256 hex>`. */
export const ROLE_PREFIX = "role:";

const isHashedValue = (value: string) =>
  isSha256Hex(value.startsWith(ROLE_PREFIX) ? value.slice(ROLE_PREFIX.length) : value);

/** Why a key was kept out of the graph. */
export type KeyRejectReason =
  | JunkReason
  | "not_a_string"
  | "invalid_email"
  | "invalid_phone"
  | "reserved_domain"
  | "blocked"
  | "role_mailbox"
  | "unstorable"
  | "too_many_keys";

/**
 * How an accepted key takes part in merges: `merge`, `no_merge` (its kind's rule), `role_mailbox`
 * (like `no_merge`), or `blocked` (a stored key that today's rules block: it stands alone).
 */
export type KeyClass = "merge" | "no_merge" | "role_mailbox" | "blocked";

/** The outcome of {@link KeyNormalizer.normalize}. */
export type KeyCheck =
  | { ok: true; key: IdentityKey; keyClass: Exclude<KeyClass, "blocked"> }
  | { ok: false; reason: KeyRejectReason };

/** Normalizes and classifies keys under one set of rules. */
export interface KeyNormalizer {
  readonly rules: IdentityRules;
  /** A raw key to its graph form, or the reason it is rejected. Idempotent on accepted keys. */
  normalize(key: IdentityKey): KeyCheck;
  /** How an already-normalized (stored) key merges under these rules. */
  classify(key: IdentityKey): KeyClass;
}

/**
 * Builds a {@link KeyNormalizer}. Emails: {@link normalizeEmail}, then RFC 2606 reserved domains and
 * the blocklist reject, role mailboxes follow `rules.roleMailboxes.mode`, Gmail folding when enabled.
 * Phones: {@link normalizePhone} with `rules.phone.defaultCountry`. Other kinds are trimmed and kept
 * verbatim (click ids are case-sensitive). Kinds in `rules.hashedKinds` become SHA-256 hex (a hashed
 * role mailbox becomes `role:<hex>`, so the guard survives hashing); a value that already is 64-char
 * lower-case hex (or `role:<hex>`) is taken as hashed.
 */
/** Most memoized email and phone checks per normalizer. */
const MEMO_SIZE = 16_384;

export function createKeyNormalizer(rules: IdentityRules): KeyNormalizer {
  const { hashed, isBlocked, isBlockedDigest, roleClass, hashedClass, classifyValue, emailReason } =
    keyChecks(rules);
  const kindClass = (key: IdentityKey): "merge" | "no_merge" => rules.kinds[key.kind].merge;

  /** The normalized value of a cleaned, non-junk raw value, or why it is rejected. */
  const normalizeValue = (
    kind: IdentityKey["kind"],
    raw: string,
  ): { value: string } | { reason: KeyRejectReason } => {
    if (kind === "phone") {
      const phone = parsePhone(raw, rules.phone);
      if (phone === null) return { reason: "invalid_phone" };
      // the placeholder check runs on the parsed number, whatever the spacing and prefix
      if (
        rules.blocklist.builtIn &&
        isPlaceholderNationalNumber(phone.nationalNumber, phone.countryCallingCode)
      )
        return { reason: "junk" };
      return { value: phone.number };
    }
    if (kind !== "email") return { value: raw };
    const email = normalizeEmail(raw);
    if (email === null) return { reason: "invalid_email" };
    const reason = emailReason(email);
    return reason ? { reason } : { value: email };
  };

  /**
   * Emails and phones recur (every webhook of a customer carries them) and cost microseconds to
   * parse (a phone about 20 µs): their checks are memoized, a pure function of kind, value and
   * rules. Bounded: cleared when full.
   */
  const memo = new Map<string, KeyCheck>();
  const normalize = (key: IdentityKey): KeyCheck => {
    if ((key.kind !== "email" && key.kind !== "phone") || typeof key.value !== "string")
      return check(key);
    const id = `${key.kind}:${key.value}`;
    let result = memo.get(id);
    if (result === undefined) {
      result = check(key);
      if (memo.size >= MEMO_SIZE) memo.clear();
      memo.set(id, result);
    }
    // a fresh key object each time: callers own what they get
    return result.ok
      ? {
          ok: true,
          key: { kind: result.key.kind, value: result.key.value },
          keyClass: result.keyClass,
        }
      : result;
  };

  const check = (key: IdentityKey): KeyCheck => {
    if (typeof key.value !== "string") return { ok: false, reason: "not_a_string" };
    const raw = cleanId(key.value);
    // U+0000 or a lone surrogate: no store can hold the key (core's storage input rules)
    if (!isStorableText(raw)) return { ok: false, reason: "unstorable" };
    const junk = rules.blocklist.builtIn ? junkOf(key.kind, raw) : raw === "" ? "empty" : null;
    if (junk) return { ok: false, reason: junk };
    const isHashed = hashed.has(key.kind);
    if (isHashed && isHashedValue(raw)) {
      const keyClass = hashedClass(key.kind, raw);
      if (keyClass === "blocked")
        return { ok: false, reason: isBlockedDigest(key.kind, raw) ? "blocked" : "role_mailbox" };
      return { ok: true, key: { kind: key.kind, value: raw }, keyClass };
    }
    const normalized = normalizeValue(key.kind, raw);
    if ("reason" in normalized) return { ok: false, reason: normalized.reason };
    const { value } = normalized;
    // Gmail folding first, so blocklist and role checks see the form stored (idempotence).
    const matching =
      key.kind === "email" && rules.email.foldGmail ? foldGmailAddress(value) : value;
    if (isBlocked(value) || isBlocked(matching)) return { ok: false, reason: "blocked" };
    if (matching !== value) {
      // The folded form is what a later check sees (`--.-+@googlemail.com` folds to `--@gmail.com`).
      const reason = emailReason(matching);
      if (reason) return { ok: false, reason };
    }
    let keyClass: Exclude<KeyClass, "blocked"> = kindClass(key);
    if (key.kind === "email") {
      const role = roleClass(matching);
      if (role === "blocked") return { ok: false, reason: "role_mailbox" };
      if (role === "role_mailbox") keyClass = role;
    }
    if (!isHashed) return { ok: true, key: { kind: key.kind, value: matching }, keyClass };
    // A hash hides the local part, so a hashed role mailbox keeps its class in a prefix.
    const digest = hashIdentityValue(matching);
    return {
      ok: true,
      key: {
        kind: key.kind,
        value: keyClass === "role_mailbox" ? `${ROLE_PREFIX}${digest}` : digest,
      },
      keyClass,
    };
  };

  const classify = (key: IdentityKey): KeyClass => classifyValue(key.kind, key.value);

  return { rules, normalize, classify };
}

/**
 * How an already-normalized (stored) key merges under `rules`, from its kind and value (internal: the
 * graph classifies every key it interns without building key objects). Same as
 * {@link KeyNormalizer.classify}.
 */
export function createKeyClassifier(
  rules: IdentityRules,
): (kind: IdentityKeyKind, value: string) => KeyClass {
  return keyChecks(rules).classifyValue;
}

/**
 * {@link junkIdReason} for a key of `kind`: emails skip its 200-character id limit, since
 * {@link normalizeEmail} applies RFC 5321's 254.
 */
function junkOf(kind: IdentityKeyKind, value: string): JunkReason | null {
  const reason = junkIdReason(value);
  return reason === "too_long" && kind === "email" ? null : reason;
}

/** Whether a stored (E.164) phone is a placeholder; other stored forms are not checked. */
function isPlaceholderStored(value: string): boolean {
  // only a number whose last digits could make a placeholder is parsed again
  if (!mayBePlaceholderE164(value)) return false;
  const parts = parsePhone(value);
  return (
    parts !== null && isPlaceholderNationalNumber(parts.nationalNumber, parts.countryCallingCode)
  );
}

/** The blocklist, role and hashing checks of one set of rules, built once. */
function keyChecks(rules: IdentityRules) {
  const blockedValues = new Set(rules.blocklist.values.map((v) => v.trim().toLowerCase()));
  const patterns = rules.blocklist.patterns.map(
    (p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "")),
  );
  const roles = new Set(rules.roleMailboxes.localParts.map((p) => p.toLowerCase()));
  const hashed = new Set(rules.hashedKinds);
  // A pre-hashed value hides its text: it is checked against the digests of the exact blocklist values
  // (as given, lower-cased, and normalized for the kind). Patterns and role mailboxes cannot be
  // checked on a digest (README: Limits).
  const blockedDigests = new Map<IdentityKeyKind, Set<string>>();
  for (const kind of hashed) {
    const digests = new Set<string>();
    for (const value of rules.blocklist.values) {
      const forms = [value.trim(), value.trim().toLowerCase()];
      if (kind === "email") {
        const email = normalizeEmail(value);
        if (email !== null) forms.push(email, foldGmailAddress(email));
      } else if (kind === "phone") {
        const phone = normalizePhone(value, rules.phone);
        if (phone !== null) forms.push(phone);
      }
      for (const form of forms) digests.add(hashIdentityValue(form));
    }
    if (digests.size > 0) blockedDigests.set(kind, digests);
  }
  const isBlockedDigest = (kind: IdentityKeyKind, value: string) =>
    blockedDigests
      .get(kind)
      ?.has(value.startsWith(ROLE_PREFIX) ? value.slice(ROLE_PREFIX.length) : value) === true;
  // the empty checks are skipped: no lower-casing or pattern scan when nothing is configured
  const isBlocked = (value: string) =>
    (blockedValues.size > 0 && blockedValues.has(value.toLowerCase())) ||
    (patterns.length > 0 && patterns.some((p) => p.test(value)));

  const roleClass = (email: string): KeyClass | null => {
    const mode = rules.roleMailboxes.mode;
    if (mode === "merge" || !isRoleMailbox(email, roles)) return null;
    return mode === "block" ? "blocked" : "role_mailbox";
  };

  const hashedClass = (kind: IdentityKeyKind, value: string): KeyClass => {
    if (blockedDigests.size > 0 && isBlockedDigest(kind, value)) return "blocked";
    if (!value.startsWith(ROLE_PREFIX)) return rules.kinds[kind].merge;
    const mode = rules.roleMailboxes.mode;
    return mode === "merge"
      ? rules.kinds[kind].merge
      : mode === "block"
        ? "blocked"
        : "role_mailbox";
  };

  /**
   * Why a normalized email is rejected by the built-in rules: at a reserved domain (unless
   * `email.allowReservedDomains`, which then accepts every address there), or junk.
   */
  const emailReason = (email: string): "reserved_domain" | "junk" | null => {
    if (isReservedEmailDomain(email))
      return rules.email.allowReservedDomains ? null : "reserved_domain";
    return rules.blocklist.builtIn && isJunkEmail(email) ? "junk" : null;
  };

  const classifyValue = (kind: IdentityKeyKind, value: string): KeyClass => {
    if (hashed.size > 0 && hashed.has(kind) && isHashedValue(value))
      return hashedClass(kind, value);
    if (rules.blocklist.builtIn && junkOf(kind, value) !== null) return "blocked";
    if (kind === "email" && emailReason(value) !== null) return "blocked";
    if (kind === "phone" && rules.blocklist.builtIn && isPlaceholderStored(value)) return "blocked";
    if (isBlocked(value)) return "blocked";
    if (kind === "email") {
      const role = roleClass(value);
      if (role) return role;
    }
    return rules.kinds[kind].merge;
  };

  return {
    hashed,
    isBlocked,
    isBlockedDigest,
    roleClass,
    hashedClass,
    classifyValue,
    emailReason,
  };
}

/**
 * Normalizes one key under `rules` (defaults when omitted). For many keys, build a
 * {@link createKeyNormalizer} once instead.
 *
 * @example
 * normalizeIdentityKey({ kind: "email", value: " Jane@Acme.io " });
 * // { ok: true, key: { kind: "email", value: "jane@acme.io" }, keyClass: "merge" }
 */
export function normalizeIdentityKey(key: IdentityKey, rules?: IdentityRulesInput): KeyCheck {
  return createKeyNormalizer(resolveIdentityRules(rules)).normalize(key);
}

/**
 * Every form under which `key` may be stored, for erasure: its value as given and trimmed, normalized
 * for its kind (email, Gmail-folded email, E.164 phone; for an email also the NFC lower-case form
 * that versions before NFKC stored), and the SHA-256 digests of those (plain and `role:`-prefixed).
 * No policy check (blocklist, role mailboxes, junk): a key linked before a rule change must stay
 * erasable.
 */
export function erasureForms(key: IdentityKey, rules: IdentityRules): IdentityKey[] {
  const raw = cleanId(key.value);
  const values = new Set([key.value, key.value.trim(), raw]);
  if (key.kind === "email") {
    const email = normalizeEmail(raw);
    if (email !== null) values.add(email).add(foldGmailAddress(email));
    // the form keys had before normalizeEmail applied NFKC and folded a dotted i: still erasable
    const nfc = raw.normalize("NFC").toLowerCase().normalize("NFC");
    if (nfc !== email && normalizeEmail(nfc) !== null) values.add(nfc).add(foldGmailAddress(nfc));
  } else if (key.kind === "phone") {
    const phone = normalizePhone(raw, rules.phone);
    if (phone !== null) values.add(phone);
  }
  for (const value of [...values]) {
    if (value === "") continue;
    const digest = hashIdentityValue(value);
    values.add(digest).add(`${ROLE_PREFIX}${digest}`);
  }
  values.delete("");
  return [...values].map((value) => ({ kind: key.kind, value }));
}
