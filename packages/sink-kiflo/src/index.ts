/**
 * @revtrace/sink-kiflo: partner rewards in Kiflo from Chargebee payments, as Kiflo's own Chargebee
 * integration does it (convert lead, associate deals, create transaction), with one Kiflo transaction
 * per Chargebee payment whatever happens, and refunds reflected on it.
 *
 * @module
 */
export {
  type KifloAssociateCustomerRequest,
  type KifloContact,
  KifloContactSchema,
  type KifloConvertLeadRequest,
  type KifloCreateCustomerRequest,
  type KifloCreateTransactionRequest,
  type KifloCustomer,
  KifloCustomerSchema,
  type KifloDeal,
  KifloDealSchema,
  type KifloErrorBody,
  KifloErrorBodySchema,
  type KifloLead,
  KifloLeadSchema,
  type KifloPropertyDefinition,
  KifloPropertyDefinitionSchema,
  KifloPropertyDefinitionsSchema,
  type KifloTransaction,
  KifloTransactionSchema,
  type KifloUpdateTransactionRequest,
  kifloPageSchema,
} from "./kiflo-api-types.js";
export {
  isItemRefusal,
  KIFLO_SINK_NAME,
  kifloErrorCode,
  missingPropertyError,
} from "./kiflo-error.js";
export {
  type Claim,
  type CustomerRecord,
  chargebeeCustomerIdOf,
  createCustomerRequest,
  createTransactionRequest,
  customerProperties,
  defaultTransactionName,
  emailKey,
  emailOf,
  type KifloPropertyNames,
  netAmount,
  type PaymentFacts,
  paymentFacts,
  type RefundFacts,
  refundFacts,
  resolvePropertyNames,
  type Skip,
  type TransactionRecord,
  transactionRecord,
  updateTransactionRequest,
} from "./kiflo-mapper.js";
export { KIFLO_NAMESPACES } from "./kiflo-mappings.js";
export {
  KIFLO_DEFAULT_BASE_URL,
  KIFLO_MAX_PAGE_SIZE,
  KIFLO_PROPERTY_LABELS,
  type KifloSettings,
  type KifloSinkOptions,
  KifloSinkOptionsSchema,
  parseKifloSinkOptions,
} from "./kiflo-settings.js";
export { createKifloSink, type KifloSink } from "./kiflo-sink.js";
export { USER_AGENT, VERSION } from "./version.js";
