import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/shopify-order-sync/index';
import { chunk, contactPropertiesFromOrder, legacyId, orderGid, type ShopifyOrder } from '../../../actions/shopify-order-sync/map';
import { clearModuleCaches } from '../../../lib/module-cache';
import { inspectGraphQLResponse, parseShopDomain, shopifyCredentials, throttleWaitSeconds } from '../../../lib/shopify';
import { FakeShopify, addDecimals, type FakeLineItemSeed } from '../../fakes/shopify';
import type { Fault } from '../../fakes/network';
import { FAKE_SECRETS, runAction } from '../../support/run';
import { ADA, FIRST_ORDER, SHOPIFY_CLIENT_SECRETS, SHOPIFY_SECRETS, orderEvent, orderWorld, scenarios, type OrderWorld } from './scenarios';

let world: OrderWorld;

function install(w: OrderWorld): OrderWorld {
  world?.net.uninstall();
  world = w;
  world.net.install();
  return world;
}

beforeEach(() => {
  clearModuleCaches();
  install(orderWorld());
});
afterEach(() => world.net.uninstall());

const run = (orderId: string | number = FIRST_ORDER.id, options: Parameters<typeof runAction>[2] = {}) => runAction(action, orderEvent(orderId), { env: world.env, ...options });
const callPaths = () => world.net.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`);
const lines = (n: number, price = '1.10'): FakeLineItemSeed[] => Array.from({ length: n }, (_, i) => ({ id: 80_000 + i, title: `Item ${i}`, quantity: 1 + (i % 3), sku: `SKU-${i}`, unitPrice: price }));

/** Exactly one contact, one deal with the order's exact amount, and the order's line items, all associated. */
function expectOneOfEverything(orderTotal = FIRST_ORDER.total, lineCount = 2) {
  const [contact, ...moreContacts] = world.hubspot.list('contacts');
  const [deal, ...moreDeals] = world.hubspot.list('deals');
  expect(moreContacts).toHaveLength(0);
  expect(moreDeals).toHaveLength(0);
  expect(deal?.properties.amount).toBe(orderTotal);
  const items = world.hubspot.list('line_items');
  expect(items).toHaveLength(lineCount);
  expect(world.hubspot.associationsOf('deals', deal!.id, 'contacts')).toEqual([contact!.id]);
  expect(world.hubspot.associationsOf('deals', deal!.id, 'line_items').sort()).toEqual(items.map((i) => i.id).sort());
}

describe('mapping', () => {
  it.each([
    ['5001', 'gid://shopify/Order/5001'],
    [' gid://shopify/Order/5001 ', 'gid://shopify/Order/5001'],
    ['gid://shopify/Customer/5001', undefined],
    ['#1001', undefined],
    ['5001") { id } #', undefined],
    ['1e3', undefined],
    ['', undefined],
  ])('orderGid(%j) = %j', (text, expected) => {
    expect(orderGid(text)).toBe(expected);
  });

  it.each([
    ['gid://shopify/LineItem/42', '42'],
    ['gid://shopify/Customer/7?x=1', '7'],
    ['plain', 'plain'],
  ])('legacyId(%j) = %j', (gid, expected) => {
    expect(legacyId(gid)).toBe(expected);
  });

  it('contact properties never carry empty values and keep money as the exact decimal string', () => {
    const order = {
      id: 'gid://shopify/Order/1', name: '#1', createdAt: '2025-01-02T03:04:05Z', email: null, currencyCode: 'USD',
      totalPriceSet: { shopMoney: { amount: '0.30', currencyCode: 'USD' } },
      customer: { id: 'gid://shopify/Customer/9', firstName: '', lastName: null, defaultEmailAddress: null, defaultPhoneNumber: null, amountSpent: { amount: '0.1000', currencyCode: 'USD' }, numberOfOrders: '3', lastOrder: null },
      billingAddress: { firstName: 'Bill', lastName: '  ', address1: null, address2: null, city: '', province: null, zip: null, country: null, phone: null },
      lineItems: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
    } as unknown as ShopifyOrder;
    expect(contactPropertiesFromOrder(order, 'x@example.com')).toEqual({
      email: 'x@example.com',
      shopify_customer_id: '9',
      total_order_value: '0.1',
      shopify_order_count: '3',
      last_order_date: '2025-01-02T03:04:05.000Z',
    });
  });

  it('chunks by 100', () => {
    expect(chunk(Array.from({ length: 250 }, (_, i) => i), 100).map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunk([], 100)).toEqual([]);
  });

  it('the fake adds decimals exactly', () => {
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(addDecimals(['129.97', '19.99', '0.0'])).toBe('149.96');
  });
});

describe('shopify client pieces', () => {
  it.each([
    ['acme.myshopify.com', 'acme.myshopify.com'],
    ['https://Acme-Store.myshopify.com/', 'acme-store.myshopify.com'],
  ])('parseShopDomain(%j) = %j', (text, expected) => {
    expect(parseShopDomain(text)).toBe(expected);
  });

  it.each(['evil.com', 'acme.myshopify.com.evil.com', 'acme.myshopify.com/admin?x=', 'http://acme.myshopify.com', 'user@acme.myshopify.com', ''])('parseShopDomain(%j) is a configuration error', (text) => {
    expect(() => parseShopDomain(text)).toThrow(/SHOPIFY_SHOP/);
  });

  it('credentials: token wins; client id + secret otherwise; a half pair names what is missing', () => {
    expect(shopifyCredentials({ SHOPIFY_ACCESS_TOKEN: 't', SHOPIFY_CLIENT_ID: 'i', SHOPIFY_CLIENT_SECRET: 's' }).kind).toBe('access-token');
    expect(shopifyCredentials({ SHOPIFY_CLIENT_ID: 'i', SHOPIFY_CLIENT_SECRET: 's' }).kind).toBe('client-credentials');
    expect(() => shopifyCredentials({ SHOPIFY_CLIENT_ID: 'i' })).toThrow(/SHOPIFY_CLIENT_SECRET is missing/);
    expect(() => shopifyCredentials({})).toThrow(/SHOPIFY_ACCESS_TOKEN.*SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET/);
  });

  const cost = { requestedQueryCost: 112, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 62, restoreRate: 100 } };
  it.each([
    ['THROTTLED', { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: { cost } }, { status: 429, retryAfterSeconds: 0.5 }],
    ['ACCESS_DENIED', { errors: [{ message: 'Access denied for customer field.', extensions: { code: 'ACCESS_DENIED' } }], data: { order: null } }, { status: 403, vendorCode: 'ACCESS_DENIED', vendorMessage: expect.stringMatching(/read_orders, read_customers.*protected customer data access/) }],
    ['ACCESS_DENIED, not approved', { errors: [{ message: 'This app is not approved to access the Customer object. See https://partners.shopify.com/1/apps/1/customer_data for more details.', extensions: { code: 'ACCESS_DENIED' } }], data: { order: null } }, { status: 403, vendorCode: 'PROTECTED_CUSTOMER_DATA' }],
    ['INTERNAL_SERVER_ERROR', { errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, { status: 500 }],
    ['other', { errors: [{ message: "Field 'x' doesn't exist" }] }, { status: 400, vendorCode: 'GRAPHQL_ERROR' }],
    ['data only', { data: { order: null } }, undefined],
  ])('inspect: %s', (_name, body, expected) => {
    const verdict = inspectGraphQLResponse({ status: 200, headers: {}, data: body });
    if (expected === undefined) expect(verdict).toBeUndefined();
    else expect(verdict).toMatchObject(expected);
  });

  it('throttle wait is undefined without cost data', () => {
    expect(throttleWaitSeconds(undefined)).toBeUndefined();
    expect(throttleWaitSeconds(cost)).toBe(0.5);
  });
});

describe('shopify-order-sync', () => {
  it('new customer: contact, deal, line items (deal association inline), contact association in 5 calls (3 round trips)', async () => {
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', deal_created: true, line_item_count: 2, error_code: '' });
    const [contact] = world.hubspot.list('contacts');
    const [deal] = world.hubspot.list('deals');
    expect(outputs?.contact_id).toBe(contact?.id);
    expect(outputs?.deal_id).toBe(deal?.id);
    expect(contact?.properties).toMatchObject({
      email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', phone: ADA.phone,
      address: "12 St James's Square, Flat 3", city: 'London', state: 'England', zip: 'SW1Y 4JH', country: 'United Kingdom',
      shopify_customer_id: '7001', total_order_value: '129.97', shopify_order_count: '1', last_order_date: '2025-11-03T10:15:00.000Z',
    });
    expect(deal?.properties).toMatchObject({ dealname: 'Order #1001', amount: '129.97', deal_currency_code: 'USD', closedate: '2025-11-03T10:15:00.000Z', pipeline: 'default', dealstage: 'closedwon', shopify_order_id: '5001' });
    const items = world.hubspot.list('line_items').map((i) => i.properties);
    expect(items).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'Analytical Engine (kit)', quantity: '1', price: '99.99', hs_sku: 'AE-KIT', shopify_line_item_id: '9001', hs_line_item_currency_code: 'USD' }),
      expect.objectContaining({ name: 'Punched cards, pack of 100', quantity: '3', price: '9.99', shopify_line_item_id: '9002' }),
    ]));
    expectOneOfEverything();
    const paths = callPaths();
    expect(paths[0]).toBe(`POST /admin/api/2026-10/graphql.json`);
    expect(paths.slice(1, 3).sort()).toEqual(['POST /crm/objects/2026-09/contacts/batch/upsert', 'POST /crm/objects/2026-09/deals/batch/upsert']);
    // A new deal has no line items: no read, and the creates carry the deal association (type 20) inline.
    expect(paths.slice(3).sort()).toEqual(['POST /crm/objects/2026-09/line_items/batch/create', `PUT /crm/objects/2026-09/deals/${deal!.id}/associations/default/contacts/${contact!.id}`]);
    const create = world.net.calls.find((c) => c.url.endsWith('/line_items/batch/create'))?.requestBody as { inputs: Array<{ associations: unknown }> };
    expect(create.inputs[0]?.associations).toEqual([{ to: { id: deal!.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 20 }] }]);
    expect([...world.hubspot.apiVersions]).toEqual(['2026-09']);
  });

  it('sends the order id as a GraphQL variable with the access token header', async () => {
    const seen: Array<{ headers: Record<string, string>; body: unknown }> = [];
    const handle = world.shopify.handle;
    world.net.uninstall();
    world.net.route(world.shopify.origin, (req) => (seen.push({ headers: req.headers, body: req.body }), handle(req))).install();
    await run('gid://shopify/Order/5001');
    expect(seen[0]?.headers['x-shopify-access-token']).toBe(SHOPIFY_SECRETS.SHOPIFY_ACCESS_TOKEN);
    expect(seen[0]?.body).toMatchObject({ variables: { id: 'gid://shopify/Order/5001', lineItemsAfter: null } });
    expect(JSON.stringify((seen[0]?.body as { query: string }).query)).not.toContain('5001');
  });

  it("returning customer: updates the contact with Shopify's totals, keeps other values, adds a second deal", async () => {
    await run();
    world.hubspot.get('contacts', world.hubspot.list('contacts')[0]!.id)!.properties.jobtitle = 'Mathematician';
    world.shopify.addOrder({ id: 5002, name: '#1002', createdAt: '2025-12-01T09:00:00Z', total: '19.99', customerId: ADA.id, lineItems: [{ id: 9003, title: 'Brass gear', quantity: 1, unitPrice: '19.99' }] });
    const { outputs } = await run(5002);
    expect(outputs).toMatchObject({ status: 'ok', deal_created: true, line_item_count: 1 });
    expect(world.hubspot.list('contacts')).toHaveLength(1);
    expect(world.hubspot.list('contacts')[0]?.properties).toMatchObject({ jobtitle: 'Mathematician', total_order_value: '149.96', shopify_order_count: '2', last_order_date: '2025-12-01T09:00:00.000Z' });
    expect(world.hubspot.list('deals').map((d) => d.properties.amount).sort()).toEqual(['129.97', '19.99']);
    // Re-syncing the first order later does not move the facts back: they are Shopify's, not this order's.
    await run();
    expect(world.hubspot.list('contacts')[0]?.properties).toMatchObject({ total_order_value: '149.96', last_order_date: '2025-12-01T09:00:00.000Z' });
    expect(world.hubspot.list('deals')).toHaveLength(2);
  });

  it('existing contact values are never blanked by empty Shopify values', async () => {
    world.hubspot.seed('contacts', { email: 'ada@example.com', firstname: 'Augusta', phone: '+1 555 0100', city: 'Paris' });
    world.shopify.addCustomer({ id: 7002, email: 'ada@example.com', firstName: null, lastName: null, phone: null });
    world.shopify.addOrder({ id: 5003, createdAt: '2025-11-05T00:00:00Z', total: '5.00', customerId: 7002, billingAddress: null, lineItems: [] });
    const { outputs } = await run(5003);
    expect(outputs?.status).toBe('ok');
    expect(world.hubspot.list('contacts')[0]?.properties).toMatchObject({ firstname: 'Augusta', phone: '+1 555 0100', city: 'Paris', total_order_value: '5' });
  });

  it('guest checkout with an email: contact from the order email and billing address, no customer facts', async () => {
    world.shopify.addOrder({ id: 5004, createdAt: '2025-11-06T00:00:00Z', email: 'Guest@Example.org', total: '42.00', customerId: null, billingAddress: { firstName: 'Grace', lastName: 'Hopper', city: 'Arlington' }, lineItems: lines(1, '42.00') });
    const { outputs } = await run(5004);
    expect(outputs).toMatchObject({ status: 'ok', line_item_count: 1 });
    const contact = world.hubspot.list('contacts')[0]?.properties;
    expect(contact).toMatchObject({ email: 'guest@example.org', firstname: 'Grace', lastname: 'Hopper', city: 'Arlington' });
    expect(contact).not.toHaveProperty('total_order_value');
    expect(contact).not.toHaveProperty('shopify_customer_id');
    expect(world.hubspot.list('deals')[0]?.properties.amount).toBe('42');
  });

  it('guest checkout without email: permanent ORDER_WITHOUT_EMAIL, nothing written to HubSpot', async () => {
    world.shopify.addOrder({ id: 5005, createdAt: '2025-11-06T00:00:00Z', email: null, total: '3.50', customerId: null, lineItems: lines(1) });
    const { outputs, thrown } = await run(5005);
    expect(thrown).toBeUndefined();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'ORDER_WITHOUT_EMAIL' });
    expect(outputs?.error_message).toMatch(/no buyer email/);
    expect(world.net.calls.filter((c) => c.url.startsWith('https://api.hubapi.com'))).toHaveLength(0);
  });

  it('customer data redacted (no level-2 protected customer data access): its own error naming that access, not a guest checkout', async () => {
    world.shopify.protectedCustomerData = 'level1';
    const { outputs, thrown } = await run(5001);
    expect(thrown).toBeUndefined();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SHOPIFY_PROTECTED_CUSTOMER_DATA_REDACTED' });
    expect(outputs?.error_message).toMatch(/protected customer data/);
    expect(outputs?.error_message).toContain('https://shopify.dev/docs/apps/launch/protected-customer-data');
    expect(world.net.calls.filter((c) => c.url.startsWith('https://api.hubapi.com'))).toHaveLength(0);
  });

  it('a guest checkout without email stays ORDER_WITHOUT_EMAIL under the same redaction (no customer to redact)', async () => {
    world.shopify.protectedCustomerData = 'level1';
    world.shopify.addOrder({ id: 5015, createdAt: '2025-11-06T00:00:00Z', email: null, total: '3.50', customerId: null, lineItems: lines(1) });
    const { outputs } = await run(5015);
    expect(outputs).toMatchObject({ status: 'error', error_code: 'ORDER_WITHOUT_EMAIL' });
  });

  it('no protected customer data access at all (ACCESS_DENIED "not approved"): a configuration error naming that access', async () => {
    world.shopify.protectedCustomerData = 'none';
    const { outputs } = await run(5001);
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SHOPIFY_PROTECTED_CUSTOMER_DATA' });
    expect(outputs?.error_message).toMatch(/not approved to access the Customer object.*protected customer data access/);
    expect(world.net.calls.filter((c) => c.url.startsWith('https://api.hubapi.com'))).toHaveLength(0);
  });

  it("multi-currency order: the deal holds the shop-currency total and currency, never the presentment one", async () => {
    world.shopify.addOrder({ id: 5006, createdAt: '2025-11-07T00:00:00Z', total: '108.40', presentment: { amount: '99.95', currencyCode: 'EUR' }, customerId: ADA.id, lineItems: lines(1, '108.40') });
    await run(5006);
    expect(world.hubspot.list('deals')[0]?.properties).toMatchObject({ amount: '108.4', deal_currency_code: 'USD' });
  });

  it('a shop in a zero-decimal currency keeps its amounts as they are', async () => {
    const jpy = new FakeShopify({ currency: 'JPY', accessToken: SHOPIFY_SECRETS.SHOPIFY_ACCESS_TOKEN });
    jpy.addCustomer(ADA).addOrder({ id: 5007, createdAt: '2025-11-08T00:00:00Z', total: '15800', customerId: ADA.id, lineItems: [{ id: 1, title: 'Tea set', quantity: 2, unitPrice: '7900' }] });
    world.net.uninstall();
    world.net.route(jpy.origin, jpy.handle).install();
    await run(5007);
    expect(world.hubspot.list('deals')[0]?.properties).toMatchObject({ amount: '15800', deal_currency_code: 'JPY' });
    expect(world.hubspot.list('line_items')[0]?.properties).toMatchObject({ price: '7900', quantity: '2', hs_line_item_currency_code: 'JPY' });
    expect(world.hubspot.list('contacts')[0]?.properties.total_order_value).toBe('15800');
  });

  it('order with 0 line items: 4 calls, no line-item calls', async () => {
    world.shopify.addOrder({ id: 5008, createdAt: '2025-11-09T00:00:00Z', total: '0.00', customerId: ADA.id, lineItems: [] });
    const { outputs } = await run(5008);
    expect(outputs).toMatchObject({ status: 'ok', line_item_count: 0 });
    expect(world.net.calls).toHaveLength(4);
    expect(callPaths().some((p) => p.includes('line_items'))).toBe(false);
    expect(world.hubspot.list('deals')[0]?.properties.amount).toBe('0');
  });

  it('order with 50 line items: one batch create, each line once with its exact price; the re-run reads and adds none', async () => {
    world.shopify.addOrder({ id: 5009, createdAt: '2025-11-10T00:00:00Z', total: '110.00', customerId: ADA.id, lineItems: lines(50, '2.20') });
    const { outputs } = await run(5009);
    expect(outputs).toMatchObject({ status: 'ok', line_item_count: 50 });
    expect(world.net.calls).toHaveLength(5);
    expectOneOfEverything('110', 50);
    expect(new Set(world.hubspot.list('line_items').map((i) => i.properties.price))).toEqual(new Set(['2.2']));
    const before = world.net.calls.length;
    await run(5009);
    expect(world.hubspot.list('line_items')).toHaveLength(50);
    // Warm re-run: order query, both upserts, the deal with its associations, its line items' keys.
    expect(callPaths().slice(before).map((p) => p.replace(/\d{4,}/g, '{id}'))).toEqual([
      'POST /admin/api/2026-10/graphql.json',
      ...callPaths().slice(before + 1, before + 3).sort(),
      'GET /crm/objects/2026-09/deals/{id}',
      'POST /crm/objects/2026-09/line_items/batch/read',
    ].map((p) => p.replace(/\d{4,}/g, '{id}')));
  });

  it('order with 150 line items: a second GraphQL page and two create batches of at most 100', async () => {
    world.shopify.addOrder({ id: 5010, createdAt: '2025-11-11T00:00:00Z', total: '165.00', customerId: ADA.id, lineItems: lines(150) });
    const { outputs } = await run(5010);
    expect(outputs).toMatchObject({ status: 'ok', line_item_count: 150 });
    expect(world.shopify.counts.queries).toBe(2);
    const creates = world.net.calls.filter((c) => c.url.endsWith('line_items/batch/create')).map((c) => (c.requestBody as { inputs: unknown[] }).inputs.length);
    expect(creates).toEqual([100, 50]);
    expectOneOfEverything('165', 150);
    await run(5010);
    expect(world.hubspot.list('line_items')).toHaveLength(150);
  });

  it('line items are never upserted by a unique property: the fake refuses that like HubSpot, and the action does not try', async () => {
    const refused = await fetch('https://api.hubapi.com/crm/objects/2026-09/line_items/batch/upsert', {
      method: 'POST',
      headers: { authorization: `Bearer ${world.env.HUBSPOT_ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ idProperty: 'shopify_line_item_id', id: '9001', properties: { name: 'x' } }] }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toBe('Unable to perform update/upsert by non-unique 0-8 property');
    await run();
    // The only line-item upsert on the wire is the probe above.
    expect(callPaths().filter((p) => p.includes('line_items/batch/upsert'))).toHaveLength(1);
    expect(action.definition.properties?.find((p) => p.name === 'shopify_line_item_id')?.hasUniqueValue).not.toBe(true);
  });

  it('existing deal missing some lines: reads the deal\'s line items and creates only the missing ones, deal association inline', async () => {
    await run();
    const [deal] = world.hubspot.list('deals');
    const [first, second] = world.hubspot.list('line_items');
    // A line item deleted in HubSpot (or never created by an interrupted run) comes back; the other is left alone.
    world.hubspot.records.delete(second!.id);
    world.hubspot.associations.splice(0, world.hubspot.associations.length, ...world.hubspot.associations.filter((a) => a.fromId !== second!.id && a.toId !== second!.id));
    const before = world.net.calls.length;
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', deal_created: false, line_item_count: 2 });
    const created = world.net.calls.slice(before).filter((c) => c.url.endsWith('/line_items/batch/create'));
    expect(created).toHaveLength(1);
    expect((created[0]?.requestBody as { inputs: unknown[] }).inputs).toHaveLength(1);
    expect(world.hubspot.list('line_items').map((i) => i.properties.shopify_line_item_id).sort()).toEqual(['9001', '9002']);
    expect(world.hubspot.get('line_items', first!.id)).toBeDefined();
    expect(world.hubspot.associationsOf('deals', deal!.id, 'line_items')).toHaveLength(2);
    // The contact was already associated: no second PUT.
    expect(world.net.calls.slice(before).some((c) => c.method === 'PUT')).toBe(false);
  });

  it('the key is read from the deal\'s associations, not search: a line item search cannot see yet is still found', async () => {
    await run();
    expect(world.hubspot.list('line_items').every((i) => !i.searchable)).toBe(true);
    await run();
    expect(world.hubspot.list('line_items')).toHaveLength(2);
  });

  it('two simultaneous runs of one order: one contact and one deal; line items at most twice, and a third run adds none', async () => {
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.outputs?.status).toBe('ok');
    expect(b.outputs?.status).toBe('ok');
    expect(world.hubspot.list('contacts')).toHaveLength(1);
    expect(world.hubspot.list('deals')).toHaveLength(1);
    const count = world.hubspot.list('line_items').length;
    expect([2, 4]).toContain(count);
    const third = await run();
    expect(third.outputs?.status).toBe('ok');
    expect(world.hubspot.list('line_items')).toHaveLength(count);
    if (count === 4) expect(third.logs.join('\n')).toContain('line_items.duplicates');
  });

  it.each([
    ['', 'MISSING_INPUT'],
    ['abc', 'INVALID_INPUT'],
    ['gid://shopify/Customer/7001', 'INVALID_INPUT'],
    ['5001) { customer { id } } #', 'INVALID_INPUT'],
  ])('order id %j → %s before any call', async (id, code) => {
    const { outputs } = await run(id);
    expect(outputs).toMatchObject({ status: 'error', error_code: code });
    expect(outputs?.error_message).toContain('shopify_order_id');
    expect(world.net.calls).toHaveLength(0);
  });

  it('unknown order id: permanent ORDER_NOT_FOUND that mentions read_all_orders', async () => {
    const { outputs, thrown } = await run(424242);
    expect(thrown).toBeUndefined();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'ORDER_NOT_FOUND' });
    expect(outputs?.error_message).toMatch(/60 days.*read_all_orders/);
    expect(world.hubspot.list('deals')).toHaveLength(0);
  });

  it('an order older than 60 days without read_all_orders is reported the same way', async () => {
    world.shopify.readAllOrders = false;
    world.shopify.addOrder({ id: 5011, createdAt: '2020-01-01T00:00:00Z', total: '1.00', customerId: ADA.id });
    const { outputs } = await run(5011);
    expect(outputs).toMatchObject({ status: 'error', error_code: 'ORDER_NOT_FOUND' });
  });

  it.each(['graphql', 'http'] as const)('throttled (%s) then OK: a retryable 429, and the re-run syncs once', async (mode) => {
    world.shopify.throttle(1, mode);
    const first = await run();
    expect(first.thrown?.response?.status).toBe(429);
    expect(first.thrown?.errorCode).toBe('RATE_LIMITED');
    expect(world.hubspot.list('contacts')).toHaveLength(0);
    const second = await run();
    expect(second.outputs?.status).toBe('ok');
    expectOneOfEverything();
  });

  it("throttled with time to spare: waits as long as Shopify's cost data says and retries in the same run", async () => {
    world.shopify.throttle(1, 'graphql');
    const started = Date.now();
    const { outputs, logs } = await run(FIRST_ORDER.id, { deadline: { budgetMs: 20_000, reserveMs: 1_500 } });
    expect(outputs?.status).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(logs.some((l) => l.includes('http.retry'))).toBe(true);
    expect(world.shopify.counts.queries).toBe(2);
  });

  it('a bad SHOPIFY_SHOP is refused before any call', async () => {
    const { outputs } = await run(FIRST_ORDER.id, { env: { ...world.env, SHOPIFY_SHOP: 'evil.example/admin?x=' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INVALID_SHOP_DOMAIN' });
    expect(world.net.calls).toHaveLength(0);
  });

  it('incomplete Shopify credentials: one clear configuration error before any call', async () => {
    const { outputs } = await run(FIRST_ORDER.id, { env: { ...FAKE_SECRETS, SHOPIFY_SHOP: SHOPIFY_SECRETS.SHOPIFY_SHOP, SHOPIFY_CLIENT_ID: 'abc123' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'MISSING_SECRET' });
    expect(outputs?.error_message).toMatch(/SHOPIFY_CLIENT_SECRET is missing/);
    expect(world.net.calls).toHaveLength(0);
  });

  it('a wrong Shopify token is a permanent UNAUTHORIZED, with no token in logs or outputs', async () => {
    const wrong = 'shpat_00000000000000000000000000wrong1';
    const { outputs, logs } = await run(FIRST_ORDER.id, { env: { ...world.env, SHOPIFY_ACCESS_TOKEN: wrong } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'UNAUTHORIZED' });
    expect(outputs?.error_message).toMatch(/Invalid API key or access token/);
    expect(JSON.stringify({ outputs, logs })).not.toContain(wrong);
  });

  describe('client-credentials grant', () => {
    beforeEach(() => {
      install(orderWorld({ clientCredentials: true }));
    });

    it('gets a token once and reuses it from module scope while warm', async () => {
      const first = await run();
      expect(first.outputs?.status).toBe('ok');
      expect(callPaths()[0]).toBe('POST /admin/oauth/access_token');
      await run();
      expect(world.shopify.counts.tokenGrants).toBe(1);
      expect(world.shopify.counts.queries).toBe(2);
      expectOneOfEverything();
    });

    it('a revoked cached token is replaced once on 401', async () => {
      await run();
      world.shopify.revokeIssuedTokens();
      const again = await run();
      expect(again.outputs?.status).toBe('ok');
      expect(world.shopify.counts.tokenGrants).toBe(2);
    });

    it('a wrong client secret is a permanent error naming invalid_client', async () => {
      const { outputs } = await run(FIRST_ORDER.id, { env: { ...world.env, SHOPIFY_CLIENT_SECRET: 'shpss_wrongwrongwrongwrongwrong0000' } });
      expect(outputs).toMatchObject({ status: 'error', error_code: 'SHOPIFY_INVALID_CLIENT' });
    });

    it('never logs or outputs the client secret or an issued token', async () => {
      const { outputs, logs } = await run();
      const text = JSON.stringify({ outputs, logs });
      for (const secret of [SHOPIFY_CLIENT_SECRETS.SHOPIFY_CLIENT_SECRET, SHOPIFY_CLIENT_SECRETS.SHOPIFY_CLIENT_ID, ...world.issuedSecrets()]) expect(text).not.toContain(secret);
    });

    for (const step of [1, 2, 3, 4, 5, 6]) {
      for (const fault of ['500', 'reset'] as const) {
        it(`fault ${fault} at call ${step} (token path): retryable, then one of everything`, async () => {
          world.net.injectAt(step, fault);
          const first = await run();
          expect(first.thrown?.response?.status).toBeGreaterThanOrEqual(500);
          world.net.clearFaults();
          expect((await run()).outputs?.status).toBe('ok');
          expectOneOfEverything();
        });
      }
    }
  });

  // HubSpot re-runs the whole action after a 429/5xx: each fault must surface with its status, and the re-run must
  // end in exactly the state a clean run leaves. Calls: 1 order query, 2–3 the two upserts, 4–5 the line-item create
  // (not idempotent: a lost answer is left to the re-run, which reads the deal's line items) and the association.
  const faults: Fault[] = ['429', '500', '503', 'reset', 'malformed-200', 'hang'];
  for (const step of [1, 2, 3, 4, 5]) {
    for (const fault of faults) {
      it(`fault ${fault} at call ${step}: retryable status, then a re-run leaves one contact, one deal, one set of line items`, async () => {
        world.net.injectAt(step, fault);
        const first = await run();
        expect(first.outputs?.status).not.toBe('ok');
        const status = first.thrown?.response?.status;
        expect(status === 429 || (status !== undefined && status >= 500), `status ${status}`).toBe(true);
        expect(first.thrown?.code).toBe(status);

        world.net.clearFaults();
        const second = await run();
        expect(second.outputs).toMatchObject({ status: 'ok', line_item_count: 2 });
        expectOneOfEverything();
      });
    }
  }

  it('a re-run of a completed enrollment changes nothing and reports deal_created false', async () => {
    await run();
    const before = world.hubspot.snapshot();
    const again = await run();
    expect(again.outputs).toMatchObject({ status: 'ok', deal_created: false, line_item_count: 2 });
    expect(world.hubspot.snapshot()).toEqual(before);
  });

  it('scenario paths produce their expected outputs', async () => {
    for (const path of scenarios.paths) {
      clearModuleCaches();
      const w = install(scenarios.world() as OrderWorld);
      path.setup?.(w);
      const { outputs } = await runAction(scenarios.action, path.event, { env: w.env });
      expect(outputs, path.name).toMatchObject(path.expect);
    }
  });

  it('50 concurrent orders of one new customer: exactly one contact, 50 deals', async () => {
    const concurrency = scenarios.concurrency!;
    concurrency.setup?.(world);
    const runs = await Promise.all(concurrency.events.map((event) => runAction(action, event, { env: world.env })));
    expect(runs.every((r) => r.outputs?.status === 'ok')).toBe(true);
    concurrency.check(world);
    expect(world.hubspot.list('contacts')[0]?.properties.shopify_order_count).toBe('51');
  });

  it('never logs or outputs the access tokens', async () => {
    const { outputs, logs } = await run();
    expect(logs.length).toBeGreaterThan(3);
    const text = JSON.stringify({ outputs, logs });
    expect(text).not.toContain(FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN);
    expect(text).not.toContain(SHOPIFY_SECRETS.SHOPIFY_ACCESS_TOKEN);
  });
});
