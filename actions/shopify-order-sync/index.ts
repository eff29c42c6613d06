import { defineAction } from '../../lib/action';
import { ActionError, PermanentError, ValidationError } from '../../lib/errors';
import { hubspotTokenSecret, type CrmObject, type HubSpotClient } from '../../lib/hubspot';
import { input } from '../../lib/inputs';
import { output } from '../../lib/outputs';
import { textProperty, type PropertyDeclaration } from '../../lib/properties';
import { createShopifyClient, parseShopDomain, shopifyCredentials, type ShopifyClient } from '../../lib/shopify';
import {
  buyerEmail,
  contactPropertiesFromOrder,
  dealPropertiesFromOrder,
  lineItemInputsFromOrder,
  noBuyerEmailError,
  orderGid,
  type ShopifyLineItem,
  type ShopifyOrder,
} from './map';

/**
 * Shopify order sync: given a Shopify order, make sure the buyer is a HubSpot contact with current order facts, and
 * record the order as a closed-won deal associated with the contact, with one line item per order line.
 *
 * Idempotent by construction, so HubSpot's whole-action re-runs after a 429/5xx create nothing twice:
 * - the contact is upserted by email, the deal by the unique `shopify_order_id` (batch upsert keyed by a unique
 *   property: no search lag, no race between runs);
 * - line items cannot have a unique property (HubSpot offers unique values for contacts, companies, deals, tickets
 *   and custom objects only: https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide), so they
 *   are keyed through the deal instead: a deal the upsert reports as `new` has no line items yet, and they are all
 *   created in one batch/create with the deal association inline; for an existing deal we read the line items
 *   associated with it (associations, not search, so no lag) and create only the order lines missing there.
 *   `shopify_line_item_id` is a plain property used as that key.
 * - the contact's totals are Shopify's own (amountSpent, numberOfOrders), never "HubSpot's value + this order";
 * - associations are HubSpot's default ones, which are idempotent.
 *
 * What two simultaneous runs of one order can and cannot do (docs/actions/shopify-order-sync.md): they share one
 * contact and one deal (unique keys), but if the second run reads the deal's line items before the first run's
 * batch/create lands, both create the lines and the deal holds them twice. A later run never adds a third copy
 * (it sees the lines) and logs `line_items.duplicates`; it does not delete anything.
 */

const GROUP = 'shopify';
const ORDER_KEY = 'shopify_order_id';
const LINE_ITEM_KEY = 'shopify_line_item_id';
/** HubSpot-defined association type: line item → deal (https://developers.hubspot.com/docs/api-reference/latest/crm/associations/guide). */
const LINE_ITEM_TO_DEAL = 20;
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
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['contacts.write', 'deals.read', 'deals.write', 'line_items.read', 'line_items.write']),
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
    // Not unique: HubSpot offers unique-value properties for contacts, companies, deals, tickets and custom objects
    // only, so creating this one with hasUniqueValue may be refused and an upsert by it is refused ("Unable to perform
    // update/upsert by non-unique … property"). The run keys line items through the deal's associations instead.
    textProperty('line_items', GROUP, LINE_ITEM_KEY, 'Shopify line item ID', 'Numeric Shopify line item id; the action reads the deal\'s line items by it so a line is not added twice'),
    textProperty('contacts', GROUP, 'shopify_customer_id', 'Shopify customer ID', 'Numeric id of the Shopify customer'),
    number('contacts', 'total_order_value', 'Total order value', 'Lifetime amount spent in the Shopify store (Shopify customer amountSpent, shop currency)'),
    number('contacts', 'shopify_order_count', 'Shopify order count', 'Number of orders in the Shopify store (Shopify customer numberOfOrders)'),
    { objectType: 'contacts', groupName: GROUP, name: 'last_order_date', label: 'Last order date', description: 'When the customer last ordered in the Shopify store', type: 'datetime', fieldType: 'date' },
  ],
  apiCalls: {
    'first run of an order (new deal)': '5 (Shopify: 1 order query; HubSpot: contact and deal upserts at once, then line items created with the deal association inline and the deal↔contact association at once) — 3 round trips',
    'order synced before (existing deal, nothing missing)': '5 (1 + both upserts + the deal with its associations + its line items\' keys)',
    'existing deal with missing lines or contact link': '+1 line-item create, +1 association',
    'order without line items': '4 (1 + both upserts + deal↔contact association), 4 when synced before (the deal read replaces it)',
    'client-credentials secrets, cold container': '+1 token call (cached for 24 h while warm)',
    'more than 100 line items': '+1 Shopify query, +1 line-item create and +1 line-item read per further 100 lines',
  },
  notes: {
    'Line items and simultaneous runs':
      'HubSpot offers unique-value properties for contacts, companies, deals, tickets and custom objects, not for line items, so line items are keyed through the deal: ' +
      'a run that creates the deal creates all its line items in one call, with the deal association inline; a run that finds the deal reads the line items associated with it ' +
      '(by association, which has no search lag) and creates only the order lines whose `shopify_line_item_id` is missing. ' +
      'Two simultaneous runs of one order (e.g. a webhook delivered twice within a second) **can** safely share the contact and the deal: both are upserted by a unique key, so there is one of each. ' +
      'They **cannot** guarantee single line items: if the second run reads the deal before the first run\'s line items exist, both create them and the deal holds each line twice. ' +
      'A later run never adds a third copy (it sees the lines) and logs `line_items.duplicates`; it does not delete anything, so remove the extra line items by hand if that happens. ' +
      'Deleting a line item in HubSpot and re-enrolling the order adds it back.',
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
    // A guest checkout without email, or a customer whose data Shopify redacted (no protected customer data access).
    if (!email) throw noBuyerEmailError(order);
    log.info('order', { order: order.name, lines: order.lineItems.nodes.length, currency: order.totalPriceSet.shopMoney.currencyCode, customer: order.customer ? 'yes' : 'guest' });

    // Contact and deal do not depend on each other: write them at once (one round trip).
    const dealProperties = dealPropertiesFromOrder(order, config);
    const [contact, deal] = await settleAll([
      upsertOne(client, 'contacts', 'email', email, contactPropertiesFromOrder(order, email)),
      upsertOne(client, 'deals', ORDER_KEY, dealProperties[ORDER_KEY] as string, dealProperties),
    ] as const);

    const wanted = lineItemInputsFromOrder(order.lineItems.nodes);
    // A deal the upsert just created has no line items: skip the read. Otherwise read what the deal already holds.
    const linked = deal.new === true ? { contactLinked: false, lineItemKeys: [] } : await readDealLinks(client, deal.id, contact.id);
    const have = new Set(linked.lineItemKeys);
    const missing = wanted.filter((line) => !have.has(line.id));
    if (linked.lineItemKeys.length > have.size) log.warn('line_items.duplicates', { deal: deal.id, lines: linked.lineItemKeys.length, distinct: have.size });
    log.info('line_items.plan', { deal: deal.id, new_deal: deal.new === true, wanted: wanted.length, missing: missing.length });

    // The default association is idempotent (PUT), the creates carry the deal association inline: one round trip.
    await settleAll([
      linked.contactLinked ? Promise.resolve() : client.associateDefault('deals', deal.id, 'contacts', contact.id),
      missing.length ? createLineItems(client, missing, deal.id) : Promise.resolve([]),
    ] as const);

    return { contact_id: contact.id, deal_id: deal.id, deal_created: deal.new === true, line_item_count: wanted.length };
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

/**
 * What an existing deal already holds: is the contact associated, and the Shopify keys of its line items. One GET of
 * the deal with its associations, then one batch read of those line items' keys (associations are read from the
 * record, not from search, so a line item created a moment ago is seen). https://developers.hubspot.com/docs/api-reference/latest/crm/objects
 */
async function readDealLinks(client: HubSpotClient, dealId: string, contactId: string): Promise<{ contactLinked: boolean; lineItemKeys: string[] }> {
  const deal = await client.getObject('deals', dealId, { properties: [ORDER_KEY], associations: ['contacts', 'line_items'] });
  const ids = (type: string) => {
    const group = deal?.associations?.[type] ?? deal?.associations?.[type.replace('_', ' ')];
    return { ids: (group?.results ?? []).map((r) => String(r.id)), more: group?.paging?.next?.after !== undefined };
  };
  const contacts = ids('contacts');
  const lines = ids('line_items');
  // An answer with further pages (over a hundred line items) is completed by the associations API, all pages.
  const lineItemIds = lines.more ? await client.readAssociatedIds('deals', dealId, 'line_items') : lines.ids;
  const records = lineItemIds.length ? await client.readObjects('line_items', lineItemIds, [LINE_ITEM_KEY]) : [];
  return {
    contactLinked: contacts.ids.includes(contactId),
    lineItemKeys: records.map((r) => r.properties[LINE_ITEM_KEY] ?? '').filter((key) => key !== ''),
  };
}

/** batch/create with the deal association inline: no second association call, no line item without its deal. */
function createLineItems(client: HubSpotClient, lines: ReadonlyArray<{ properties: Record<string, string> }>, dealId: string): Promise<CrmObject[]> {
  return client.createObjects('line_items', lines.map((line) => ({ properties: line.properties, associations: [{ toId: dealId, typeId: LINE_ITEM_TO_DEAL }] })));
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
