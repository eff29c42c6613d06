import { action } from '../../../actions/shopify-order-sync/index';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeNetwork } from '../../fakes/network';
import { FakeShopify, SHOPIFY_SHOP, type FakeOrderSeed } from '../../fakes/shopify';
import { FAKE_SECRETS, contactEvent } from '../../support/run';
import type { ActionScenarios, World } from '../../support/scenario';

/** Distinctive fake Shopify secrets: leak checks search every log line and output for them. */
export const SHOPIFY_SECRETS = {
  SHOPIFY_SHOP,
  SHOPIFY_ACCESS_TOKEN: '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',
} as const;
export const SHOPIFY_CLIENT_SECRETS = {
  SHOPIFY_SHOP,
  SHOPIFY_CLIENT_ID: 'c1d0000leakcheck0000000000000001',
  SHOPIFY_CLIENT_SECRET: 'shpss_5ec7e75ec7e75ec7e75ec7e70001',
} as const;

export const ADA = { id: 7001, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+442079460000' };

/** Order 5001: Ada's first order, two lines, a billing address. */
export const FIRST_ORDER: FakeOrderSeed = {
  id: 5001,
  name: '#1001',
  createdAt: '2025-11-03T10:15:00Z',
  email: 'ada@example.com',
  total: '129.97',
  customerId: ADA.id,
  billingAddress: { firstName: 'Ada', lastName: 'Lovelace', address1: '12 St James\'s Square', address2: 'Flat 3', city: 'London', province: 'England', zip: 'SW1Y 4JH', country: 'United Kingdom', phone: '+442079460001' },
  lineItems: [
    { id: 9001, title: 'Analytical Engine (kit)', quantity: 1, sku: 'AE-KIT', unitPrice: '99.99' },
    { id: 9002, title: 'Punched cards, pack of 100', quantity: 3, sku: 'PC-100', unitPrice: '9.99' },
  ],
};

export function orderEvent(orderId: string | number) {
  return contactEvent({ shopify_order_id: String(orderId) }, 901, 'DEAL');
}

export type OrderWorld = World & { hubspot: FakeHubSpot; shopify: FakeShopify };

export function orderWorld(options: { clientCredentials?: boolean } = {}): OrderWorld {
  const hubspot = new FakeHubSpot({ uniqueProperties: { deals: ['shopify_order_id'] }, accessToken: FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN });
  const shopify = new FakeShopify(
    options.clientCredentials
      ? { clientId: SHOPIFY_CLIENT_SECRETS.SHOPIFY_CLIENT_ID, clientSecret: SHOPIFY_CLIENT_SECRETS.SHOPIFY_CLIENT_SECRET }
      : { accessToken: SHOPIFY_SECRETS.SHOPIFY_ACCESS_TOKEN },
  );
  shopify.addCustomer(ADA).addOrder(FIRST_ORDER);
  const net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle).route(shopify.origin, shopify.handle);
  return {
    hubspot,
    shopify,
    net,
    env: { ...FAKE_SECRETS, ...(options.clientCredentials ? SHOPIFY_CLIENT_SECRETS : SHOPIFY_SECRETS) },
    snapshot: () => hubspot.snapshot(),
    counts: () => ({
      contacts: hubspot.list('contacts').length,
      deals: hubspot.list('deals').length,
      line_items: hubspot.list('line_items').length,
      associations: hubspot.associations.length,
    }),
    issuedSecrets: () => [...shopify.issuedTokens],
  };
}

const CONCURRENT_ORDERS = 50;

export const scenarios: ActionScenarios = {
  action,
  world: () => orderWorld(),
  paths: [
    { name: 'new customer', event: orderEvent(FIRST_ORDER.id), expect: { status: 'ok', deal_created: true, line_item_count: 2 } },
    {
      name: 'returning customer',
      event: orderEvent(5002),
      setup: (world) => {
        const { hubspot, shopify } = world as OrderWorld;
        hubspot.seed('contacts', { email: ADA.email, firstname: 'Augusta Ada', jobtitle: 'Mathematician', total_order_value: '129.97' });
        shopify.addOrder({ id: 5002, name: '#1002', createdAt: '2025-12-01T09:00:00Z', total: '19.99', customerId: ADA.id, lineItems: [{ id: 9003, title: 'Brass gear', quantity: 1, unitPrice: '19.99' }] });
      },
      expect: { status: 'ok', deal_created: true, line_item_count: 1 },
    },
  ],
  hostileFields: ['shopify_order_id'],
  concurrency: {
    name: `${CONCURRENT_ORDERS} orders of one new Shopify customer`,
    events: Array.from({ length: CONCURRENT_ORDERS }, (_, i) => orderEvent(6000 + i)),
    setup: (world) => {
      const { shopify } = world as OrderWorld;
      for (let i = 0; i < CONCURRENT_ORDERS; i += 1) {
        shopify.addOrder({ id: 6000 + i, name: `#${2000 + i}`, createdAt: `2025-11-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`, total: '10.00', customerId: ADA.id, lineItems: [{ id: 60000 + i, title: 'Gift card', quantity: 1, unitPrice: '10.00' }] });
      }
    },
    check: (world) => {
      const counts = world.counts();
      if (counts.contacts !== 1 || counts.deals !== CONCURRENT_ORDERS || counts.line_items !== CONCURRENT_ORDERS) {
        throw new Error(`expected 1 contact, ${CONCURRENT_ORDERS} deals and ${CONCURRENT_ORDERS} line items, got ${JSON.stringify(counts)}`);
      }
    },
  },
};
