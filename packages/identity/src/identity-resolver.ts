/**
 * The identity resolver: links keys seen together into persons, with merge guards, evidence, time
 * travel and erasure, on any engine that implements `IdentityStore`.
 *
 * Edges (two keys + the observation's evidence) are the source of truth; key-to-person pointers and
 * person records are derived from them. Each `link` loads the raw component around its keys, replays
 * it in canonical order (see `identity-graph.ts`) and writes the difference, so the result does not
 * depend on the order observations arrive in.
 *
 * @module
 */
import {
  type Clock,
  type IdentityEdge,
  type IdentityEvidence,
  type IdentityKey,
  type IdentityKeyKind,
  IdentityKeyKindSchema,
  type IdentityKeyRecord,
  type IdentityStore,
  identityKeyId,
  isStorableText,
  type Logger,
  LoggerSchema,
  type MergeRefusal,
  type PersonRecord,
  sortSmall,
  systemClock,
  toLogger,
  uniqueSmall,
} from "@revtrace/core";
import { z } from "zod";
import { type IdentityPlan, planIdentityChange } from "./change-plan.js";
import {
  edgeId,
  type LoadedComponent,
  loadComponent,
  observationKey,
  type ReplayInput,
  sameEvidence,
} from "./component-loader.js";
import { fastLink, rulesTag } from "./fast-link.js";
import {
  compareKeys,
  Mode,
  mergeOf,
  type PersonMerge,
  type ReplayState,
  refusalOf,
  runReplay,
} from "./identity-graph.js";
import {
  configErrorFrom,
  type IdentityRules,
  type IdentityRulesInput,
  resolveIdentityRules,
} from "./identity-rules.js";
import {
  createKeyNormalizer,
  erasureForms,
  type KeyClass,
  type KeyRejectReason,
} from "./key-normalizer.js";

/** Options of {@link createIdentityResolver}. */
export interface IdentityResolverOptions {
  /** Where the graph lives: any revtrace storage (`createMemoryStorage()`, SQLite, Postgres). */
  storage: IdentityStore;
  /** The policy; every field defaults (README "Rules"). */
  rules?: IdentityRulesInput | undefined;
  /** Clock for evidence without `at`. @default Date.now */
  now?: Clock | undefined;
  /** Receives rejected keys and refused merges (reason codes and ids, never values). @default silent */
  logger?: Partial<Logger> | undefined;
}

/** Why keys were seen together. `at` defaults to the clock. */
export interface LinkEvidence {
  /** Where the observation came from: `lead_form`, `checkout`, `chargebee_webhook`, … */
  source: string;
  /** Unique per observation (prefix it with its source: `chargebee:ev_123`). Linking it again is a no-op. */
  observationId: string;
  /** Epoch milliseconds of the observation. */
  at?: number | undefined;
}

/** A key kept out of the graph: its position in the input, its kind and why (never its value). */
export interface RejectedKey {
  index: number;
  kind: IdentityKeyKind;
  reason: KeyRejectReason;
}

/** What one `link` did. */
export interface LinkResult {
  /**
   * The person the observation resolved to: the one holding its most trusted key that merges (a role
   * mailbox, a `no_merge` key or a hub only follows).
   */
  personId: string | null;
  /** Every person the observation's keys belong to (more than one when a merge was refused). */
  personIds: string[];
  rejected: RejectedKey[];
  /** Merges of existing persons this observation caused. */
  merges: PersonMerge[];
  /** Merges this observation asked for and the guards refused. */
  refusals: MergeRefusal[];
}

/** A person and its keys. */
export interface Person {
  id: string;
  createdAt: number;
  /** Sorted by kind, then value. */
  keys: IdentityKeyRecord[];
}

/** Everything that made a person. */
export interface Explanation {
  person: Person;
  /** Every edge touching the person's keys, with its evidence, in time order. */
  edges: IdentityEdge[];
  /** The merges that built the person, in time order. */
  merges: PersonMerge[];
  /** Refused merges involving the person or a person merged into it. */
  refusals: MergeRefusal[];
}

/** What to erase: a person (all its keys) or some keys. */
export type ForgetTarget = { personId: string } | { keys: readonly IdentityKey[] };

/** The resolver. */
export interface IdentityResolver {
  /** The rules in force, defaults filled in. */
  readonly rules: IdentityRules;
  /**
   * Records that `keys` were seen together and updates persons. Keys are normalized here; junk,
   * invalid and blocked keys are rejected with a reason. Idempotent on the observation id.
   * @throws {TypeError} when the evidence or a key kind is malformed.
   */
  link(keys: readonly IdentityKey[], evidence: LinkEvidence): Promise<LinkResult>;
  /** The person of the most trusted known key among `keys` (merging kinds first), or `null`. */
  resolve(keys: readonly IdentityKey[]): Promise<Person | null>;
  /** Like `resolve`, as the graph was at `at` (epoch ms): only observations up to then count. */
  resolveAt(keys: readonly IdentityKey[], at: number): Promise<Person | null>;
  /** A person by id; a merged-away id answers with its survivor. `null` when unknown or erased. */
  get(personId: string): Promise<Person | null>;
  /** Every edge, merge and refusal behind a person. */
  explain(personId: string): Promise<Explanation | null>;
  /**
   * Erases keys (GDPR): their records, every edge touching them, and refusals naming them; persons
   * they held together split. Returns how many stored keys were erased.
   */
  forget(target: ForgetTarget): Promise<{ keys: number }>;
}

const OptionsSchema = z.object({
  storage: z.custom<IdentityStore>(
    (s) =>
      typeof s === "object" &&
      s !== null &&
      [
        "findKeys",
        "getPerson",
        "listPersonKeys",
        "listEdges",
        "listRefusals",
        "applyIdentityChange",
        "forgetKeys",
      ].every((m) => typeof (s as Record<string, unknown>)[m] === "function"),
    "must implement IdentityStore",
  ),
  rules: z.unknown().optional(),
  now: z.function().optional(),
  logger: LoggerSchema.optional(),
});

/**
 * The longest `source` and `observationId`: they are stored in indexed columns, and PostgreSQL's
 * B-tree refuses an index row over about 2.7 KB (SQLSTATE 54000), so every engine refuses longer.
 */
export const MAX_EVIDENCE_TEXT = 1_000;
/** The latest epoch millisecond a JavaScript `Date` holds. */
const MAX_TIME = 8_640_000_000_000_000;

/** Evidence text: non-empty, bounded, and storable (no U+0000, no lone surrogate). */
const evidenceText = z
  .string()
  .min(1)
  .max(MAX_EVIDENCE_TEXT)
  .refine(isStorableText, "must not contain U+0000 or a lone UTF-16 surrogate");

const EvidenceSchema = z.object({
  source: evidenceText,
  observationId: evidenceText,
  at: z.number().int().min(-MAX_TIME).max(MAX_TIME).optional(),
});

const isEvidenceText = (value: unknown): value is string =>
  typeof value === "string" &&
  value.length >= 1 &&
  value.length <= MAX_EVIDENCE_TEXT &&
  isStorableText(value);

/**
 * `EvidenceSchema`'s check written out (it runs on every link): the evidence when valid, else
 * `undefined` (the schema then names the offending fields).
 */
function validEvidence(raw: unknown): z.infer<typeof EvidenceSchema> | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const { source, observationId, at } = raw as Record<string, unknown>;
  if (!isEvidenceText(source) || !isEvidenceText(observationId)) return undefined;
  if (at !== undefined && !(Number.isSafeInteger(at) && Math.abs(at as number) <= MAX_TIME))
    return undefined;
  return { source, observationId, at: at as number | undefined };
}

/**
 * A person id given to `get`, `explain` or `forget`: a non-empty string storage can hold.
 * @throws {TypeError} otherwise (never the value).
 */
function checkPersonId(personId: unknown, call: string): asserts personId is string {
  if (typeof personId !== "string" || personId === "" || !isStorableText(personId))
    throw new TypeError(`${call}: personId must be a non-empty string without U+0000`);
}

const KIND_SET: ReadonlySet<unknown> = new Set(IdentityKeyKindSchema.options);

/**
 * A `forget` target, checked: exactly one of `personId` (a non-empty string) or `keys` (an array of
 * keys with a known kind and a string value).
 * @throws {TypeError} naming the problem (never a value).
 */
function validTarget(raw: unknown): ForgetTarget {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new TypeError("forget: the target must be { personId } or { keys }");
  const target = raw as Record<string, unknown>;
  const hasPerson = "personId" in target;
  if (hasPerson === "keys" in target)
    throw new TypeError("forget: the target must have exactly one of personId and keys");
  if (hasPerson) {
    const { personId } = target;
    checkPersonId(personId, "forget");
    return { personId };
  }
  const { keys } = target;
  if (!Array.isArray(keys)) throw new TypeError("forget: keys must be an array");
  keys.forEach((key: unknown, index) => {
    const { kind, value } = (key ?? {}) as Partial<IdentityKey>;
    if (!KIND_SET.has(kind) || typeof value !== "string")
      throw new TypeError(`forget: keys[${index}] is not an identity key`);
  });
  return { keys: keys as IdentityKey[] };
}

/** Upper bound on `mergedInto` hops; chains are short, this only stops a corrupted cycle. */
const MAX_HOPS = 64;
/** Rounds of widening a component by the keys of persons a plan would merge away (`planComponent`). */
const MAX_ORPHAN_ROUNDS = 3;

/**
 * Creates an identity resolver on a storage engine.
 *
 * @throws {ConfigError} naming the field when options or rules are invalid.
 * @example
 * const identity = createIdentityResolver({ storage: createMemoryStorage() });
 * await identity.link(
 *   [{ kind: "anonymous_id", value: "v_8f3a" }, { kind: "email", value: "Jane@Acme.io" }],
 *   { source: "lead_form", observationId: "form:123", at: Date.parse("2025-03-01") },
 * );
 * const person = await identity.resolve([{ kind: "email", value: "jane@acme.io" }]);
 */
export function createIdentityResolver(options: IdentityResolverOptions): IdentityResolver {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw configErrorFrom(parsed.error, "");
  const store = options.storage;
  const rules = resolveIdentityRules(options.rules);
  const normalizer = createKeyNormalizer(rules);
  const now = options.now ?? systemClock;
  const logger = toLogger(options.logger);
  /** Carried by every write, so a store can tell that its persons follow these rules (fast-link.ts). */
  const tag = rulesTag(rules);

  let queue: Promise<unknown> = Promise.resolve();
  /** Writers run one at a time: each one reads, replays and writes a component. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const rank = (a: IdentityKey, b: IdentityKey) =>
    rules.kinds[a.kind].priority - rules.kinds[b.kind].priority || compareKeys(a, b);

  /** Normalizes input keys: accepted (unique, most trusted first, with their input index) and rejected. */
  const prepare = (input: readonly IdentityKey[]) => {
    const accepted: { key: IdentityKey; index: number; keyClass: KeyClass }[] = [];
    const rejected: RejectedKey[] = [];
    // a few keys are compared in place; many through their ids
    const seen = input.length > 16 ? new Set<string>() : null;
    for (let index = 0; index < input.length; index++) {
      const key = input[index] as IdentityKey;
      // the schema's own check (an enum is a set of values), without a parse per key
      if (!KIND_SET.has(key?.kind)) {
        throw new TypeError(`keys[${index}].kind is not an identity key kind`);
      }
      const check = normalizer.normalize(key);
      if (!check.ok) {
        rejected.push({ index, kind: key.kind, reason: check.reason });
        continue;
      }
      const { kind, value } = check.key;
      if (seen) {
        const id = identityKeyId(check.key);
        if (seen.has(id)) continue;
        seen.add(id);
      } else if (accepted.some((a) => a.key.kind === kind && a.key.value === value)) continue;
      accepted.push({ key: check.key, index, keyClass: check.keyClass });
    }
    sortSmall(accepted, (a, b) => rank(a.key, b.key));
    return {
      accepted: accepted.map((a) => a.key),
      indexes: accepted.map((a) => a.index),
      classes: accepted.map((a) => a.keyClass),
      rejected,
    };
  };

  const storedRecords = async (loaded: LoadedComponent) => {
    const keys: IdentityKey[] = [];
    for (const entry of loaded.keys.values()) keys.push(entry.key);
    const records = new Map<string, IdentityKeyRecord>();
    for (const record of await store.findKeys(keys)) records.set(identityKeyId(record.key), record);
    return records;
  };

  /** The person records of the stored keys' persons (see `PlanInput.storedPersons`). */
  const storedPersonsOf = async (records: ReadonlyMap<string, IdentityKeyRecord>) => {
    const persons = new Map<string, PersonRecord | null>();
    for (const record of records.values()) {
      if (!persons.has(record.personId)) {
        persons.set(record.personId, await store.getPerson(record.personId));
      }
    }
    return persons;
  };

  /**
   * Loads the component of `seeds`, replays it and plans the change (`plan`). A stored person the
   * plan would merge away (a split or an erasure) while it still holds keys outside the component
   * (reached only through keys that never merge, which do not widen it) is not decided on that partial
   * view: its keys join the seeds and the component is loaded again, so the plan sees every key of
   * every person it changes, as a replay of everything would. One that still has keys outside after
   * a few rounds stays live through them.
   */
  const planComponent = async (
    seeds: readonly IdentityKey[],
    pending: readonly IdentityEdge[],
    plan: (
      loaded: LoadedComponent,
      state: ReplayState,
      stored: Map<string, IdentityKeyRecord>,
      storedPersons: Map<string, PersonRecord | null>,
    ) => IdentityPlan,
  ) => {
    let all = seeds;
    for (let round = 0; ; round++) {
      const loaded = await loadComponent(store, normalizer, all, { pending });
      const state = replay(loaded);
      const stored = await storedRecords(loaded);
      const { change, orphans } = plan(loaded, state, stored, await storedPersonsOf(stored));
      const outside = new Map<string, IdentityKey>();
      const merged: PersonRecord[] = [];
      for (const orphan of orphans) {
        const missing = (await store.listPersonKeys(orphan.id))
          .map((record) => record.key)
          .filter((key) => !loaded.keys.has(identityKeyId(key)));
        if (missing.length === 0) merged.push(orphan);
        for (const key of missing) outside.set(identityKeyId(key), key);
      }
      if (outside.size > 0 && round < MAX_ORPHAN_ROUNDS) {
        all = [...all, ...outside.values()];
        continue;
      }
      if (merged.length > 0) change.persons = [...(change.persons ?? []), ...merged];
      return { loaded, state, stored, change };
    }
  };

  const replay = (input: ReplayInput) => runReplay(input.observations, rules, input.modeOf);

  const sameRefusal = (x: MergeRefusal, y: MergeRefusal) =>
    x.reason === y.reason &&
    sameEvidence(x.evidence, y.evidence) &&
    x.personIds.join() === y.personIds.join() &&
    x.keys.map(identityKeyId).join() === y.keys.map(identityKeyId).join();

  /** The same decision: one observation, one key, one reason (the person ids may change later). */
  const decisionId = (r: MergeRefusal) =>
    `${r.reason}\u0000${r.evidence.at}\u0000${r.evidence.observationId}\u0000${r.evidence.source}\u0000${r.keys.map(identityKeyId).join()}`;

  /**
   * The refusals a link adds to the log: those of its replay that the replay before it did not have
   * (the log then holds every refusal any replay produced, once). When the only refusals are the new
   * observation's own, the second replay is skipped.
   */
  const newRefusals = (
    loaded: LoadedComponent,
    state: ReplayState,
    obsIndex: number,
    seenBefore: boolean,
  ) => {
    const all = state.refusals.map((r) => refusalOf(state, r));
    if (all.length === 0) return all;
    if (!seenBefore && state.refusals.every((r) => r[4] === obsIndex)) return all;
    const previous = replay(loaded.withoutPending());
    const known = new Set(previous.refusals.map((r) => decisionId(refusalOf(previous, r))));
    return all.filter((r) => !known.has(decisionId(r)));
  };

  /**
   * An observation's evidence (source, id, time) repeated with other keys: the stored keys of that
   * evidence seen with each new key must contain the new keys, or be contained in them (a repeat, or
   * keys added to it). Disjoint key sets are separate observations.
   * @throws {TypeError} when they only overlap: that would merge keys never seen together.
   */
  const checkRepeat = (
    loaded: LoadedComponent,
    keys: readonly IdentityKey[],
    evidence: IdentityEvidence,
    pending: ReadonlySet<IdentityEdge>,
  ) => {
    const ids = new Set(keys.map(identityKeyId));
    for (const id of ids) {
      const seen = new Set<string>();
      for (const edge of loaded.edgesOf(id)) {
        if (pending.has(edge) || !sameEvidence(edge.evidence, evidence)) continue;
        seen.add(identityKeyId(edge.a)).add(identityKeyId(edge.b));
      }
      if (seen.size === 0) continue;
      const within = (x: ReadonlySet<string>, y: ReadonlySet<string>) =>
        [...x].every((k) => y.has(k));
      if (!within(ids, seen) && !within(seen, ids))
        throw new TypeError(
          "link: this observation (source, observationId, at) was linked before with other keys",
        );
    }
  };

  /** Follows `mergedInto` to the live person. */
  const live = async (personId: string): Promise<PersonRecord | null> => {
    let person = await store.getPerson(personId);
    for (let hops = 0; person?.mergedInto && hops < MAX_HOPS; hops++)
      person = await store.getPerson(person.mergedInto);
    return person?.mergedInto ? null : person;
  };

  const personOf = async (record: PersonRecord): Promise<Person | null> => {
    const keys = await store.listPersonKeys(record.id);
    if (keys.length === 0) return null;
    return {
      id: record.id,
      createdAt: record.createdAt,
      keys: keys.sort((a, b) => compareKeys(a.key, b.key)),
    };
  };

  const logRefusals = (refusals: readonly MergeRefusal[]) => {
    for (const r of refusals) {
      logger.info(
        { reason: r.reason, personIds: r.personIds, observationId: r.evidence.observationId },
        "identity merge refused",
      );
    }
  };

  const link = async (
    input: readonly IdentityKey[],
    rawEvidence: LinkEvidence,
  ): Promise<LinkResult> => {
    let valid = validEvidence(rawEvidence);
    if (!valid) {
      const ev = EvidenceSchema.safeParse(rawEvidence);
      if (!ev.success) {
        const fields = ev.error.issues.map((i) => ["evidence", ...i.path.map(String)].join("."));
        throw new TypeError(`Invalid link evidence: ${fields.join(", ")}`);
      }
      valid = ev.data;
    }
    const evidence: IdentityEvidence = {
      source: valid.source,
      observationId: valid.observationId,
      at: valid.at ?? now(),
    };
    const { accepted: all, indexes, classes, rejected } = prepare(input);
    const max = rules.maxKeysPerObservation;
    const accepted = all.slice(0, max);
    all.slice(max).forEach((key, i) => {
      rejected.push({ index: indexes[max + i] as number, kind: key.kind, reason: "too_many_keys" });
    });
    sortSmall(rejected, (a, b) => a.index - b.index);
    for (const r of rejected) {
      logger.debug(
        { kind: r.kind, reason: r.reason, observationId: evidence.observationId },
        "identity key rejected",
      );
    }
    if (accepted.length === 0)
      return { personId: null, personIds: [], rejected, merges: [], refusals: [] };

    const ordered = sortSmall(accepted.slice(), compareKeys);
    const edges: IdentityEdge[] = [];
    if (ordered.length === 1)
      edges.push({ a: ordered[0] as IdentityKey, b: ordered[0] as IdentityKey, evidence });
    for (let i = 0; i < ordered.length; i++) {
      for (let j = i + 1; j < ordered.length; j++) {
        edges.push({ a: ordered[i] as IdentityKey, b: ordered[j] as IdentityKey, evidence });
      }
    }

    return exclusive(async () => {
      const fast = await fastLink(store, rules, tag, accepted, classes, evidence, edges);
      if (fast) {
        await store.applyIdentityChange(fast.change);
        logRefusals(fast.change.refusals ?? []);
        const target = fast.modes.indexOf(Mode.Merge);
        return {
          personId: fast.personIds[Math.max(target, 0)] ?? null,
          personIds: uniqueSmall(fast.personIds),
          rejected,
          merges: fast.merges,
          refusals: fast.refusals,
        };
      }
      let obsIndex = -1;
      const { loaded, state, change } = await planComponent(
        accepted,
        edges,
        (loaded, state, stored, storedPersons) => {
          checkRepeat(loaded, accepted, evidence, new Set(edges));
          // this observation: its evidence, and (evidence may be shared by disjoint key sets) its keys
          const own = state.indexOf(accepted[0] as IdentityKey);
          obsIndex = state.observations.findIndex(
            (o) =>
              sameEvidence(o.evidence, evidence) &&
              o.keys.some((key) => state.indexOf(key) === own),
          );
          return planIdentityChange({
            state,
            loaded,
            stored,
            storedPersons,
            edges,
            fromObservation: obsIndex < 0 ? Number.POSITIVE_INFINITY : obsIndex,
            now: now(),
          });
        },
      );
      const seenBefore = loaded.hasStoredObservation(evidence.observationId);
      const refusalsToWrite = newRefusals(loaded, state, obsIndex, seenBefore);
      if (refusalsToWrite.length > 0) change.refusals = refusalsToWrite;
      if (change.persons || change.keys || change.edges || change.refusals)
        await store.applyIdentityChange({ ...change, rules: tag });
      logRefusals(refusalsToWrite);

      const personIds = accepted.map((key) => state.personId(state.labelOf(state.indexOf(key))));
      // the observation's target: its most trusted key that merges (role mailboxes and hubs only follow)
      const target = accepted.findIndex((key) => loaded.modeOf(key) === Mode.Merge);
      return {
        personId: personIds[Math.max(target, 0)] ?? null,
        personIds: uniqueSmall(personIds),
        rejected,
        merges: state.merges.filter((m) => m[2] === obsIndex).map((m) => mergeOf(state, m)),
        refusals: state.refusals.filter((r) => r[4] === obsIndex).map((r) => refusalOf(state, r)),
      };
    });
  };

  const resolve = async (input: readonly IdentityKey[]): Promise<Person | null> => {
    const { accepted } = prepare(input);
    if (accepted.length === 0) return null;
    const records = await store.findKeys(accepted);
    const follows = (key: IdentityKey) => (normalizer.classify(key) === "merge" ? 0 : 1);
    const best = records.sort((a, b) => follows(a.key) - follows(b.key) || rank(a.key, b.key))[0];
    if (!best) return null;
    const person = await live(best.personId);
    return person ? personOf(person) : null;
  };

  const resolveAt = async (input: readonly IdentityKey[], at: number): Promise<Person | null> => {
    if (!Number.isFinite(at))
      throw new TypeError("resolveAt: at must be a finite number of epoch milliseconds");
    const { accepted } = prepare(input);
    if (accepted.length === 0) return null;
    const loaded = await loadComponent(store, normalizer, accepted, { until: at });
    const state = replay(loaded);
    const found = accepted.map((key) => state.indexOf(key)).find((idx) => idx >= 0);
    if (found === undefined) return null;
    const label = state.labelOf(found);
    const id = state.personId(label);
    const keys: IdentityKeyRecord[] = [];
    for (const { key } of loaded.keys.values()) {
      const idx = state.indexOf(key);
      if (idx >= 0 && state.modeOf(idx) !== Mode.Outside && state.labelOf(idx) === label) {
        keys.push({ key, personId: id, firstSeenAt: state.firstSeenAt(idx) });
      }
    }
    return {
      id,
      createdAt: state.firstSeenAt(label),
      keys: keys.sort((a, b) => compareKeys(a.key, b.key)),
    };
  };

  const get = async (personId: string): Promise<Person | null> => {
    checkPersonId(personId, "get");
    const person = await live(personId);
    return person ? personOf(person) : null;
  };

  const explain = async (personId: string): Promise<Explanation | null> => {
    checkPersonId(personId, "explain");
    const person = await get(personId);
    if (!person) return null;
    const loaded = await loadComponent(
      store,
      normalizer,
      person.keys.map((r) => r.key),
    );
    const state = replay(loaded);
    const first = state.indexOf((person.keys[0] as IdentityKeyRecord).key);
    const label = first < 0 ? -1 : state.labelOf(first);
    const merges = state.merges
      .filter((m) => state.labelOf(m[1]) === label)
      .map((m) => mergeOf(state, m));

    // every edge of the person's keys (the loaded component holds only a follower's first ones)
    const edges = new Map<string, IdentityEdge>();
    for (const edge of await store.listEdges(person.keys.map((r) => r.key)))
      edges.set(edgeId(edge), edge);
    const byTime = (x: IdentityEdge, y: IdentityEdge) =>
      x.evidence.at - y.evidence.at ||
      (x.evidence.observationId < y.evidence.observationId
        ? -1
        : x.evidence.observationId > y.evidence.observationId
          ? 1
          : 0) ||
      compareKeys(x.a, y.a) ||
      compareKeys(x.b, y.b);

    const ids = new Set([person.id, ...merges.map((m) => m.absorbed)]);
    const refusals: MergeRefusal[] = [];
    for (const list of await Promise.all([...ids].map((id) => store.listRefusals(id)))) {
      for (const r of list) if (!refusals.some((x) => sameRefusal(x, r))) refusals.push(r);
    }
    refusals.sort((x, y) => x.evidence.at - y.evidence.at);
    return { person, edges: [...edges.values()].sort(byTime), merges, refusals };
  };

  const forget = async (rawTarget: ForgetTarget): Promise<{ keys: number }> => {
    const target = validTarget(rawTarget);
    return exclusive(async () => {
      let keys: IdentityKey[];
      const shared = new Set<string>();
      if ("personId" in target) {
        const person = await live(target.personId);
        const own = person ? (await store.listPersonKeys(person.id)).map((r) => r.key) : [];
        // A key that only followed the person (an affiliate ref, a role mailbox) and was also seen
        // with keys of other persons is not only the erased person's: it stays, and only its edges
        // with the erased keys (the erased person's observations) go.
        const ids = new Set(own.map(identityKeyId));
        for (const edge of await store.listEdges(own)) {
          const a = identityKeyId(edge.a);
          const b = identityKeyId(edge.b);
          if (!ids.has(b)) shared.add(a);
          if (!ids.has(a)) shared.add(b);
        }
        for (const id of [...shared])
          if (own.some((key) => identityKeyId(key) === id && normalizer.classify(key) === "merge"))
            shared.delete(id);
        keys = own.filter((key) => !shared.has(identityKeyId(key)));
      } else {
        // every stored form of each key, whatever today's rules say of it (GDPR erasure)
        const forms = new Map<string, IdentityKey>();
        for (const key of target.keys) {
          // a value no store can hold was never stored: nothing to erase
          if (!isStorableText(key.value)) continue;
          for (const form of erasureForms(key, rules)) forms.set(identityKeyId(form), form);
        }
        keys = [...forms.values()];
      }
      const existing = (await store.findKeys(keys)).map((r) => r.key);
      if (existing.length === 0) return { keys: 0 };
      const erased = new Set(existing.map(identityKeyId));

      // What survives of each observation: its remaining keys keep a self-edge when they would
      // otherwise lose the observation altogether (no co-occurrence with an erased key remains).
      const touched = await store.listEdges(existing);
      const groups = new Map<
        string,
        { evidence: IdentityEvidence; keys: Map<string, IdentityKey> }
      >();
      for (const edge of touched) {
        const gk = observationKey(edge);
        let group = groups.get(gk);
        if (!group) {
          group = { evidence: edge.evidence, keys: new Map() };
          groups.set(gk, group);
        }
        for (const key of [edge.a, edge.b])
          if (!erased.has(identityKeyId(key))) group.keys.set(identityKeyId(key), key);
      }
      await store.forgetKeys(existing, { rules: tag });

      const survivors = new Map<string, IdentityKey>();
      for (const group of groups.values())
        for (const [id, key] of group.keys) survivors.set(id, key);
      if (survivors.size === 0) return { keys: existing.length };
      const remaining = await store.listEdges([...survivors.values()]);
      const selfEdges: IdentityEdge[] = [];
      for (const group of groups.values()) {
        for (const key of group.keys.values()) {
          const kept = remaining.some(
            (e) =>
              sameEvidence(e.evidence, group.evidence) &&
              (identityKeyId(e.a) === identityKeyId(key) ||
                identityKeyId(e.b) === identityKeyId(key)),
          );
          if (!kept && !shared.has(identityKeyId(key)))
            selfEdges.push({ a: key, b: key, evidence: group.evidence });
        }
      }
      const { change } = await planComponent(
        [...survivors.values()],
        selfEdges,
        (loaded, state, stored, storedPersons) =>
          planIdentityChange({
            state,
            loaded,
            stored,
            storedPersons,
            edges: selfEdges,
            fromObservation: Number.POSITIVE_INFINITY,
            now: now(),
          }),
      );
      if (change.persons || change.keys || change.edges)
        await store.applyIdentityChange({ ...change, rules: tag });
      return { keys: existing.length };
    });
  };

  return { rules, link, resolve, resolveAt, get, explain, forget };
}
