/**
 * Options of the collect endpoint (`createPipeline({ collect })`), validated with zod.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_BOT_USER_AGENTS } from "./bot-filter.js";
import { DEFAULT_VISITOR_COOKIE_DAYS } from "./visitor-cookie.js";

const isFunction = (value: unknown) => typeof value === "function";

export const CollectOptionsSchema = z.strictObject({
  /**
   * Origins (other than the site's own) allowed to send events with their cookies, e.g. your
   * marketing site `https://www.example.com` when the pipeline runs on `https://app.example.com`.
   * @default [] (same origin only)
   */
  allowedOrigins: z
    .array(
      z
        .url({ protocol: /^https?$/, error: "must be an http(s) origin" })
        .transform((value) => new URL(value).origin),
    )
    .default([]),
  /** The visitor cookie. */
  cookie: z
    .strictObject({
      /** @default "rt_vid" */
      name: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a cookie name")
        .default("rt_vid"),
      /** Lifetime in days (at least one minute), at most the browsers' 400-day cap. @default 400 */
      maxAgeDays: z
        .number()
        .min(1 / 1440, "must be at least one minute (1/1440 day)")
        .max(DEFAULT_VISITOR_COOKIE_DAYS)
        .default(DEFAULT_VISITOR_COOKIE_DAYS),
      /** `Domain` attribute, to share the id across subdomains. @default none (this host only) */
      domain: z
        .string()
        .regex(
          /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
          "must be a domain name (example.com)",
        )
        .optional(),
      /** @default "/" */
      path: z
        .string()
        .regex(/^\/[\x21-\x3a\x3c-\x7e]*$/, "must be a path of printable characters without ;")
        .default("/"),
      /** `Secure`: `"auto"` sets it on HTTPS requests. @default "auto" */
      secure: z.union([z.literal("auto"), z.boolean()]).default("auto"),
    })
    // Cookie name prefixes (RFC 6265bis §4.1.3, matched regardless of case): browsers drop a
    // `__Secure-` cookie without `Secure`, and a `__Host-` one with a `Domain` or a `Path` other
    // than `/`, so no visitor would keep an id. Over plain HTTP ("auto" sets no Secure) they are
    // dropped too: use them on HTTPS only.
    .superRefine((cookie, context) => {
      const name = cookie.name.toLowerCase();
      const host = name.startsWith("__host-");
      if ((host || name.startsWith("__secure-")) && cookie.secure === false) {
        context.addIssue({
          code: "custom",
          path: ["secure"],
          message: 'a __Secure- or __Host- cookie must be Secure (true or "auto")',
        });
      }
      if (host && cookie.domain !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["domain"],
          message: "a __Host- cookie must not have a Domain",
        });
      }
      if (host && cookie.path !== "/") {
        context.addIssue({
          code: "custom",
          path: ["path"],
          message: 'a __Host- cookie must have the Path "/"',
        });
      }
    })
    .prefault({}),
  /** Take the page's `vid` (GA's client id, `useGaClientId` in the tracker) as the visitor id. @default false */
  acceptClientVisitorId: z.boolean().default(false),
  /** User-agent substrings of bots, whose events are ignored. @default a list of crawlers and tools */
  botUserAgents: z.array(z.string()).default([...DEFAULT_BOT_USER_AGENTS]),
  /** Requests per visitor per window, and per client address. @default 120 per visitor a minute */
  rateLimit: z
    .strictObject({
      requests: z.number().int().positive().default(120),
      windowMs: z.number().int().positive().default(60_000),
      /**
       * Requests per client address per window, whatever visitor id they carry: a script that sends
       * no cookie, or another one each time, is a new visitor on every request, so only this limit
       * holds it. The address is the TCP peer, or with `trustProxy` the one the trusted proxies
       * forwarded; IPv6 counts by /64. Unknown (a Web `Request` without `trustProxy`): not limited.
       * Many people behind one NAT share an address: keep it well above `requests`. `null`: off.
       * @default 1200 (ten visitors at the per-visitor limit)
       */
      perAddress: z.number().int().positive().nullable().default(1_200),
    })
    .prefault({}),
  /**
   * Behind your own proxies: read the client IP from `X-Forwarded-For` and HTTPS and the host from
   * `X-Forwarded-Proto` and `X-Forwarded-Host`. `true` trusts one proxy (the last `X-Forwarded-For`
   * entry is the client, the one that proxy appended), a number that many (a CDN in front of a load
   * balancer: `2`). Entries further left were written by the client and are never used.
   * @default false
   */
  trustProxy: z
    .union([z.boolean(), z.number().int().min(1, "must be at least 1 proxy").max(10)])
    .default(false),
  /**
   * Decides whether an affiliate ref from a landing URL is genuine (a known partner code, a signed
   * click id). Refs it does not confirm are dropped: a ref typed into a URL never earns a commission.
   * @default none (every client-sent ref is dropped)
   */
  verifyAffiliateRef: z
    .custom<(ref: string) => boolean | Promise<boolean>>(isFunction, "must be a function")
    .optional(),
});

export type CollectOptions = z.input<typeof CollectOptionsSchema>;
export type CollectSettings = z.output<typeof CollectOptionsSchema>;
