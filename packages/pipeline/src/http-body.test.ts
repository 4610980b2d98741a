import { describe, expect, it } from "vitest";
import {
  BodyTooLargeError,
  isJsonContentType,
  isUtf8Charset,
  readBodyLimited,
} from "./http-body.js";

/** A request whose body is `chunks` chunks of `size` bytes, counting how many were pulled. */
function streamingRequest(chunks: number, size: number, headers: Record<string, string> = {}) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) {
        controller.close();
        return;
      }
      state.pulled++;
      controller.enqueue(new Uint8Array(size).fill(120));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  const request = new Request("http://localhost/hook", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);
  return { request, state };
}

describe("readBodyLimited", () => {
  it("returns the whole body under the limit", async () => {
    const { request } = streamingRequest(3, 100);
    expect((await readBodyLimited(request, 300)).byteLength).toBe(300);
  });

  it("stops reading as soon as the limit is passed, without buffering the rest", async () => {
    const { request, state } = streamingRequest(1000, 1024);
    await expect(readBodyLimited(request, 4096)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(10);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const { request, state } = streamingRequest(10, 10, { "content-length": "5000" });
    await expect(readBodyLimited(request, 4096)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(state.pulled).toBeLessThanOrEqual(1);
  });

  it("reads an empty body as zero bytes", async () => {
    const request = new Request("http://localhost/hook", { method: "POST" });
    expect((await readBodyLimited(request, 10)).byteLength).toBe(0);
  });
});

describe("isJsonContentType", () => {
  it.each([
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["Application/JSON", true],
    ["application/vnd.chargebee+json", true],
    ["text/plain", false],
    ["application/x-www-form-urlencoded", false],
    ["application/jsonp", false],
    [null, false],
  ])("%s → %s", (type, expected) => {
    expect(isJsonContentType(type)).toBe(expected);
  });
});

describe("isUtf8Charset", () => {
  it.each([
    [null, true],
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ['application/json; charset="UTF-8"', true],
    ["text/plain;charset=utf8", true],
    ["application/json; boundary=x", true],
    ["application/json; charset=US-ASCII", true],
    ["application/json; charset=utf-16", false],
    ["application/json; charset=iso-8859-1", false],
    ["application/json; charset=utf-8; charset=utf-16", false],
    ["application/json; charset=", false],
  ])("%s → %s", (type, expected) => {
    expect(isUtf8Charset(type)).toBe(expected);
  });
});
