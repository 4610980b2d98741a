/**
 * Bots by user agent: substrings of crawlers, link previewers, monitors and headless browsers
 * (the kind of list PostHog ships; shared/research/next-wave-anchors.md §1.4). Matched lower-cased.
 *
 * @module
 */

/** The default substrings; a request whose user agent contains one is ignored (answered 204). */
export const DEFAULT_BOT_USER_AGENTS: readonly string[] = [
  "bot",
  "crawl",
  "spider",
  "slurp",
  "headlesschrome",
  "phantomjs",
  "lighthouse",
  "pagespeed",
  "preview",
  "facebookexternalhit",
  "whatsapp",
  "embedly",
  "pingdom",
  "uptime",
  "monitor",
  "curl/",
  "wget/",
  "python-requests",
  "go-http-client",
  "java/",
  "okhttp",
  "axios/",
  "node-fetch",
  "httpclient",
];

/**
 * Names of people's devices that contain a bot pattern: removed from the user agent before it is
 * matched (the phone maker CUBOT contains "bot": `Android 10; CUBOT X30`).
 */
export const NOT_BOTS: readonly string[] = ["cubot"];

/** A predicate telling bots from people by user agent; an empty or missing user agent is a bot. */
export function createBotFilter(
  patterns: readonly string[],
): (userAgent: string | null) => boolean {
  const lowered = patterns.map((p) => p.toLowerCase()).filter((p) => p !== "");
  return (userAgent) => {
    if (!userAgent) return true;
    let ua = userAgent.toLowerCase();
    for (const name of NOT_BOTS) if (ua.includes(name)) ua = ua.replaceAll(name, " ");
    return lowered.some((pattern) => ua.includes(pattern));
  };
}
