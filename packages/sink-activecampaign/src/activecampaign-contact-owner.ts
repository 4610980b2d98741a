/**
 * Which Chargebee customer an ActiveCampaign contact follows. Email is unique per account (spec §2),
 * so several Chargebee customers sharing an email collapse into one contact, and "the sink must pick
 * a deterministic winner (e.g. most recently updated Chargebee customer) or report a conflict". With a
 * `store`, the sink remembers each contact's owner and the owner is the customer updated last
 * (`resource_version`, else `created_at`; ties and unknown times by customer id): whatever order the
 * events arrive in, and however many processes deliver them, the contact ends on the same customer's
 * data, and the other customers' changes and deletions are skipped with the owner named. Without a
 * store the last write wins.
 *
 * A write to a contact holds a lease on its owner record for its duration, so that a takeover in
 * another process cannot land before an older write still in flight (the contact would end on the
 * loser's data). A write that finds the lease held answers "busy" (retried later); a lease whose
 * holder died expires after `leaseMs` (the sink's `contactLeaseMs`). The record is kept under the SHA-256 of the
 * email (no raw address stored) and changed only by compare-and-set.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import type { BillingCustomer, MappingStore } from "@revtrace/core";
import { hashIdentityValue } from "@revtrace/identity";
import { contactStoreError } from "./activecampaign-error.js";

/** The namespace of the owners in the store. */
export const CONTACT_OWNER_NAMESPACE = "activecampaign:contact-owner";

/** A Chargebee customer claiming a contact: its id and when it was last updated (epoch ms). */
export interface ContactClaimant {
  customerId: string;
  updatedAt: number | null;
}

/** The claimant of `customer`: updated at its `resourceVersion`, else its creation. */
export function claimantOf(customer: BillingCustomer): ContactClaimant {
  return { customerId: customer.id, updatedAt: customer.resourceVersion ?? customer.createdAt };
}

/**
 * Whether `a` takes the contact from `b`: updated later, or at the same (or an unknown) time with
 * the greater customer id. A total order, so every arrival order ends on the same owner.
 */
export function outranks(a: ContactClaimant, b: ContactClaimant): boolean {
  const at = a.updatedAt ?? Number.NEGATIVE_INFINITY;
  const bt = b.updatedAt ?? Number.NEGATIVE_INFINITY;
  return at !== bt ? at > bt : a.customerId > b.customerId;
}

/** What a claim decided: write (then `release`), skip (another customer owns it), or retry later. */
export type ContactClaim =
  | {
      kind: "write";
      /** Drops the lease after the write (the claimant owns the contact; a deletion frees it). */
      release(): Promise<void>;
      /**
       * Drops the lease after a write that changed nothing (it failed before the contact was
       * written), the owner as it was before the claim: a claimant whose write never lands takes
       * nothing over.
       */
      abandon(): Promise<void>;
    }
  | { kind: "other"; ownerId: string }
  | { kind: "busy" };

/**
 * Runs `write` under `claim` (none: without a store): once `write` calls `landed` (the contact was
 * written), the lease is released with the claimant as owner; if it fails before, the claim is
 * abandoned, the owner as it was.
 */
export async function holding<T>(
  claim: ContactClaim | null,
  write: (landed: () => void) => Promise<T>,
): Promise<T> {
  let done = false;
  try {
    return await write(() => {
      done = true;
    });
  } finally {
    if (claim?.kind === "write") await (done ? claim.release() : claim.abandon());
  }
}

/** The stored record: the owner (none once released) and the lease of a write in flight. */
interface OwnerRecord {
  owner: ContactClaimant | null;
  lease: { token: string; until: number } | null;
}

/** Compare-and-set rounds before a claim answers busy (each lost round means another writer moved). */
const MAX_ROUNDS = 8;

function parse(raw: string): OwnerRecord {
  try {
    const value = JSON.parse(raw) as Partial<OwnerRecord>;
    const owner =
      value.owner && typeof value.owner.customerId === "string"
        ? {
            customerId: value.owner.customerId,
            updatedAt: typeof value.owner.updatedAt === "number" ? value.owner.updatedAt : null,
          }
        : null;
    const lease =
      value.lease && typeof value.lease.token === "string" && typeof value.lease.until === "number"
        ? { token: value.lease.token, until: value.lease.until }
        : null;
    return { owner, lease };
  } catch {
    // not a record this sink wrote: as if no owner
    return { owner: null, lease: null };
  }
}

/** The owners of the contacts, in `store`. */
export function createContactOwners(mappings: MappingStore, now: () => number, leaseMs: number) {
  const NS = CONTACT_OWNER_NAMESPACE;
  /** The store's calls, a failure of which fails the send retryably (never a rejected item). */
  const failing = (error: unknown): never => {
    throw contactStoreError(error);
  };
  const store = {
    get: (key: string) => mappings.getMapping(NS, key).catch(failing),
    putIfAbsent: (key: string, value: string) =>
      mappings.putMappingIfAbsent(NS, key, value).catch(failing),
    replace: (key: string, expected: string, value: string) =>
      mappings.replaceMapping(NS, key, expected, value).catch(failing),
  };

  /**
   * Takes the lease of `email` when `decide` (given the current owner) allows a write, recording
   * `next` as the owner; `release` then drops the lease, keeping `after` as the owner.
   */
  async function lease(
    email: string,
    decide: (owner: ContactClaimant | null) => ContactClaim | null,
    next: (owner: ContactClaimant | null) => ContactClaimant | null,
    after: (owner: ContactClaimant | null) => ContactClaimant | null,
  ): Promise<ContactClaim> {
    const key = hashIdentityValue(email);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const raw = await store.get(key);
      const current = raw === null ? { owner: null, lease: null } : parse(raw);
      const refused = decide(current.owner);
      if (refused) return refused;
      const at = now();
      if (current.lease && current.lease.until > at) return { kind: "busy" };
      const owner = next(current.owner);
      const held: OwnerRecord = {
        owner,
        lease: { token: randomUUID(), until: at + leaseMs },
      };
      const heldRaw = JSON.stringify(held);
      const taken =
        raw === null
          ? await store.putIfAbsent(key, heldRaw)
          : await store.replace(key, raw, heldRaw);
      if (!taken) continue;
      // `false` when the lease expired and was taken over meanwhile: the new holder decides
      const drop = async (kept: ContactClaimant | null) => {
        const done: OwnerRecord = { owner: kept, lease: null };
        await store.replace(key, heldRaw, JSON.stringify(done));
      };
      return {
        kind: "write",
        release: () => drop(after(owner)),
        abandon: () => drop(current.owner),
      };
    }
    return { kind: "busy" };
  }

  return {
    /**
     * Claims the contact of `email` (normalized) for a change of `claimant`: it writes when nobody
     * owns the contact, when it owns it already, or when it outranks the owner (then it owns it).
     */
    claimChange(email: string, claimant: ContactClaimant): Promise<ContactClaim> {
      return lease(
        email,
        (owner) =>
          owner && owner.customerId !== claimant.customerId && !outranks(claimant, owner)
            ? { kind: "other", ownerId: owner.customerId }
            : null,
        // an owner's own older event keeps the newer time
        (owner) => (owner && !outranks(claimant, owner) ? owner : claimant),
        (owner) => owner,
      );
    },

    /**
     * Claims the contact of `email` for the deletion of `customerId`: only when that customer owns it
     * or nobody does. The owner is released with the deletion: the next customer to claim it owns it.
     */
    claimDeletion(email: string, customerId: string): Promise<ContactClaim> {
      return lease(
        email,
        (owner) =>
          owner && owner.customerId !== customerId
            ? { kind: "other", ownerId: owner.customerId }
            : null,
        (owner) => owner,
        () => null,
      );
    },
  };
}

export type ContactOwners = ReturnType<typeof createContactOwners>;
