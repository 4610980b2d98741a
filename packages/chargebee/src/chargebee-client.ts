/**
 * The official SDK client the API helpers use, with its transport in our hands: the per-request
 * timeout, the caller's `fetch`, and answers without a JSON body kept for what they are (the SDK
 * reads any non-JSON body as a 500, so an HTML 429 would look like a server error and an HTML 404
 * like something worth retrying).
 *
 * @module
 */
import Chargebee from "chargebee";
import { NonJsonAnswer } from "./chargebee-api-error.js";
import type { FetchLike } from "./chargebee-api-options.js";

/** Lets JSON answers through untouched; turns the others into {@link NonJsonAnswer}. */
async function checked(response: Response): Promise<Response> {
  if (response.status === 204) return response;
  if ((response.headers.get("content-type") ?? "").toLowerCase().includes("json")) return response;
  const body = await response.text();
  try {
    JSON.parse(body);
  } catch {
    throw new NonJsonAnswer(
      response.status,
      response.headers.get("retry-after"),
      body.slice(0, 200),
    );
  }
  return new Response(body, { status: response.status, headers: response.headers });
}

/** Creates the SDK client for `site` with our transport; its own retries stay off (spec §10). */
export function createChargebeeClient(options: {
  site: string;
  apiKey: string;
  timeoutMs: number;
  fetch: FetchLike | undefined;
}): Chargebee {
  return new Chargebee({
    site: options.site,
    apiKey: options.apiKey,
    timeout: options.timeoutMs,
    sdkTelemetryEnabled: false,
    httpClient: {
      makeApiRequest: async (request) =>
        checked(
          await (options.fetch ?? globalThis.fetch)(request, {
            signal: AbortSignal.timeout(options.timeoutMs),
          }),
        ),
    },
  });
}
