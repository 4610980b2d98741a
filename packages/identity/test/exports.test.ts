import { describe, expect, it } from "vitest";
import * as identity from "../src/index.js";

describe("public API", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(identity).sort()).toEqual([
      "BUILT_IN_JUNK_IDS",
      "DEFAULT_IDENTITY_RULES",
      "DEFAULT_KIND_RULES",
      "DEFAULT_ROLE_MAILBOXES",
      "JUNK_EMAIL_DOMAIN_LABELS",
      "JUNK_EMAIL_LOCAL_PARTS",
      "MAX_ID_LENGTH",
      "ROLE_PREFIX",
      "cleanId",
      "createIdentityResolver",
      "createKeyNormalizer",
      "foldGmailAddress",
      "hashIdentityValue",
      "isJunkEmail",
      "isKeyboardRun",
      "isPlaceholderNationalNumber",
      "isPlaceholderPhone",
      "isReservedEmailDomain",
      "isRoleMailbox",
      "isSha256Hex",
      "junkIdReason",
      "normalizeEmail",
      "normalizeIdentityKey",
      "normalizePhone",
      "personIdFor",
      "replayIdentityGraph",
      "resolveIdentityRules",
    ]);
  });
});
