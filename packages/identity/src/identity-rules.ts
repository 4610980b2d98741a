/**
 * The resolver's policy as data: normalization, blocking, per-kind merge guards. Every field has a
 * default; {@link resolveIdentityRules} fills them in and validates the input.
 *
 * @module
 */
import { ConfigError, type IdentityKeyKind, IdentityKeyKindSchema } from "@revtrace/core";
import { type CountryCode, isSupportedCountry } from "libphonenumber-js";
import { z } from "zod";
import { DEFAULT_ROLE_MAILBOXES } from "./role-mailbox.js";

/**
 * How a key takes part in merges.
 * - `merge`: joins persons (the normal case).
 * - `no_merge`: joins the first person it is seen with, but never merges two persons.
 */
export type MergeMode = "merge" | "no_merge";

/** The guards of one key kind. */
export interface KindRule {
  /**
   * Most distinct keys of this kind one person may hold; `null` for no limit. A merge that would
   * exceed it is refused (the observation's lowest-priority key is dropped and matching retried).
   */
  limit: number | null;
  /** Lower is more trusted. When a merge breaks a limit, the key with the highest number is dropped first. */
  priority: number;
  /** See {@link MergeMode}. */
  merge: MergeMode;
  /**
   * A key of this kind becomes a hub once it has been seen with this many distinct keys of any one of
   * {@link IdentityRules.hubCountedKinds}; a hub stops merging and stands alone. `null`: never a hub.
   */
  hubThreshold: number | null;
  /**
   * A key of this kind also becomes a hub once it has been seen with this many distinct anonymous ids
   * (visitors): an email or phone typed in by many visitors (`shared@acme.io`), a click id shared in a
   * link. Counted whatever {@link IdentityRules.hubCountedKinds} says; its refusals read
   * `hub:anonymous_id`. `null`: never a hub by this count.
   */
  anonymousIdHubThreshold: number | null;
}

/** The complete policy, every default filled in. */
export interface IdentityRules {
  kinds: Readonly<Record<IdentityKeyKind, KindRule>>;
  /** Kinds whose distinct neighbours count towards the hub threshold (they stand for "a person"). */
  hubCountedKinds: readonly IdentityKeyKind[];
  roleMailboxes: {
    /** Local parts (before `@` and any `+tag`) that name a role, not a person. */
    localParts: readonly string[];
    /** `no_merge` (join one person, never merge two), `block` (never enter the graph) or `merge`. */
    mode: "no_merge" | "block" | "merge";
  };
  blocklist: {
    /**
     * Use the built-in junk rules: the junk id list (`null`, `undefined`, `0`, all-zero UUID, …; see
     * `junk-id.ts`), junk email addresses (`test@test.com`, `asdf@…`, `noreply@…`; see
     * `junk-email.ts`) and placeholder phone numbers (`+1 111 111 1111`; see `phone.ts`). Reserved
     * email domains have their own switch, `email.allowReservedDomains`.
     */
    builtIn: boolean;
    /** Extra blocked values, compared case-insensitively with the normalized value. */
    values: readonly string[];
    /** Extra blocked patterns, tested against the normalized value. */
    patterns: readonly RegExp[];
  };
  email: {
    /** Fold Gmail/Googlemail dots and `+tag` into the matching key (never use it for sending). */
    foldGmail: boolean;
    /**
     * Accept addresses at RFC 2606 / RFC 6761 reserved domains (`example.com`, `*.test`, `*.example`,
     * `*.invalid`, `*.localhost`), junk local parts included (`test@example.com`). Off by default:
     * no real mailbox lives there. Turn it on for a Chargebee test site, whose customers mostly use
     * such addresses. Independent of `blocklist.builtIn`.
     */
    allowReservedDomains: boolean;
  };
  phone: {
    /** Country for numbers written without `+` (ISO 3166-1 alpha-2); `null` requires the `+` form. */
    defaultCountry: CountryCode | null;
  };
  /** Kinds stored only as SHA-256 hex of their normalized value (no raw PII in the graph). */
  hashedKinds: readonly IdentityKeyKind[];
  /** Most keys one observation may carry; the lowest-priority extras are rejected. */
  maxKeysPerObservation: number;
}

/** Partial rules, as accepted by {@link resolveIdentityRules} and `createIdentityResolver`. */
export interface IdentityRulesInput {
  kinds?: Partial<Record<IdentityKeyKind, Partial<KindRule>>>;
  hubCountedKinds?: readonly IdentityKeyKind[];
  roleMailboxes?: Partial<IdentityRules["roleMailboxes"]>;
  blocklist?: Partial<IdentityRules["blocklist"]>;
  email?: Partial<IdentityRules["email"]>;
  phone?: { defaultCountry?: CountryCode | null };
  hashedKinds?: readonly IdentityKeyKind[];
  maxKeysPerObservation?: number;
}

/** Every kind, in key order (alphabetical; the order `kind:value` strings sort in). */
export const KEY_KINDS: readonly IdentityKeyKind[] = [...IdentityKeyKindSchema.options].sort();

/**
 * The default guard of each kind (README "Rules"). Unique ids (Chargebee customer, external user id)
 * are limited to one per person, the Snowplow "unique identifier" rule; the other limits follow
 * Segment Unify's defaults (research §1.1, §1.8).
 */
export const DEFAULT_KIND_RULES: Readonly<Record<IdentityKeyKind, KindRule>> = {
  chargebee_customer_id: {
    limit: 1,
    priority: 1,
    merge: "merge",
    hubThreshold: null,
    anonymousIdHubThreshold: null,
  },
  external_id: {
    limit: 1,
    priority: 2,
    merge: "merge",
    hubThreshold: null,
    anonymousIdHubThreshold: null,
  },
  email: { limit: 5, priority: 3, merge: "merge", hubThreshold: 10, anonymousIdHubThreshold: 25 },
  phone: { limit: 3, priority: 4, merge: "merge", hubThreshold: 10, anonymousIdHubThreshold: 25 },
  click_id: {
    limit: null,
    priority: 5,
    merge: "merge",
    hubThreshold: 3,
    anonymousIdHubThreshold: 10,
  },
  anonymous_id: {
    limit: null,
    priority: 6,
    merge: "merge",
    hubThreshold: 5,
    anonymousIdHubThreshold: null,
  },
  affiliate_ref: {
    limit: null,
    priority: 7,
    merge: "no_merge",
    hubThreshold: null,
    anonymousIdHubThreshold: null,
  },
};

/** The rules used when none are given. */
export const DEFAULT_IDENTITY_RULES: IdentityRules = {
  kinds: DEFAULT_KIND_RULES,
  hubCountedKinds: ["chargebee_customer_id", "email", "external_id", "phone"],
  roleMailboxes: { localParts: DEFAULT_ROLE_MAILBOXES, mode: "no_merge" },
  blocklist: { builtIn: true, values: [], patterns: [] },
  email: { foldGmail: false, allowReservedDomains: false },
  phone: { defaultCountry: null },
  hashedKinds: [],
  maxKeysPerObservation: 20,
};

const positiveInt = z.number().int().min(1);

const KindRuleSchema = z
  .object({
    limit: positiveInt.nullable(),
    priority: z.number().int(),
    merge: z.enum(["merge", "no_merge"]),
    hubThreshold: positiveInt.nullable(),
    anonymousIdHubThreshold: positiveInt.nullable(),
  })
  .partial()
  .strict();

const RulesSchema = z
  .object({
    kinds: z.partialRecord(IdentityKeyKindSchema, KindRuleSchema),
    hubCountedKinds: z.array(IdentityKeyKindSchema),
    roleMailboxes: z
      .object({
        localParts: z.array(z.string().min(1)),
        mode: z.enum(["no_merge", "block", "merge"]),
      })
      .partial()
      .strict(),
    blocklist: z
      .object({
        builtIn: z.boolean(),
        values: z.array(z.string()),
        patterns: z.array(z.instanceof(RegExp)),
      })
      .partial()
      .strict(),
    email: z
      .object({ foldGmail: z.boolean(), allowReservedDomains: z.boolean() })
      .partial()
      .strict(),
    phone: z
      .object({
        defaultCountry: z
          .string()
          .refine((c) => isSupportedCountry(c), "not a supported ISO 3166-1 alpha-2 country")
          .nullable(),
      })
      .partial()
      .strict(),
    hashedKinds: z.array(IdentityKeyKindSchema),
    maxKeysPerObservation: z.number().int().min(2).max(100),
  })
  .partial()
  .strict();

/** Throws a {@link ConfigError} naming every offending field (prefixed with `prefix`). */
export function configErrorFrom(error: z.ZodError, prefix: string): ConfigError {
  const name = (path: readonly PropertyKey[]) =>
    [prefix, ...path.map(String)].filter(Boolean).join(".");
  const fields = error.issues.flatMap((issue) => {
    // unknown option names are named too (they are option keys, never user data)
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => name([...issue.path, key]));
    if (issue.code === "invalid_key" && typeof issue.input === "string") {
      return [name([...issue.path, issue.input])];
    }
    return [name(issue.path)];
  });
  return new ConfigError(`Invalid identity options: ${fields.join(", ") || prefix}`, {
    fields,
    cause: error,
  });
}

/**
 * Validates partial rules and fills in every default.
 *
 * @throws {ConfigError} naming the offending fields (`rules.kinds.email.limit`, …).
 * @example
 * const rules = resolveIdentityRules({ kinds: { email: { limit: 3 } }, phone: { defaultCountry: "GB" } });
 */
export function resolveIdentityRules(input: IdentityRulesInput = {}): IdentityRules {
  const parsed = RulesSchema.safeParse(input);
  if (!parsed.success) throw configErrorFrom(parsed.error, "rules");
  const rules = parsed.data;
  const d = DEFAULT_IDENTITY_RULES;
  const kinds = Object.fromEntries(
    KEY_KINDS.map((kind) => [kind, { ...d.kinds[kind], ...rules.kinds?.[kind] }]),
  ) as Record<IdentityKeyKind, KindRule>;
  return {
    kinds,
    hubCountedKinds: rules.hubCountedKinds ?? d.hubCountedKinds,
    roleMailboxes: { ...d.roleMailboxes, ...rules.roleMailboxes },
    blocklist: { ...d.blocklist, ...rules.blocklist },
    email: { ...d.email, ...rules.email },
    phone: {
      defaultCountry: (rules.phone?.defaultCountry ?? d.phone.defaultCountry) as CountryCode | null,
    },
    hashedKinds: rules.hashedKinds ?? d.hashedKinds,
    maxKeysPerObservation: rules.maxKeysPerObservation ?? d.maxKeysPerObservation,
  };
}
