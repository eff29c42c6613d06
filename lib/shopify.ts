import { SHOPIFY_API_VERSION } from './api-versions';
import { ConfigError, PermanentError } from './errors';
import type { HttpFailure } from './classify';
import type { HttpResponse, ServiceClient, ServiceOptions, VendorErrorDetails } from './http';
import { isFresh, moduleCache, type CachedToken } from './module-cache';
import type { Logger } from './logger';

/**
 * Shopify's GraphQL Admin API over our one request function. The REST Admin API is legacy since 2024-10 and new
 * public apps must use GraphQL since 2025-04 (https://shopify.dev/docs/api/admin-rest), so this client speaks
 * GraphQL only: `POST https://{shop}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`.
 *
 * Two ways to authenticate, both documented by Shopify:
 * - an existing custom app's Admin API access token (`shpat_…`), used as is;
 * - a Dev Dashboard app installed on your own store: client ID + secret exchanged with the client-credentials grant
 *   for a token valid 24 h (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant),
 *   cached in module scope so a warm Lambda container does not ask for a new one on every run.
 */

/** The pinned stable version lives with every other pinned version (lib/api-versions.ts), re-exported here. */
export { SHOPIFY_API_VERSION };

/** A shop's permanent domain: `acme.myshopify.com`. Anything else (a URL with a path, another host) is refused. */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,61}\.myshopify\.com$/;

/** Normalises what a user may paste ("https://Acme.myshopify.com/") and refuses anything that is not a shop domain. */
export function parseShopDomain(text: string | undefined): string {
  const host = (text ?? '').trim().toLowerCase().replace(/^https:\/\//, '').replace(/\/+$/, '');
  if (!SHOP_DOMAIN.test(host)) {
    throw new ConfigError('Secret SHOPIFY_SHOP must be your shop\'s permanent domain, like "acme.myshopify.com" (Shopify admin → Settings → Domains)', { errorCode: 'INVALID_SHOP_DOMAIN' });
  }
  return host;
}

export type ShopifyCredentials = { kind: 'access-token'; accessToken: string } | { kind: 'client-credentials'; clientId: string; clientSecret: string };

/** Picks the credential form the secrets complete, or names what is missing in one clear error. */
export function shopifyCredentials(secrets: { SHOPIFY_ACCESS_TOKEN?: string | undefined; SHOPIFY_CLIENT_ID?: string | undefined; SHOPIFY_CLIENT_SECRET?: string | undefined }): ShopifyCredentials {
  if (secrets.SHOPIFY_ACCESS_TOKEN) return { kind: 'access-token', accessToken: secrets.SHOPIFY_ACCESS_TOKEN };
  if (secrets.SHOPIFY_CLIENT_ID && secrets.SHOPIFY_CLIENT_SECRET) {
    return { kind: 'client-credentials', clientId: secrets.SHOPIFY_CLIENT_ID, clientSecret: secrets.SHOPIFY_CLIENT_SECRET };
  }
  const half = secrets.SHOPIFY_CLIENT_ID ? 'SHOPIFY_CLIENT_SECRET is missing' : secrets.SHOPIFY_CLIENT_SECRET ? 'SHOPIFY_CLIENT_ID is missing' : 'none is set';
  throw new ConfigError(
    `Shopify credentials are incomplete (${half}): add either SHOPIFY_ACCESS_TOKEN (a custom app's Admin API access token) or both SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (a Dev Dashboard app installed on your store) as secrets of this action`,
    { errorCode: 'MISSING_SECRET' },
  );
}

/**
 * Shopify error bodies: `{"errors": "[API] Invalid API key or access token …"}` (401), `{"errors": {"field": ["…"]}}`
 * (REST-style 4xx), `{"errors": [{"message": …}]}` (GraphQL), `{"error": "invalid_client", "error_description": …}` (OAuth).
 */
export function describeShopifyError(_status: number, data: unknown): VendorErrorDetails {
  if (!data || typeof data !== 'object') return {};
  const body = data as { errors?: unknown; error?: unknown; error_description?: unknown };
  if (typeof body.errors === 'string') return { message: body.errors };
  if (Array.isArray(body.errors)) {
    const first = body.errors.find((e): e is { message: string; extensions?: { code?: string } } => typeof e?.message === 'string');
    return first ? { message: first.message, code: first.extensions?.code } : {};
  }
  if (body.errors && typeof body.errors === 'object') return { message: JSON.stringify(body.errors) };
  if (typeof body.error === 'string') {
    return { message: typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error, code: body.error.toUpperCase() };
  }
  return {};
}

interface GraphQLError {
  message?: string;
  extensions?: { code?: string };
}
interface ThrottleCost {
  requestedQueryCost?: number;
  throttleStatus?: { currentlyAvailable?: number; restoreRate?: number };
}

/** Seconds until the bucket holds the query's cost again, from the cost data Shopify sends with THROTTLED. */
export function throttleWaitSeconds(cost: ThrottleCost | undefined): number | undefined {
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const rate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== 'number' || typeof available !== 'number' || typeof rate !== 'number' || rate <= 0) return undefined;
  return Math.max(0, Math.ceil(((requested - available) / rate) * 10) / 10);
}

/** Where an app's access to protected customer data is requested and granted. */
export const PROTECTED_CUSTOMER_DATA_DOCS = 'https://shopify.dev/docs/apps/launch/protected-customer-data';

/** What to check after an ACCESS_DENIED: the scopes, and the protected customer data access the order query needs. */
export const ACCESS_ADVICE =
  "check the app's access scopes (read_orders, read_customers) and its protected customer data access: level 1 for the Customer object, level 2 for name, email, phone and address fields (Dev Dashboard or Partner Dashboard → API access → Protected customer data; custom apps in the Shopify admin have it on most plans) — " +
  PROTECTED_CUSTOMER_DATA_DOCS;

/**
 * GraphQL errors arrive with HTTP 200 (https://shopify.dev/docs/api/admin-graphql#status-and-error-codes).
 * THROTTLED (the cost bucket is empty) becomes a 429 so it is retried; INTERNAL_SERVER_ERROR a 500;
 * ACCESS_DENIED (a missing scope, or no protected customer data access) a 403 configuration error; anything else a
 * permanent error. We never act on partial data that came with errors: a missing field (say, the customer behind a
 * denied scope) would write wrong values.
 *
 * An app without approved access to protected customer data gets ACCESS_DENIED "This app is not approved to access
 * the Customer object" for the Customer (level 1) — that becomes SHOPIFY_PROTECTED_CUSTOMER_DATA. Without level 2,
 * name, email, phone and address fields come back redacted to null, with no error at all: see
 * customerDataRedacted in actions/shopify-order-sync/map.ts. (PROTECTED_CUSTOMER_DATA_DOCS: "update your app to
 * handle errors or redacted data".)
 */
export function inspectGraphQLResponse(response: HttpResponse): Omit<HttpFailure, 'service'> | undefined {
  const body = response.data as { errors?: GraphQLError[]; extensions?: { cost?: ThrottleCost } } | undefined;
  if (!body || typeof body !== 'object') return { status: response.status, malformedBody: true };
  const errors = Array.isArray(body.errors) ? body.errors : [];
  if (errors.length === 0) return undefined;
  const codes = errors.map((e) => e.extensions?.code ?? '');
  const message = errors.map((e) => e.message ?? '').filter(Boolean).join('; ') || undefined;
  if (codes.includes('THROTTLED')) {
    const wait = throttleWaitSeconds(body.extensions?.cost);
    return { status: 429, vendorCode: 'THROTTLED', vendorMessage: message, ...(wait !== undefined ? { retryAfterSeconds: wait } : {}) };
  }
  if (codes.includes('INTERNAL_SERVER_ERROR')) return { status: 500, vendorCode: 'INTERNAL_SERVER_ERROR', vendorMessage: message };
  if (codes.includes('ACCESS_DENIED')) {
    const protectedData = /not approved to access|protected customer/i.test(message ?? '');
    return { status: 403, vendorCode: protectedData ? 'PROTECTED_CUSTOMER_DATA' : 'ACCESS_DENIED', vendorMessage: `${message ?? 'access denied'} (${ACCESS_ADVICE})` };
  }
  return { status: 400, vendorCode: codes.find(Boolean) ?? 'GRAPHQL_ERROR', vendorMessage: message };
}

/** Tokens obtained with the client-credentials grant, per shop and client id (module scope: reused while warm). */
const tokenCache = moduleCache<CachedToken>();

export interface ShopifyClient {
  shop: string;
  /** Runs a GraphQL query with variables (never with values pasted into the query text). */
  query<T>(query: string, variables: Record<string, unknown>, label: string): Promise<T>;
}

export interface ShopifyClientOptions {
  shop: string;
  credentials: ShopifyCredentials;
  log: Logger;
  now: () => number;
  /** ctx.service: a client sharing the action's logger, deadline and error classification. */
  service: (options: Omit<ServiceOptions, 'log' | 'deadline'>) => ServiceClient;
}

export function createShopifyClient(options: ShopifyClientOptions): ShopifyClient {
  const { shop, credentials, log, now } = options;
  const origin = `https://${shop}`;
  const oauth = options.service({ service: 'shopify', baseUrl: origin, describeError: describeShopifyError });
  const cacheKey = credentials.kind === 'client-credentials' ? `${shop}|${credentials.clientId}` : '';

  async function clientCredentialsToken(): Promise<string> {
    if (credentials.kind !== 'client-credentials') return '';
    const cached = tokenCache.get(cacheKey);
    if (isFresh(cached, now())) {
      log.addSecret(cached.accessToken);
      return cached.accessToken;
    }
    const res = await oauth.request<{ access_token?: string; expires_in?: number; scope?: string }>({
      method: 'POST',
      url: '/admin/oauth/access_token',
      form: { grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret },
      // Asking for a token twice is harmless.
      idempotent: true,
      label: 'client-credentials token',
    });
    const token = res.data?.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new PermanentError('Shopify answered the client-credentials grant without an access token', { errorCode: 'SHOPIFY_NO_TOKEN', service: 'shopify' });
    }
    log.addSecret(token);
    const seconds = typeof res.data.expires_in === 'number' && res.data.expires_in > 0 ? res.data.expires_in : 86_399;
    tokenCache.set(cacheKey, { accessToken: token, expiresAt: now() + seconds * 1000 });
    log.info('shopify.token', { grant: 'client_credentials', scope: res.data.scope, expiresIn: seconds });
    return token;
  }

  const graphql = options.service({
    service: 'shopify',
    baseUrl: `${origin}/admin/api/${SHOPIFY_API_VERSION}`,
    describeError: describeShopifyError,
    auth: async () => ({ 'x-shopify-access-token': credentials.kind === 'access-token' ? credentials.accessToken : await clientCredentialsToken() }),
    // A cached client-credentials token may have been revoked (app reinstalled, secret rotated): get a fresh one once.
    onUnauthorized: async () => {
      if (credentials.kind !== 'client-credentials') return false;
      tokenCache.delete(cacheKey);
      return true;
    },
    inspect: inspectGraphQLResponse,
  });

  return {
    shop,
    async query<T>(query: string, variables: Record<string, unknown>, label: string): Promise<T> {
      // A query reads only: sending it twice is safe.
      const res = await graphql.request<{ data?: T }>({ method: 'POST', url: '/graphql.json', json: { query, variables }, idempotent: true, label });
      if (!res.data?.data) throw new PermanentError('Shopify answered without data', { errorCode: 'SHOPIFY_EMPTY_RESPONSE', service: 'shopify' });
      return res.data.data;
    },
  };
}
