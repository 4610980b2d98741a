import { describe, expect, it } from "vitest";
import { failedEventsOf } from "./tiktok-partial.js";

const partial = (data: unknown, message = "Partial OK") => ({ code: 20001, message, data });

describe("failedEventsOf (code 20001)", () => {
  it("reads data.failed_events[].index (and event_index / batch_index), in order, once each", () => {
    const answer = partial({
      failed_events: [
        { index: 4, message: "too old" },
        { event_index: 1, reason: "bad user" },
        { batch_index: 4, message: "duplicate entry" },
        { index: 2 },
      ],
    });
    expect(failedEventsOf(answer, 5)).toEqual([
      { index: 1, message: "bad user" },
      { index: 2, message: undefined },
      { index: 4, message: "too old" },
    ]);
  });

  it("ignores indexes outside the request and entries it cannot read", () => {
    const answer = partial({
      failed_events: [{ index: 7 }, { index: -1 }, { index: 1.5 }, "junk", null, { index: 0 }],
    });
    expect(failedEventsOf(answer, 3)).toEqual([{ index: 0, message: undefined }]);
  });

  it("falls back to Batch.N in the message, and names nothing when neither says anything", () => {
    expect(failedEventsOf(partial({}, "Partial OK: Batch.2.user.ip: invalid"), 3)).toEqual([
      { index: 2, message: undefined },
    ]);
    expect(failedEventsOf(partial(undefined), 3)).toEqual([]);
    expect(failedEventsOf(partial({ failed_events: "none" }), 3)).toEqual([]);
  });
});
