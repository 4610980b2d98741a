/**
 * Hosted checkout pages that carry the ad/affiliate click id into the subscription's click-id custom
 * field (spec §9, seeds/004), for both catalog models. Every request carries a
 * `chargebee-idempotency-key` (spec §9), so a retried call cannot create a second page.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { parseOptions } from "@revtrace/core";
import type Chargebee from "chargebee";
import { z } from "zod";
import { apiFailure, toChargebeeApiError } from "./chargebee-api-error.js";
import { compact } from "./chargebee-api-options.js";
import type { ResolvedParseOptions } from "./chargebee-parse-options.js";

/** The customer fields a hosted checkout may prefill (spec §9). */
export interface CheckoutCustomer {
  /** Your own user id: makes identity joins trivial (spec §9). */
  id?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  company?: string;
}

/** Fields shared by both catalog models. */
interface CheckoutCommon {
  /** The ad/affiliate click id, stored in the subscription's click-id custom field (default `cf_click_id`). */
  clickId?: string;
  /** Further subscription custom fields (`cf_*`), e.g. `{ cf_campaign: "spring" }`. */
  subscriptionCustomFields?: Record<string, string | number | boolean>;
  customer?: CheckoutCustomer;
  redirectUrl?: string;
  cancelUrl?: string;
  couponIds?: readonly string[];
  /** Stored on the hosted page (≤ 2048 characters); not copied into webhooks (spec §9). */
  passThruContent?: string;
  /**
   * Sent as `chargebee-idempotency-key`. Pass the same key when you retry a failed call, so Chargebee
   * answers with the page it already created. @default a random UUID per call
   */
  idempotencyKey?: string;
}

/** Product Catalog 2.0: `hosted_pages/checkout_new_for_items`. The first item must be a plan item price. */
export interface ItemsCheckoutInput extends CheckoutCommon {
  model: "items";
  items: ReadonlyArray<{ itemPriceId: string; quantity?: number }>;
}

/** Product Catalog 1.0: `hosted_pages/checkout_new`. */
export interface PlansCheckoutInput extends CheckoutCommon {
  model: "plans";
  planId: string;
  planQuantity?: number;
  addons?: ReadonlyArray<{ id: string; quantity?: number }>;
}

/** Input of `createCheckout`. */
export type CheckoutInput = ItemsCheckoutInput | PlansCheckoutInput;

/** A created hosted checkout page. */
export interface HostedCheckout {
  id: string;
  /** Send the buyer here. Expires about 3 hours after creation (spec §9). */
  url: string;
  state: string | null;
  /** Epoch milliseconds. */
  createdAt: number | null;
  /** Epoch milliseconds. */
  expiresAt: number | null;
}

const customFieldName = z
  .string()
  .regex(/^cf_.+/, { message: "Custom field names start with cf_" });
const quantity = z.int().positive().optional();

const CheckoutCommonShape = {
  clickId: z.string().min(1).optional(),
  subscriptionCustomFields: z
    .record(customFieldName, z.union([z.string(), z.number(), z.boolean()]))
    .optional(),
  customer: z
    .strictObject({
      id: z.string().min(1).optional(),
      email: z.string().min(1).optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      phone: z.string().optional(),
      company: z.string().optional(),
    })
    .optional(),
  redirectUrl: z.url().optional(),
  cancelUrl: z.url().optional(),
  couponIds: z.array(z.string().min(1)).optional(),
  passThruContent: z.string().max(2048).optional(),
  idempotencyKey: z.string().min(1).max(100).optional(),
};

const CheckoutSchema = z.discriminatedUnion("model", [
  z.strictObject({
    model: z.literal("items"),
    items: z.array(z.strictObject({ itemPriceId: z.string().min(1), quantity })).min(1),
    ...CheckoutCommonShape,
  }),
  z.strictObject({
    model: z.literal("plans"),
    planId: z.string().min(1),
    planQuantity: quantity,
    addons: z.array(z.strictObject({ id: z.string().min(1), quantity })).optional(),
    ...CheckoutCommonShape,
  }),
]);

const HostedPageWire = z.object({
  hosted_page: z.object({
    id: z.string().min(1),
    url: z.string().min(1),
    state: z.string().nullish(),
    created_at: z.number().nullish(),
    expires_at: z.number().nullish(),
  }),
});

/** Creates a hosted checkout page through `client`. */
export async function createCheckout(
  client: Chargebee,
  parse: ResolvedParseOptions,
  input: CheckoutInput,
): Promise<HostedCheckout> {
  const checkout = parseOptions(CheckoutSchema, input, "checkout input");
  // Spec §9 and seeds/004: the click id travels as `subscription[cf_click_id]` (a subscription
  // custom field that must exist in Chargebee, set to "hidden parameter" in checkout).
  const subscription = compact({
    ...checkout.subscriptionCustomFields,
    [parse.clickIdField]: checkout.clickId,
  });
  const customer = checkout.customer
    ? compact({
        id: checkout.customer.id,
        email: checkout.customer.email,
        first_name: checkout.customer.firstName,
        last_name: checkout.customer.lastName,
        phone: checkout.customer.phone,
        company: checkout.customer.company,
      })
    : undefined;
  const common = compact({
    customer,
    redirect_url: checkout.redirectUrl,
    cancel_url: checkout.cancelUrl,
    coupon_ids: checkout.couponIds,
    pass_thru_content: checkout.passThruContent,
  });
  // Spec §9: the SDK adds a key only when its own retries are on (they are off here).
  const headers = { "chargebee-idempotency-key": checkout.idempotencyKey ?? randomUUID() };
  const operation = checkout.model === "items" ? "checkout_new_for_items" : "checkout_new";
  let response: unknown;
  try {
    if (checkout.model === "items") {
      response = await client.hostedPage.checkoutNewForItems(
        {
          ...common,
          subscription_items: checkout.items.map((item) =>
            compact({ item_price_id: item.itemPriceId, quantity: item.quantity }),
          ) as Array<{ item_price_id: string; quantity?: number }>,
          // The SDK's types omit custom fields; the API accepts extra `subscription[cf_*]` keys (spec §9).
          subscription: subscription as Record<string, never>,
        },
        headers,
      );
    } else {
      response = await client.hostedPage.checkoutNew(
        {
          ...common,
          subscription: {
            ...subscription,
            ...compact({ plan_id: checkout.planId, plan_quantity: checkout.planQuantity }),
          } as Record<string, never>,
          addons: checkout.addons?.map((addon) =>
            compact({ id: addon.id, quantity: addon.quantity }),
          ),
        },
        headers,
      );
    }
  } catch (error) {
    throw toChargebeeApiError(error, operation);
  }
  const page = HostedPageWire.safeParse(response);
  if (!page.success) {
    throw apiFailure(operation, "invalid_response", "no hosted page in the response");
  }
  const hosted = page.data.hosted_page;
  return {
    id: hosted.id,
    url: hosted.url,
    state: hosted.state ?? null,
    createdAt: hosted.created_at == null ? null : hosted.created_at * 1000,
    expiresAt: hosted.expires_at == null ? null : hosted.expires_at * 1000,
  };
}
