import { describe, expect, it } from "vitest";
import { isRoleMailbox } from "./role-mailbox.js";

describe("isRoleMailbox", () => {
  it.each([
    ["info@acme.io", true],
    ["sales+eu@acme.io", true],
    ["no-reply@acme.io", true],
    ["jane@acme.io", false],
    ["information@acme.io", false],
    ["jane+info@acme.io", false],
  ])("%j -> %j", (email, role) => {
    expect(isRoleMailbox(email)).toBe(role);
  });

  it("takes a custom list as an array or a set", () => {
    expect(isRoleMailbox("ops@acme.io", ["ops"])).toBe(true);
    expect(isRoleMailbox("info@acme.io", new Set(["ops"]))).toBe(false);
  });
});
