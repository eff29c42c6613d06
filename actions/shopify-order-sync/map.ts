/**
 * Pure mapping for the Shopify order sync: which order an input names, and what the order means in HubSpot.
 * No I/O and no clock. Money stays a decimal string end to end (Shopify's `Decimal` scalar is a string); it is
 * never turned into a float, so "19.99" arrives in HubSpot as "19.99", not 19.990000000000002.
 */
import { ConfigError, PermanentError } from '../../lib/errors';
import { parseDecimal, parseEmail } from '../../lib/inputs';
import { PROTECTED_CUSTOMER_DATA_DOCS } from '../../lib/shopify';

export interface Money {
  amount: string;
  currencyCode: string;
}

/**
 * The order as our GraphQL query reads it (field names as in the Admin API 2026-10 schema). Re-checked against the
 * 2026-10 release notes (https://shopify.dev/docs/changelog/release-notes/2026-10): its changes touch order taxes,
 * imports, draft-order discounts, metafield filters and SMS consent, none of the fields read here
 * (Order.email/currencyCode/totalPriceSet/customer/billingAddress/lineItems; Customer.defaultEmailAddress,
 * defaultPhoneNumber, amountSpent, numberOfOrders, lastOrder; LineItem.sku/originalUnitPriceSet).
 */
export interface ShopifyOrder {
  id: string;
  name: string;
  createdAt: string;
  /** The order's email; for a guest checkout the only address there is. */
  email: string | null;
  currencyCode: string;
  totalPriceSet: { shopMoney: Money; presentmentMoney?: Money };
  customer: ShopifyCustomer | null;
  billingAddress: ShopifyAddress | null;
  lineItems: { nodes: ShopifyLineItem[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export interface ShopifyCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  defaultEmailAddress: { emailAddress: string | null } | null;
  defaultPhoneNumber: { phoneNumber: string | null } | null;
  amountSpent: Money;
  /** UnsignedInt64, serialised as a string. */
  numberOfOrders: string;
  lastOrder: { createdAt: string } | null;
}

export interface ShopifyAddress {
  firstName: string | null;
  lastName: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  country: string | null;
  phone: string | null;
}

export interface ShopifyLineItem {
  id: string;
  title: string;
  quantity: number;
  sku: string | null;
  originalUnitPriceSet: { shopMoney: Money };
}

/** "5678" or "gid://shopify/Order/5678" → the global id Shopify's GraphQL API takes; undefined when neither. */
export function orderGid(text: string): string | undefined {
  const value = text.trim();
  if (/^\d{1,20}$/.test(value)) return `gid://shopify/Order/${value}`;
  const match = /^gid:\/\/shopify\/Order\/(\d{1,20})$/.exec(value);
  return match ? value : undefined;
}

/** The numeric part of a Shopify global id ("gid://shopify/LineItem/42" → "42"), or the id itself. */
export function legacyId(gid: string): string {
  const match = /\/(\d+)(\?.*)?$/.exec(gid);
  return match?.[1] ?? gid;
}

/** Only the values that were given: an update must never blank out what HubSpot already knows. */
export function nonEmpty(values: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '').map(([k, v]) => [k, v.trim()]));
}

/** A Shopify Decimal as a canonical decimal string, or undefined when it is not one. */
export function decimal(text: string | null | undefined): string | undefined {
  return typeof text === 'string' ? parseDecimal(text) : undefined;
}

/** An ISO date-time as HubSpot stores datetimes (UTC ISO 8601); undefined when unreadable. */
export function isoDateTime(text: string | null | undefined): string | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The buyer's email: the customer's default address, else the order's own (guest checkout). */
export function buyerEmail(order: ShopifyOrder): string | undefined {
  const candidate = order.customer?.defaultEmailAddress?.emailAddress ?? order.email ?? '';
  return parseEmail(candidate);
}

/**
 * True when the order has a customer whose name, email and phone all came back null. A Shopify customer always has
 * at least one of them, so this is redaction: the app lacks level-2 protected customer data access, and Shopify
 * answers those fields with null instead of an error. Undocumented in this exact form; assumed from "handle errors or
 * redacted data" (PROTECTED_CUSTOMER_DATA_DOCS) and from the 2026-12 change "displayName no longer exposes unapproved
 * email or phone" (https://shopify.dev/changelog/posts/displayname-no-longer-exposes-unapproved-email-or-phone).
 * A guest checkout has no customer at all, so the two cannot be confused.
 */
export function customerDataRedacted(order: ShopifyOrder): boolean {
  const c = order.customer;
  if (!c || order.email) return false;
  return !c.firstName && !c.lastName && !c.defaultEmailAddress?.emailAddress && !c.defaultPhoneNumber?.phoneNumber;
}

/** Why an order without a usable buyer email cannot be synced: redacted customer data, or a guest without email. */
export function noBuyerEmailError(order: ShopifyOrder): PermanentError {
  if (customerDataRedacted(order)) {
    return new ConfigError(
      `Order ${order.name} has a customer, but Shopify returned their name, email and phone as empty: the app is not approved for protected customer data (level 2: name, email, phone, address). Request that access for the app (Dev Dashboard or Partner Dashboard → API access → Protected customer data), then re-enroll — ${PROTECTED_CUSTOMER_DATA_DOCS}`,
      { errorCode: 'SHOPIFY_PROTECTED_CUSTOMER_DATA_REDACTED', service: 'shopify' },
    );
  }
  return new PermanentError(
    `Order ${order.name} has no buyer email (guest checkout without email): there is no contact to attach the deal to. If Shopify admin shows an email on this order, the app lacks protected customer data access for email (${PROTECTED_CUSTOMER_DATA_DOCS})`,
    { errorCode: 'ORDER_WITHOUT_EMAIL' },
  );
}

/**
 * Contact properties for the buyer. Order facts come from Shopify's own customer totals (amountSpent,
 * numberOfOrders, lastOrder), never from adding this order to what HubSpot holds: HubSpot re-runs an action after
 * a failure, and adding on every run would count an order twice. A re-run writes the very same values.
 */
export function contactPropertiesFromOrder(order: ShopifyOrder, email: string): Record<string, string> {
  const customer = order.customer;
  const billing = order.billingAddress;
  const street = [billing?.address1, billing?.address2].map((s) => s?.trim()).filter(Boolean).join(', ');
  return nonEmpty({
    email,
    firstname: customer?.firstName ?? billing?.firstName,
    lastname: customer?.lastName ?? billing?.lastName,
    phone: customer?.defaultPhoneNumber?.phoneNumber ?? billing?.phone,
    address: street,
    city: billing?.city,
    state: billing?.province,
    zip: billing?.zip,
    country: billing?.country,
    shopify_customer_id: customer ? legacyId(customer.id) : undefined,
    total_order_value: customer ? decimal(customer.amountSpent.amount) : undefined,
    shopify_order_count: customer && /^\d+$/.test(customer.numberOfOrders) ? customer.numberOfOrders : undefined,
    last_order_date: customer ? isoDateTime(customer.lastOrder?.createdAt ?? order.createdAt) : undefined,
  });
}

export interface DealSettings {
  pipeline: string;
  dealstage: string;
}

/**
 * The deal for an order: closed-won by default, amount and currency in the shop's currency (the one the
 * customer's amountSpent is in too; presentment currency is what the buyer saw and may differ).
 */
export function dealPropertiesFromOrder(order: ShopifyOrder, settings: DealSettings): Record<string, string> {
  return nonEmpty({
    dealname: `Order ${order.name}`,
    amount: decimal(order.totalPriceSet.shopMoney.amount),
    deal_currency_code: order.totalPriceSet.shopMoney.currencyCode,
    closedate: isoDateTime(order.createdAt),
    pipeline: settings.pipeline,
    dealstage: settings.dealstage,
    shopify_order_id: legacyId(order.id),
  });
}

/** One HubSpot line item per order line, keyed by Shopify's line-item id so a re-run updates instead of adding. */
export function lineItemInputsFromOrder(lines: readonly ShopifyLineItem[]): Array<{ id: string; properties: Record<string, string> }> {
  return lines.map((line) => {
    const id = legacyId(line.id);
    return {
      id,
      properties: nonEmpty({
        name: line.title || `Shopify line item ${id}`,
        quantity: String(line.quantity),
        price: decimal(line.originalUnitPriceSet.shopMoney.amount),
        hs_line_item_currency_code: line.originalUnitPriceSet.shopMoney.currencyCode,
        hs_sku: line.sku,
        shopify_line_item_id: id,
      }),
    };
  });
}

/** Splits a list into chunks of at most `size` (HubSpot batch endpoints take at most 100 inputs). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
