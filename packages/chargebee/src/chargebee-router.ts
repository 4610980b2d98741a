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

/** What `removeListener` can remove a handler from. */
export type ListenerTarget =
  | SupportedEventType
  | readonly SupportedEventType[]
  /** Handlers registered with `onAny`. */
  | "*"
  /** Handlers registered with `onUnsupported`. */
  | "unsupported";

/** See {@link createChargebeeRouter}. */
export interface ChargebeeRouter {
  /**
   * Registers `handler` for one supported event type, or for several at once (like octokit's
   * `on([...])`); it receives the narrowed event (a union for several types). Returns `this`.
   *
   * @throws {ConfigError} for an unknown type, an empty list, or a handler that is not a function.
   */
  on<T extends SupportedEventType>(
    type: T | readonly T[],
    handler: ChargebeeEventHandler<ChargebeeEventMap[T]>,
  ): ChargebeeRouter;
  /**
   * Removes `handler` from `target` (one type, several, `"*"` for `onAny`, `"unsupported"` for
   * `onUnsupported`); removing a handler that is not registered does nothing. Returns `this`.
   */
  removeListener(
    target: ListenerTarget,
    // biome-ignore lint/suspicious/noExplicitAny: any registered handler, whatever event it narrows to
    handler: ChargebeeEventHandler<any>,
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

function checkHandler(handler: unknown, method: string): void {
  if (typeof handler !== "function") {
    throw new ConfigError(`${method}() takes a handler function as its last argument`, {
      fields: ["handler"],
    });
  }
}

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
      const types: readonly unknown[] = Array.isArray(type) ? type : [type];
      if (types.length === 0) {
        throw new ConfigError("on() needs at least one Chargebee event type", { fields: ["type"] });
      }
      for (const each of types) {
        if (typeof each !== "string" || !isSupportedEventType(each)) {
          throw new ConfigError(
            `Unknown Chargebee event type for on(): ${typeof each === "string" ? each.slice(0, 80) : typeof each}; pass one of SUPPORTED_EVENT_TYPES, or use onUnsupported()`,
            { fields: ["type"] },
          );
        }
      }
      checkHandler(handler, "on");
      for (const each of types as SupportedEventType[]) {
        const list = byType.get(each) ?? [];
        list.push(handler as AnyHandler);
        byType.set(each, list);
      }
      return router;
    },
    removeListener(target, handler) {
      const lists =
        target === "*"
          ? [any]
          : target === "unsupported"
            ? [unsupported]
            : (Array.isArray(target) ? target : [target]).map((type) => byType.get(type) ?? []);
      for (const list of lists) {
        const index = list.lastIndexOf(handler as AnyHandler);
        if (index !== -1) list.splice(index, 1);
      }
      return router;
    },
    onUnsupported(handler) {
      checkHandler(handler, "onUnsupported");
      unsupported.push(handler);
      return router;
    },
    onAny(handler) {
      checkHandler(handler, "onAny");
      any.push(handler);
      return router;
    },
    async dispatch(event) {
      if (typeof event !== "object" || event === null || typeof event.type !== "string") {
        throw new ConfigError(
          "dispatch() takes a parsed event: pass the result of parseChargebeeEvent(body)",
          { fields: ["event"] },
        );
      }
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
