/**
 * A typed router for normalized Chargebee events: `on("payment_succeeded", handler)` hands the handler
 * the narrowed event type. Every matching handler runs (in registration order); their errors are
 * collected, reported to `onError`, and thrown together as an `AggregateError`, never swallowed.
 *
 * @module
 */
import { type BillingEvent, ConfigError, type Logger, toLogger } from "@revtrace/core";
import {
  type ChargebeeEventMap,
  isSupportedEventType,
  type SupportedEventType,
} from "./chargebee-event-types.js";

/** A handler; may be async. */
export type ChargebeeEventHandler<E> = (event: E) => void | Promise<void>;

/** Options of {@link createChargebeeRouter}. */
export interface ChargebeeRouterOptions {
  /**
   * Called once per dispatch in which handlers failed, with the `AggregateError` about to be thrown.
   * Errors thrown by `onError` itself are logged and ignored.
   */
  onError?: (error: AggregateError, event: BillingEvent) => void;
  /** Receives one `error` entry per failed dispatch (event id and type only, never payload data). */
  logger?: Partial<Logger>;
}

/** What a successful dispatch did. */
export interface DispatchResult {
  /** How many handlers ran. */
  handled: number;
}

/** See {@link createChargebeeRouter}. */
export interface ChargebeeRouter {
  /** Registers `handler` for one supported event type; it receives the narrowed event. Returns `this`. */
  on<T extends SupportedEventType>(
    type: T,
    handler: ChargebeeEventHandler<ChargebeeEventMap[T]>,
  ): ChargebeeRouter;
  /** Registers `handler` for events revtrace does not interpret (`supported: false`). */
  onUnsupported(handler: ChargebeeEventHandler<BillingEvent>): ChargebeeRouter;
  /** Registers `handler` for every event (after the type-specific handlers). */
  onAny(handler: ChargebeeEventHandler<BillingEvent>): ChargebeeRouter;
  /**
   * Runs every handler matching `event`.
   *
   * @throws {AggregateError} when one or more handlers threw; `errors` holds each error, and the
   *   message names the event type and id.
   */
  dispatch(event: BillingEvent): Promise<DispatchResult>;
}

type AnyHandler = ChargebeeEventHandler<BillingEvent>;

/**
 * Creates a router.
 *
 * @example
 * const router = createChargebeeRouter()
 *   .on("payment_succeeded", (event) => record(event.payment.amount))
 *   .on("subscription_cancelled", (event) => churn(event.subscription.id));
 * await router.dispatch(parseChargebeeEvent(body));
 */
export function createChargebeeRouter(options: ChargebeeRouterOptions = {}): ChargebeeRouter {
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new ConfigError("Invalid router options: onError must be a function", {
      fields: ["onError"],
    });
  }
  const logger = toLogger(options.logger);
  const byType = new Map<string, AnyHandler[]>();
  const unsupported: AnyHandler[] = [];
  const any: AnyHandler[] = [];

  const router: ChargebeeRouter = {
    on(type, handler) {
      if (!isSupportedEventType(type)) {
        throw new ConfigError(`Unknown Chargebee event type for on(): ${String(type)}`, {
          fields: ["type"],
        });
      }
      const list = byType.get(type) ?? [];
      list.push(handler as AnyHandler);
      byType.set(type, list);
      return router;
    },
    onUnsupported(handler) {
      unsupported.push(handler);
      return router;
    },
    onAny(handler) {
      any.push(handler);
      return router;
    },
    async dispatch(event) {
      const specific = event.supported ? (byType.get(event.type) ?? []) : unsupported;
      const handlers = [...specific, ...any];
      const errors: unknown[] = [];
      for (const handler of handlers) {
        try {
          await handler(event);
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length === 0) return { handled: handlers.length };
      const failure = new AggregateError(
        errors,
        `${errors.length} of ${handlers.length} handlers failed for ${event.type} (${event.id})`,
      );
      logger.error(
        { eventId: event.id, eventType: event.type, failed: errors.length },
        "Chargebee event handlers failed",
      );
      try {
        options.onError?.(failure, event);
      } catch {
        logger.error({ eventId: event.id }, "onError threw");
      }
      throw failure;
    },
  };
  return router;
}
