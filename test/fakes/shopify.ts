import { randomBytes } from 'node:crypto';
import type { FakeRequest, FakeResponse } from './network';

/**
 * An in-memory Shopify shop answering like the GraphQL Admin API and the client-credentials grant:
 * - `POST /admin/api/{version}/graphql.json` answers the order query for the orders it holds, read from the request's
 *   variables (`id`, `lineItemsAfter`) — never from the query text — with the fields our query selects;
 * - `POST /admin/oauth/access_token` (grant_type=client_credentials) issues `shpat_…` tokens valid 86,399 s;
 * - throttling on demand: HTTP 200 with a THROTTLED error and the cost extension (the documented shape,
 *   https://shopify.dev/docs/api/usage/limits#rate-limits), or a plain HTTP 429;
 * - a wrong token gets Shopify's 401 `{"errors":"[API] Invalid API key or access token …"}`;
 * - protected customer data (https://shopify.dev/docs/apps/launch/protected-customer-data), set by
 *   `protectedCustomerData`: 'full' (levels 1 and 2, as custom apps on most plans), 'level1' (no level 2: name,
 *   email, phone and address fields answer null, without an error — "redacted data"), 'none' (no level 1: the
 *   customer and billing address answer null with an ACCESS_DENIED error "This app is not approved to access the
 *   Customer object…", the wording apps report from Shopify).
 * Customer totals (amountSpent, numberOfOrders, lastOrder) are computed from the orders held, as Shopify does.
 */

export const SHOPIFY_SHOP = 'acme-store.myshopify.com';
export const SHOPIFY_ORIGIN = `https://${SHOPIFY_SHOP}`;
const PAGE_SIZE = 100;
const BUCKET = { maximumAvailable: 2000.0, restoreRate: 100.0 };
const QUERY_COST = 112;

export interface FakeMoney {
  amount: string;
  currencyCode: string;
}

export interface FakeCustomerSeed {
  id: number;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface FakeLineItemSeed {
  id: number;
  title: string;
  quantity: number;
  sku?: string | null;
  unitPrice: string;
}

export interface FakeAddress {
  firstName?: string | null;
  lastName?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  zip?: string | null;
  country?: string | null;
  phone?: string | null;
}

export interface FakeOrderSeed {
  id: number;
  /** "#1001" by default from the id. */
  name?: string;
  createdAt: string;
  /** The order's own email (guest checkouts have only this, or nothing). */
  email?: string | null;
  /** Total in the shop's currency. */
  total: string;
  /** What the buyer saw, when different from the shop's currency (multi-currency). */
  presentment?: FakeMoney;
  customerId?: number | null;
  billingAddress?: FakeAddress | null;
  lineItems?: FakeLineItemSeed[];
}

/** Adds decimal strings exactly (scaled BigInt), as Shopify's Decimal totals are exact. */
export function addDecimals(values: readonly string[]): string {
  const scale = Math.max(0, ...values.map((v) => v.split('.')[1]?.length ?? 0));
  const scaled = values.reduce((sum, v) => {
    const [int = '0', frac = ''] = v.split('.');
    return sum + BigInt(`${int}${frac.padEnd(scale, '0')}`);
  }, 0n);
  if (scale === 0) return scaled.toString();
  const text = scaled.toString().padStart(scale + 1, '0');
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;
const cursorFor = (index: number) => Buffer.from(JSON.stringify({ last_id: index })).toString('base64');
const indexFrom = (cursor: string) => Number((JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last_id?: number }).last_id ?? -1);

export class FakeShopify {
  readonly shop: string;
  readonly origin: string;
  readonly currency: string;
  readonly orders = new Map<number, FakeOrderSeed>();
  readonly customers = new Map<number, FakeCustomerSeed>();
  /** Every token this shop handed out (client-credentials grants), for leak checks. */
  readonly issuedTokens: string[] = [];
  /** Counters, to assert how often each endpoint was called. */
  readonly counts = { tokenGrants: 0, queries: 0 };
  /** Whether the app holds read_all_orders; without it, orders older than 60 days are invisible (order: null). */
  readAllOrders = true;
  /** The app's protected customer data access (see above). */
  protectedCustomerData: 'full' | 'level1' | 'none' = 'full';
  private readonly validTokens = new Set<string>();
  private readonly client: { id: string; secret: string } | undefined;
  private throttles: Array<'graphql' | 'http'> = [];
  private clock: () => number;

  constructor(options: { shop?: string; currency?: string; accessToken?: string; clientId?: string; clientSecret?: string; clock?: () => number } = {}) {
    this.shop = options.shop ?? SHOPIFY_SHOP;
    this.origin = `https://${this.shop}`;
    this.currency = options.currency ?? 'USD';
    if (options.accessToken) this.validTokens.add(options.accessToken);
    this.client = options.clientId && options.clientSecret ? { id: options.clientId, secret: options.clientSecret } : undefined;
    this.clock = options.clock ?? Date.now;
  }

  // ---- test helpers ---------------------------------------------------------------------------------------

  addCustomer(customer: FakeCustomerSeed): this {
    this.customers.set(customer.id, customer);
    return this;
  }

  addOrder(order: FakeOrderSeed): this {
    this.orders.set(order.id, order);
    return this;
  }

  /** The next `times` GraphQL calls are throttled: with Shopify's 200 + THROTTLED body, or a bare HTTP 429. */
  throttle(times = 1, mode: 'graphql' | 'http' = 'graphql'): this {
    for (let i = 0; i < times; i += 1) this.throttles.push(mode);
    return this;
  }

  /** Every issued token stops working (app reinstalled, secret rotated). */
  revokeIssuedTokens(): void {
    for (const token of this.issuedTokens) this.validTokens.delete(token);
  }

  // ---- the API ----------------------------------------------------------------------------------------------

  handle = (req: FakeRequest): FakeResponse => {
    if (req.method === 'POST' && req.pathname === '/admin/oauth/access_token') return this.grant(req.body);
    const match = /^\/admin\/api\/(\d{4}-\d{2})\/graphql\.json$/.exec(req.pathname);
    if (!match || req.method !== 'POST') return { status: 404, body: { errors: 'Not Found' } };
    if (!this.validTokens.has(req.headers['x-shopify-access-token'] ?? '')) {
      return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
    }
    this.counts.queries += 1;
    const throttled = this.throttles.shift();
    if (throttled === 'http') return { status: 429, body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, headers: { 'retry-after': '1.0' } };
    if (throttled === 'graphql') {
      return {
        status: 200,
        body: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: { cost: { requestedQueryCost: QUERY_COST, actualQueryCost: null, throttleStatus: { ...BUCKET, currentlyAvailable: 62 } } },
        },
      };
    }
    const body = (req.body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
    if (typeof body.query !== 'string') return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    const variables = body.variables ?? {};
    const id = typeof variables.id === 'string' ? variables.id : '';
    const orderMatch = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(id);
    if (!orderMatch) {
      return { status: 200, body: { errors: [{ message: `Invalid global id '${id}'`, locations: [{ line: 2, column: 9 }], path: ['order'], extensions: { code: 'argumentLiteralsIncompatible', typeName: 'CoercionError' } }] } };
    }
    const after = typeof variables.lineItemsAfter === 'string' ? variables.lineItemsAfter : undefined;
    const order = this.orderView(Number(orderMatch[1]), after);
    if (order && this.protectedCustomerData === 'none') {
      const denied = (object: string, field: string) => ({
        message: `This app is not approved to access the ${object} object. See https://partners.shopify.com/1/apps/1/customer_data for more details.`,
        locations: [{ line: 1, column: 1 }],
        path: ['order', field],
        extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/docs/apps/launch/protected-customer-data' },
      });
      return { status: 200, body: { errors: [denied('Customer', 'customer'), denied('MailingAddress', 'billingAddress')], data: { order: { ...order, customer: null, billingAddress: null } }, extensions: this.costExtension() } };
    }
    return { status: 200, body: { data: { order: order && this.protectedCustomerData === 'level1' ? redacted(order) : order }, extensions: this.costExtension() } };
  };

  private costExtension() {
    return { cost: { requestedQueryCost: QUERY_COST, actualQueryCost: 14, throttleStatus: { ...BUCKET, currentlyAvailable: BUCKET.maximumAvailable - 14 } } };
  }

  private grant(body: unknown): FakeResponse {
    const form = (body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' } };
    }
    if (!this.client || form.client_id !== this.client.id || form.client_secret !== this.client.secret) {
      return { status: 400, body: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.' } };
    }
    this.counts.tokenGrants += 1;
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    this.issuedTokens.push(token);
    this.validTokens.add(token);
    return { status: 200, body: { access_token: token, scope: 'read_orders,read_customers', expires_in: 86399 } };
  }

  private customerView(id: number) {
    const customer = this.customers.get(id);
    if (!customer) return null;
    const orders = [...this.orders.values()].filter((o) => o.customerId === id);
    const last = orders.map((o) => o.createdAt).sort().at(-1);
    return {
      id: gid('Customer', id),
      firstName: customer.firstName ?? null,
      lastName: customer.lastName ?? null,
      defaultEmailAddress: customer.email ? { emailAddress: customer.email } : null,
      defaultPhoneNumber: customer.phone ? { phoneNumber: customer.phone } : null,
      amountSpent: { amount: addDecimals(orders.map((o) => o.total).concat('0.0')), currencyCode: this.currency },
      // UnsignedInt64 is serialised as a string.
      numberOfOrders: String(orders.length),
      lastOrder: last ? { createdAt: last } : null,
    };
  }

  private orderView(id: number, after: string | undefined) {
    const order = this.orders.get(id);
    if (!order) return null;
    if (!this.readAllOrders && Date.parse(order.createdAt) < this.clock() - 60 * 86_400_000) return null;
    const lines = order.lineItems ?? [];
    const start = after === undefined ? 0 : indexFrom(after) + 1;
    const page = lines.slice(start, start + PAGE_SIZE);
    const shopMoney = { amount: order.total, currencyCode: this.currency };
    const address = order.billingAddress;
    return {
      id: gid('Order', id),
      name: order.name ?? `#${id}`,
      createdAt: order.createdAt,
      email: order.email ?? null,
      currencyCode: this.currency,
      totalPriceSet: { shopMoney, presentmentMoney: order.presentment ?? shopMoney },
      customer: order.customerId ? this.customerView(order.customerId) : null,
      billingAddress: address
        ? { firstName: null, lastName: null, address1: null, address2: null, city: null, province: null, zip: null, country: null, phone: null, ...address }
        : null,
      lineItems: {
        nodes: page.map((l) => ({ id: gid('LineItem', l.id), title: l.title, quantity: l.quantity, sku: l.sku ?? null, originalUnitPriceSet: { shopMoney: { amount: l.unitPrice, currencyCode: this.currency } } })),
        pageInfo: { hasNextPage: start + PAGE_SIZE < lines.length, endCursor: page.length ? cursorFor(start + page.length - 1) : null },
      },
    };
  }
}

/** Level 1 without level 2: name, email, phone and address fields are null; ids, totals and line items stay. */
function redacted<T extends { email: unknown; customer: Record<string, unknown> | null; billingAddress: Record<string, unknown> | null }>(order: T): T {
  return {
    ...order,
    email: null,
    customer: order.customer ? { ...order.customer, firstName: null, lastName: null, defaultEmailAddress: null, defaultPhoneNumber: null } : null,
    billingAddress: order.billingAddress ? Object.fromEntries(Object.keys(order.billingAddress).map((k) => [k, null])) : null,
  };
}
