import { ConfigError, type IdentityKey, type IdentityKeyKind } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { describe, expect, it } from "vitest";
import {
  createIdentityResolver,
  hashIdentityValue,
  type IdentityRulesInput,
  replayIdentityGraph,
} from "../src/index.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const anon = (v: string) => k("anonymous_id", v);
const email = (v: string) => k("email", v);
const customer = (v: string) => k("chargebee_customer_id", v);
const click = (v: string) => k("click_id", v);
const ev = (observationId: string, at: number, source = "test") => ({ source, observationId, at });

function setup(rules?: IdentityRulesInput) {
  const storage = createMemoryStorage();
  const identity = createIdentityResolver({ storage, rules, now: () => 1_000_000 });
  return { storage, identity };
}

const keysOf = (person: { keys: { key: IdentityKey }[] } | null) =>
  person?.keys.map((r) => `${r.key.kind}:${r.key.value}`) ?? null;

describe("createIdentityResolver: linking", () => {
  it("links keys seen together into one person and resolves any of them to it", async () => {
    const { identity } = setup();
    const first = await identity.link([anon("v1"), email(" Jane@Acme.io ")], ev("form:1", 10));
    expect(first.rejected).toEqual([]);
    expect(first.personIds).toHaveLength(1);
    const second = await identity.link(
      [email("jane@acme.io"), customer("cus_1")],
      ev("cb:ev_1", 20),
    );
    expect(second.personId).toBe(first.personId);

    const person = await identity.resolve([anon("v1")]);
    expect(person?.id).toBe(first.personId);
    expect(person?.createdAt).toBe(10);
    expect(keysOf(person)).toEqual([
      "anonymous_id:v1",
      "chargebee_customer_id:cus_1",
      "email:jane@acme.io",
    ]);
    expect(person?.keys.map((r) => r.firstSeenAt)).toEqual([10, 20, 10]);
  });

  it("merges two existing persons into the older one and records the merge", async () => {
    const { identity } = setup();
    const older = await identity.link([anon("v1"), email("a@acme.io")], ev("o1", 10));
    const younger = await identity.link([anon("v2"), click("ttclid_1")], ev("o2", 20));
    expect(older.personId).not.toBe(younger.personId);
    const merge = await identity.link([anon("v2"), email("a@acme.io")], ev("o3", 30));
    expect(merge.personId).toBe(older.personId);
    expect(merge.merges).toEqual([
      {
        survivor: older.personId,
        absorbed: younger.personId,
        at: 30,
        observationId: "o3",
        source: "test",
      },
    ]);
    // the absorbed id still answers, with the survivor
    expect((await identity.get(younger.personId as string))?.id).toBe(older.personId);
    expect(keysOf(await identity.get(older.personId as string))).toEqual([
      "anonymous_id:v1",
      "anonymous_id:v2",
      "click_id:ttclid_1",
      "email:a@acme.io",
    ]);
  });

  it("rejects junk, invalid and blocked keys with reasons and never merges through them", async () => {
    const { identity } = setup({ blocklist: { values: ["qa@acme.io"], patterns: [/^test_/] } });
    const a = await identity.link(
      [
        anon("v1"),
        k("external_id", "null"),
        email("not-an-email"),
        email("qa@acme.io"),
        anon("test_1"),
      ],
      ev("o1", 1),
    );
    expect(a.rejected).toEqual([
      { index: 1, kind: "external_id", reason: "junk" },
      { index: 2, kind: "email", reason: "invalid_email" },
      { index: 3, kind: "email", reason: "blocked" },
      { index: 4, kind: "anonymous_id", reason: "blocked" },
    ]);
    const b = await identity.link(
      [anon("v2"), k("external_id", "'NULL'"), email("qa@acme.io")],
      ev("o2", 2),
    );
    expect(b.personId).not.toBe(a.personId);
    expect(await identity.resolve([k("external_id", "null")])).toBeNull();
  });

  it("returns no person when every key is rejected, and writes nothing", async () => {
    const { identity, storage } = setup();
    const result = await identity.link([anon("undefined"), email("")], ev("o1", 1));
    expect(result).toEqual({
      personId: null,
      personIds: [],
      rejected: [
        { index: 0, kind: "anonymous_id", reason: "junk" },
        { index: 1, kind: "email", reason: "empty" },
      ],
      merges: [],
      refusals: [],
    });
    expect(await storage.findKeys([anon("undefined")])).toEqual([]);
  });

  it("is idempotent: linking the same observation again changes nothing", async () => {
    const { identity, storage } = setup();
    await identity.link([anon("v1"), customer("cus_1")], ev("o1", 1));
    const first = await identity.link([anon("v1"), customer("cus_2")], ev("o2", 2));
    const before = {
      keys: await storage.findKeys([anon("v1"), customer("cus_1"), customer("cus_2")]),
      edges: await storage.listEdges([anon("v1")]),
      refusals: await storage.listRefusals(first.personIds[1] as string),
    };
    const again = await identity.link([anon("v1"), customer("cus_2")], ev("o2", 2));
    expect(again).toEqual(first);
    expect({
      keys: await storage.findKeys([anon("v1"), customer("cus_1"), customer("cus_2")]),
      edges: await storage.listEdges([anon("v1")]),
      refusals: await storage.listRefusals(first.personIds[1] as string),
    }).toEqual(before);
    expect(before.refusals).toHaveLength(1);
  });

  it("linking an observation id again with one of its keys adds that key's own edge", async () => {
    const { identity, storage } = setup();
    const first = await identity.link([anon("v1"), click("k1")], ev("o1", 1));
    const again = await identity.link([anon("v1")], ev("o1", 1));
    expect(again.personId).toBe(first.personId);
    const evidence = { source: "test", observationId: "o1", at: 1 };
    expect(await storage.listEdges([anon("v1")])).toEqual([
      { a: anon("v1"), b: click("k1"), evidence },
      { a: anon("v1"), b: anon("v1"), evidence },
    ]);
  });

  it("uses the clock when evidence has no time", async () => {
    const { identity } = setup();
    await identity.link([anon("v1")], { source: "tracker", observationId: "o1" });
    expect((await identity.resolve([anon("v1")]))?.createdAt).toBe(1_000_000);
  });

  it("throws TypeError on malformed evidence or an unknown kind", async () => {
    const { identity } = setup();
    await expect(identity.link([anon("v1")], { source: "", observationId: "o1" })).rejects.toThrow(
      "evidence.source",
    );
    await expect(
      identity.link([anon("v1")], { source: "s", observationId: "o1", at: Number.NaN }),
    ).rejects.toThrow(TypeError);
    await expect(
      identity.link([{ kind: "emial", value: "x" } as unknown as IdentityKey], ev("o1", 1)),
    ).rejects.toThrow("keys[0].kind");
  });

  it("rejects the least trusted keys beyond maxKeysPerObservation", async () => {
    const { identity } = setup({ maxKeysPerObservation: 2 });
    const result = await identity.link(
      [anon("v1"), customer("cus_1"), email("a@acme.io")],
      ev("o1", 1),
    );
    expect(result.rejected).toEqual([{ index: 0, kind: "anonymous_id", reason: "too_many_keys" }]);
  });
});

describe("createIdentityResolver: merge guards", () => {
  it("never merges two Chargebee customers (unique id) and records the refusal", async () => {
    const { identity, storage } = setup();
    const alice = await identity.link([anon("shared_ipad"), customer("cus_alice")], ev("o1", 1));
    const bob = await identity.link([anon("shared_ipad"), customer("cus_bob")], ev("o2", 2));
    expect(bob.personId).not.toBe(alice.personId);
    expect(bob.refusals).toEqual([
      {
        personIds: [alice.personId, bob.personId],
        keys: [anon("shared_ipad")],
        reason: "limit:chargebee_customer_id",
        evidence: ev("o2", 2),
      },
    ]);
    // the shared device stays with the first customer
    expect((await identity.resolve([anon("shared_ipad")]))?.id).toBe(alice.personId);
    expect(await storage.listRefusals(bob.personId as string)).toEqual(bob.refusals);
  });

  it("caps emails per person at the kind's limit (priority demotes the least trusted key)", async () => {
    const { identity } = setup({ kinds: { email: { limit: 2 } } });
    const p = await identity.link([customer("cus_1"), email("a@acme.io")], ev("o1", 1));
    await identity.link([customer("cus_1"), email("b@acme.io")], ev("o2", 2));
    const third = await identity.link([customer("cus_1"), email("c@acme.io")], ev("o3", 3));
    expect(third.personId).toBe(p.personId);
    expect(third.personIds).toHaveLength(2);
    expect(third.refusals.map((r) => [r.reason, r.keys])).toEqual([
      ["limit:email", [email("c@acme.io")]],
    ]);
    expect(keysOf(await identity.get(p.personId as string))).toEqual([
      "chargebee_customer_id:cus_1",
      "email:a@acme.io",
      "email:b@acme.io",
    ]);
  });

  it("a role mailbox joins one person but never merges two (by default)", async () => {
    const { identity } = setup();
    const first = await identity.link([anon("v1"), email("info@acme.io")], ev("o1", 1));
    const second = await identity.link([anon("v2"), email("Info+EU@acme.io")], ev("o2", 2));
    const third = await identity.link([anon("v2"), email("info@acme.io")], ev("o3", 3));
    expect(second.personId).not.toBe(first.personId);
    expect(third.personId).toBe(second.personId);
    expect(third.refusals.map((r) => r.reason)).toEqual(["role_mailbox"]);
    expect((await identity.resolve([email("info@acme.io")]))?.id).toBe(first.personId);
  });

  it("role mailboxes can be blocked or treated as ordinary addresses", async () => {
    const blocked = setup({ roleMailboxes: { mode: "block" } }).identity;
    expect((await blocked.link([email("sales@acme.io")], ev("o1", 1))).rejected[0]?.reason).toBe(
      "role_mailbox",
    );
    const merging = setup({ roleMailboxes: { mode: "merge" } }).identity;
    const a = await merging.link([anon("v1"), email("sales@acme.io")], ev("o1", 1));
    const b = await merging.link([anon("v2"), email("sales@acme.io")], ev("o2", 2));
    expect(b.personId).toBe(a.personId);
  });

  it("an affiliate ref (no_merge kind) never joins two customers", async () => {
    const { identity } = setup();
    const a = await identity.link(
      [customer("cus_1"), k("affiliate_ref", "PARTNER10")],
      ev("o1", 1),
    );
    const b = await identity.link(
      [customer("cus_2"), k("affiliate_ref", "PARTNER10")],
      ev("o2", 2),
    );
    expect(b.personId).not.toBe(a.personId);
    expect(b.refusals.map((r) => r.reason)).toEqual(["no_merge"]);
  });

  it("a key seen with too many persons becomes a hub: it stops merging, and past merges through it split", async () => {
    const { identity } = setup({ kinds: { anonymous_id: { hubThreshold: 3 } } });
    const a = await identity.link([anon("kiosk"), email("a@acme.io")], ev("o1", 1));
    const b = await identity.link([anon("kiosk"), email("b@acme.io")], ev("o2", 2));
    expect(b.personId).toBe(a.personId); // two emails: still one person
    const c = await identity.link([anon("kiosk"), email("c@acme.io")], ev("o3", 3));
    expect(c.refusals.map((r) => r.reason)).toEqual(["hub"]);
    const people = await Promise.all(
      ["a", "b", "c"].map((x) => identity.resolve([email(`${x}@acme.io`)])),
    );
    expect(new Set(people.map((p) => p?.id)).size).toBe(3);
    expect(people[0]?.id).toBe(a.personId); // the oldest keeps its id
    expect(keysOf(people[1] ?? null)).toEqual(["email:b@acme.io"]);
    const kiosk = await identity.resolve([anon("kiosk")]);
    expect(keysOf(kiosk)).toEqual(["anonymous_id:kiosk"]);
  });

  it("an email typed in by many visitors becomes a hub (hub:anonymous_id): 50 visitors and a customer stay apart", async () => {
    const { identity } = setup();
    for (let i = 0; i < 50; i++)
      await identity.link([anon(`v${i}`), email("shared@acme.io")], ev(`form:${i}`, 10 + i));
    const buy = await identity.link(
      [customer("cus_1"), email("shared@acme.io")],
      ev("cb:ev_1", 1_000),
    );
    expect(buy.refusals.map((r) => r.reason)).toEqual(["hub:anonymous_id"]);
    const customerPerson = await identity.resolve([customer("cus_1")]);
    expect(keysOf(customerPerson)).toEqual(["chargebee_customer_id:cus_1"]);
    const visitors = await Promise.all(
      Array.from({ length: 50 }, (_, i) => identity.resolve([anon(`v${i}`)])),
    );
    expect(new Set(visitors.map((p) => p?.id)).size).toBe(50);
    for (const p of visitors) expect(p?.keys).toHaveLength(1);
    expect(keysOf(await identity.resolve([email("shared@acme.io")]))).toEqual([
      "email:shared@acme.io",
    ]);
    // the refusal is kept where users look: explain()
    const explained = await identity.explain(customerPerson?.id as string);
    expect(explained?.refusals.map((r) => r.reason)).toContain("hub:anonymous_id");
  });

  it("the visitor hub does not depend on arrival order, and a normal person with 3 devices still merges", async () => {
    const observations = [
      ...Array.from({ length: 30 }, (_, i) => ({
        keys: [anon(`v${i}`), email("shared@acme.io")],
        evidence: ev(`form:${i}`, 10 + i),
      })),
      { keys: [customer("cus_1"), email("shared@acme.io")], evidence: ev("cb:1", 5) },
      ...["phone", "laptop", "tablet"].map((d, i) => ({
        keys: [anon(d), email("jane@acme.io")],
        evidence: ev(`jane:${i}`, 100 + i),
      })),
      { keys: [customer("cus_2"), email("jane@acme.io")], evidence: ev("cb:2", 200) },
    ];
    const forward = setup().identity;
    for (const o of observations) await forward.link(o.keys, o.evidence);
    const backward = setup().identity;
    for (const o of [...observations].reverse()) await backward.link(o.keys, o.evidence);
    for (const identity of [forward, backward]) {
      const jane = await identity.resolve([customer("cus_2")]);
      expect(keysOf(jane)).toEqual([
        "anonymous_id:laptop",
        "anonymous_id:phone",
        "anonymous_id:tablet",
        "chargebee_customer_id:cus_2",
        "email:jane@acme.io",
      ]);
      expect(keysOf(await identity.resolve([customer("cus_1")]))).toEqual([
        "chargebee_customer_id:cus_1",
      ]);
    }
    for (const key of observations.flatMap((o) => o.keys))
      expect((await backward.resolve([key]))?.id).toBe((await forward.resolve([key]))?.id);
  });

  it("anonymousIdHubThreshold is per kind, and null turns the visitor count off", async () => {
    const off = setup({ kinds: { email: { anonymousIdHubThreshold: null } } }).identity;
    const low = setup({ kinds: { email: { anonymousIdHubThreshold: 3 } } }).identity;
    for (const identity of [off, low])
      for (let i = 0; i < 3; i++)
        await identity.link([anon(`v${i}`), email("shared@acme.io")], ev(`f${i}`, i));
    expect((await off.resolve([email("shared@acme.io")]))?.keys).toHaveLength(4);
    expect((await low.resolve([email("shared@acme.io")]))?.keys).toHaveLength(1);
    expect(() => setup({ kinds: { click_id: { anonymousIdHubThreshold: 0 } } })).toThrow(
      /rules\.kinds\.click_id\.anonymousIdHubThreshold/,
    );
  });

  it("hashed-only storage keeps no raw email and still matches", async () => {
    const { identity, storage } = setup({
      hashedKinds: ["email", "phone"],
      phone: { defaultCountry: "US" },
    });
    const a = await identity.link(
      [anon("v1"), email("Jane@Acme.io"), k("phone", "(213) 373-4253")],
      ev("o1", 1),
    );
    const b = await identity.link([customer("cus_1"), email("jane@acme.io ")], ev("o2", 2));
    expect(b.personId).toBe(a.personId);
    const keys = (await storage.listPersonKeys(a.personId as string)).map((r) => r.key);
    expect(keys).toContainEqual(email(hashIdentityValue("jane@acme.io")));
    expect(keys).toContainEqual(k("phone", hashIdentityValue("+12133734253")));
    expect(JSON.stringify(keys)).not.toContain("jane");
    // an already-hashed value passes through and matches
    const c = await identity.link(
      [email(hashIdentityValue("jane@acme.io")), anon("v9")],
      ev("o3", 3),
    );
    expect(c.personId).toBe(a.personId);
  });

  it("a hashed role mailbox keeps its guard", async () => {
    const { identity } = setup({ hashedKinds: ["email"] });
    const a = await identity.link([anon("v1"), email("support@acme.io")], ev("o1", 1));
    const b = await identity.link([anon("v2"), email("support@acme.io")], ev("o2", 2));
    expect(b.personId).not.toBe(a.personId);
    expect(b.refusals.map((r) => r.reason)).toEqual(["role_mailbox"]);
  });

  it("Gmail folding is off by default and matches dotted and tagged forms when on", async () => {
    const off = setup().identity;
    const x = await off.link([anon("v1"), email("jane.doe@gmail.com")], ev("o1", 1));
    const y = await off.link([anon("v2"), email("janedoe+ads@googlemail.com")], ev("o2", 2));
    expect(y.personId).not.toBe(x.personId);
    const on = setup({ email: { foldGmail: true } }).identity;
    const p = await on.link([anon("v1"), email("jane.doe@gmail.com")], ev("o1", 1));
    const q = await on.link([anon("v2"), email("janedoe+ads@googlemail.com")], ev("o2", 2));
    expect(q.personId).toBe(p.personId);
  });
});

describe("createIdentityResolver: rule changes and logs", () => {
  it("a rule change applies to stored keys at the next link of their component", async () => {
    const storage = createMemoryStorage();
    const before = createIdentityResolver({ storage });
    const a = await before.link([anon("qa_device"), email("a@acme.io")], ev("o1", 1));
    await before.link([anon("qa_device"), email("b@acme.io")], ev("o2", 2));
    expect((await before.resolve([email("b@acme.io")]))?.id).toBe(a.personId);

    const after = createIdentityResolver({ storage, rules: { blocklist: { patterns: [/^qa_/] } } });
    const c = await after.link([email("b@acme.io"), k("phone", "+12133734253")], ev("o3", 3));
    expect(c.personId).not.toBe(a.personId);
    expect(keysOf(await after.resolve([email("b@acme.io")]))).toEqual([
      "email:b@acme.io",
      "phone:+12133734253",
    ]);
    // the blocked key now stands alone (and resolving it answers nothing)
    expect(await after.resolve([anon("qa_device")])).toBeNull();
    const [qa] = await storage.findKeys([anon("qa_device")]);
    expect(keysOf(await after.get(qa?.personId as string))).toEqual(["anonymous_id:qa_device"]);
    expect(keysOf(await after.get(a.personId as string))).toEqual(["email:a@acme.io"]);
  });

  it("logs reason codes and ids, never key values", async () => {
    const lines: unknown[] = [];
    const log = (obj: unknown, msg?: unknown) => lines.push([obj, msg]);
    const identity = createIdentityResolver({
      storage: createMemoryStorage(),
      logger: { debug: log, info: log, warn: log, error: log },
    });
    await identity.link([anon("v1"), customer("cus_1")], ev("o1", 1));
    await identity.link([anon("v1"), customer("cus_2"), email("jane@bad")], ev("o2", 2));
    const text = JSON.stringify(lines);
    expect(text).toContain("invalid_email");
    expect(text).toContain("limit:chargebee_customer_id");
    for (const value of ["jane", "cus_1", "cus_2", "v1"]) expect(text).not.toContain(value);
  });
});

describe("createIdentityResolver: order, time travel, explanation", () => {
  it("gives the same persons and ids when a late observation arrives out of order", async () => {
    const observations: [IdentityKey[], ReturnType<typeof ev>][] = [
      [[anon("v1"), customer("cus_1")], ev("o1", 1)],
      [[anon("v1"), email("x@acme.io")], ev("o2", 2)],
      [[email("x@acme.io"), customer("cus_2")], ev("o3", 3)],
    ];
    const inOrder = setup().identity;
    for (const [keys, e] of observations) await inOrder.link(keys, e);
    const reversed = setup().identity;
    for (const [keys, e] of [...observations].reverse()) await reversed.link(keys, e);
    for (const key of [anon("v1"), customer("cus_1"), customer("cus_2"), email("x@acme.io")]) {
      expect(await reversed.resolve([key])).toEqual(await inOrder.resolve([key]));
    }
    // in time order, the email joined cus_1's person first, so cus_2 stays alone
    expect(keysOf(await inOrder.resolve([customer("cus_2")]))).toEqual([
      "chargebee_customer_id:cus_2",
    ]);
  });

  it("resolveAt answers as the graph was at that time", async () => {
    const { identity } = setup();
    const a = await identity.link([anon("v1"), click("c1")], ev("o1", 100));
    const b = await identity.link([anon("v2"), email("a@acme.io")], ev("o2", 200));
    await identity.link([anon("v1"), email("a@acme.io")], ev("o3", 300));
    expect(await identity.resolveAt([anon("v2")], 50)).toBeNull();
    expect(await identity.resolveAt([anon("v2")], 250)).toEqual({
      id: b.personId,
      createdAt: 200,
      keys: [
        { key: anon("v2"), personId: b.personId, firstSeenAt: 200 },
        { key: email("a@acme.io"), personId: b.personId, firstSeenAt: 200 },
      ],
    });
    const now = await identity.resolveAt([anon("v2")], 300);
    expect(now?.id).toBe(a.personId);
    expect(now).toEqual(await identity.resolve([anon("v2")]));
    await expect(identity.resolveAt([anon("v2")], Number.NaN)).rejects.toThrow(TypeError);
  });

  it("explain returns every edge with evidence, the merges and the refusals", async () => {
    const { identity } = setup();
    const a = await identity.link([anon("v1"), customer("cus_1")], ev("o1", 1, "checkout"));
    const b = await identity.link([anon("v2"), email("a@acme.io")], ev("o2", 2, "lead_form"));
    await identity.link([anon("v2"), anon("v1")], ev("o3", 3, "tracker"));
    await identity.link([anon("v2"), customer("cus_9")], ev("o4", 4, "checkout"));
    const explanation = await identity.explain(b.personId as string);
    expect(explanation?.person.id).toBe(a.personId);
    expect(
      explanation?.edges.map((e) => [
        e.a.value,
        e.b.value,
        e.evidence.observationId,
        e.evidence.source,
      ]),
    ).toEqual([
      ["v1", "cus_1", "o1", "checkout"],
      ["v2", "a@acme.io", "o2", "lead_form"],
      ["v1", "v2", "o3", "tracker"],
      ["v2", "cus_9", "o4", "checkout"],
    ]);
    expect(explanation?.merges).toEqual([
      { survivor: a.personId, absorbed: b.personId, at: 3, observationId: "o3", source: "tracker" },
    ]);
    expect(explanation?.refusals.map((r) => [r.reason, r.evidence.observationId])).toEqual([
      ["limit:chargebee_customer_id", "o4"],
    ]);
    expect(await identity.explain("p_unknown")).toBeNull();
  });
});

describe("createIdentityResolver: forget (GDPR)", () => {
  it("forgetting a person erases its keys and edges, and splits what it held together", async () => {
    const { identity, storage } = setup();
    const a = await identity.link(
      [anon("v1"), email("jane@acme.io"), customer("cus_1")],
      ev("o1", 1),
    );
    const other = await identity.link([anon("v9"), customer("cus_2")], ev("o2", 2));
    await identity.link([anon("v9"), email("jane@acme.io")], ev("o3", 3)); // refused: two customers
    const result = await identity.forget({ personId: a.personId as string });
    expect(result).toEqual({ keys: 3 });
    expect(await identity.resolve([email("jane@acme.io")])).toBeNull();
    expect(await identity.get(a.personId as string)).toBeNull();
    expect(await storage.listEdges([email("jane@acme.io"), anon("v1"), customer("cus_1")])).toEqual(
      [],
    );
    expect(JSON.stringify(await storage.listRefusals(other.personId as string))).not.toContain(
      "jane",
    );
    // the other person keeps its own observation of v9
    expect(keysOf(await identity.get(other.personId as string))).toEqual([
      "anonymous_id:v9",
      "chargebee_customer_id:cus_2",
    ]);
    expect(
      (await storage.listEdges([anon("v9")])).map((e) => e.evidence.observationId).sort(),
    ).toEqual(["o2", "o3"]);
  });

  it("forgetting one key splits persons it bridged and keeps the other keys' observations", async () => {
    const { identity } = setup();
    const a = await identity.link([anon("v1"), email("old@acme.io")], ev("o1", 1));
    await identity.link([customer("cus_1"), email("old@acme.io")], ev("o2", 2));
    expect(await identity.forget({ keys: [email(" OLD@acme.io")] })).toEqual({ keys: 1 });
    const v1 = await identity.resolve([anon("v1")]);
    const cus = await identity.resolve([customer("cus_1")]);
    // the founding key is gone: v1's person gets its own id, and the old id points at it
    expect((await identity.get(a.personId as string))?.id).toBe(v1?.id);
    expect(keysOf(v1)).toEqual(["anonymous_id:v1"]);
    expect(keysOf(cus)).toEqual(["chargebee_customer_id:cus_1"]);
    expect(cus?.createdAt).toBe(2);
    expect(await identity.forget({ keys: [email("nobody@acme.io")] })).toEqual({ keys: 0 });
  });
});

describe("createIdentityResolver: options", () => {
  it("throws ConfigError naming the field", () => {
    expect(() => createIdentityResolver({ storage: {} as never })).toThrow(ConfigError);
    try {
      createIdentityResolver({
        storage: createMemoryStorage(),
        rules: { kinds: { email: { limit: 0 } } },
      });
      expect.unreachable();
    } catch (error) {
      expect(ConfigError.isInstance(error) && error.fields).toEqual(["rules.kinds.email.limit"]);
    }
  });
});

describe("createIdentityResolver: observation identity", () => {
  it("an observation is identified by its source too: two sources sharing an id never merge", async () => {
    const { identity } = setup();
    const alice = await identity.link([email("alice@z.io")], ev("123", 5, "lead_form"));
    const bob = await identity.link([email("bob@z.io")], ev("123", 5, "checkout"));
    expect(bob.personId).not.toBe(alice.personId);
    expect(keysOf(await identity.resolve([email("alice@z.io")]))).toEqual(["email:alice@z.io"]);
    expect(keysOf(await identity.resolve([email("bob@z.io")]))).toEqual(["email:bob@z.io"]);
  });

  it("a repeated (source, observation id) with disjoint keys is its own observation", async () => {
    const { identity } = setup();
    const alice = await identity.link([email("alice@z.io"), anon("v1")], ev("123", 5));
    const bob = await identity.link([email("bob@z.io"), anon("v2")], ev("123", 5));
    expect(bob.personId).not.toBe(alice.personId);
    // a later link touching both replays the two as separate observations
    await identity.link([anon("v1"), anon("v3")], ev("o2", 6));
    await identity.link([anon("v2"), anon("v3")], ev("o3", 7));
    const person = await identity.resolve([email("alice@z.io")]);
    expect(keysOf(person)).toEqual([
      "anonymous_id:v1",
      "anonymous_id:v2",
      "anonymous_id:v3",
      "email:alice@z.io",
      "email:bob@z.io",
    ]);
    expect(person?.id).toBe(alice.personId);
  });

  it("a repeated (source, observation id) sharing only some keys is rejected with TypeError", async () => {
    const { identity, storage } = setup();
    await identity.link([email("alice@z.io"), email("info@z.io")], ev("123", 5));
    await expect(
      identity.link([email("bob@z.io"), email("info@z.io")], ev("123", 5)),
    ).rejects.toThrow(TypeError);
    expect(await storage.findKeys([email("bob@z.io")])).toEqual([]);
    // a subset or a superset of the stored keys is the same observation again
    await identity.link([email("alice@z.io")], ev("123", 5));
    await identity.link([email("alice@z.io"), email("info@z.io"), anon("v1")], ev("123", 5));
    expect(keysOf(await identity.resolve([anon("v1")]))).toEqual([
      "anonymous_id:v1",
      "email:alice@z.io",
      "email:info@z.io",
    ]);
  });
});

describe("createIdentityResolver: pre-hashed keys", () => {
  it("a digest of a blocked value is rejected like the value", async () => {
    const { identity } = setup({ hashedKinds: ["email"], blocklist: { values: ["QA@acme.io"] } });
    const result = await identity.link(
      [anon("b"), email(hashIdentityValue("qa@acme.io"))],
      ev("o1", 1),
    );
    expect(result.rejected).toEqual([{ index: 1, kind: "email", reason: "blocked" }]);
  });

  it("a bare digest of a role mailbox still merges (its local part cannot be seen)", async () => {
    const { identity } = setup({ hashedKinds: ["email"] });
    const digest = hashIdentityValue("info@acme.io");
    // documented limitation (README: Limits): hash role mailboxes yourself only after classifying them
    const b = await identity.link([anon("b"), email(digest)], ev("o1", 1));
    const c = await identity.link([anon("c"), email(digest)], ev("o2", 2));
    expect(c.personId).toBe(b.personId);
  });
});

describe("createIdentityResolver: forget after a rule change", () => {
  it("erases a key the rules now block, in raw and normalized form", async () => {
    const storage = createMemoryStorage();
    const before = createIdentityResolver({ storage, now: () => 1 });
    const a = await before.link(
      [anon("v1"), email("Info@Acme.io"), email("qa@acme.io"), customer("cus_1")],
      ev("o1", 1),
    );
    await before.link([anon("v2"), email("info@acme.io")], ev("o2", 2)); // a refusal naming it
    const after = createIdentityResolver({
      storage,
      now: () => 3,
      rules: {
        roleMailboxes: { mode: "block" },
        blocklist: { values: ["qa@acme.io"], patterns: [/^cus_/] },
      },
    });
    expect(
      await after.forget({
        keys: [email(" INFO@acme.io"), email("qa@acme.io"), customer("cus_1")],
      }),
    ).toEqual({ keys: 3 });
    const erased = [email("info@acme.io"), email("qa@acme.io"), customer("cus_1")];
    expect(await storage.findKeys(erased)).toEqual([]);
    expect(await storage.listEdges(erased)).toEqual([]);
    const dump = JSON.stringify([
      await storage.listEdges([anon("v1"), anon("v2")]),
      await storage.listRefusals(a.personId as string),
      await storage.findKeys([anon("v1"), anon("v2")]),
    ]);
    expect(dump).not.toContain("acme.io");
    expect(dump).not.toContain("cus_1");
  });

  it("throws TypeError on a malformed target", async () => {
    const { identity } = setup();
    await identity.link([anon("v1")], ev("o1", 1));
    const bad: unknown[] = [
      { personId: undefined, keys: [anon("v1")] },
      { personId: "p_1", keys: [anon("v1")] },
      { personId: 1 },
      { keys: anon("v1") },
      {},
      null,
    ];
    for (const target of bad)
      await expect(identity.forget(target as { personId: string })).rejects.toThrow(TypeError);
    expect(keysOf(await identity.resolve([anon("v1")]))).toEqual(["anonymous_id:v1"]);
  });
});

describe("createIdentityResolver: junk emails, placeholder phones, test sites", () => {
  it("50 visitors who typed test@test.com and one real customer stay 51 persons", async () => {
    const { identity } = setup();
    for (let i = 0; i < 50; i++)
      await identity.link([anon(`v${i}`), email("test@test.com")], ev(`form:${i}`, i));
    const real = await identity.link(
      [customer("cus_real"), email("test@test.com"), anon("v_real")],
      ev("cb:1", 100),
    );
    expect(real.rejected).toEqual([{ index: 1, kind: "email", reason: "junk" }]);
    const person = await identity.resolve([customer("cus_real")]);
    expect(keysOf(person)).toEqual(["anonymous_id:v_real", "chargebee_customer_id:cus_real"]);
    expect(keysOf(await identity.resolve([anon("v7")]))).toEqual(["anonymous_id:v7"]);
    expect(await identity.resolve([email("test@test.com")])).toBeNull();
  });

  it("placeholder phones and curly-quoted nulls never merge two visitors", async () => {
    const { identity } = setup({ phone: { defaultCountry: "US" } });
    const a = await identity.link(
      [anon("v1"), k("phone", "+1 111 111 1111"), k("external_id", "\u201cnull\u201d")],
      ev("o1", 1),
    );
    const b = await identity.link(
      [anon("v2"), k("phone", "(111) 111-1111"), k("external_id", "null\u200b")],
      ev("o2", 2),
    );
    expect(a.rejected.map((r) => r.reason)).toEqual(["junk", "junk"]);
    expect(b.personId).not.toBe(a.personId);
  });

  it("a Chargebee test site is attributable with email.allowReservedDomains", async () => {
    const visit = [anon("v_test"), email("jane@example.com")];
    const checkout = [customer("cus_test"), email("jane@example.com")];
    const strict = setup().identity;
    await strict.link(visit, ev("form:1", 1));
    await strict.link(checkout, ev("cb:1", 2));
    expect(keysOf(await strict.resolve([anon("v_test")]))).toEqual(["anonymous_id:v_test"]);

    const testSite = setup({ email: { allowReservedDomains: true } }).identity;
    await testSite.link(visit, ev("form:1", 1));
    await testSite.link(checkout, ev("cb:1", 2));
    expect(keysOf(await testSite.resolve([anon("v_test")]))).toEqual([
      "anonymous_id:v_test",
      "chargebee_customer_id:cus_test",
      "email:jane@example.com",
    ]);
    // the junk rules stay on: anonymous_id "null" still merges no one
    const x = await testSite.link([anon("null"), email("a@acme.io")], ev("o3", 3));
    const y = await testSite.link([anon("null"), email("b@acme.io")], ev("o4", 4));
    expect(y.personId).not.toBe(x.personId);
  });
});

describe("createIdentityResolver: forget a person with shared keys", () => {
  it("erasing the first customer seen with an affiliate ref keeps the ref for the others", async () => {
    const { identity, storage } = setup();
    const ref = k("affiliate_ref", "PARTNER42");
    const first = await identity.link([customer("cus_1"), ref], ev("o1", 1));
    await identity.link([customer("cus_2"), ref], ev("o2", 2));
    await identity.forget({ personId: first.personId as string });
    expect(await identity.resolve([customer("cus_1")])).toBeNull();
    const edges = await storage.listEdges([ref]);
    expect(edges.map((e) => [e.a.value, e.b.value])).toEqual([["PARTNER42", "cus_2"]]);
    expect(keysOf(await identity.resolve([ref]))).toEqual([
      "affiliate_ref:PARTNER42",
      "chargebee_customer_id:cus_2",
    ]);
  });
});

describe("createIdentityResolver: keys shared by many persons", () => {
  /** A memory storage that records every key whose whole edge list is read. */
  /** A memory storage counting the keys whose edges are listed, without the fast path (fast-link.ts). */
  function counting() {
    const storage = createMemoryStorage();
    // these tests are about the component loader: every link replays
    delete storage.readLinkState;
    const listed: string[] = [];
    const listEdges = storage.listEdges.bind(storage);
    storage.listEdges = (keys) => {
      for (const key of keys) listed.push(`${key.kind}:${key.value}`);
      return listEdges(keys);
    };
    return { storage, listed };
  }

  it("a partner's affiliate ref does not widen a link's component to the partner's other customers", async () => {
    const { storage, listed } = counting();
    const identity = createIdentityResolver({ storage });
    const ref = k("affiliate_ref", "PARTNER");
    for (let i = 0; i < 200; i++)
      await identity.link([customer(`cus_${i}`), anon(`v${i}`), ref], ev(`cb:${i}`, 100 + i));
    listed.length = 0;
    const last = await identity.link(
      [customer("cus_new"), anon("v_new"), ref],
      ev("cb:new", 1_000),
    );
    // the new customer's keys and the ref's home person (its first customer), nobody else
    const customers = listed.filter((id) => id.startsWith("chargebee_customer_id:"));
    expect(new Set(customers)).toEqual(
      new Set(["chargebee_customer_id:cus_new", "chargebee_customer_id:cus_0"]),
    );
    expect(listed).not.toContain("affiliate_ref:PARTNER");
    expect(listed.length).toBeLessThan(10);
    // the same decisions as before: the ref follows its first customer, the others are refused
    expect(last.refusals.map((r) => r.reason)).toEqual(["no_merge"]);
    const home = await identity.resolve([customer("cus_0")]);
    expect(keysOf(await identity.resolve([ref]))).toEqual(keysOf(home));
    expect(keysOf(await identity.resolve([customer("cus_new")]))).toEqual([
      "anonymous_id:v_new",
      "chargebee_customer_id:cus_new",
    ]);
  });

  it("linking an observation again keeps a shared ref's home: the repeat is not its first customer", async () => {
    const { storage } = counting();
    const identity = createIdentityResolver({ storage });
    const ref = k("affiliate_ref", "OTHER");
    const observations = [
      { keys: [ref], evidence: ev("click:0", 0) },
      { keys: [ref, anon("v0")], evidence: ev("form:1", 102) },
      { keys: [ref, k("click_id", "k0")], evidence: ev("click:2", 104) },
    ];
    for (const o of observations) await identity.link(o.keys, o.evidence);
    const before = await identity.resolve([k("click_id", "k0")]);
    // the same observation again: a no-op (it used to read the ref's pages only up to this
    // observation, take it for the ref's home and move k0 into the ref's person)
    const again = observations[2] as (typeof observations)[number];
    await identity.link(again.keys, again.evidence);
    expect(await identity.resolve([k("click_id", "k0")])).toEqual(before);
    const graph = replayIdentityGraph(observations);
    expect(before?.id).toBe(graph.personOf(k("click_id", "k0")));
    expect(graph.personOf(k("click_id", "k0"))).not.toBe(graph.personOf(ref));
  });

  it("a backdated observation moves a shared ref to its new first customer, as the pure graph does", async () => {
    const ref = k("affiliate_ref", "PARTNER");
    const observations = [
      ...Array.from({ length: 30 }, (_, i) => ({
        keys: [customer(`cus_${i}`), anon(`v${i}`), ref],
        evidence: ev(`cb:${i}`, 100 + i),
      })),
      { keys: [ref], evidence: ev("click:0", 50) },
      { keys: [customer("cus_early"), ref], evidence: ev("cb:early", 60) },
    ];
    const { identity, listed } = (() => {
      const c = counting();
      return { ...c, identity: createIdentityResolver({ storage: c.storage }) };
    })();
    for (const o of observations) await identity.link(o.keys, o.evidence);
    expect(listed.filter((id) => id.startsWith("chargebee_customer_id:")).length).toBeLessThan(
      30 * 4,
    );
    const graph = replayIdentityGraph(observations);
    for (const o of observations)
      for (const key of o.keys)
        expect((await identity.resolve([key]))?.id).toBe(graph.personOf(key));
    expect(keysOf(await identity.resolve([ref]))).toEqual([
      "affiliate_ref:PARTNER",
      "chargebee_customer_id:cus_early",
    ]);
    // explain still lists every edge of the ref
    const explained = await identity.explain((await identity.resolve([ref]))?.id as string);
    expect(
      explained?.edges.filter((e) => e.a.kind === "affiliate_ref" || e.b.kind === "affiliate_ref")
        .length,
    ).toBeGreaterThan(30);
  });
});

describe("createIdentityResolver: engines agree on shared keys", () => {
  it("SQLite, memory, and a store without the optional edge queries give the pure graph's persons", async () => {
    const ref = k("affiliate_ref", "PARTNER");
    const observations = [
      ...Array.from({ length: 12 }, (_, i) => ({
        keys: [customer(`cus_${i}`), anon(`v${i}`), ref],
        evidence: ev(`cb:${i}`, 100 + ((i * 7) % 12)),
      })),
      { keys: [ref], evidence: ev("click:0", 50) },
      { keys: [anon("v3"), ref], evidence: ev("click:1", 99) },
      { keys: [customer("cus_late"), ref], evidence: ev("cb:late", 40) },
    ];
    const graph = replayIdentityGraph(observations);
    const sqlite = createSqliteStorage({ path: ":memory:" });
    await sqlite.migrate();
    const plain = createMemoryStorage();
    plain.listEarliestEdges = undefined;
    plain.listObservationEdges = undefined;
    for (const storage of [sqlite, plain, createMemoryStorage()]) {
      const identity = createIdentityResolver({ storage });
      for (const o of [...observations].reverse()) await identity.link(o.keys, o.evidence);
      for (const o of observations)
        for (const key of o.keys)
          expect((await identity.resolve([key]))?.id).toBe(graph.personOf(key));
    }
    await sqlite.close();
  });
});
