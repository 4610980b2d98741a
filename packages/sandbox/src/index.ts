/**
 * @revtrace/sandbox: local emulators of the revtrace destination APIs, as msw handlers for tests and a
 * standalone HTTP server for demos. Each emulator validates requests against the vendor's documented
 * contract, answers the way the vendor does, records what it accepted, and fails on demand. On the
 * other side, synthetic Chargebee webhook bodies play the site that sends to the pipeline.
 *
 * @module
 */
export {
  ACTIVECAMPAIGN_API_PREFIX,
  ACTIVECAMPAIGN_DEFAULT_PAGE,
  ACTIVECAMPAIGN_FIELD_TYPES,
  ACTIVECAMPAIGN_MAX_PAGE,
  ACTIVECAMPAIGN_ORIGIN,
  ACTIVECAMPAIGN_RATE_LIMIT,
  ConnectionContract,
  ContactListContract,
  ContactSyncContract,
  ContactTagContract,
  EcomCustomerContract,
  EcomOrderContract,
  EcomOrderUpdateContract,
  FieldContract,
  FieldRelContract,
  TagContract,
} from "./activecampaign/activecampaign-contract.js";
export {
  type ActiveCampaignAudit,
  type ActiveCampaignRequestLogEntry,
  type ActiveCampaignSandbox,
  type ActiveCampaignSandboxOptions,
  type ActiveCampaignState,
  createActiveCampaignSandbox,
} from "./activecampaign/activecampaign-sandbox.js";

export {
  type ChargebeeAccount,
  type ChargebeePlan,
  type ChargebeeSubscriptionWebhooks,
  type ChargebeeWebhookContent,
  type ChargebeeWebhookType,
  chargebeeEventBody,
  chargebeeSubscriptionWebhooks,
} from "./chargebee/chargebee-webhooks.js";
export {
  AssociateCustomerContract,
  ConvertLeadContract,
  CreateCustomerContract,
  CreateTransactionContract,
  CustomerIdentifierContract,
  KIFLO_API_PREFIX,
  KIFLO_CHARGEBEE_LABELS,
  KIFLO_MAX_PAGE_SIZE,
  KIFLO_ORIGIN,
  type KifloErrorBody,
  PatchCustomerContract,
  UpdateTransactionContract,
} from "./kiflo/kiflo-contract.js";
export {
  createKifloSandbox,
  type KifloContact,
  type KifloCustomer,
  type KifloDeal,
  type KifloFailure,
  KifloFailureSchema,
  type KifloLead,
  type KifloPropertyDefinition,
  type KifloRequestLogEntry,
  type KifloSandbox,
  type KifloSandboxOptions,
  type KifloTransaction,
} from "./kiflo/kiflo-sandbox.js";
export { mswHandlers, toFetchResponse, waitFor } from "./msw-handlers.js";
export {
  type SandboxCredentials,
  type SandboxCredentialsOptions,
  sandboxServerOptions,
} from "./sandbox-credentials.js";
export { type SandboxServer, type SandboxServerOptions, startSandbox } from "./sandbox-server.js";
export {
  createFailureQueue,
  type FailureQueue,
  failureOutcome,
  type SandboxFailure,
  SandboxFailureSchema,
  type SandboxOutcome,
  type SandboxRequest,
  type SandboxResponse,
  type VendorEmulator,
} from "./sandbox-types.js";
export {
  createSegmentSandbox,
  SEGMENT_LIMITS,
  SEGMENT_ORIGINS,
  type SegmentDroppedMessage,
  type SegmentDropReason,
  type SegmentRecordedMessage,
  type SegmentRequestLogEntry,
  type SegmentSandbox,
  type SegmentSandboxOptions,
} from "./segment/segment-sandbox.js";
export {
  type EventTimeWindow,
  NOT_HASHED_MESSAGE,
  TIKTOK_CODE_MESSAGES,
  TIKTOK_CODES,
  TIKTOK_MAX_EVENTS,
  TIKTOK_ORIGIN,
  TIKTOK_SUPPORTED_CURRENCIES,
  TIKTOK_TRACK_PATH,
  TikTokPageContract,
  TikTokPropertiesContract,
  TikTokRequestContract,
  TikTokUserContract,
  tiktokEventContract,
} from "./tiktok/tiktok-contract.js";
export {
  createTikTokSandbox,
  type TikTokEventRule,
  type TikTokFailure,
  TikTokFailureSchema,
  type TikTokRecordedEvent,
  type TikTokRejectOptions,
  type TikTokRequestLogEntry,
  type TikTokSandbox,
  type TikTokSandboxOptions,
} from "./tiktok/tiktok-sandbox.js";
