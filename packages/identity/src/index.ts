/**
 * @revtrace/identity: key normalization (email, E.164 phone, SHA-256), junk-id blocking, and the
 * identity resolver that links visitors, emails, phones, Chargebee customers and click ids into
 * persons without false merges.
 *
 * @module
 */
export { foldGmailAddress, isReservedEmailDomain, normalizeEmail } from "./email.js";
export { hashIdentityValue, isSha256Hex } from "./hash.js";
export {
  type GraphHub,
  type GraphObservation,
  type GraphPerson,
  type GraphResult,
  type HubReason,
  type PersonMerge,
  personIdFor,
  type RefusalReason,
  type ReplayOptions,
  replayIdentityGraph,
} from "./identity-graph.js";
export {
  createIdentityResolver,
  type Explanation,
  type ForgetTarget,
  type IdentityResolver,
  type IdentityResolverOptions,
  type LinkEvidence,
  type LinkResult,
  type Person,
  type RejectedKey,
} from "./identity-resolver.js";
export {
  DEFAULT_IDENTITY_RULES,
  DEFAULT_KIND_RULES,
  type IdentityRules,
  type IdentityRulesInput,
  type KindRule,
  type MergeMode,
  resolveIdentityRules,
} from "./identity-rules.js";
export {
  isJunkEmail,
  isKeyboardRun,
  JUNK_EMAIL_DOMAIN_LABELS,
  JUNK_EMAIL_LOCAL_PARTS,
} from "./junk-email.js";
export {
  BUILT_IN_JUNK_IDS,
  cleanId,
  type JunkReason,
  junkIdReason,
  MAX_ID_LENGTH,
} from "./junk-id.js";
export {
  createKeyNormalizer,
  type KeyCheck,
  type KeyClass,
  type KeyNormalizer,
  type KeyRejectReason,
  normalizeIdentityKey,
  ROLE_PREFIX,
} from "./key-normalizer.js";
export {
  isPlaceholderNationalNumber,
  isPlaceholderPhone,
  type NormalizePhoneOptions,
  normalizePhone,
} from "./phone.js";
export { DEFAULT_ROLE_MAILBOXES, isRoleMailbox } from "./role-mailbox.js";
