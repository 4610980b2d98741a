import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashIdentityValue, isSha256Hex } from "./hash.js";

describe("hashIdentityValue", () => {
  it("is SHA-256 hex of the UTF-8 bytes (FIPS 180-2 test vector, a multi-byte value)", () => {
    expect(hashIdentityValue("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(hashIdentityValue("josé@café.fr")).toBe(hashIdentityValue("jos\u00e9@caf\u00e9.fr"));
    expect(hashIdentityValue("josé@café.fr")).not.toBe(
      hashIdentityValue("jose\u0301@cafe\u0301.fr"),
    );
  });

  it("passes a value that already is 64-char lower-case hex through", () => {
    const digest = hashIdentityValue("jane@acme.io");
    expect(hashIdentityValue(digest)).toBe(digest);
    expect(hashIdentityValue(digest.toUpperCase())).not.toBe(digest.toUpperCase());
    expect(hashIdentityValue(digest.slice(1))).not.toBe(digest.slice(1));
  });

  it("always returns 64 lower-case hex characters and is idempotent (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const once = hashIdentityValue(value);
        expect(isSha256Hex(once)).toBe(true);
        expect(hashIdentityValue(once)).toBe(once);
      }),
    );
  });
});
