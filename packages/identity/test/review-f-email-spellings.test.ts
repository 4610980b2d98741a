/**
 * review-f: junk and reserved-domain guards must not be passed by another spelling of the same
 * address. Full-width forms (what a CJK input method types) are compatibility forms of ASCII: a mail
 * client maps `ｅｘａｍｐｌｅ.com` to `example.com` (IDNA / UTS 46, as `new URL` does), so the same
 * mailbox gets a second key and the guards never see it.
 */
import { describe, expect, it } from "vitest";
import { normalizeEmail, normalizeIdentityKey } from "../src/index.js";

const email = (value: string) => normalizeIdentityKey({ kind: "email", value });

describe("review-f: full-width spellings of an address", () => {
  it("a full-width reserved domain is still reserved (IDNA maps it to example.com)", () => {
    expect(new URL("http://ｅｘａｍｐｌｅ.com").hostname).toBe("example.com");
    expect(email("jane@example.com")).toEqual({ ok: false, reason: "reserved_domain" });
    expect(email("jane@ｅｘａｍｐｌｅ.com")).toEqual({ ok: false, reason: "reserved_domain" });
  });

  it("a full-width junk local part is still junk", () => {
    expect(email("test@gmail.com")).toEqual({ ok: false, reason: "junk" });
    expect(email("ｔｅｓｔ@gmail.com")).toEqual({ ok: false, reason: "junk" });
  });

  it("a full-width spelling of a real address is the same key (no missed merge)", () => {
    expect(normalizeEmail("ｊａｎｅ@ａｃｍｅ.io")).toBe("jane@acme.io");
  });
});

describe("review-f: a capital dotted İ", () => {
  it("İNFO@acme.io is the role mailbox info@acme.io, not a merging key i\u0307nfo@acme.io", () => {
    // String#toLowerCase turns İ into i + U+0307 COMBINING DOT ABOVE, which NFC keeps
    expect(email("INFO@acme.io")).toMatchObject({ ok: true, keyClass: "role_mailbox" });
    expect(email("İNFO@acme.io")).toMatchObject({ ok: true, keyClass: "role_mailbox" });
  });
});
