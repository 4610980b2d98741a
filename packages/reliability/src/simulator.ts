/**
 * The journey simulator: seeded, pure, with ground truth. It invents people (buyers, their colleagues,
 * prospects who never buy) with one to three devices each, their landings (TikTok, Google and Meta
 * ads with `ttclid`/`gclid`/`fbclid`, partners' `?ref=` links, organic search, direct visits), their
 * lead forms, their checkouts (a changed email, a shared inbox, junk identifiers, the click id carried
 * into `cf_click_id`, the partner's ref in `meta_data`), and what Chargebee then sends (trials,
 * activations, payments in USD, EUR, GBP and JPY, weekly renewals, full and partial refunds,
 * cancellations), delivered the way Chargebee delivers: duplicated, shuffled, resent late.
 *
 * It emits what the tracker would post to the collect endpoint and the Chargebee webhook bodies, and,
 * separately, the truth. The truth is computed from what the generator knows (which person owns which
 * device, which identifiers are shared or junk), never by calling the engine: which touchpoint earns
 * each payment under first touch and under the click-id chain, and what each partner is owed.
 *
 * @module
 */
import { createSeededRandom as createRandom, type SeededRandom as Random } from "@revtrace/core";
import {
  type ChargebeePlan,
  type ChargebeeWebhookContent,
  chargebeeEventBody,
  chargebeeSubscriptionWebhooks,
} from "@revtrace/sandbox";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const SITE = "https://app.lovelace-analytics.io";
/** The partners whose refs the collect endpoint accepts (many customers share each ref). */
export const PARTNERS = ["ada-reviews", "saas-weekly", "devtools-digest", "growth-pod"] as const;
/** Commission of every partner: 20 % of every payment, lifetime (the runs configure the same). */
export const COMMISSION_PERCENT = 20;

export type Source = "tiktok" | "google_ads" | "meta_ads" | "affiliate" | "organic" | "direct";
/** How a buyer's identifiers look. */
export type BuyerKind = "normal" | "changed_email" | "shared_inbox" | "junk" | "no_lead";

/** A weekly plan: its price in minor units per week; 20 % of it and of half of it are whole minor units. */
export type Plan = ChargebeePlan<"USD" | "EUR" | "GBP" | "JPY">;
export const PLANS: readonly Plan[] = [
  { id: "pro-USD-weekly", currency: "USD", price: 4900 },
  { id: "team-USD-weekly", currency: "USD", price: 9900 },
  { id: "pro-EUR-weekly", currency: "EUR", price: 3900 },
  { id: "pro-GBP-weekly", currency: "GBP", price: 2900 },
  { id: "pro-JPY-weekly", currency: "JPY", price: 4900 },
];

/** One landing of one device. */
export interface SimTouch {
  /** The simulator's id, carried in the landing URL as `sim_tp` (the pipeline keeps the URL). */
  id: string;
  person: number;
  device: string;
  at: number;
  source: Source;
  clickId: { name: "ttclid" | "gclid" | "fbclid"; value: string } | null;
  ref: string | null;
}

/** One request of the tracker: `POST /rt/collect` from a device, at a simulated time. */
export interface CollectCall {
  at: number;
  /** The device (one cookie jar per device). */
  device: string;
  body: string;
}

/** One webhook delivery. */
export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  body: string;
  /** A copy of an event delivered before (Chargebee's at-least-once). */
  duplicate: boolean;
  /** A copy resent much later (by hand or after days of retries). */
  lateResend: boolean;
}

/** The truth of one payment (`payment_succeeded`). */
export interface PaymentTruth {
  eventId: string;
  invoiceId: string;
  transactionId: string;
  customerId: string;
  person: number;
  kind: BuyerKind;
  name: "first_payment" | "recurring_payment";
  amount: { amount: number; currency: string };
  /** The touch (`SimTouch.id`) first touch must credit, or `null` when nothing is attributable. */
  firstTouch: string | null;
  /** The touch the click-id chain must credit (`affiliate-ref:<ref>` when only the ref is known), or `null`. */
  clickChain: string | null;
  /** The partner owed a commission on it, or `null`. */
  partner: string | null;
  /** The partner when the pipeline has seen no touchpoints at all (webhook-only runs). */
  partnerWithoutTouches: string | null;
}

/** Partner → currency → minor units owed (earned minus reversed). */
export type Owed = Record<string, Record<string, number>>;

export interface Truth {
  payments: PaymentTruth[];
  /** Owed when the pipeline saw the tracker's calls. */
  owed: Owed;
  /** Owed when the pipeline saw only the webhooks. */
  owedWithoutTouches: Owed;
  /** Which person owns each touch. */
  touchOwner: Record<string, number>;
  /** Identifiers that are junk or shared by several people (never a valid link). */
  sharedOrJunk: string[];
}

export interface Simulation {
  seed: number;
  collects: CollectCall[];
  /** In delivery order: shuffled, with duplicates and late resends. */
  webhooks: WebhookDelivery[];
  /** The distinct events, in the order they happened. */
  events: WebhookDelivery[];
  touches: SimTouch[];
  /** Every raw email and phone the simulation used (the privacy scan looks for them). */
  personalData: string[];
  truth: Truth;
  /** Buyers per kind. */
  kinds: Record<BuyerKind, number>;
  /** The leads partners registered in Kiflo (their referred buyers' checkout emails). */
  partnerLeads: { email: string; partner: string }[];
}

export interface SimulationOptions {
  seed: number;
  /** Real "now" (epoch ms): every journey ends before it, the oldest starts 25 days earlier. */
  now: number;
  /** Buyers to simulate (ignored when `events` is given). @default 100 */
  buyers?: number;
  /** Simulate buyers until at least this many distinct Chargebee events exist. */
  events?: number;
  /** Non-buyers per buyer (prospects, colleagues). @default 0.5 */
  prospectsPerBuyer?: number;
  /** Share of deliveries that are duplicates. @default 0.3 */
  duplicateShare?: number;
  /** Share of duplicates resent late (after everything else). @default 0.1 */
  lateShare?: number;
}

interface Device {
  id: string;
  touches: SimTouch[];
  /** Identifiers typed in a lead form on this device (email and/or phone). */
  identifies: string[];
}

interface Person {
  n: number;
  devices: Device[];
}

const SHARED_INBOX_PARTS = ["info", "billing", "office", "team"];
const JUNK_EMAILS = ["test@test.com", "asdf@asdf.com", "noreply@noemail.net"];
const JUNK_PHONES = ["+1 555 555 5555", "1234567890", "+1 111 111 1111"];
const JUNK_CLICK_IDS = ["null", "undefined", "0"];

function addOwed(owed: Owed, partner: string, currency: string, amount: number) {
  owed[partner] ??= {};
  const byCurrency = owed[partner] as Record<string, number>;
  byCurrency[currency] = (byCurrency[currency] ?? 0) + amount;
}

/** Runs the simulation. Pure: the same options give the same output, byte for byte. */
export function simulate(options: SimulationOptions): Simulation {
  const random = createRandom(options.seed);
  const tag = `s${(options.seed >>> 0).toString(36)}`;
  const end = options.now - HOUR;
  const start = options.now - 25 * DAY;
  const collects: CollectCall[] = [];
  const events: WebhookDelivery[] = [];
  const touches: SimTouch[] = [];
  const payments: PaymentTruth[] = [];
  const touchOwner: Record<string, number> = {};
  const personal = new Set<string>();
  const sharedOrJunk = new Set<string>([...JUNK_EMAILS, ...JUNK_PHONES, ...JUNK_CLICK_IDS]);
  const owed: Owed = {};
  const owedWithoutTouches: Owed = {};
  const kinds: Record<BuyerKind, number> = {
    normal: 0,
    changed_email: 0,
    shared_inbox: 0,
    junk: 0,
    no_lead: 0,
  };
  const partnerLeads: { email: string; partner: string }[] = [];
  let personCount = 0;
  let touchCount = 0;
  let version = 0;
  let clock = 0; // a tie breaker: every simulated instant is distinct

  const distinctAt = (at: number) => at + (clock++ % 997);

  /** A person's landings on their devices, from `from`, spaced by hours. */
  const journey = (person: Person, from: number, count: number): number => {
    let at = from;
    for (let k = 0; k < count; k++) {
      const device = random.pick(person.devices);
      const roll = random.next();
      const source: Source =
        roll < 0.25
          ? "tiktok"
          : roll < 0.4
            ? "google_ads"
            : roll < 0.5
              ? "meta_ads"
              : roll < 0.7
                ? "affiliate"
                : roll < 0.85
                  ? "organic"
                  : "direct";
      const id = `${tag}t${++touchCount}`;
      const n = `${tag}x${touchCount}x${random.int(1e5, 9e5)}`;
      const junkClick = random.chance(0.03);
      const clickId =
        source === "tiktok"
          ? { name: "ttclid" as const, value: junkClick ? "null" : `E.C.P.${n}` }
          : source === "google_ads"
            ? { name: "gclid" as const, value: junkClick ? "null" : `Cj0KCQ${n}` }
            : source === "meta_ads"
              ? { name: "fbclid" as const, value: junkClick ? "null" : `IwAR${n}` }
              : null;
      const touch: SimTouch = {
        id,
        person: person.n,
        device: device.id,
        at: distinctAt(at),
        source,
        clickId,
        ref: source === "affiliate" ? random.pick(PARTNERS) : null,
      };
      device.touches.push(touch);
      touches.push(touch);
      touchOwner[id] = person.n;
      const event: Record<string, unknown> = { type: "touch", at: touch.at };
      let url = `${SITE}/${random.pick(["", "pricing", "features", "blog/attribution-101"])}?sim_tp=${id}`;
      if (clickId) {
        const [utmSource, medium] =
          source === "tiktok"
            ? ["tiktok", "paid_social"]
            : source === "meta_ads"
              ? ["facebook", "paid_social"]
              : ["google", "cpc"];
        const campaign = random.pick(["spring_launch", "brand", "retargeting"]);
        url += `&utm_source=${utmSource}&utm_medium=${medium}&utm_campaign=${campaign}&${clickId.name}=${encodeURIComponent(clickId.value)}`;
        event.utm = { source: utmSource, medium, campaign };
        event.clickIds = { [clickId.name]: clickId.value };
        event.referrer =
          source === "tiktok"
            ? "https://www.tiktok.com/"
            : source === "meta_ads"
              ? "https://www.facebook.com/"
              : "https://www.google.com/";
      } else if (source === "affiliate") {
        url += `&ref=${touch.ref}`;
        event.ref = touch.ref;
        event.referrer = `https://${touch.ref}.blog/best-revenue-tools`;
      } else if (source === "organic") {
        event.referrer = "https://www.google.com/";
      }
      event.url = url;
      if (device.touches.length === 1) event.first = true;
      collects.push({
        at: touch.at,
        device: device.id,
        body: JSON.stringify({ v: 1, events: [event] }),
      });
      at += random.int(1, 36) * HOUR + random.int(0, 59) * MINUTE;
    }
    return at;
  };

  const identify = (device: Device, at: number, email: string | null, phone: string | null) => {
    const event: Record<string, unknown> = { type: "identify", at };
    if (email) {
      event.email = email;
      personal.add(email);
      device.identifies.push(email.toLowerCase());
    }
    if (phone) {
      event.phone = phone;
      personal.add(phone);
      device.identifies.push(normalizePhone(phone));
    }
    collects.push({ at, device: device.id, body: JSON.stringify({ v: 1, events: [event] }) });
  };

  const newPerson = (): Person => {
    const n = ++personCount;
    const count = random.chance(0.6) ? 1 : random.chance(0.75) ? 2 : 3;
    return {
      n,
      devices: Array.from({ length: count }, (_, k) => ({
        id: `${tag}p${n}d${k + 1}`,
        touches: [],
        identifies: [],
      })),
    };
  };

  const emit = (at: number, id: string, { type, content }: ChargebeeWebhookContent) => {
    events.push({
      eventId: id,
      eventType: type,
      duplicate: false,
      lateResend: false,
      body: chargebeeEventBody(id, at, type, content),
    });
  };

  const prospects = () => {
    // People who look around (and sometimes fill the form) but never buy.
    const person = newPerson();
    const from = start + random.int(0, 20 * 24) * HOUR;
    const last = journey(person, from, random.int(1, 3));
    if (random.chance(0.3)) {
      const email = `lead${person.n}@${tag}-prospect${person.n}.io`;
      identify(random.pick(person.devices), Math.min(end, last), email, null);
    }
  };

  let buyers = 0;
  const targetBuyers = options.buyers ?? 100;
  const prospectRate = options.prospectsPerBuyer ?? 0.5;
  while (options.events !== undefined ? events.length < options.events : buyers < targetBuyers) {
    buyers++;
    while (random.chance(prospectRate / (1 + prospectRate))) prospects();
    const person = newPerson();
    const roll = random.next();
    const kind: BuyerKind =
      roll < 0.55
        ? "normal"
        : roll < 0.7
          ? "changed_email"
          : roll < 0.78
            ? "shared_inbox"
            : roll < 0.86
              ? "junk"
              : "no_lead";
    kinds[kind]++;
    const domain = `${tag}-co${person.n}.io`;
    const from = start + random.int(0, 14 * 24) * HOUR + random.int(0, 59) * MINUTE;
    const touchCount = random.chance(0.05) ? 0 : random.int(1, 4);
    let at = journey(person, from, touchCount);
    // The lead form is on the device of the last landing (or any, without landings).
    const lastTouch = touches.at(-1);
    const checkoutDevice = (
      touchCount > 0 && lastTouch?.person === person.n
        ? person.devices.find((d) => d.id === lastTouch.device)
        : random.pick(person.devices)
    ) as Device;
    const leadEmail =
      kind === "junk"
        ? random.pick(JUNK_EMAILS)
        : kind === "shared_inbox"
          ? `${random.pick(SHARED_INBOX_PARTS)}@${domain}`
          : `buyer${person.n}@${domain}`;
    const goodPhone = `+1 415 ${String(2000000 + person.n).replace(/^(\d{3})(\d{4})$/, "$1 $2")}`;
    const phone =
      kind === "junk"
        ? random.chance(0.5)
          ? random.pick(JUNK_PHONES)
          : null
        : kind !== "no_lead" && kind !== "shared_inbox" && random.chance(0.3)
          ? goodPhone
          : null;
    if (kind === "shared_inbox") {
      // A colleague used the shared inbox first, on their own device, after their own landing.
      const colleague = newPerson();
      const colleagueAt = journey(colleague, from - 2 * DAY, random.int(1, 2));
      identify(colleague.devices[0] as Device, Math.min(colleagueAt, at - HOUR), leadEmail, null);
      sharedOrJunk.add(leadEmail);
      sharedOrJunk.add(`billing@${domain}`);
      sharedOrJunk.add(`info@${domain}`);
    }
    at += random.int(2, 50) * MINUTE;
    if (kind !== "no_lead") {
      identify(checkoutDevice, distinctAt(at), leadEmail, phone);
      // Logged in on the other devices with the same address.
      for (const device of person.devices) {
        if (device !== checkoutDevice && random.chance(0.5)) {
          identify(device, distinctAt(at + random.int(1, 30) * MINUTE), leadEmail, null);
        }
      }
    }
    const checkoutEmail =
      kind === "normal"
        ? leadEmail
        : kind === "changed_email"
          ? `ops.${person.n}@${tag}-newco${person.n}.io`
          : kind === "shared_inbox"
            ? random.chance(0.5)
              ? leadEmail
              : `billing@${domain}`
            : kind === "junk"
              ? random.pick(JUNK_EMAILS)
              : `paid${person.n}@${domain}`;
    personal.add(checkoutEmail);
    const checkoutAt = distinctAt(at + random.int(40, 300) * MINUTE);
    // The checkout page carries the device's latest ad click id, and its partner cookie.
    const deviceClicks = checkoutDevice.touches.filter((t) => t.clickId !== null);
    const latestClick = deviceClicks.at(-1);
    let cfClickId: string | null =
      latestClick?.clickId && random.chance(0.85) ? latestClick.clickId.value : null;
    if (cfClickId === null && random.chance(kind === "junk" ? 0.5 : 0.03)) {
      cfClickId = random.pick(JUNK_CLICK_IDS); // a form that posts "null"
    }
    const deviceRefs = checkoutDevice.touches.filter((t) => t.ref !== null);
    let metaRef: string | null =
      deviceRefs.length > 0 && random.chance(0.9) ? (deviceRefs.at(-1)?.ref ?? null) : null;
    if (metaRef === null && deviceRefs.length === 0 && random.chance(0.04)) {
      metaRef = random.pick(PARTNERS); // a partner's coupon, no landing recorded
    }

    // --- The truth for this buyer, from what the generator knows. ---
    const legit = (key: string | null) => key !== null && !sharedOrJunk.has(key.toLowerCase());
    const linkedKeys = new Set<string>();
    for (const key of [checkoutEmail.toLowerCase(), phone ? normalizePhone(phone) : null]) {
      if (key && legit(key) && !isJunkPhone(key)) linkedKeys.add(key);
    }
    const clickKey = cfClickId !== null && legit(cfClickId) ? cfClickId : null;
    const linked = new Set<Device>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const device of person.devices) {
        if (linked.has(device)) continue;
        const byClick =
          clickKey !== null && device.touches.some((t) => t.clickId?.value === clickKey);
        const byKey = device.identifies.some((key) => linkedKeys.has(key));
        if (byClick || byKey) {
          linked.add(device);
          for (const key of device.identifies) {
            if (legit(key) && !isJunkPhone(key)) linkedKeys.add(key);
          }
          changed = true;
        }
      }
    }
    const visible = [...linked]
      .flatMap((d) => d.touches)
      .filter((t) => t.at <= checkoutAt)
      .sort((a, b) => a.at - b.at);
    const firstTouch = visible[0]?.id ?? null;
    const byClick = clickKey ? visible.find((t) => t.clickId?.value === clickKey) : undefined;
    const byRef = metaRef ? visible.find((t) => t.ref === metaRef) : undefined;
    const byAffiliate = visible.find((t) => t.source === "affiliate");
    const chainTouch = byClick ?? byRef ?? (metaRef ? null : byAffiliate) ?? null;
    const clickChain = chainTouch?.id ?? (metaRef ? `affiliate-ref:${metaRef}` : null);
    const partner = chainTouch?.ref ?? metaRef ?? null;

    if (metaRef && (kind === "normal" || kind === "changed_email" || kind === "no_lead")) {
      partnerLeads.push({ email: checkoutEmail, partner: metaRef });
    }

    // --- What Chargebee sends for this buyer. ---
    const plan = random.pick(PLANS);
    const trial = random.chance(0.4);
    const customerId = `cus_${tag}_${person.n}`;
    const subscriptionId = `sub_${tag}_${person.n}`;
    const activated = trial ? checkoutAt + 7 * DAY : checkoutAt;
    const subscription = chargebeeSubscriptionWebhooks({
      customerId,
      subscriptionId,
      email: checkoutEmail,
      phone,
      firstName: "Sim",
      lastName: `Buyer ${person.n}`,
      plan,
      billingPeriodUnit: "week",
      createdAt: checkoutAt,
      trial,
      clickId: cfClickId,
      affiliateRef: metaRef,
      resourceVersion: (t) => t + ++version,
    });
    const paid: { transactionId: string; invoiceId: string; at: number }[] = [];
    const pay = (t: number, k: number) => {
      const invoiceId = `inv_${tag}_${person.n}_${k}`;
      const transactionId = `txn_${tag}_${person.n}_${k}`;
      const eventId = `ev_${tag}_${person.n}_paid_${k}`;
      paid.push({ transactionId, invoiceId, at: t });
      emit(t, eventId, subscription.paid(t, { transactionId, invoiceId, firstInvoice: k === 1 }));
      const commission = (plan.price * COMMISSION_PERCENT) / 100;
      if (partner) addOwed(owed, partner, plan.currency, commission);
      if (metaRef) addOwed(owedWithoutTouches, metaRef, plan.currency, commission);
      payments.push({
        eventId,
        invoiceId,
        transactionId,
        customerId,
        person: person.n,
        kind,
        name: k === 1 ? "first_payment" : "recurring_payment",
        amount: { amount: plan.price, currency: plan.currency },
        firstTouch,
        clickChain,
        partner,
        partnerWithoutTouches: metaRef,
      });
    };

    emit(checkoutAt, `ev_${tag}_${person.n}_created`, subscription.created());
    if (activated + MINUTE > end) continue; // still in trial
    if (trial) {
      emit(
        activated,
        `ev_${tag}_${person.n}_activated`,
        subscription.activated(`inv_${tag}_${person.n}_1`),
      );
    }
    pay(activated + MINUTE, 1);
    let lastPaid = activated + MINUTE;
    for (let k = 2, t = activated + 7 * DAY; t + MINUTE < end; k++, t += 7 * DAY) {
      emit(
        t,
        `ev_${tag}_${person.n}_renewed_${k}`,
        subscription.renewed(t, t + 7 * DAY, `inv_${tag}_${person.n}_${k}`),
      );
      pay(t + MINUTE, k);
      lastPaid = t + MINUTE;
    }
    const first = paid[0];
    const refundAt = (first?.at ?? end) + DAY;
    if (first && refundAt < end && random.chance(0.08)) {
      const full = random.chance(0.5);
      const amount = full ? plan.price : plan.price / 2;
      emit(
        refundAt,
        `ev_${tag}_${person.n}_refund`,
        subscription.refunded(refundAt, {
          transactionId: `txn_${tag}_${person.n}_refund`,
          creditNoteId: `CN-${tag}-${person.n}`,
          amount,
          full,
          payment: first,
        }),
      );
      const reversed = (amount * COMMISSION_PERCENT) / 100;
      if (partner) addOwed(owed, partner, plan.currency, -reversed);
      if (metaRef) addOwed(owedWithoutTouches, metaRef, plan.currency, -reversed);
    }
    const cancelAt = lastPaid + 2 * HOUR;
    if (cancelAt < end && random.chance(0.05)) {
      emit(cancelAt, `ev_${tag}_${person.n}_cancelled`, subscription.cancelled(cancelAt));
    }
  }

  // Chargebee's delivery habits: every event once, then duplicates, all shuffled; some copies late.
  const duplicateShare = options.duplicateShare ?? 0.3;
  const duplicates = Math.round((events.length * duplicateShare) / (1 - duplicateShare));
  const copies: WebhookDelivery[] = [];
  for (let i = 0; i < duplicates; i++) {
    copies.push({ ...random.pick(events), duplicate: true });
  }
  const lateCount = Math.round(copies.length * (options.lateShare ?? 0.1));
  const late = copies.slice(0, lateCount).map((d) => ({ ...d, lateResend: true }));
  const webhooks = [...random.shuffle([...events, ...copies.slice(lateCount)]), ...late];
  // Tracker calls arrive in time order (one device's landing before its lead form).
  collects.sort((a, b) => a.at - b.at);
  return {
    seed: options.seed,
    collects,
    webhooks,
    events,
    touches,
    personalData: [...personal],
    truth: {
      payments,
      owed,
      owedWithoutTouches,
      touchOwner,
      sharedOrJunk: [...sharedOrJunk],
    },
    kinds,
    partnerLeads,
  };
}

/** The digits of a phone with a leading `+1` when it has none (the simulator's phones are NANP). */
export function normalizePhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  return `+${digits.length === 10 ? `1${digits}` : digits}`;
}

function isJunkPhone(key: string): boolean {
  return JUNK_PHONES.some((p) => normalizePhone(p) === key);
}

/** The simulator's touch id in a landing URL (`sim_tp`), or `null`. */
export function touchIdOf(landingPage: string | null | undefined): string | null {
  if (!landingPage) return null;
  try {
    return new URL(landingPage).searchParams.get("sim_tp");
  } catch {
    return null;
  }
}

export type { Random };
