/**
 * Serves any {@link VendorEmulator} through msw, for tests: requests to the emulator's origin are
 * answered by the emulator instead of the network.
 *
 * @module
 */
import { HttpResponse, http, type RequestHandler } from "msw";
import type { SandboxOutcome, VendorEmulator } from "./sandbox-types.js";

/** Waits `ms`, or until `signal` aborts (a client that gave up no longer needs an answer). */
export function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Turns an emulator outcome into a fetch `Response` (after its delay, if any). */
export async function toFetchResponse(
  outcome: SandboxOutcome,
  signal?: AbortSignal,
): Promise<Response> {
  if (outcome.kind === "network_error") return HttpResponse.error();
  if (outcome.delayMs !== undefined) await waitFor(outcome.delayMs, signal);
  const { status, headers, body } = outcome.response;
  return new HttpResponse(body, { status, headers });
}

/**
 * msw handlers answering every request under `origin` (default: the emulator's real origin) with
 * the emulator. `origin` may carry a path prefix (`http://localhost:4010/tiktok`).
 *
 * @example
 * const tiktok = createTikTokSandbox();
 * const server = setupServer(...mswHandlers(tiktok));
 */
export function mswHandlers(
  emulator: VendorEmulator,
  origin: string = emulator.origin,
): RequestHandler[] {
  const base = origin.replace(/\/+$/, "");
  const prefix = new URL(base).pathname.replace(/\/+$/, "");
  return [
    http.all(`${base}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const outcome = await emulator.handle({
        method: request.method,
        path: `${url.pathname.slice(prefix.length)}${url.search}`,
        headers: request.headers,
        body: await request.text(),
      });
      return toFetchResponse(outcome, request.signal);
    }),
  ];
}
