/**
 * Chargebee webhook authentication: HTTP Basic only. Chargebee Billing does not sign webhooks (spec
 * §1.1; there is no signature header to check), so the endpoint must be protected with the Basic-auth
 * username and password set on the webhook in Chargebee.
 *
 * Comparisons are constant-time: both sides are hashed to fixed-length SHA-256 digests and compared with
 * `crypto.timingSafeEqual`, against every configured pair without stopping early (rotation: several
 * pairs are accepted at once).
 *
 * @module
 */
import { hash, timingSafeEqual } from "node:crypto";
import { type BillingEvent, ConfigError, parseOptions, WebhookAuthError } from "@revtrace/core";
import { z } from "zod";
import { type ChargebeeWebhookInput, createChargebeeParser } from "./chargebee-parse.js";
import { type ChargebeeParseOptions, ParseOptionsSchema } from "./chargebee-parse-options.js";

/** One accepted username/password pair. */
export interface BasicCredentials {
  /** The Basic-auth username configured on the Chargebee webhook (must not contain `:`). */
  username: string;
  /** The Basic-auth password configured on the Chargebee webhook. */
  password: string;
}

/** Options of {@link createChargebeeWebhookVerifier}. */
export interface ChargebeeWebhookVerifierOptions {
  /**
   * Every accepted pair. List the old and the new pair while rotating, then drop the old one.
   */
  credentials: readonly BasicCredentials[];
  /** How `verifyAndParse` normalizes events (see `parseChargebeeEvent`). */
  parse?: ChargebeeParseOptions;
}

/** Verifies the `Authorization` header of Chargebee webhook requests. */
export interface ChargebeeWebhookVerifier {
  /**
   * Checks `authorization` (the raw `Authorization` header value, or `null`/`undefined` when absent).
   * Returns the matching username.
   *
   * @throws {WebhookAuthError} (HTTP 401) when the header is missing, malformed or matches no pair; the
   *   message never contains the received or configured credentials.
   */
  verify(authorization: string | null | undefined): { username: string };
  /**
   * Checks `authorization`, then parses `body` (the raw body, or a parsed object): the one call a
   * webhook endpoint needs. Nothing is parsed when authentication fails.
   *
   * @throws {WebhookAuthError} (401) as `verify` does; {@link WebhookPayloadError} (400) as
   *   `parseChargebeeEvent` does.
   */
  verifyAndParse(
    authorization: string | null | undefined,
    body: ChargebeeWebhookInput,
  ): BillingEvent;
}

const CredentialsSchema = z
  .array(
    z.strictObject({
      username: z
        .string()
        .min(1)
        .refine((u) => !u.includes(":"), { message: "A Basic-auth username cannot contain ':'" }),
      password: z.string().min(1),
    }),
  )
  .min(1);

const OptionsSchema = z.strictObject({
  credentials: CredentialsSchema,
  parse: ParseOptionsSchema.optional(),
});

/** RFC 7617: `Basic <base64(user:pass)>`; the scheme is case-insensitive. Longer headers are refused. */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;
const MAX_HEADER_LENGTH = 4096;

function digest(value: string): Buffer {
  return hash("sha256", value, "buffer");
}

/** Decodes the header to `[username, password]`, or `null` when malformed. */
function decodeBasic(authorization: string): [string, string] | null {
  if (authorization.length > MAX_HEADER_LENGTH) return null;
  const match = BASIC.exec(authorization.trim());
  const token = match?.[1];
  if (token === undefined || token.length % 4 !== 0) return null;
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * Creates a verifier for the Basic-auth credentials configured on the Chargebee webhook.
 *
 * @throws {ConfigError} when `credentials` is empty or a pair is invalid (names the field, never the value).
 *
 * @example
 * const verifier = createChargebeeWebhookVerifier({
 *   credentials: [{ username: "chargebee", password: process.env.CB_WEBHOOK_PASSWORD ?? "" }],
 * });
 * verifier.verify(request.headers.get("authorization")); // throws WebhookAuthError → answer 401
 */
export function createChargebeeWebhookVerifier(
  options: ChargebeeWebhookVerifierOptions,
): ChargebeeWebhookVerifier {
  const { credentials, parse } = parseOptions(
    OptionsSchema,
    options,
    "Chargebee webhook verifier options",
  );
  const parser = createChargebeeParser(parse);
  const expected = credentials.map((pair) => ({
    username: pair.username,
    user: digest(pair.username),
    pass: digest(pair.password),
  }));
  const verifier: ChargebeeWebhookVerifier = {
    verify(authorization) {
      if (authorization != null && typeof authorization !== "string") {
        throw new ConfigError(
          "verify() takes the Authorization header value: pass a string, or null/undefined when the header is absent",
          { fields: ["authorization"] },
        );
      }
      if (authorization == null || authorization === "") {
        throw new WebhookAuthError("Missing Authorization header");
      }
      const decoded = decodeBasic(authorization);
      if (decoded === null) throw new WebhookAuthError("Malformed Basic Authorization header");
      const user = digest(decoded[0]);
      const pass = digest(decoded[1]);
      let matched: string | null = null;
      // Every pair is compared, even after a match, so timing does not reveal which pair matched.
      for (const pair of expected) {
        const userOk = timingSafeEqual(user, pair.user);
        const passOk = timingSafeEqual(pass, pair.pass);
        if (userOk && passOk && matched === null) matched = pair.username;
      }
      if (matched === null) throw new WebhookAuthError("Invalid webhook credentials");
      return { username: matched };
    },
    verifyAndParse(authorization, body) {
      verifier.verify(authorization);
      return parser.parse(body);
    },
  };
  return verifier;
}

/**
 * One-shot form of {@link createChargebeeWebhookVerifier}: checks `authorization` against `credentials`.
 * Prefer the factory on hot paths (it hashes the configured credentials once).
 *
 * @throws {WebhookAuthError} (HTTP 401) for a missing, malformed or wrong header.
 * @throws {ConfigError} when `credentials` is invalid.
 */
export function verifyChargebeeAuth(
  authorization: string | null | undefined,
  credentials: readonly BasicCredentials[],
): { username: string } {
  return createChargebeeWebhookVerifier({ credentials }).verify(authorization);
}
