/**
 * The read-only endpoints (liveness, readiness, metrics) answered every method with 200: a
 * `DELETE /metrics` or `POST /health/ready` got the counters or "ready", as if it had done what it
 * asked. They answer 405 naming `GET, HEAD` now, as the webhook and collect endpoints name theirs,
 * behind the Web handlers and every adapter; GET and HEAD answer as before.
 */
import { describe, expect, it } from "vitest";
import { ADAPTERS, rawRequest, serveWith } from "./review-j-servers.ts";
import { collectPipeline, useClosers } from "./test-server.ts";

const PATHS = ["/health/live", "/health/ready", "/metrics"] as const;

describe("the read-only endpoints through the Web handlers", () => {
  const closers = useClosers();

  it("answer 405 (Allow: GET, HEAD) to other methods, and GET and HEAD as before", async () => {
    const pipeline = collectPipeline(closers);
    const handlers = {
      "/health/live": pipeline.handleLive,
      "/health/ready": pipeline.handleReady,
      "/metrics": pipeline.handleMetrics,
    };
    for (const path of PATHS) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
        const answer = await handlers[path](
          new Request(`http://127.0.0.1${path}`, { method, body: "{}" }),
        );
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers.get("allow")).toBe("GET, HEAD");
        expect((await answer.json()).error.code).toBe("method_not_allowed");
      }
      for (const method of ["GET", "HEAD"]) {
        const answer = await handlers[path](new Request(`http://127.0.0.1${path}`, { method }));
        expect(answer.status, `${method} ${path}`).toBe(200);
      }
    }
  });
});

describe.each(ADAPTERS)("the read-only endpoints over %s", (kind) => {
  const closers = useClosers();

  it("answer 405 to a POST with a body, and GET as before", async () => {
    const port = await serveWith(kind, collectPipeline(closers), closers);
    for (const path of PATHS) {
      const posted = await rawRequest(
        port,
        [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1", "Content-Type: application/json"],
        "{}",
      );
      expect(posted.status, `POST ${path}`).toBe(405);
      expect(posted.headers.allow).toBe("GET, HEAD");
      const got = await rawRequest(port, [`GET ${path} HTTP/1.1`, "Host: 127.0.0.1"]);
      expect(got.status, `GET ${path}`).toBe(200);
    }
  });
});
