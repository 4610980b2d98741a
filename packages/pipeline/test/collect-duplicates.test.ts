/**
 * A retried beacon (the same visitor posting the same body again, after a timeout or a 5xx) is
 * stored once: answered 204 again, counted as a duplicate, its touchpoints and identifies not
 * counted twice (20 identical beacons had counted 20 touchpoints for one stored batch).
 */
import { describe, expect, it } from "vitest";
import { collectPipeline, postCollect, useClosers } from "./test-server.ts";

const closers = useClosers();

describe("collect: a retried beacon", () => {
  it("is stored and counted once; the repeats are duplicates", async () => {
    const pipeline = collectPipeline(closers, { rateLimit: { perAddress: null } });
    const body = JSON.stringify({
      v: 1,
      events: [
        { type: "touch", at: Date.now(), url: "https://localhost/?ttclid=E.C.P.dup" },
        { type: "identify", at: Date.now(), email: "dup@acme.io" },
      ],
    });
    const cookie = "rt_vid=v_dup_visitor_0001";
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postCollect(pipeline, body, { cookie })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(204));
    expect(pipeline.metrics().collect).toMatchObject({
      requests: 20,
      touchpoints: 1,
      identifies: 1,
      duplicates: 19,
    });
    // a new body from the same visitor is new
    const next = JSON.stringify({
      v: 1,
      events: [
        { type: "touch", at: Date.now() + 1, url: "https://localhost/pricing?utm_source=x" },
      ],
    });
    expect((await postCollect(pipeline, next, { cookie })).status).toBe(204);
    expect(pipeline.metrics().collect).toMatchObject({ touchpoints: 2, duplicates: 19 });
  });
});
