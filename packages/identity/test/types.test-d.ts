import type { IdentityKey, IdentityKeyRecord, IdentityStore, MergeRefusal } from "@revtrace/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  createIdentityResolver,
  type ForgetTarget,
  type GraphResult,
  type IdentityResolver,
  type IdentityRulesInput,
  type KeyCheck,
  type LinkResult,
  normalizeEmail,
  normalizeIdentityKey,
  type Person,
  type RefusalReason,
  replayIdentityGraph,
} from "../src/index.js";

describe("public types of @revtrace/identity", () => {
  it("the resolver takes any IdentityStore and returns promises of plain data", () => {
    expectTypeOf(createIdentityResolver)
      .parameter(0)
      .toHaveProperty("storage")
      .toEqualTypeOf<IdentityStore>();
    expectTypeOf<IdentityResolver["link"]>().returns.resolves.toEqualTypeOf<LinkResult>();
    expectTypeOf<IdentityResolver["resolve"]>().returns.resolves.toEqualTypeOf<Person | null>();
    expectTypeOf<IdentityResolver["resolveAt"]>().parameters.toEqualTypeOf<
      [readonly IdentityKey[], number]
    >();
    expectTypeOf<Person["keys"]>().toEqualTypeOf<IdentityKeyRecord[]>();
    expectTypeOf<LinkResult["refusals"]>().toEqualTypeOf<MergeRefusal[]>();
    expectTypeOf<ForgetTarget>().toEqualTypeOf<
      { personId: string } | { keys: readonly IdentityKey[] }
    >();
  });

  it("normalizers return null or a discriminated result", () => {
    expectTypeOf(normalizeEmail).returns.toEqualTypeOf<string | null>();
    const check = normalizeIdentityKey({ kind: "email", value: "x" });
    expectTypeOf(check).toEqualTypeOf<KeyCheck>();
    if (check.ok) expectTypeOf(check.key).toEqualTypeOf<IdentityKey>();
    else expectTypeOf(check.reason).not.toEqualTypeOf<string>();
  });

  it("rules are partial and typed per kind", () => {
    expectTypeOf<{ kinds: { email: { limit: 3 } } }>().toExtend<IdentityRulesInput>();
    expectTypeOf<{ kinds: { emial: { limit: 3 } } }>().not.toExtend<IdentityRulesInput>();
    expectTypeOf<"limit:email">().toExtend<RefusalReason>();
    expectTypeOf(replayIdentityGraph).returns.toEqualTypeOf<GraphResult>();
  });
});
