import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HubSpotEvent } from '../../lib/action';
import { SALESFORCE_GENERIC_LOGIN, SALESFORCE_INSTANCE, API_PREFIX } from '../../test/fakes/salesforce';
import type { FakeShopify } from '../../test/fakes/shopify';
import { CLEARBIT_ORIGIN } from '../../test/fakes/clearbit';
import { QUICKBOOKS_ORIGIN } from '../../test/fakes/quickbooks';
import type { FakeRequest } from '../../test/fakes/network';
import type { ActionScenarios, ScenarioPath, World } from '../../test/support/scenario';
import { ROOT } from './bundles';
import { catchUpSearch } from './enrollments';
import { wrapRoute } from './routes';

/**
 * The original snippets this project replaces, for the same integration (bench/original/<action>.js, kept verbatim
 * with the smallest fixes, each commented there), run against the same fakes and paths as the action, counted on the
 * wire. Where the original snippet calls an endpoint our fakes do not serve (the older REST/SOAP APIs it was written for), a
 * shim here answers from the same fake state, shaped as that API documents it; the shim is named in the note.
 */

export interface SeedPathMeasure {
  path: string;
  calls?: number;
  outcome: string;
  note?: string;
  counts?: Record<string, number>;
}

export interface SeedMeasure {
  available: boolean;
  file?: string;
  note?: string;
  paths?: SeedPathMeasure[];
}

type SeedRun = (seed: Record<string, any>, event: HubSpotEvent, hubspotClient: unknown) => Promise<unknown>;

interface SeedSpec {
  file: string;
  note: string;
  env(world: World): Record<string, string>;
  shim?(world: World): void;
  run: SeedRun;
}

/**
 * The seeds' SDKs (jsforce, node-quickbooks, intuit-oauth, shopify-api-node) live in bench/node_modules, installed by
 * `npm run bench` from bench/package.json so a user's `npm ci` never installs them; @hubspot/api-client and the rest
 * resolve from the project's node_modules one level up (Node walks up from bench/).
 */
const requireFromRoot = createRequire(path.join(ROOT, 'bench', 'noop.js'));

/** Loads an original snippet the way HubSpot loads pasted code (a CommonJS wrapper), with real node_modules. */
function loadSeed(file: string): Record<string, any> {
  const code = readFileSync(path.join(ROOT, 'bench', 'original', file), 'utf8');
  const module = { exports: {} as Record<string, any> };
  new Function('exports', 'require', 'module', '__filename', '__dirname', code)(module.exports, requireFromRoot, module, file, path.dirname(file));
  return module.exports;
}

// ---- shims: endpoints the original snippets' libraries call, answered from the same fake state ----------------------------------

/** Salesforce SOAP login (jsforce `conn.login(username, password)`), answered with a session the fake accepts. */
function salesforceShim(world: World): void {
  const salesforce = (world as any).salesforce;
  // The original snippet's status values ("Open", "Marketing Qualified"…) are not in a default org's restricted Lead Status
  // picklist, so every create and update fails there; to count calls on the success path the org gets them too.
  salesforce.leadStatuses.push('Open', 'Marketing Qualified', 'Sales Qualified', 'Working', 'Closed Converted');
  wrapRoute(world.net, SALESFORCE_GENERIC_LOGIN, (inner) => (req) => {
    if (req.method !== 'POST' || !req.pathname.startsWith('/services/Soap/u/')) return inner(req);
    const grant = salesforce.handleMyDomain({ method: 'POST', pathname: '/services/oauth2/token', body: { grant_type: 'client_credentials', client_id: salesforce.clientId, client_secret: salesforce.clientSecret } } as FakeRequest);
    const token = (grant.body as { access_token: string }).access_token;
    // Shape: SOAP API Developer Guide, login() → LoginResult.
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><loginResponse><result><passwordExpired>false</passwordExpired><serverUrl>${SALESFORCE_INSTANCE}/services/Soap/u/64.0/00D5g000004FAKE</serverUrl><sessionId>${token}</sessionId><userId>005000000000001AAA</userId><userInfo><organizationId>00D5g000004FAKEEAS</organizationId></userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>`,
    };
  });
  // jsforce defaults to API v50.0; the fake serves v64.0 (the same resources). The original snippet writes a custom field,
  // HubSpot_Contact_ID__c, that it tells the user to create; the fake org does not know it, so it is dropped here
  // (as if the org had it) rather than failing every create and update.
  wrapRoute(world.net, SALESFORCE_INSTANCE, (inner) => (req) => {
    const pathname = req.pathname.replace(/^\/services\/data\/v\d+\.\d+/, API_PREFIX);
    const body = req.body && typeof req.body === 'object' ? Object.fromEntries(Object.entries(req.body).filter(([k]) => k !== 'HubSpot_Contact_ID__c')) : req.body;
    return inner({ ...req, pathname, path: req.path.replace(/^\/services\/data\/v\d+\.\d+/, API_PREFIX), body });
  });
}

/** Shopify REST Admin API GET orders/{id}.json (shopify-api-node `order.get`), from the GraphQL fake's orders. */
function shopifyShim(world: World): void {
  const shopify = (world as any).shopify as FakeShopify;
  wrapRoute(world.net, shopify.origin, (inner) => (req) => {
    const match = /^\/admin(?:\/api\/[^/]+)?\/orders\/(\d+)\.json$/.exec(req.pathname);
    if (req.method !== 'GET' || !match) return inner(req);
    const order = shopify.orders.get(Number(match[1]));
    if (!order) return { status: 404, body: { errors: 'Not Found' } };
    const customer = order.customerId ? shopify.customers.get(order.customerId) : undefined;
    const address = (a: any) => (a ? { first_name: a.firstName ?? null, last_name: a.lastName ?? null, address1: a.address1 ?? null, address2: a.address2 ?? null, city: a.city ?? null, province: a.province ?? null, zip: a.zip ?? null, country: a.country ?? null, phone: a.phone ?? null } : null);
    // Shape: https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders-order-id (trimmed).
    return {
      status: 200,
      body: {
        order: {
          id: order.id,
          name: order.name ?? `#${order.id}`,
          order_number: Number(String(order.name ?? order.id).replace(/\D/g, '')),
          email: order.email ?? customer?.email ?? null,
          created_at: order.createdAt,
          total_price: order.total,
          currency: shopify.currency,
          customer: customer ? { id: customer.id, email: customer.email ?? null, first_name: customer.firstName ?? null, last_name: customer.lastName ?? null, phone: customer.phone ?? null } : null,
          billing_address: address(order.billingAddress),
          line_items: (order.lineItems ?? []).map((l) => ({ id: l.id, title: l.title, quantity: l.quantity, sku: l.sku ?? null, price: l.unitPrice })),
        },
      },
    };
  });
}

/** node-quickbooks pages every query with STARTPOSITION; the fake's parser knows only MAXRESULTS (same first page). */
function quickbooksShim(world: World): void {
  wrapRoute(world.net, QUICKBOOKS_ORIGIN, (inner) => (req) => {
    const query = req.query.get('query');
    if (!query || !/ startposition \d+/i.test(query)) return inner(req);
    const params = new URLSearchParams(req.query);
    params.set('query', query.replace(/ startposition \d+/i, ''));
    return inner({ ...req, query: params, path: `${req.pathname}?${params}` });
  });
}

/** Clearbit Person API GET /v2/people/find, from the Combined API fake's records (the person half). */
function clearbitShim(world: World): void {
  wrapRoute(world.net, CLEARBIT_ORIGIN, (inner) => async (req) => {
    if (req.method !== 'GET' || req.pathname !== '/v2/people/find') return inner(req);
    const answer = await inner({ ...req, pathname: '/v2/combined/find', path: req.path.replace('/v2/people/find', '/v2/combined/find') });
    if (answer.status !== 200) return answer;
    return { ...answer, body: (answer.body as { person: unknown }).person };
  });
}

const SPECS: Record<string, SeedSpec> = {
  'salesforce-lead-sync': {
    file: 'salesforce-lead-sync.js',
    note: 'original: exports.main; fix: event.inputFields for functionContext.parameters; shims: SOAP login, API v50.0→v64.0 path, custom field HubSpot_Contact_ID__c accepted, the Lead Status values the original uses added to the org (in a default org every create/update fails: restricted picklist)',
    env: (w) => ({ PRIVATE_APP_ACCESS_TOKEN: w.env.HUBSPOT_ACCESS_TOKEN ?? '', SALESFORCE_USERNAME: 'integration@acme.io', SALESFORCE_PASSWORD: 'pw-leakcheck', SALESFORCE_SECURITY_TOKEN: 'st-leakcheck' }),
    shim: salesforceShim,
    async run(seed, event) {
      const f = event.inputFields as Record<string, string>;
      // The workflow fields the original snippet names (it expects these names as the action's input fields).
      const inputFields = { ...f, contact_id: String(event.object?.objectId), last_modified_date: f.lastmodifieddate, lifecycle_stage: f.lifecyclestage, lead_status: f.hs_lead_status, lead_source: '' };
      let response: any;
      await seed.main({ ...event, inputFields }, (r: unknown) => (response = r));
      if (response?.statusCode !== 200) throw new Error(`original snippet answered ${response?.statusCode}: ${response?.body?.message}`);
      return response.body.operation;
    },
  },
  'shopify-order-sync': {
    file: 'shopify-order-sync.js',
    note: 'original: syncShopifyOrder(orderId, hubspotClient); fix: undefined contactProperties; shim: REST GET orders/{id}.json',
    env: (w) => ({ SHOPIFY_SHOP_NAME: ((w as any).shopify as FakeShopify).shop.replace('.myshopify.com', ''), SHOPIFY_API_KEY: 'key-leakcheck', SHOPIFY_API_PASSWORD: w.env.SHOPIFY_ACCESS_TOKEN ?? 'pw' }),
    shim: shopifyShim,
    run: async (seed, event, client) => (await seed.syncShopifyOrder((event.inputFields as Record<string, string>).shopify_order_id, client)).status,
  },
  'quickbooks-invoice': {
    file: 'quickbooks-invoice.js',
    note: 'original: createQuickBooksInvoice(dealId, hubspotClient); fixes: AuthResponse.getJson(), oauthversion 2.0, v4 associations getPage/toObjectId; shim: STARTPOSITION dropped from queries',
    env: (w) => ({
      QUICKBOOKS_CLIENT_ID: w.env.QUICKBOOKS_CLIENT_ID ?? '',
      QUICKBOOKS_CLIENT_SECRET: w.env.QUICKBOOKS_CLIENT_SECRET ?? '',
      QUICKBOOKS_REDIRECT_URI: 'https://example.com/callback',
      QUICKBOOKS_REALM_ID: w.env.QUICKBOOKS_REALM_ID ?? '',
      // Stored tokens already expired: the original snippet refreshes them with the bootstrap refresh token the fake knows.
      QUICKBOOKS_TOKENS: JSON.stringify({ access_token: 'expired', refresh_token: w.env.QUICKBOOKS_REFRESH_TOKEN, expires_at: '2020-01-01T00:00:00Z' }),
    }),
    shim: quickbooksShim,
    run: async (seed, event, client) => (await seed.createQuickBooksInvoice(String(event.object?.objectId), client)).status,
  },
  'clearbit-enrich': {
    file: 'clearbit-enrich.js',
    note: "original: enrichContactWithClearbit(email, hubspotClient); fix: idProperty 'email' on the update; shim: Person API /v2/people/find",
    env: (w) => ({ CLEARBIT_API_KEY: w.env.CLEARBIT_API_KEY ?? '' }),
    shim: clearbitShim,
    run: async (seed, event, client) => (await seed.enrichContactWithClearbit((event.inputFields as Record<string, string>).email, client)).status,
  },
};

async function runSeedOnce(spec: SeedSpec, seed: Record<string, any>, world: World, event: HubSpotEvent): Promise<{ calls: number; outcome: string }> {
  const { Client } = requireFromRoot('@hubspot/api-client') as { Client: new (o: unknown) => unknown };
  const env = spec.env(world);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const before = world.net.calls.length;
  const log = console.log;
  const err = console.error;
  console.log = () => {};
  console.error = () => {};
  try {
    const client = new Client({ accessToken: world.env.HUBSPOT_ACCESS_TOKEN });
    const result = await spec.run(seed, event, client);
    return { calls: world.net.calls.length - before, outcome: `ok (${String(result)})` };
  } catch (error) {
    return { calls: world.net.calls.length - before, outcome: `threw: ${String((error as Error).message).slice(0, 120)}` };
  } finally {
    console.log = log;
    console.error = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function runSeed(name: string, scenarios: ActionScenarios): Promise<SeedMeasure> {
  const spec = SPECS[name];
  if (!spec) return { available: false };
  let seed: Record<string, any>;
  try {
    seed = loadSeed(spec.file);
  } catch (error) {
    return { available: true, note: `${spec.note}; the original snippet does not load: ${(error as Error).message}` };
  }
  const plan: Array<{ label: string; path: ScenarioPath; rerun: boolean }> = [
    ...scenarios.paths.map((p) => ({ label: p.name, path: p, rerun: false })),
    ...(scenarios.paths[0] ? [{ label: `re-run of completed "${scenarios.paths[0].name}"`, path: scenarios.paths[0], rerun: true }] : []),
  ];
  const paths: SeedPathMeasure[] = [];
  for (const step of plan) {
    const world = scenarios.world();
    step.path.setup?.(world);
    spec.shim?.(world);
    // The original snippets call /crm/v3 and /crm/v4 through @hubspot/api-client: still served by HubSpot until 2027.
    const hubspot = (world as World & { hubspot?: { legacyPaths: boolean } }).hubspot;
    if (hubspot) hubspot.legacyPaths = true;
    world.net.install();
    try {
      let first: { calls: number; outcome: string } | undefined;
      if (step.rerun) {
        first = await runSeedOnce(spec, seed, world, step.path.event);
        catchUpSearch(world);
      }
      const countsBefore = world.counts();
      const run = await runSeedOnce(spec, seed, world, step.path.event);
      const counts = world.counts();
      const grew = Object.entries(counts).filter(([k, v]) => v > (countsBefore[k] ?? 0)).map(([k, v]) => `${k} +${v - (countsBefore[k] ?? 0)}`);
      paths.push({
        path: step.label,
        calls: run.calls,
        outcome: run.outcome,
        ...(step.rerun ? { note: `first run: ${first?.outcome}; re-run: ${run.outcome}${grew.length ? `; re-run created ${grew.join(', ')} (duplicates)` : ''}` } : run.outcome.startsWith('ok') ? {} : { note: run.outcome }),
        counts,
      });
    } finally {
      world.net.uninstall();
    }
  }
  return { available: true, file: spec.file, note: spec.note, paths };
}
