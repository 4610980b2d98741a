import { describe, expect, it } from "vitest";
import { BodyTooLargeError } from "./http-body.js";
import { endpointOf, fromWebRequest, type HttpHandler, toWebHandler } from "./http-exchange.js";

describe("the Web form of an endpoint", () => {
  it("reads the request's method, URL, headers and bounded body", async () => {
    const request = fromWebRequest(
      new Request("https://shop.example.org/rt/collect?x=1", {
        method: "POST",
        headers: { "Content-Type": "text/plain", "X-Forwarded-For": "1.1.1.1, 2.2.2.2" },
        body: "hello",
      }),
    );
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://shop.example.org/rt/collect?x=1");
    expect(request.header("content-type")).toBe("text/plain");
    expect(request.header("x-forwarded-for")).toBe("1.1.1.1, 2.2.2.2");
    expect(request.header("cookie")).toBeNull();
    expect(new TextDecoder().decode(await request.body(5))).toBe("hello");
    const big = fromWebRequest(new Request("http://x/", { method: "POST", body: "123456" }));
    await expect(big.body(5)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it("answers the endpoint's status, headers and body as a Response, and remembers the endpoint", async () => {
    const endpoint: HttpHandler = async (request) => ({
      status: 201,
      headers: { "content-type": "text/plain", "set-cookie": "a=1; Path=/" },
      body: `${request.method} ${new TextDecoder().decode(await request.body(100))}`,
    });
    const web = toWebHandler(endpoint);
    const response = await web(new Request("http://x/", { method: "PUT", body: "hi" }));
    expect(response.status).toBe(201);
    expect(response.headers.get("set-cookie")).toBe("a=1; Path=/");
    expect(await response.text()).toBe("PUT hi");
    expect(endpointOf(web)).toBe(endpoint);
    expect(endpointOf(async () => new Response(null))).toBeUndefined();
  });

  it("answers an empty body as null (204 and 401 must have none)", async () => {
    const web = toWebHandler(async () => ({ status: 204, headers: {}, body: null }));
    const response = await web(new Request("http://x/"));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });
});
