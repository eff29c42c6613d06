import { defineAction } from '../../lib/action';
import { ActionError, PermanentError, ValidationError } from '../../lib/errors';
import { hubspotTokenSecret, type CrmObject, type HubSpotClient } from '../../lib/hubspot';
import { input } from '../../lib/inputs';
import { output } from '../../lib/outputs';
import { textProperty, type PropertyDeclaration } from '../../lib/properties';
import { createShopifyClient, parseShopDomain, shopifyCredentials, type ShopifyClient } from '../../lib/shopify';
import {
  buyerEmail,
  chunk,
  contactPropertiesFromOrder,
  dealPropertiesFromOrder,
  lineItemInputsFromOrder,
  orderGid,
  type ShopifyLineItem,
  type ShopifyOrder,
} from './map';

/**
 * Shopify order sync: given a Shopify order, make sure the buyer is a HubSpot contact with current order facts, and
 * record the order as a closed-won deal associated with the contact, with one line item per order line.
 *
 * Idempotent by construction, so HubSpot's whole-action re-runs after a 429/5xx create nothing twice:
 * - the contact is upserted by email, the deal by the unique `shopify_order_id`, the line items by the unique
 *   `shopify_line_item_id` (batch upsert keyed by a unique property: no search lag, no race between runs);
 * - the contact's totals are Shopify's own (amountSpent, numberOfOrders), never "HubSpot's value + this order";
 * - associations are HubSpot's default ones, which are idempotent.
 */

const GROUP = 'shopify';
const ORDER_KEY = 'shopify_order_id';
const LINE_ITEM_KEY = 'shopify_line_item_id';
/** HubSpot batch endpoints take at most 100 inputs per call. */
const HUBSPOT_BATCH_LIMIT = 100;
/** Line items per GraphQL page; an order with more is read in further pages (rare; each page costs one call). */
const LINE_ITEMS_PAGE = 100;
/** 1,000 lines: twice Shopify's 499-line maximum per order, so only a broken answer reaches it. */
const MAX_LINE_ITEM_PAGES = 10;

/**
 * Variables only — no input value is ever pasted into the query text. The line-item page size is part of the
 * query's calculated cost (https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits).
 */
export const ORDER_QUERY = `query ShopifyOrderSync($id: ID!, $lineItemsAfter: String) {
  order(id: $id) {
    id
    name
    createdAt
    email
    currencyCode
    totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
    customer {
      id
      firstName
      lastName
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
      amountSpent { amount currencyCode }
      numberOfOrders
      lastOrder { createdAt }
    }
    billingAddress { firstName lastName address1 address2 city province zip country phone }
    lineItems(first: ${LINE_ITEMS_PAGE}, after: $lineItemsAfter) {
      nodes { id title quantity sku originalUnitPriceSet { shopMoney { amount currencyCode } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

const number = (objectType: PropertyDeclaration['objectType'], name: string, label: string, description: string): PropertyDeclaration => ({ objectType, groupName: GROUP, name, label, description, type: 'number', fieldType: 'number' });

export interface ShopifyOrderSyncConfig {
  /** Deal pipeline internal id. */
  pipeline: string;
  /** Deal stage internal id for a synced order. */
  dealstage: string;
}

export const action = defineAction({
  name: 'shopify-order-sync',
  title: 'Shopify order → HubSpot contact, deal and line items',
  description: 'Reads a Shopify order (GraphQL Admin API), upserts the buyer as a contact with Shopify\'s order totals, upserts a closed-won deal for the order and one line item per order line, and associates them.',
  enrollment: {
    objectType: 'deal',
    trigger: 'A webhook-triggered workflow fed by Shopify\'s orders/create webhook (map the order id into "shopify_order_id"), or any workflow that knows the order id',
  },
  secrets: {
    SHOPIFY_SHOP: {
      description: 'Your shop\'s permanent domain, e.g. acme.myshopify.com',
      typicalLength: 30,
      where: 'Shopify admin → Settings → Domains (the .myshopify.com one)',
    },
    SHOPIFY_ACCESS_TOKEN: {
      description: 'Admin API access token of an existing custom app (shpat_…), scopes read_orders, read_customers (and read_all_orders for orders older than 60 days). Or use the client ID + secret below instead.',
      required: false,
      typicalLength: 38,
      where: 'Shopify admin → Settings → Apps and sales channels → Develop apps → your app → API credentials',
    },
    SHOPIFY_CLIENT_ID: {
      description: 'Client ID of a Dev Dashboard app installed on your own store (client-credentials grant); with SHOPIFY_CLIENT_SECRET, instead of SHOPIFY_ACCESS_TOKEN',
      required: false,
      typicalLength: 32,
      where: 'Shopify Dev Dashboard → Apps → your app → Settings',
    },
    SHOPIFY_CLIENT_SECRET: {
      description: 'Client secret of that Dev Dashboard app',
      required: false,
      typicalLength: 38,
      where: 'Shopify Dev Dashboard → Apps → your app → Settings',
    },
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.objects.deals.write', 'crm.objects.line_items.read', 'crm.objects.line_items.write']),
  },
  inputs: {
    shopify_order_id: input.string('Shopify order id: the number from the order\'s admin URL, or its GraphQL id gid://shopify/Order/…', { required: true, maxLength: 100 }),
  },
  outputs: {
    contact_id: output.string('HubSpot id of the buyer\'s contact'),
    deal_id: output.string('HubSpot id of the order\'s deal'),
    deal_created: output.boolean('true when this run created the deal (false on a re-run or an order synced before)'),
    line_item_count: output.number('Number of line items on the deal (one per order line)'),
  },
  propertyGroups: [{ name: GROUP, label: 'Shopify' }],
  properties: [
    textProperty('deals', GROUP, ORDER_KEY, 'Shopify order ID (unique)', 'Numeric Shopify order id; unique, so an order is never recorded twice', { hasUniqueValue: true }),
    textProperty('line_items', GROUP, LINE_ITEM_KEY, 'Shopify line item ID (unique)', 'Numeric Shopify line item id; unique, so a line is never added twice', { hasUniqueValue: true }),
    textProperty('contacts', GROUP, 'shopify_customer_id', 'Shopify customer ID', 'Numeric id of the Shopify customer'),
    number('contacts', 'total_order_value', 'Total order value', 'Lifetime amount spent in the Shopify store (Shopify customer amountSpent, shop currency)'),
    number('contacts', 'shopify_order_count', 'Shopify order count', 'Number of orders in the Shopify store (Shopify customer numberOfOrders)'),
    { objectType: 'contacts', groupName: GROUP, name: 'last_order_date', label: 'Last order date', description: 'When the customer last ordered in the Shopify store', type: 'datetime', fieldType: 'date' },
  ],
  apiCalls: {
    'order with line items': '6 (Shopify: 1 order query; HubSpot: contact, deal and line-item upserts at once, then both associations at once) — 3 round trips',
    'order without line items': '4 (1 + contact and deal upserts + deal↔contact association)',
    'client-credentials secrets, cold container': '+1 token call (cached for 24 h while warm)',
    'more than 100 line items': '+1 Shopify query and +1 line-item upsert per further 100 lines',
  },
  config: { pipeline: 'default', dealstage: 'closedwon' } as ShopifyOrderSyncConfig,

  async run({ inputs, secrets, config, hubspot, service, log, now }) {
    const gid = orderGid(inputs.shopify_order_id);
    if (!gid) {
      throw new ValidationError('Input "shopify_order_id" must be a numeric Shopify order id (e.g. 5678901234) or gid://shopify/Order/5678901234', { field: 'shopify_order_id', errorCode: 'INVALID_INPUT' });
    }
    const shopify = createShopifyClient({ shop: parseShopDomain(secrets.SHOPIFY_SHOP), credentials: shopifyCredentials(secrets), log, now, service });
    const client = hubspot();

    const order = await fetchOrder(shopify, gid);
    const email = buyerEmail(order);
    if (!email) {
      throw new PermanentError(`Order ${order.name} has no buyer email (guest checkout without email): there is no contact to attach the deal to`, { errorCode: 'ORDER_WITHOUT_EMAIL' });
    }
    log.info('order', { order: order.name, lines: order.lineItems.nodes.length, currency: order.totalPriceSet.shopMoney.currencyCode, customer: order.customer ? 'yes' : 'guest' });

    // Contact, deal and line items do not depend on each other: write them at once (one round trip).
    const dealProperties = dealPropertiesFromOrder(order, config);
    const [contact, deal, lineItems] = await settleAll([
      upsertOne(client, 'contacts', 'email', email, contactPropertiesFromOrder(order, email)),
      upsertOne(client, 'deals', ORDER_KEY, dealProperties[ORDER_KEY] as string, dealProperties),
      upsertLineItems(client, order.lineItems.nodes),
    ] as const);

    // Then the associations, also at once. Both are HubSpot's default (v4) ones: idempotent, so a re-run is harmless.
    await settleAll([client.associateDefault('deals', deal.id, 'contacts', contact.id), associateLineItemsToDeal(client, lineItems, deal.id)] as const);

    return { contact_id: contact.id, deal_id: deal.id, deal_created: deal.new === true, line_item_count: lineItems.length };
  },
});

/** The order with all its line items (further pages only for orders with more than 100 lines). */
async function fetchOrder(shopify: ShopifyClient, gid: string): Promise<ShopifyOrder> {
  const { order } = await shopify.query<{ order: ShopifyOrder | null }>(ORDER_QUERY, { id: gid, lineItemsAfter: null }, 'order');
  if (!order) {
    // Shopify answers null both for an id that does not exist and for an order the app may not see.
    throw new PermanentError(
      `Shopify has no order ${gid} visible to this app. Check the id; orders older than 60 days are visible only with the read_all_orders scope (https://shopify.dev/docs/api/usage/access-scopes#orders-permissions)`,
      { errorCode: 'ORDER_NOT_FOUND', service: 'shopify' },
    );
  }
  const lines: ShopifyLineItem[] = [...order.lineItems.nodes];
  let page = order.lineItems.pageInfo;
  const seen = new Set<string>();
  while (page.hasNextPage && page.endCursor) {
    // Paging must end: a repeated cursor or an endless hasNextPage would spend every run (and every HubSpot retry
    // for 3 days) on queries. Orders hold at most 499 lines (https://shopify.dev/changelog/draft-order-line-item-limit).
    if (seen.has(page.endCursor)) throw new PermanentError(`Shopify repeated a line-item cursor for order ${gid}; stopped paging`, { errorCode: 'SHOPIFY_PAGING_LOOP', service: 'shopify' });
    if (seen.size + 1 >= MAX_LINE_ITEM_PAGES) throw new PermanentError(`Shopify order ${gid} has more than ${MAX_LINE_ITEM_PAGES} pages of line items; stopped paging`, { errorCode: 'SHOPIFY_TOO_MANY_LINE_ITEM_PAGES', service: 'shopify' });
    seen.add(page.endCursor);
    const next = await shopify.query<{ order: ShopifyOrder | null }>(ORDER_QUERY, { id: gid, lineItemsAfter: page.endCursor }, 'order line items');
    if (!next.order) throw new PermanentError(`Shopify order ${gid} disappeared while its line items were read`, { errorCode: 'ORDER_NOT_FOUND', service: 'shopify' });
    lines.push(...next.order.lineItems.nodes);
    page = next.order.lineItems.pageInfo;
  }
  return { ...order, lineItems: { nodes: lines, pageInfo: page } };
}

async function upsertOne(client: HubSpotClient, type: string, idProperty: string, id: string, properties: Record<string, string>): Promise<CrmObject> {
  const [record] = await client.upsertObjects(type, idProperty, [{ id, properties }]);
  if (!record) throw new PermanentError(`HubSpot returned no ${type} from the upsert`, { errorCode: 'HUBSPOT_EMPTY_RESPONSE', service: 'hubspot' });
  return record;
}

/** Upserts by the unique Shopify line-item id, in batches of at most 100, all at once. */
async function upsertLineItems(client: HubSpotClient, lines: readonly ShopifyLineItem[]): Promise<CrmObject[]> {
  const batches = chunk(lineItemInputsFromOrder(lines), HUBSPOT_BATCH_LIMIT);
  const results = await settleAll(batches.map((batch) => client.upsertObjects('line_items', LINE_ITEM_KEY, batch)));
  const records = results.flat();
  if (records.length !== lines.length) {
    throw new PermanentError(`HubSpot upserted ${records.length} of ${lines.length} line items`, { errorCode: 'HUBSPOT_PARTIAL_RESPONSE', service: 'hubspot' });
  }
  return records;
}

/**
 * Associates every line item with the deal in one call (v4 batch "default" association, HubSpot-defined type,
 * idempotent): https://developers.hubspot.com/docs/api/crm/associations (Create default associations, batch).
 */
async function associateLineItemsToDeal(client: HubSpotClient, lineItems: readonly CrmObject[], dealId: string): Promise<void> {
  if (lineItems.length === 0) return;
  const res = await client.request<{ numErrors?: number; errors?: Array<{ message?: string }> }>({
    method: 'POST',
    url: '/crm/v4/associations/line_items/deals/batch/associate/default',
    json: { inputs: lineItems.map((item) => ({ from: { id: item.id }, to: { id: dealId } })) },
    idempotent: true,
    label: 'associate line_items→deals',
  });
  // A 207 Multi-Status lists the inputs that failed; a partial association must not be reported as success.
  if ((res.data?.numErrors ?? 0) > 0 || (res.data?.errors?.length ?? 0) > 0) {
    throw new PermanentError(`HubSpot could not associate every line item with the deal: ${res.data.errors?.[0]?.message ?? 'unknown error'}`, { errorCode: 'HUBSPOT_ASSOCIATION_FAILED', service: 'hubspot' });
  }
}

/**
 * Promise.all that waits for every call to finish (no request is left running behind a thrown error) and then
 * throws the most decisive failure: a permanent one (a re-run would fail again) before a retryable one.
 */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length) {
    throw failures.find((f) => f instanceof ActionError && f.kind === 'permanent') ?? failures[0];
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export const main = action.main;
