/**
 * The webhook endpoints ({@link HttpRequest} → {@link HttpAnswer}), framework-neutral. The order of checks: method
 * (405), authentication (401, no detail), content type (415), size while streaming (413), validation
 * (400, after the body was quarantined), then the one durable write and 200. A body that cannot be
 * stored as it is (not UTF-8, too deep, refused by storage as input) is quarantined and answered 400
 * too. Only a fault of the server answers 500 (storage failed, or the app read the body before the
 * endpoint), so Chargebee retries (Chargebee spec §1: any non-2xx is retried).
 *
 * | answer | when |
 * |---|---|
 * | 200 `{ ok, duplicate }` | stored, or a duplicate of a stored event (audited) |
 * | 400 `{ error }` | authenticated, but not a valid or not a storable event (the body is quarantined) |
 * | 401 (empty) | missing or wrong credentials / signature |
 * | 405 | not POST |
 * | 413 | body over `http.maxBodyBytes` |
 * | 400 `{ error }` | the body did not arrive whole (the client went away); nothing stored |
 * | 415 | not `application/json`, a charset other than UTF-8, or compressed (a `Content-Encoding` other than `identity`) |
 * | 500 | storage failed, or the body was read before the endpoint (`body_already_read`: mount it before any body parser) |
 * | 503 | the pipeline is closing |
 *
 * @module
 */
import type { ChargebeeWebhookVerifier } from "@revtrace/chargebee";
import { verifyRetentionSignature } from "@revtrace/chargebee";
import { type Logger, StorageError, WebhookAuthError, WebhookPayloadError } from "@revtrace/core";
import {
  errorAnswer,
  jsonAnswer,
  methodNotAllowedAnswer,
  unauthorizedAnswer,
} from "./http-answers.js";
import {
  BodyAlreadyReadError,
  BodyTooLargeError,
  isIdentityEncoding,
  isJsonContentType,
  isUtf8Charset,
} from "./http-body.js";
import type { HttpAnswer, HttpRequest } from "./http-exchange.js";
import type { InboundSource, Ingestor } from "./ingest.js";
import type { MetricsRegistry } from "./metrics.js";

export interface WebhookHandlerOptions {
  source: InboundSource;
  ingestor: Ingestor;
  /** Throws `WebhookAuthError` when the request is not authentic (may need the raw body). */
  authenticate: (request: HttpRequest, body: () => Promise<Uint8Array>) => Promise<void>;
  /** `WWW-Authenticate` of a 401, or `null`. */
  challenge: string | null;
  maxBodyBytes: number;
  metrics: MetricsRegistry;
  logger: Logger;
}

/** The request's body could not be read to its end (the client disconnected, a broken stream). */
class BodyUnreadableError extends Error {
  constructor(cause: unknown) {
    super("The request body could not be read", { cause });
    this.name = "BodyUnreadableError";
  }
}

/** Creates one webhook handler. */
export function createWebhookHandler(options: WebhookHandlerOptions) {
  const { metrics, logger, source } = options;
  const refuse = (response: HttpAnswer) => {
    metrics.refused++;
    return response;
  };

  return async (request: HttpRequest): Promise<HttpAnswer> => {
    if (request.method !== "POST") return refuse(methodNotAllowedAnswer("POST"));
    let bodyPromise: Promise<Uint8Array> | null = null;
    const body = () => {
      // A body that stops arriving (the client went away) is the request's fault, not storage's.
      bodyPromise ??= request.body(options.maxBodyBytes).catch((error: unknown) => {
        if (error instanceof BodyTooLargeError || error instanceof BodyAlreadyReadError)
          throw error;
        throw new BodyUnreadableError(error);
      });
      return bodyPromise;
    };
    const contentType = request.header("content-type");
    try {
      // Basic auth needs no body: 401 before reading it. A signature check reads it first.
      await options.authenticate(request, body);
      if (!isJsonContentType(contentType)) {
        return refuse(
          errorAnswer(415, "unsupported_media_type", "Send the body as application/json"),
        );
      }
      if (!isUtf8Charset(contentType)) {
        return refuse(
          errorAnswer(415, "unsupported_media_type", "Send the body as UTF-8 (charset=utf-8)"),
        );
      }
      if (!isIdentityEncoding(request.header("content-encoding"))) {
        return refuse(
          errorAnswer(
            415,
            "unsupported_media_type",
            "Send the body uncompressed (no Content-Encoding)",
          ),
        );
      }
      const raw = await body();
      const outcome = await options.ingestor.ingest(source, raw, { contentType });
      if (outcome.kind === "quarantined") {
        logger.warn(
          { source, quarantineId: outcome.quarantineId, issues: outcome.error.issues.length },
          "invalid webhook body quarantined",
        );
        return errorAnswer(400, outcome.error.code, outcome.error.message, {
          issues: outcome.error.issues.map((issue) => ({
            path: issue.path.map(String),
            message: issue.message,
          })),
        });
      }
      logger.debug(
        { source, key: outcome.key, type: outcome.type, duplicate: outcome.duplicate },
        outcome.duplicate ? "duplicate webhook" : "webhook stored",
      );
      return jsonAnswer(200, { ok: true, duplicate: outcome.duplicate });
    } catch (error) {
      if (WebhookAuthError.isInstance(error)) {
        logger.warn({ source }, "webhook authentication failed");
        return refuse(unauthorizedAnswer(options.challenge));
      }
      if (error instanceof BodyTooLargeError) {
        return refuse(
          errorAnswer(413, "payload_too_large", `The body exceeds ${error.limit} bytes`),
        );
      }
      if (WebhookPayloadError.isInstance(error)) {
        return errorAnswer(400, error.code, error.message);
      }
      if (error instanceof BodyAlreadyReadError) {
        logger.error({ source }, `webhook not stored: ${error.message}`);
        return refuse(errorAnswer(500, "body_already_read", error.message));
      }
      if (error instanceof BodyUnreadableError) {
        logger.warn({ source }, "webhook body not received (the client went away)");
        return refuse(errorAnswer(400, "invalid_body", "The body could not be read"));
      }
      logger.error(
        {
          source,
          code: StorageError.isInstance(error) ? error.code : "internal",
          error: error instanceof Error ? error.message : String(error),
        },
        "webhook not stored",
      );
      return refuse(errorAnswer(500, "storage_failed", "The event could not be stored; retry"));
    }
  };
}

/** Chargebee Billing: HTTP Basic auth (Chargebee spec §1.1), before the body is read. */
export function basicAuthenticator(verifier: ChargebeeWebhookVerifier) {
  return async (request: HttpRequest): Promise<void> => {
    verifier.verify(request.header("authorization"));
  };
}

/** Chargebee Retention: HMAC-SHA1 of the raw body in `X-Hub-Signature` (Chargebee spec §1.1). */
export function retentionAuthenticator(secret: string) {
  return async (request: HttpRequest, body: () => Promise<Uint8Array>): Promise<void> => {
    const signature = request.header("x-hub-signature");
    if (!signature) throw new WebhookAuthError("Missing X-Hub-Signature");
    verifyRetentionSignature(await body(), signature, secret);
  };
}
