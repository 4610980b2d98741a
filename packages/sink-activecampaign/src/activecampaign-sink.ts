/**
 * `createActiveCampaignSink`: Chargebee conversions → ActiveCampaign contacts (upserted by email with
 * `contact/sync`), custom fields (created once at setup when missing), list membership (never
 * re-subscribing someone who unsubscribed), lifecycle tags (looked up before created, the old state
 * removed), and Deep Data revenue (orders keyed by the Chargebee transaction id, refunds recorded on
 * them). Every request goes through one rate limiter (5 requests a second per account, spec §1).
 * Section numbers refer to shared/specs/activecampaign.md.
 *
 * @module
 */
import {
  type BillingCustomer,
  type BillingSubscription,
  ConfigError,
  type Conversion,
  type ConversionName,
  createHttpClient,
  currentStateOf,
  type ItemResult,
  type RateLimiter,
  redactedError,
  type SendOptions,
  type Sink,
  SinkError,
  sendHandled,
  systemClock,
  toLogger,
} from "@revtrace/core";
import { normalizeEmail } from "@revtrace/identity";
import { accountGate } from "./activecampaign-account-gate.js";
import { type ActiveCampaignApi, createActiveCampaignApi } from "./activecampaign-api.js";
import { claimantOf, createContactOwners, holding } from "./activecampaign-contact-owner.js";
import {
  abortedError,
  contactBusyError,
  failsTheSend,
  isDuplicate,
  isNotFound,
  itemError,
  localItemError,
  ACTIVECAMPAIGN_SINK_NAME as NAME,
} from "./activecampaign-error.js";
import {
  contactSyncBody,
  emailOnly,
  type FieldContext,
  firstTouchOf,
  isGiftPurchase,
  lifecycleState,
  lifecycleTag,
  orderSource,
  planContact,
  planOrder,
  planRefund,
} from "./activecampaign-mapper.js";
import { createInProcessRateLimiter } from "./activecampaign-rate-limiter.js";
import {
  type ActiveCampaignSettings,
  type ActiveCampaignSinkOptions,
  LIFECYCLE_STATES,
  parseActiveCampaignSinkOptions,
} from "./activecampaign-settings.js";
import {
  type CustomerSource,
  type FullSyncOptions,
  type FullSyncResult,
  type InitialSyncOptions,
  runSync,
  type SyncError,
  type SyncOutcome,
  type SyncResult,
} from "./activecampaign-sync.js";
import { USER_AGENT } from "./version.js";

/** Conversion names that update the contact (fields, list, lifecycle tags). */
const CONTACT_NAMES: readonly ConversionName[] = [
  "customer_created",
  "customer_updated",
  "subscription_created",
  "trial_started",
  "trial_converted",
  "subscription_changed",
  "subscription_renewed",
  "subscription_cancelled",
  "subscription_reactivated",
];
/** Conversion names that become Deep Data orders, or change one. */
const REVENUE_NAMES: readonly ConversionName[] = ["first_payment", "recurring_payment", "refund"];

/** Options of {@link ActiveCampaignSink.initialSync}, {@link ActiveCampaignSink.fullSync}. */
export type { FullSyncOptions, InitialSyncOptions };

/** The ActiveCampaign sink. */
export interface ActiveCampaignSink extends Sink<Conversion> {
  readonly name: typeof NAME;
  /**
   * Resolves (and creates when missing) the custom fields and finds the lifecycle tags. Runs once,
   * on the first send that needs it; call it at startup to fail fast. A failure is retried next time.
   */
  setup(options?: SendOptions): Promise<void>;
  /** `GET /lists/{listId}`: the token works and the list exists. */
  verifyCredentials(options?: SendOptions): Promise<void>;
  /** Syncs the latest `limit` (default 10) Chargebee customers and reports per-customer errors (seed 001). */
  initialSync(options: InitialSyncOptions): Promise<SyncResult>;
  /** Syncs every customer, resumable from `cursor`, with progress and a retryable error list. */
  fullSync(options: FullSyncOptions): Promise<FullSyncResult>;
  /** Syncs the customers of an earlier result's `errors` again (from the data they carry). */
  retrySync(errors: readonly SyncError[], options?: RetrySyncOptions): Promise<SyncResult>;
}

/** Options of {@link ActiveCampaignSink.retrySync}. */
export interface RetrySyncOptions extends SendOptions {
  /** Read the failed customers again from here (fresh data); else replay the records kept. */
  source?: CustomerSource;
}

/** A failure that ends the whole send (kept apart from per-item rejections). */
class SendFailure extends Error {
  constructor(readonly error: unknown) {
    super("send failed");
  }
}

/**
 * Creates the ActiveCampaign sink. Options are validated at once (throws `ConfigError` naming the
 * field).
 *
 * @example
 * const sink = createActiveCampaignSink({
 *   apiUrl: "https://acme.api-us1.com", apiToken: process.env.AC_TOKEN, listId: 3,
 *   onCustomerDeleted: "unsubscribe", deepData: { site: "acme" },
 * });
 * await sink.setup();
 * const results = await sink.send(conversions);
 */
export function createActiveCampaignSink(options: ActiveCampaignSinkOptions): ActiveCampaignSink {
  const settings: ActiveCampaignSettings = parseActiveCampaignSinkOptions(options);
  const logger = toLogger(settings.logger);
  const now = settings.now ?? systemClock;
  // Spec §1: one limit and one throttle per account; the gate holds every request during a
  // `Retry-After` and counts each slot from the request's real start.
  const gate = accountGate(settings.rateLimiter ?? accountLimiter(settings.apiUrl));
  const client = createHttpClient({
    name: NAME,
    baseUrl: settings.apiUrl,
    userAgent: USER_AGENT,
    // Spec §1: the token in `Api-Token` on every request.
    headers: { "api-token": settings.apiToken },
    fetch: gate.fetch(settings.fetch),
    timeoutMs: settings.timeoutMs,
    // Spec §1 ("Recommended classification: 429/503/5xx/network → retryable"): every 5xx, 501 and 505
    // included, unlike core's default.
    retry: { every5xx: true, ...settings.retry },
    logger: settings.logger,
    secrets: [settings.apiToken],
    onRetry: settings.onRetry,
    rateLimiter: gate.limiter,
  });
  const api: ActiveCampaignApi = createActiveCampaignApi(client);
  const { listId, tagPrefix } = settings;
  // Spec §2: one contact per email; with a store, the customer updated last owns it.
  const owners = settings.store
    ? createContactOwners(settings.store, now, settings.contactLeaseMs)
    : null;
  const handles: ReadonlySet<ConversionName> = new Set([
    ...CONTACT_NAMES,
    "customer_deleted",
    ...(settings.deepData ? REVENUE_NAMES : []),
  ]);

  // Account state, resolved once per sink instance.
  const fieldIds = new Map<string, string>();
  /** Lower-cased tag name → id (spec §5: names are unique, matched case-insensitively). */
  const tagIds = new Map<string, string>();
  const tagCreations = new Map<string, Promise<string>>();
  /** Contact id → its status on the list, once known ("1", "2", "91"). */
  const listStatuses = new Map<string, string>();
  /** Chargebee customer id → its ecomCustomer id (in flight or known), per connection. */
  const ecomCustomers = new Map<string, Promise<string>>();
  let ready: Promise<void> | undefined;
  let connection: Promise<string> | undefined;
  /** Per-key chains (a contact, a transaction's order): its changes apply in order, one at a time. */
  const chains = new Map<string, Promise<unknown>>();

  /**
   * Runs work shared by concurrent sends (setup, a tag, the connection): when it failed only because
   * the send that started it was aborted, this send (not aborted) starts it again.
   */
  async function shared<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        const foreignAbort = SinkError.isInstance(error) && error.reason === "aborted";
        if (signal?.aborted || !foreignAbort) throw error;
      }
    }
  }

  /** The skip reason of a change to a contact another Chargebee customer owns (spec §2). */
  function ownedBy(customerId: string): string {
    return `the ActiveCampaign contact of this email follows Chargebee customer ${customerId} (updated more recently; see store)`;
  }

  /** The chain key of a contact (apart from the `order:` keys). */
  function contactKey(email: string): string {
    return `contact:${email}`;
  }

  /**
   * Runs work after the earlier work of every key, holding all of them until it settles. The slots
   * are all reserved at the call, synchronously: work on one key runs in call (input) order, and
   * since several keys are taken at once, never one after another, two holders cannot deadlock.
   */
  function serialized<T>(keys: string | readonly string[], work: () => Promise<T>): Promise<T> {
    const list = typeof keys === "string" ? [keys] : keys;
    const previous =
      list.length === 1
        ? (chains.get(list[0] as string) ?? Promise.resolve())
        : Promise.all(list.map((key) => chains.get(key)));
    const next = previous.then(work, work);
    const settled = next.catch(() => {});
    for (const key of list) {
      chains.set(key, settled);
      void settled.then(() => {
        if (chains.get(key) === settled) chains.delete(key);
      });
    }
    return next;
  }

  async function runSetup(signal: AbortSignal | undefined): Promise<void> {
    const { fields: existing, linked } = await api.listFields(signal);
    const byTag = new Map(
      existing.filter((f) => f.perstag).map((f) => [String(f.perstag).toUpperCase(), f.id]),
    );
    for (const field of settings.fields) {
      const found = byTag.get(field.perstag);
      if (found) {
        // Spec §3: a field on no list at all (its POST /fieldRels failed after POST /fields, or
        // it was made so) gets the `relid: 0` link it was created to have.
        if (linked && !linked.has(found)) {
          logger.info({ sink: NAME, perstag: field.perstag }, "activecampaign: linking a field");
          await api.linkField(found, signal);
        }
        fieldIds.set(field.perstag, found);
        continue;
      }
      logger.info(
        { sink: NAME, perstag: field.perstag },
        "activecampaign: creating a missing field",
      );
      try {
        fieldIds.set(field.perstag, await api.createField(field, signal));
      } catch (error) {
        // Spec §3: a duplicate title answers 422 `duplicate`; the field then exists under our perstag
        // or not at all, so look again before giving up.
        if (!isDuplicate(error)) throw error;
        const again = (await api.listFields(signal)).fields.find(
          (f) => String(f.perstag).toUpperCase() === field.perstag,
        );
        if (!again) throw error;
        fieldIds.set(field.perstag, again.id);
      }
    }
    for (const tag of await api.searchTags(tagPrefix, signal)) {
      tagIds.set(tag.tag.toLowerCase(), tag.id);
    }
  }

  function setup(signal: AbortSignal | undefined): Promise<void> {
    ready ??= runSetup(signal).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  }

  /** The id of tag `name`: cached, else searched (every page), else created (spec §5). */
  function ensureTag(name: string, signal: AbortSignal | undefined): Promise<string> {
    const key = name.toLowerCase();
    const known = tagIds.get(key);
    if (known) return Promise.resolve(known);
    let pending = tagCreations.get(key);
    if (!pending) {
      const find = async () =>
        (await api.searchTags(name, signal)).find((t) => t.tag.toLowerCase() === key)?.id;
      pending = (async () => {
        // Setup searched our prefix already: a tag with it that is not cached does not exist.
        const found = key.startsWith(tagPrefix.toLowerCase()) && ready ? undefined : await find();
        if (found) return found;
        try {
          return await api.createTag(name, signal);
        } catch (error) {
          // Created meanwhile by someone else (verbb/formie #1389): search again.
          const again = isDuplicate(error) ? await find() : undefined;
          if (again) return again;
          throw error;
        }
      })();
      tagCreations.set(key, pending);
      pending.then(
        (id) => tagIds.set(key, id),
        () => {},
      );
      pending.finally(() => tagCreations.delete(key)).catch(() => {});
    }
    return pending;
  }

  /** Like {@link ensureTag}, but always searches first (the cache proved wrong). */
  async function ensureTagFresh(name: string, signal: AbortSignal | undefined): Promise<string> {
    const key = name.toLowerCase();
    const found = (await api.searchTags(name, signal)).find((t) => t.tag.toLowerCase() === key)?.id;
    const id = found ?? (await api.createTag(name, signal));
    tagIds.set(key, id);
    return id;
  }

  /** Subscribes the contact to the list unless it has any status there already (spec §4). */
  async function ensureListed(contactId: string, signal: AbortSignal | undefined): Promise<void> {
    let status = listStatuses.get(contactId) ?? null;
    if (status === null) status = await api.listStatus(contactId, listId, signal);
    if (status === null) {
      await api.setListStatus(contactId, listId, 1, signal);
      status = "1";
    } else if (status !== "1") {
      // 2 = unsubscribed, 91 = removed: setting 1 would re-subscribe them (spec §4 compliance).
      logger.info(
        { sink: NAME, contactId, status },
        "activecampaign: contact left the list; not re-subscribing",
      );
    }
    listStatuses.set(contactId, status);
  }

  /** Adds the state's tag and removes the other lifecycle tags (spec §5). */
  async function syncLifecycleTags(
    contactId: string,
    state: NonNullable<ReturnType<typeof lifecycleState>>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const wanted = lifecycleTag(tagPrefix, state).toLowerCase();
    const current = await api.contactTags(contactId, signal);
    const lifecycleIds = new Map<string, string>();
    for (const other of LIFECYCLE_STATES) {
      const id = tagIds.get(lifecycleTag(tagPrefix, other).toLowerCase());
      if (id) lifecycleIds.set(id, other);
    }
    const wantedId = tagIds.get(wanted);
    if (!wantedId || !current.some((ct) => ct.tag === wantedId)) {
      const name = lifecycleTag(tagPrefix, state);
      let tagId = await shared(signal, () => ensureTag(name, signal));
      if (!current.some((ct) => ct.tag === tagId)) {
        try {
          await api.addTag(contactId, tagId, signal);
        } catch (error) {
          // Spec §1: a cached id that no longer exists (the tag was deleted in ActiveCampaign):
          // forget it and resolve the name once more.
          if (
            failsTheSend(error) ||
            !SinkError.isInstance(error) ||
            (error.status !== 404 && error.status !== 422)
          )
            throw error;
          tagIds.delete(wanted);
          tagId = await ensureTagFresh(name, signal);
          await api.addTag(contactId, tagId, signal);
        }
      }
      lifecycleIds.delete(tagId);
    } else {
      lifecycleIds.delete(wantedId);
    }
    for (const contactTag of current) {
      if (!lifecycleIds.has(contactTag.tag)) continue;
      try {
        await api.removeContactTag(contactTag.id, signal);
      } catch (error) {
        // 404: the tag is already off the contact (another process changing the same contact's
        // tags removed it first), which is what this delete wanted.
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /**
   * Upserts one customer: `contact/sync` with fields, list membership, lifecycle tag. Answers what
   * happened; throws a SinkError for a failure.
   */
  async function syncCustomer(
    context: FieldContext,
    fallback: Conversion["contact"] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ status: "delivered" } | { status: "busy" } | { status: "skipped"; reason: string }> {
    const plan = planContact(context, settings.fields, fallback);
    if (plan.kind === "skip") return { status: "skipped", reason: plan.reason };
    // The contact's slot is taken before any await: its items run in input order (a deletion
    // after a change in the same send must not run first, nor the change re-create the contact).
    return serialized(contactKey(plan.contact.email), async () => {
      // The event's customer claims even when its state is stale (left out of `context`): the
      // late event of another customer must not tag the owner's contact with its subscription.
      const claimant = context.customer ?? context.conversion?.billingEvent?.customer ?? null;
      const claim =
        owners && claimant
          ? await owners.claimChange(plan.contact.email, claimantOf(claimant))
          : null;
      if (claim?.kind === "other")
        return { status: "skipped" as const, reason: ownedBy(claim.ownerId) };
      if (claim?.kind === "busy") return { status: "busy" as const };
      return holding(claim, async (landed) => {
        await shared(signal, () => setup(signal));
        const contactId = await api.syncContact(
          contactSyncBody(plan.contact, plan.values, fieldIds),
          signal,
        );
        // the contact holds the claimant's data once synced; before that, the owner stays as it was
        landed();
        await ensureListed(contactId, signal);
        const state = lifecycleState(context.subscription);
        if (state) await syncLifecycleTags(contactId, state, signal);
        return { status: "delivered" as const };
      });
    });
  }

  async function deleteCustomer(
    conversion: Conversion,
    signal: AbortSignal | undefined,
  ): Promise<ItemResult> {
    const { id } = conversion;
    const policy = settings.onCustomerDeleted;
    if (policy === "keep") {
      return { id, status: "skipped", reason: "the deletion policy is keep" };
    }
    const plan = planContact(
      {
        customer: conversion.billingEvent?.customer ?? null,
        subscription: null,
        firstTouch: null,
        conversion,
      },
      [],
      conversion.contact,
    );
    if (plan.kind === "skip") return { id, status: "skipped", reason: plan.reason };
    const email = plan.contact.email;
    const customerId = conversion.billingEvent?.customer?.id ?? null;
    return serialized(contactKey(email), async (): Promise<ItemResult> => {
      // Spec §2: a contact another customer owns is not deleted with this one.
      const claim = owners && customerId ? await owners.claimDeletion(email, customerId) : null;
      if (claim?.kind === "other") return { id, status: "skipped", reason: ownedBy(claim.ownerId) };
      if (claim?.kind === "busy") return { id, status: "rejected", error: contactBusyError() };
      // a failed deletion keeps the owner: it is retried
      return holding(claim, async (landed) => {
        const result = await deleteContact(id, email, policy, signal);
        landed();
        return result;
      });
    });
  }

  /** Applies the deletion `policy` to the contact of `email`. */
  async function deleteContact(
    id: string,
    email: string,
    policy: Exclude<ActiveCampaignSettings["onCustomerDeleted"], "keep">,
    signal: AbortSignal | undefined,
  ): Promise<ItemResult> {
    const contactId = await api.findContact(email, signal);
    if (!contactId)
      return { id, status: "skipped", reason: "no ActiveCampaign contact has this email" };
    if (policy === "unsubscribe") {
      await api.setListStatus(contactId, listId, 2, signal);
      listStatuses.set(contactId, "2");
    } else if (policy === "delete") {
      try {
        await api.deleteContact(contactId, signal);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      listStatuses.delete(contactId);
    } else {
      const tagId = await shared(signal, () => ensureTag(settings.deletedTag, signal));
      // Spec §1 "Idempotency": no idempotency key; contactTags are made idempotent by
      // lookup-before-create, so a redelivered deletion does not attach the tag again.
      const current = await api.contactTags(contactId, signal);
      if (!current.some((ct) => ct.tag === tagId)) await api.addTag(contactId, tagId, signal);
    }
    return { id, status: "delivered" };
  }

  /** The Deep Data connection of this Chargebee site: found, else created, once (spec §6). */
  function ensureConnection(signal: AbortSignal | undefined): Promise<string> {
    const deepData = settings.deepData;
    if (!deepData) throw new TypeError("Deep Data is off");
    connection ??= (async () => {
      const find = () => api.findConnection("Chargebee", deepData.site, signal);
      const found = await find();
      if (found) return found;
      return createOrFindAgain(
        (beforeRetry) =>
          api.createConnection(
            {
              service: "Chargebee",
              externalid: deepData.site,
              name: deepData.name,
              logoUrl: deepData.logoUrl,
              linkUrl: deepData.linkUrl ?? `https://${deepData.site}.chargebee.com`,
            },
            signal,
            beforeRetry,
          ),
        find,
      );
    })().catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  }

  /** The ecomCustomer of a Chargebee customer: found, else created, once at a time (spec §6). */
  function ensureEcomCustomer(
    connectionId: string,
    customerId: string,
    email: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const key = `${connectionId}\n${customerId}`;
    let pending = ecomCustomers.get(key);
    if (!pending) {
      pending = (async () => {
        const find = () => api.findEcomCustomer(connectionId, customerId, signal);
        const found = await find();
        if (found) return found;
        return createOrFindAgain(
          (beforeRetry) =>
            api.createEcomCustomer(connectionId, customerId, email, signal, beforeRetry),
          find,
        );
      })();
      ecomCustomers.set(key, pending);
      pending.catch(() => ecomCustomers.delete(key));
    }
    return pending;
  }

  async function recordPayment(
    conversion: Conversion,
    signal: AbortSignal | undefined,
  ): Promise<ItemResult> {
    const { id } = conversion;
    const plan = planOrder(conversion);
    if (plan.kind === "skip") return { id, status: "skipped", reason: plan.reason };
    const customerId =
      conversion.billingEvent?.customer?.id ?? conversion.billingEvent?.subscription?.customerId;
    if (!customerId)
      return { id, status: "skipped", reason: "the payment names no Chargebee customer" };
    // Both slots reserved at once, in input order, before any await: the contact's (its deletion
    // and its orders keep their order) and the transaction's, so a refund later in the same send
    // (which takes only the transaction's) runs after this payment, not before it.
    return serialized(
      [contactKey(plan.email), `order:${plan.externalid}`],
      async (): Promise<ItemResult> => {
        const connectionId = await shared(signal, () => ensureConnection(signal));
        const ecomCustomerId = await shared(signal, () =>
          ensureEcomCustomer(connectionId, customerId, plan.email, signal),
        );
        // No idempotency key in AC (spec §1): look the transaction up before creating its order.
        if (await api.findOrder(connectionId, plan.externalid, signal)) {
          return { id, status: "delivered" };
        }
        const paidAt = conversion.billingEvent?.payment?.paidAt ?? conversion.occurredAt;
        const source = orderSource(paidAt, now(), settings.liveOrderMaxAgeMs);
        const body = plan.build({ connectionId, customerId: ecomCustomerId, source });
        // Spec §1: no idempotency key. A retry after a lost answer (timeout, reset) would create a
        // second order if the first attempt went through: look the order up before each retry.
        let created = false;
        try {
          await api.createOrder(body, signal, async () => {
            created = (await api.findOrder(connectionId, plan.externalid, signal)) !== null;
            return created ? false : undefined;
          });
        } catch (error) {
          if (created) return { id, status: "delivered" };
          // Spec §6 (module-integration): a 422 on create may mean it exists; look again.
          if (SinkError.isInstance(error) && error.status === 422) {
            if (await api.findOrder(connectionId, plan.externalid, signal)) {
              return { id, status: "delivered" };
            }
          }
          throw error;
        }
        return { id, status: "delivered" };
      },
    );
  }

  async function recordRefund(
    conversion: Conversion,
    signal: AbortSignal | undefined,
  ): Promise<ItemResult> {
    const { id } = conversion;
    const refund = conversion.billingEvent?.refund;
    if (!refund) return { id, status: "skipped", reason: "the conversion carries no refund" };
    if (refund.status !== null && refund.status !== "success") {
      return { id, status: "skipped", reason: `the refund's status is ${refund.status}` };
    }
    const original = refund.refundedTransactionId;
    if (!original) {
      return { id, status: "skipped", reason: "the refund names no original payment transaction" };
    }
    return serialized(`order:${original}`, async (): Promise<ItemResult> => {
      const connectionId = await shared(signal, () => ensureConnection(signal));
      const order = await api.findOrder(connectionId, original, signal);
      if (!order) {
        return {
          id,
          status: "skipped",
          reason: "the refunded payment has no ActiveCampaign order",
        };
      }
      if (order.currency && order.currency !== refund.amount.currency) {
        return {
          id,
          status: "rejected",
          error: localItemError("the refund's currency differs from the order's"),
        };
      }
      const plan = planRefund(order, refund.transactionId, refund.amount);
      if (plan.kind === "already") return { id, status: "delivered" };
      await api.updateOrder(order.id, plan.body, signal);
      return { id, status: "delivered" };
    });
  }

  /** Delivers one conversion; a failure of the whole send is thrown as {@link SendFailure}. */
  async function deliver(conversion: Conversion, signal: AbortSignal): Promise<ItemResult> {
    const { id } = conversion;
    try {
      switch (conversion.name) {
        case "customer_deleted":
          return await deleteCustomer(conversion, signal);
        case "first_payment":
        case "recurring_payment":
          return await recordPayment(conversion, signal);
        case "refund":
          return await recordRefund(conversion, signal);
        default: {
          const event = conversion.billingEvent;
          if (isGiftPurchase(event) && !settings.syncGiftPurchasers) {
            return {
              id,
              status: "skipped",
              reason: "gift purchasers are not synced (syncGiftPurchasers)",
            };
          }
          // A late event's outdated state is not written over a newer one (see `staleState`): the
          // contact is still made (and listed) from its email, without those fields and tags.
          const { customer, subscription } = currentStateOf(conversion);
          const result = await syncCustomer(
            { customer, subscription, firstTouch: firstTouchOf(conversion), conversion },
            conversion.staleState?.includes("customer")
              ? emailOnly(conversion.contact)
              : conversion.contact,
            signal,
          );
          if (result.status === "busy")
            return { id, status: "rejected", error: contactBusyError() };
          return { id, ...result };
        }
      }
    } catch (error) {
      // Every request failure is a SinkError (core's HTTP client); anything else was thrown while
      // mapping this item (its data, or a user's field `source`): DESIGN §3, one bad item never
      // fails the batch. Only the error's name is kept in the message (its text may quote data).
      if (!SinkError.isInstance(error)) {
        const cause = redactedError(error);
        const kind = cause.name;
        logger.warn({ sink: NAME, item: id, error: kind }, "activecampaign: item not mappable");
        return {
          id,
          status: "rejected",
          error: localItemError(`${conversion.name} could not be mapped (${kind})`, cause),
        };
      }
      if (failsTheSend(error)) throw new SendFailure(error);
      logger.warn(
        { sink: NAME, item: id, status: (error as SinkError).status },
        "activecampaign: item refused",
      );
      return { id, status: "rejected", error: itemError(`${conversion.name}`, error) };
    }
  }

  /** Delivers the handled items concurrently (the limiter paces); one send failure stops them all. */
  async function sendAll(
    items: readonly Conversion[],
    signal: AbortSignal | undefined,
  ): Promise<ItemResult[]> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.all(items.map((item) => deliver(item, controller.signal)));
    } catch (error) {
      controller.abort(error);
      const cause = error instanceof SendFailure ? error.error : error;
      if (signal?.aborted) throw abortedError(signal.reason);
      throw SinkError.isInstance(cause) ? cause : abortedError(cause);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Syncs one backfilled customer (no conversion: no attribution fields). */
  async function syncRecord(
    record: { customer: BillingCustomer; subscriptions: readonly BillingSubscription[] },
    signal: AbortSignal | undefined,
  ): Promise<SyncOutcome> {
    if (isGiftPurchase(null, record.subscriptions) && !settings.syncGiftPurchasers) {
      return {
        status: "skipped",
        reason: "the customer has no subscription of their own (gift purchasers are not synced)",
      };
    }
    const raw = record.customer.email;
    if (record.customer.piiCleared !== "cleared" && !(raw && normalizeEmail(raw))) {
      return { status: "invalid", reason: "the customer has no valid email address" };
    }
    const subscription = primarySubscription(record.subscriptions);
    const outcome = await syncCustomer(
      { customer: record.customer, subscription, firstTouch: null, conversion: null },
      undefined,
      signal,
    );
    // a sync error to retry, like any retryable failure
    if (outcome.status === "busy") throw contactBusyError();
    return outcome;
  }

  return {
    specificationVersion: "v1",
    name: NAME,
    handles,
    batchSize: ACTIVECAMPAIGN_BATCH_SIZE,

    async send(items, sendOptions = {}) {
      const { signal } = sendOptions;
      if (signal?.aborted) throw abortedError(signal.reason);
      return sendHandled(
        NAME,
        handles,
        items,
        (handled) => sendAll(handled, signal),
        unhandledReason,
      );
    },

    setup: (setupOptions = {}) => setup(setupOptions.signal),

    async verifyCredentials(verifyOptions = {}) {
      try {
        await api.getList(listId, verifyOptions.signal);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        throw new ConfigError("Invalid ActiveCampaign sink options: listId: no such list", {
          fields: ["listId"],
          cause: error,
        });
      }
    },

    initialSync: (syncOptions) =>
      runSync(
        syncRecord,
        { ...syncOptions, limit: syncOptions.limit ?? 10 },
        settings.syncConcurrency,
        false,
      ),
    fullSync: (syncOptions) =>
      runSync(syncRecord, syncOptions, settings.syncConcurrency, syncOptions.countFirst !== false),
    retrySync: (errors, retryOptions = {}) =>
      runSync(
        syncRecord,
        { source: fromErrors(errors, retryOptions.source), signal: retryOptions.signal },
        settings.syncConcurrency,
        false,
      ),
  };
}

/** The default limiters, one per account (API URL) in this process: its sinks share the 5 per second. */
const accountLimiters = new Map<string, RateLimiter>();

function accountLimiter(apiUrl: string): RateLimiter {
  const key = apiUrl.toLowerCase();
  let limiter = accountLimiters.get(key);
  if (!limiter) {
    limiter = createInProcessRateLimiter();
    accountLimiters.set(key, limiter);
  }
  return limiter;
}

/** The subscription whose state the contact shows: a live one first, the newest otherwise. */
function primarySubscription(
  subscriptions: readonly BillingSubscription[],
): BillingSubscription | null {
  const rank = (s: BillingSubscription) =>
    ["active", "in_trial", "non_renewing", "future", "paused"].includes(s.status ?? "") ? 1 : 0;
  return (
    [...subscriptions].sort(
      (a, b) => rank(b) - rank(a) || (b.createdAt ?? 0) - (a.createdAt ?? 0),
    )[0] ?? null
  );
}

/**
 * The customers of `errors`: read again from `source` when given (fresh data, after a fix in
 * Chargebee), else the records the errors carry.
 */
function fromErrors(errors: readonly SyncError[], source?: CustomerSource): CustomerSource {
  const ids = new Set(errors.map((error) => error.customerId));
  return {
    async *backfillCustomers(options) {
      if (source) {
        for await (const record of source.backfillCustomers({ signal: options?.signal })) {
          if (ids.has(record.customer.id)) yield record;
        }
        return;
      }
      for (const error of errors) if (error.record) yield error.record;
    },
  };
}

function unhandledReason(name: ConversionName): string {
  if (REVENUE_NAMES.includes(name))
    return `the activecampaign sink does not handle "${name}" conversions without deepData`;
  return `the activecampaign sink does not handle "${name}" conversions`;
}

/**
 * Items per send. ActiveCampaign has no batch endpoint: items go one by one, several requests each
 * (contact sync, list, tags, Deep Data: about 7.6 per item in the reliability suite), at 5 requests a
 * second per account (spec §1). A send of the pipeline's default 50 items would take over a minute,
 * past `delivery.sendTimeoutMs` (30 s), and be aborted and retried whole forever; 5 items take a few
 * seconds even with a `Retry-After` pause.
 */
export const ACTIVECAMPAIGN_BATCH_SIZE = 5;

/**
 * `create()`, or what `find()` finds when the create was refused because another process created the
 * record between this one's lookup and its create (a lookup and a create are not atomic). Spec §6:
 * the duplicate answer is undocumented; AC's own module treats a 422/400 on create as "already
 * exists" and looks it up, and so does this. A refusal the second lookup cannot explain stands.
 */
async function createOrFindAgain(
  create: (beforeRetry: () => Promise<boolean | undefined>) => Promise<string>,
  find: () => Promise<string | null>,
): Promise<string> {
  // Spec §1: no idempotency key. An attempt whose answer was lost may have created the record, so
  // each retry of the create looks for it first (and stops retrying when it is there).
  let found: string | null = null;
  try {
    return await create(async () => {
      found = await find();
      return found ? false : undefined;
    });
  } catch (error) {
    if (found) return found;
    const refused = SinkError.isInstance(error) && (error.status === 422 || error.status === 400);
    const again = refused ? await find() : null;
    if (again) return again;
    throw error;
  }
}
