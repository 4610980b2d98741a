import { ConfigError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_IDENTITY_RULES, resolveIdentityRules } from "./identity-rules.js";

describe("resolveIdentityRules", () => {
  it("fills in every default", () => {
    expect(resolveIdentityRules()).toEqual(DEFAULT_IDENTITY_RULES);
    expect(resolveIdentityRules().kinds.chargebee_customer_id).toEqual({
      limit: 1,
      priority: 1,
      merge: "merge",
      hubThreshold: null,
      anonymousIdHubThreshold: null,
    });
  });

  it("merges partial kind rules over the defaults", () => {
    const rules = resolveIdentityRules({
      kinds: { email: { limit: 3 }, click_id: { hubThreshold: null } },
    });
    expect(rules.kinds.email).toEqual({
      limit: 3,
      priority: 3,
      merge: "merge",
      hubThreshold: 10,
      anonymousIdHubThreshold: 25,
    });
    expect(rules.kinds.click_id.hubThreshold).toBeNull();
    expect(rules.kinds.phone).toEqual(DEFAULT_IDENTITY_RULES.kinds.phone);
  });

  it.each([
    [{ kinds: { email: { limit: 0 } } }, ["rules.kinds.email.limit"]],
    [{ kinds: { emial: { limit: 1 } } }, ["rules.kinds.emial"]],
    [{ phone: { defaultCountry: "XX" } }, ["rules.phone.defaultCountry"]],
    [{ blocklist: { patterns: ["^test"] } }, ["rules.blocklist.patterns.0"]],
    [{ maxKeysPerObservation: 1 }, ["rules.maxKeysPerObservation"]],
    [{ hashedKinds: ["email", "ssn"] }, ["rules.hashedKinds.1"]],
    [{ roleMailboxes: { mode: "sometimes" } }, ["rules.roleMailboxes.mode"]],
    [{ unknownOption: true }, ["rules.unknownOption"]],
  ])("rejects %j with ConfigError naming %j", (input, fields) => {
    try {
      resolveIdentityRules(input as never);
      expect.unreachable();
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).fields).toEqual(fields);
      expect((error as ConfigError).message).toContain(fields[0]);
    }
  });
});
