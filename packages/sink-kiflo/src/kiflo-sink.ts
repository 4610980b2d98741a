/**
 * `createKifloSink`: Kiflo's own Chargebee integration (Kiflo's Chargebee page; shared/specs/kiflo.md
 * §4), run from revtrace conversions. On a successful payment, in Kiflo's order: convert the lead whose
 * email matches, associate the customer (created if needed) with the deals whose contact email
 * matches (first payment only), and create one transaction for the payment of a known customer, tied
 * to the customer and so to its source partner. Refunds adjust that transaction (partial) or delete it
 * (full).
 *
 * One Chargebee transaction gives at most one Kiflo transaction, across retries, duplicates, crashes
 * and restarts: a claim is taken in the mapping store before anything is created, Kiflo is searched
 * before every create (and before every retry of one), and the outcome replaces the claim in the same
 * compare-and-set that records it.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import {
  ConfigError,
  type Conversion,
  type ConversionName,
  createHttpClient,
  createRecentMap,
  type ItemResult,
  redactedError,
  type SendOptions,
  type Sink,
  SinkError,
  StorageError,
  sendHandled,
  systemClock,
  toExactMajorNumber,
  toLogger,
} from "@revtrace/core";
import type { KifloCustomer, KifloDeal, KifloLead, KifloTransaction } from "./kiflo-api-types.js";
import { createKifloClient } from "./kiflo-client.js";
import {
  inProgressError,
  isItemRefusal,
  isTransientFailure,
  itemError,
  KIFLO_SINK_NAME,
  notYetRecordedError,
  setupSinkError,
  storeError,
} from "./kiflo-error.js";
import {
  type CustomerRecord,
  chargebeeCustomerIdOf,
  createCustomerRequest,
  createTransactionRequest,
  customerProperties,
  defaultTransactionName,
  emailKey,
  emailOf,
  hasEmail,
  inexactAmountReason,
  type KifloPropertyNames,
  netAmount,
  type PaymentFacts,
  parseRecord,
  paymentFacts,
  type RefundFacts,
  refundFacts,
  resolvePropertyNames,
  type TransactionRecord,
  transactionRecord,
  updateTransactionRequest,
} from "./kiflo-mapper.js";
import { createKifloMappings, KIFLO_NAMESPACES as NS } from "./kiflo-mappings.js";
import { type KifloSinkOptions, parseKifloSinkOptions } from "./kiflo-settings.js";
import { USER_AGENT } from "./version.js";

/** The Kiflo sink: a {@link Sink} of conversions. */
export interface KifloSink extends Sink<Conversion> {
  readonly name: "kiflo";
  /**
   * Checks the token and resolves the Chargebee properties by label (`GET /customers/properties`,
   * and `GET /transactions/properties` when transactions are on). Throws `ConfigError` when a label is
   * missing (Kiflo's Chargebee integration is off), `SinkError` when Kiflo refuses the token.
   */
  verifyCredentials(options?: SendOptions): Promise<void>;
}

/** What happened to one payment, for the item result and the logs. */
type Outcome = { kind: "delivered"; actions: string[] } | { kind: "skipped"; reason: string };

const PAYMENT_NAMES: readonly ConversionName[] = ["first_payment", "recurring_payment"];

/**
 * Creates the Kiflo sink. Options are validated at once (throws `ConfigError` naming the field).
 *
 * @example
 * const sink = createKifloSink({
 *   apiToken: process.env.KIFLO_TOKEN,
 *   store: storage, // any revtrace Storage
 *   convertLeadToCustomer: true,
 *   createTransactionFromPayment: true,
 * });
 * await sink.verifyCredentials();
 * const results = await sink.send(conversions);
 */
export function createKifloSink(options: KifloSinkOptions): KifloSink {
  const settings = parseKifloSinkOptions(options);
  const logger = toLogger(settings.logger);
  const now = settings.now ?? systemClock;
  const handles: ReadonlySet<ConversionName> = new Set<ConversionName>([
    ...PAYMENT_NAMES,
    ...(settings.createTransactionFromPayment ? (["refund"] as const) : []),
  ]);
  const client = createHttpClient({
    name: KIFLO_SINK_NAME,
    baseUrl: settings.baseUrl,
    userAgent: USER_AGENT,
    // Kiflo spec §1: `Authorization: Bearer <API access token>`.
    headers: { authorization: `Bearer ${settings.apiToken}` },
    fetch: settings.fetch,
    timeoutMs: settings.timeoutMs,
    // Kiflo spec §1 ("retry 429/5xx with backoff [assume]"): every 5xx, 501 and 505 included,
    // unlike core's default.
    retry: { every5xx: true, ...settings.retry },
    logger: settings.logger,
    secrets: [settings.apiToken],
    onRetry: settings.onRetry,
  });
  const api = createKifloClient(client, {
    pageSize: settings.pageSize,
    maxPages: settings.maxPages,
  });
  const mappings = createKifloMappings(settings.store, {
    owner: randomUUID(),
    claimTtlMs: settings.claimTtlMs,
    cacheSize: settings.cacheSize,
    now,
  });
  /** Normalized contact emails by contact id (contacts are read one by one: spec §5, N+1). */
  const contactEmails = createRecentMap<number, string | null>(settings.cacheSize);

  // Work on one Chargebee transaction or customer runs one at a time in this process; across
  // processes the claims in the store do the same.
  const running = new Map<string, Promise<unknown>>();
  function serialize<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = running.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => {},
      () => {},
    );
    running.set(key, settled);
    void settled.then(() => {
      if (running.get(key) === settled) running.delete(key);
    });
    return next;
  }

  let names: Promise<KifloPropertyNames> | undefined;
  /** Resolves the property names once (a failure is not remembered: the next call asks again). */
  function propertyNames(signal: AbortSignal | undefined): Promise<KifloPropertyNames> {
    names ??= (async () => {
      const customer = await api.propertyDefinitions("customers", signal);
      const transaction = settings.createTransactionFromPayment
        ? await api.propertyDefinitions("transactions", signal)
        : null;
      return resolvePropertyNames(customer, transaction);
    })();
    names.catch(() => {
      names = undefined;
    });
    return names;
  }

  /** The Kiflo customer of a Chargebee customer: the mapping, else Kiflo's "ChargeBee Customer ID". */
  async function knownCustomer(
    facts: Pick<PaymentFacts, "chargebeeCustomerId">,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<number | null> {
    const known = await mappings.record<CustomerRecord>(NS.customer, facts.chargebeeCustomerId);
    if (known) return known.record.kifloId;
    const found = await findCustomer(facts, props, signal);
    if (!found) return null;
    await mappings.put(NS.customer, facts.chargebeeCustomerId, {
      state: "known",
      kifloId: found.id,
    });
    return found.id;
  }

  async function findCustomer(
    facts: Pick<PaymentFacts, "chargebeeCustomerId">,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<KifloCustomer | undefined> {
    const { matches, truncated } = await api.scanCustomers(
      (c) =>
        !c.isDeleted && c.properties?.[props.chargebeeCustomerId] === facts.chargebeeCustomerId,
      signal,
    );
    if (matches.length === 0 && truncated) {
      logger.warn(
        { sink: KIFLO_SINK_NAME, maxPages: settings.maxPages },
        "kiflo: customer scan stopped at maxPages; older customers were not searched",
      );
    }
    return matches[0];
  }

  /** Every lead with this email (mapping, else a scan). */
  async function leadsWithEmail(email: string, signal: AbortSignal | undefined) {
    const key = emailKey(email);
    const ids = await mappings.ids(NS.leadsByEmail, key);
    let leads = [];
    if (ids) {
      for (const id of ids) {
        const lead = await api.getLead(id, signal);
        if (lead) leads.push(lead);
      }
    } else {
      const scanned = await api.scanLeads((lead) => hasEmail(lead.properties, email), signal);
      leads = scanned.matches;
      if (leads.length > 0) {
        await mappings.setIds(
          NS.leadsByEmail,
          key,
          leads.map((lead) => lead.id),
        );
      }
    }
    return leads;
  }

  /**
   * Whether a refund's payment may still create a Kiflo transaction: its customer is in Kiflo, or a
   * lead with its email would be converted by the payment. Chargebee delivers out of order, so a
   * refund can come before its payment.
   */
  async function paymentMayCome(
    conversion: Conversion,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const chargebeeCustomerId = conversion.billingEvent
      ? chargebeeCustomerIdOf(conversion.billingEvent)
      : null;
    if (
      chargebeeCustomerId &&
      (await knownCustomer({ chargebeeCustomerId }, props, signal)) !== null
    ) {
      return true;
    }
    const email = emailOf(conversion);
    if (!settings.convertLeadToCustomer || email === null) return false;
    const leads = await leadsWithEmail(email, signal);
    if (leads.some(isUnconverted)) return true;
    // A lead converted since the lookup above (see convertLead): its customer may be this one.
    return (
      chargebeeCustomerId !== null &&
      leads.some((lead) => lead.customerId != null) &&
      (await knownCustomer({ chargebeeCustomerId }, props, signal)) !== null
    );
  }

  async function convertLead(
    facts: PaymentFacts & { email: string },
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<number | null> {
    // "If several leads share the email, only the first is converted" (Kiflo's Stripe page): the
    // oldest unconverted one.
    const leads = await leadsWithEmail(facts.email, signal);
    const candidate = leads
      .filter(isUnconverted)
      .sort((a, b) => (a.creationDate ?? "").localeCompare(b.creationDate ?? "") || a.id - b.id)[0];
    if (!candidate) {
      // Converted after this payment looked for its customer: by another payment of the same
      // customer on another process (or a redelivery of this one). The conversion made the
      // customer, with its ChargeBee Customer ID: look again rather than skip the payment.
      return leads.some((lead) => lead.customerId != null)
        ? knownCustomer(facts, props, signal)
        : null;
    }
    const partnerId = candidate.sourcePartnerId ?? candidate.partnerId ?? undefined;
    let converted: { customerId?: number | null | undefined };
    try {
      converted = await api.convertLead(
        candidate.id,
        {
          customer: {
            ...(partnerId != null ? { sourcePartnerId: partnerId } : {}),
            properties: customerProperties(facts, props),
          },
        },
        signal,
      );
    } catch (error) {
      // Converted meanwhile (by a retry whose answer was lost, or another process): Kiflo refuses a
      // second conversion; the lead now names its customer.
      if (!isItemRefusal(error)) throw error;
      const again = await api.getLead(candidate.id, signal);
      if (again?.customerId == null) throw error;
      converted = again;
    }
    const customerId = converted.customerId;
    if (customerId == null) {
      throw itemError("Kiflo converted the lead but answered no customerId");
    }
    await mappings.put(NS.customer, facts.chargebeeCustomerId, {
      state: "known",
      kifloId: customerId,
    });
    logger.info(
      { sink: KIFLO_SINK_NAME, leadId: candidate.id, customerId },
      "kiflo: lead converted to customer",
    );
    return customerId;
  }

  async function contactEmail(contactId: number, signal: AbortSignal | undefined) {
    const known = contactEmails.get(contactId);
    if (known !== undefined) return known;
    const contact = await api.getContact(contactId, signal);
    const raw = contact?.properties?.email;
    const email = typeof raw === "string" ? raw : null;
    contactEmails.set(contactId, email);
    return email;
  }

  /** Deals whose contact email matches, not associated with another customer. */
  async function matchingDeals(
    email: string,
    customer: number | null,
    signal: AbortSignal | undefined,
  ): Promise<KifloDeal[]> {
    const key = emailKey(email);
    const ids = await mappings.ids(NS.dealsByEmail, key);
    const deals: KifloDeal[] = [];
    if (ids) {
      for (const id of ids) {
        const deal = await api.getDeal(id, signal);
        if (deal) deals.push(deal);
      }
    } else {
      // Deals carry a contact id, not an email (spec §2): only candidates' contacts are read.
      const scanned = await api.scanDeals(
        (deal) =>
          deal.contactId != null && (deal.customerId == null || deal.customerId === customer),
        signal,
      );
      for (const deal of scanned.matches) {
        const contact = await contactEmail(deal.contactId as number, signal);
        if (contact !== null && hasEmail({ email: contact }, email)) deals.push(deal);
      }
      if (deals.length > 0) {
        await mappings.setIds(
          NS.dealsByEmail,
          key,
          deals.map((deal) => deal.id),
        );
      }
    }
    return deals.filter((deal) => deal.customerId == null || deal.customerId === customer);
  }

  /** Creates the Kiflo customer of a Chargebee customer once (claim, look, create, record). */
  async function ensureCustomer(
    facts: PaymentFacts,
    props: KifloPropertyNames,
    partnerId: number | null,
    signal: AbortSignal | undefined,
  ): Promise<number | SinkError> {
    return serialize(`customer:${facts.chargebeeCustomerId}`, async () => {
      const claim = await mappings.claim<CustomerRecord>(NS.customer, facts.chargebeeCustomerId);
      if (claim.kind === "done") return claim.record.kifloId;
      if (claim.kind === "busy") return inProgressError("this customer");
      const look = () => findCustomer(facts, props, signal);
      // A claim taken over from a holder that died may hide a customer it created.
      let found = claim.takenOver ? await look() : undefined;
      if (!found) {
        try {
          found = await api.createCustomer(
            createCustomerRequest(facts, props, partnerId, settings.customerSource),
            async () => {
              found = await look();
              return found ? false : undefined;
            },
            signal,
          );
        } catch (error) {
          if (!found) throw error;
        }
        logger.info({ sink: KIFLO_SINK_NAME, customerId: found.id }, "kiflo: customer created");
      }
      const record: CustomerRecord = { state: "known", kifloId: found.id };
      if (!(await mappings.complete(NS.customer, facts.chargebeeCustomerId, claim.raw, record))) {
        await mappings.put(NS.customer, facts.chargebeeCustomerId, record);
      }
      return found.id;
    });
  }

  /** Kiflo's "Associate customer on deal" (first payment only). */
  async function associateDeals(
    facts: PaymentFacts & { email: string },
    customer: number | null,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
    actions: string[],
  ): Promise<number | null | SinkError> {
    const deals = await matchingDeals(facts.email, customer, signal);
    if (deals.length === 0) return customer;
    let id = customer;
    if (id === null) {
      // "If the customer does not exist yet a new one is created" (Kiflo's Chargebee page), credited
      // to the deal's source partner.
      const created = await ensureCustomer(facts, props, deals[0]?.sourcePartnerId ?? null, signal);
      if (SinkError.isInstance(created)) return created;
      id = created;
      actions.push("customer created");
    }
    for (const deal of deals) {
      if (deal.customerId === id) continue;
      await api.associateCustomer(deal.id, { customerId: id }, signal);
      actions.push(`associated with deal ${deal.id}`);
    }
    return id;
  }

  /** One Kiflo transaction per Chargebee transaction (claim, look, create, record). */
  function ensureTransaction(
    conversion: Conversion,
    facts: PaymentFacts,
    customerId: number,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<"created" | "found" | "recorded" | SinkError> {
    return serialize(`transaction:${facts.transactionId}`, async () => {
      // Named before the claim: a `transactionName` that throws leaves no claim behind.
      const name = settings.transactionName?.(conversion) ?? defaultTransactionName(facts);
      const claim = await mappings.claim<TransactionRecord>(NS.transaction, facts.transactionId);
      if (claim.kind === "done") return "recorded";
      if (claim.kind === "busy") return inProgressError("this payment");
      const txProperty = props.chargebeeTransactionId as string;
      const look = () =>
        api.findTransaction(
          customerId,
          (t) => !t.isDeleted && t.properties?.[txProperty] === facts.transactionId,
          signal,
        );
      // Look before create, always: the claim may hide a create whose holder died, and a store that
      // was lost (memory storage after a restart) remembers nothing.
      let found: KifloTransaction | null = await look();
      let outcome: "created" | "found" = "found";
      if (!found) {
        try {
          found = await api.createTransaction(
            createTransactionRequest(facts, props, customerId, name),
            async () => {
              found = await look();
              return found ? false : undefined;
            },
            signal,
          );
          outcome = "created";
        } catch (error) {
          if (!found) throw error;
        }
      }
      const record = transactionRecord(facts, found.id, customerId, name, found);
      if (!(await mappings.complete(NS.transaction, facts.transactionId, claim.raw, record))) {
        // Our claim expired and someone took it over; they look before creating, so they find ours.
        logger.warn(
          { sink: KIFLO_SINK_NAME, transactionId: found.id },
          "kiflo: the claim on this payment was taken over before the outcome was recorded",
        );
      }
      return outcome;
    });
  }

  async function deliverPayment(
    conversion: Conversion,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<Outcome | SinkError> {
    const facts = paymentFacts(conversion);
    if (facts.kind === "skip") return { kind: "skipped", reason: facts.reason };
    const actions: string[] = [];
    let customer = await knownCustomer(facts, props, signal);
    const email = facts.email;
    if (settings.convertLeadToCustomer && customer === null && email !== null) {
      customer = await convertLead({ ...facts, email }, props, signal);
      if (customer !== null) actions.push("lead converted");
    }
    if (settings.associateCustomerOnDeal && facts.isFirstPayment && email !== null) {
      const associated = await associateDeals(
        { ...facts, email },
        customer,
        props,
        signal,
        actions,
      );
      if (SinkError.isInstance(associated)) return associated;
      customer = associated;
    }
    if (settings.createTransactionFromPayment && customer !== null) {
      if (toExactMajorNumber(facts.amount) === null) {
        return itemError(inexactAmountReason(facts.amount));
      }
      const created = await ensureTransaction(conversion, facts, customer, props, signal);
      if (SinkError.isInstance(created)) return created;
      actions.push(`transaction ${created}`);
    }
    if (actions.length > 0) return { kind: "delivered", actions };
    if (customer !== null) {
      return {
        kind: "skipped",
        reason: "the customer is already in Kiflo and nothing else applies",
      };
    }
    return {
      kind: "skipped",
      reason:
        email === null
          ? "no Kiflo customer has this Chargebee customer id, and the payment has no usable email"
          : "no Kiflo customer has this Chargebee customer id, and no lead or deal matches its email",
    };
  }

  /** Refunds take the amount off the transaction (`PUT`), and a full refund deletes it. */
  async function deliverRefund(
    conversion: Conversion,
    props: KifloPropertyNames,
    signal: AbortSignal | undefined,
  ): Promise<Outcome | SinkError> {
    const facts: RefundFacts | { kind: "skip"; reason: string } = refundFacts(conversion);
    if (facts.kind === "skip") return { kind: "skipped", reason: facts.reason };
    return serialize(`transaction:${facts.paymentTransactionId}`, async () => {
      for (let round = 0; round < 5; round++) {
        const raw = await settings.store.getMapping(NS.transaction, facts.paymentTransactionId);
        const parsed = parseRecord(raw);
        if (raw === null || parsed === null) {
          if (await paymentMayCome(conversion, props, signal)) {
            // The payment has not been delivered yet (out of order): retry until it has, rather
            // than leave its transaction at the full amount. Dead-lettered after the attempts.
            return notYetRecordedError();
          }
          return {
            kind: "skipped",
            reason: "no Kiflo transaction was recorded for the refunded payment",
          } as const;
        }
        if (parsed.state === "claimed") {
          return inProgressError("the refunded payment");
        }
        if (parsed.state !== "created") {
          return itemError("the mapping store holds an unexpected record for this payment");
        }
        if (parsed.refunds[facts.refundId] !== undefined) {
          return { kind: "delivered", actions: ["refund already applied"] } as const;
        }
        if (parsed.deleted) {
          return {
            kind: "skipped",
            reason: "the Kiflo transaction was already reversed by a full refund",
          } as const;
        }
        if (parsed.currency !== facts.amount.currency) {
          return itemError(
            `the refund is in ${facts.amount.currency} but the transaction is in ${parsed.currency}`,
          );
        }
        const next: TransactionRecord = {
          ...parsed,
          refunds: { ...parsed.refunds, [facts.refundId]: facts.amount.amount },
        };
        const left = { amount: netAmount(next), currency: next.currency };
        if (left.amount !== 0 && toExactMajorNumber(left) === null) {
          return itemError(inexactAmountReason(left));
        }
        let action: string;
        if (netAmount(next) === 0) {
          next.deleted = true;
          await api.deleteTransaction(next.kifloId, signal);
          action = "transaction deleted (full refund)";
        } else {
          await api.updateTransaction(next.kifloId, updateTransactionRequest(next, props), signal);
          action = "transaction amount reduced";
        }
        if (await mappings.complete(NS.transaction, facts.paymentTransactionId, raw, next)) {
          return { kind: "delivered", actions: [action] } as const;
        }
      }
      return inProgressError("the refunded payment");
    });
  }

  async function deliverAll(
    items: readonly Conversion[],
    signal: AbortSignal | undefined,
  ): Promise<ItemResult[]> {
    let props: KifloPropertyNames;
    try {
      props = await propertyNames(signal);
    } catch (error) {
      if (ConfigError.isInstance(error)) throw setupSinkError(error);
      throw error;
    }
    const results: ItemResult[] = [];
    /** The transient failure that stopped this send (the items after it are not tried). */
    let stoppedBy: SinkError | null = null;
    for (const item of items) {
      if (stoppedBy) {
        results.push({ id: item.id, status: "rejected", error: stoppedBy });
        continue;
      }
      let outcome: Outcome | SinkError;
      try {
        outcome =
          item.name === "refund"
            ? await deliverRefund(item, props, signal)
            : await deliverPayment(item, props, signal);
      } catch (error) {
        if (StorageError.isInstance(error)) throw storeError(error);
        if (!SinkError.isInstance(error) && !ConfigError.isInstance(error)) {
          // Every Kiflo request fails with a SinkError (core's HTTP client): anything else was thrown
          // mapping this item (its data, or the user's `transactionName`). DESIGN §3: one bad item
          // never fails the batch. Only the error's name is kept (its text may quote data).
          const cause = redactedError(error);
          const kind = cause.name;
          outcome = itemError(`the conversion could not be mapped (${kind})`, cause);
          results.push({ id: item.id, status: "rejected", error: outcome });
          logger.warn(
            { sink: KIFLO_SINK_NAME, item: item.id, error: kind },
            "kiflo: item rejected",
          );
          continue;
        }
        if (isTransientFailure(error) && results.length > 0) {
          // A lost answer or a 5xx on one item: what was done so far is kept (answered per item),
          // and this item and the rest are retried later, instead of failing the whole send and
          // redoing every item (under a lossy network a large batch would then never complete).
          stoppedBy = error;
          outcome = error;
        } else if (!isItemRefusal(error)) throw error;
        else outcome = itemError("Kiflo refused the item", error);
      }
      if (SinkError.isInstance(outcome)) {
        logger.warn(
          {
            sink: KIFLO_SINK_NAME,
            item: item.id,
            reason: outcome.reason,
            retryable: outcome.retryable,
          },
          "kiflo: item rejected",
        );
        results.push({ id: item.id, status: "rejected", error: outcome });
      } else if (outcome.kind === "skipped") {
        results.push({ id: item.id, status: "skipped", reason: outcome.reason });
      } else {
        logger.debug(
          { sink: KIFLO_SINK_NAME, item: item.id, actions: outcome.actions },
          "kiflo: item delivered",
        );
        results.push({ id: item.id, status: "delivered" });
      }
    }
    return results;
  }

  return {
    specificationVersion: "v1",
    name: KIFLO_SINK_NAME,
    handles,

    async send(items, sendOptions = {}) {
      const { signal } = sendOptions;
      if (signal?.aborted) {
        throw new SinkError(`${KIFLO_SINK_NAME}: request aborted`, {
          sink: KIFLO_SINK_NAME,
          reason: "aborted",
          retryable: false,
          cause: signal.reason,
        });
      }
      return sendHandled(
        KIFLO_SINK_NAME,
        handles,
        items,
        (handled) => deliverAll(handled, signal),
        unhandledReason,
      );
    },

    async verifyCredentials(verifyOptions = {}) {
      await propertyNames(verifyOptions.signal);
    },
  };
}

/** Why a conversion is not sent: Kiflo acts on successful payments (and this sink on their refunds). */
/** A lead that is neither a customer nor a deal yet. */
function isUnconverted(lead: KifloLead): boolean {
  return lead.customerId == null && lead.dealId == null;
}

function unhandledReason(name: ConversionName): string {
  return name === "refund"
    ? "refunds only adjust Kiflo transactions, and createTransactionFromPayment is off"
    : `Kiflo's Chargebee integration acts on successful payments only, not on "${name}"`;
}
