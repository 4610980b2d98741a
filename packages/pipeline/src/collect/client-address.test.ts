import { describe, expect, it } from "vitest";
import { addressKey, clientAddress, clientIp } from "./client-address.js";

describe("addressKey", () => {
  it("keeps IPv4 addresses, and IPv4-mapped IPv6 ones as IPv4", () => {
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("::FFFF:192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey(" 192.0.2.7:51234 ")).toBe("192.0.2.7");
    // the same mapped address in hex and spelled out
    expect(addressKey("::ffff:c000:207")).toBe("192.0.2.7");
    expect(addressKey("0:0:0:0:0:ffff:c000:208")).toBe("192.0.2.8");
    expect(addressKey("0:0:0:0:0:ffff:198.51.100.9")).toBe("198.51.100.9");
    expect(addressKey("[::ffff:192.0.2.7]:443")).toBe("192.0.2.7");
  });

  it("counts IPv6 by its /64, in every spelling", () => {
    const key = "2001:db8:0:12::/64";
    for (const address of [
      "2001:db8:0:12::1",
      "2001:0db8:0000:0012:aaaa:bbbb:cccc:dddd",
      "2001:DB8::12:1:2:3:4",
      "2001:db8:0:12::1%eth0",
      "[2001:db8:0:12::5]:443",
      "[2001:db8:0:12::5]",
    ])
      expect(addressKey(address)).toBe(key);
    expect(addressKey("2001:db8:0:13::1")).toBe("2001:db8:0:13::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
    expect(addressKey("fe80::1")).toBe("fe80:0:0:0::/64");
  });

  it("keeps anything else as bounded lower-case text", () => {
    expect(addressKey("Unknown")).toBe("unknown");
    expect(addressKey("x".repeat(500))).toHaveLength(100);
    expect(addressKey("1.2.3.999")).toBe("1.2.3.999");
  });
});

describe("clientAddress", () => {
  const request = (headers: Record<string, string>, remoteAddress?: string) => ({
    method: "POST",
    url: "http://localhost/rt/collect",
    header: (name: string) => headers[name] ?? null,
    body: async () => new Uint8Array(0),
    remoteAddress,
  });

  it("is the TCP peer, or behind trusted proxies the entry they appended (read from the right)", () => {
    const r = request({ "x-forwarded-for": " 198.51.100.1 , 203.0.113.9 , 10.0.0.1" }, "10.0.0.2");
    expect(clientAddress(r, false)).toBe("10.0.0.2");
    expect(clientAddress(r, true)).toBe("10.0.0.1");
    expect(clientAddress(r, 1)).toBe("10.0.0.1");
    expect(clientAddress(r, 2)).toBe("203.0.113.9");
    // fewer entries than proxies: the furthest one present
    expect(clientAddress(r, 5)).toBe("198.51.100.1");
  });

  it("falls back to the TCP peer when the proxies forwarded nothing usable", () => {
    expect(clientAddress(request({}, "10.0.0.2"), true)).toBe("10.0.0.2");
    expect(clientAddress(request({ "x-forwarded-for": "1.2.3.4, " }, "10.0.0.2"), true)).toBe(
      "10.0.0.2",
    );
    // a client-written blank entry left of the proxy's is never read
    expect(clientAddress(request({ "x-forwarded-for": " , 1.2.3.4" }, "10.0.0.2"), true)).toBe(
      "1.2.3.4",
    );
    expect(clientAddress(request({}), false)).toBeUndefined();
    expect(clientAddress(request({ "x-forwarded-for": "1.2.3.4" }), false)).toBeUndefined();
  });
});

describe("clientIp", () => {
  it("is the bare address, or nothing when the entry is no IP address", () => {
    expect(clientIp("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(clientIp("203.0.113.7:51234")).toBe("203.0.113.7");
    expect(clientIp(" fe80::1%eth0 ")).toBe("fe80::1");
    expect(clientIp("unknown")).toBeUndefined();
    expect(clientIp("<b>".repeat(2_000))).toBeUndefined();
    expect(clientIp(undefined)).toBeUndefined();
  });
});
