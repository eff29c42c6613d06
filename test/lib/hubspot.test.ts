import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../lib/action';
import { HUBSPOT_API_VERSION } from '../../lib/api-versions';
import { createDeadline } from '../../lib/deadline';
import { RetryableError } from '../../lib/errors';
import { checkObjectId, createHubSpotClient, describeHubSpotError, hubspotPaths, MAX_ASSOCIATION_PAGES, pathSegment, type HubSpotClient } from '../../lib/hubspot';
import { createLogger } from '../../lib/logger';
import { action as clearbitEnrich } from '../../actions/clearbit-enrich/index';
import { action as quickbooksInvoice } from '../../actions/quickbooks-invoice/index';
import { action as salesforceLeadSync } from '../../actions/salesforce-lead-sync/index';
import { action as shopifyOrderSync } from '../../actions/shopify-order-sync/index';
import { bundleAction } from '../../scripts/build.mjs';
import { RUNTIME_MODULES } from '../../scripts/runtime-modules.mjs';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../fakes/hubspot';
import { FakeNetwork, type FakeRequest } from '../fakes/network';
import { FAKE_SALESFORCE_SECRETS } from '../fakes/salesforce';
import { FAKE_SECRETS, runAction } from '../support/run';
import { orderEvent, orderWorld, type OrderWorld } from '../actions/shopify-order-sync/scenarios';
import { ENV as CLEARBIT_ENV, blankInputs } from '../actions/clearbit-enrich/scenarios';
import { QUICKBOOKS_SECRETS, dealEvent } from '../actions/quickbooks-invoice/scenarios';
import { syncEvent } from '../actions/salesforce-lead-sync/scenarios';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN;

describe('hubspotPaths: every HubSpot path, one date version', () => {
  const paths = hubspotPaths();

  it('defaults to 2026-09 and builds the paths of HubSpot\'s 2026-09 specs', () => {
    expect(HUBSPOT_API_VERSION).toBe('2026-09');
    expect(paths.objects('contacts')).toBe('/crm/objects/2026-09/contacts');
    expect(paths.object('deals', '123')).toBe('/crm/objects/2026-09/deals/123');
    expect(paths.objectBatch('line_items', 'create')).toBe('/crm/objects/2026-09/line_items/batch/create');
    expect(paths.objectBatch('contacts', 'upsert')).toBe('/crm/objects/2026-09/contacts/batch/upsert');
    expect(paths.objectSearch('companies')).toBe('/crm/objects/2026-09/companies/search');
    expect(paths.defaultAssociation('deals', '1', 'contacts', '2')).toBe('/crm/objects/2026-09/deals/1/associations/default/contacts/2');
    expect(paths.associationBatch('line_items', 'deals', 'associate/default')).toBe('/crm/associations/2026-09/line_items/deals/batch/associate/default');
    expect(paths.associationBatch('deals', 'line_items', 'read')).toBe('/crm/associations/2026-09/deals/line_items/batch/read');
    expect(paths.properties('deals')).toBe('/crm/properties/2026-09/deals');
    expect(paths.property('deals', 'amount')).toBe('/crm/properties/2026-09/deals/amount');
    expect(paths.propertyGroups('deals')).toBe('/crm/properties/2026-09/deals/groups');
    expect(paths.propertyGroup('deals', 'shopify')).toBe('/crm/properties/2026-09/deals/groups/shopify');
    expect(paths.propertiesBatchCreate('deals')).toBe('/crm/properties/2026-09/deals/batch/create');
    expect(paths.flow('585051946')).toBe('/automation/2026-09-beta/flows/585051946');
  });

  it('another date version is used everywhere when pinned; anything else is refused', () => {
    expect(hubspotPaths('2026-03').object('contacts', '1')).toBe('/crm/objects/2026-03/contacts/1');
    expect(hubspotPaths('2026-03').flow('7')).toBe('/automation/2026-03-beta/flows/7');
    for (const bad of ['v3', '2026-9', '2026-13', '', '2026-09-beta', '../2026-09']) {
      expect(() => hubspotPaths(bad)).toThrow(expect.objectContaining({ errorCode: 'INVALID_CONFIG' }));
    }
  });

  it.each(['..', '.', '', ' '])('refuses the path segment %j before any call (encodeURIComponent keeps dot segments)', (segment) => {
    expect(encodeURIComponent('..')).toBe('..');
    expect(() => pathSegment(segment)).toThrow(expect.objectContaining({ errorCode: 'INVALID_PATH_SEGMENT' }));
    expect(() => paths.object('contacts', segment)).toThrow(expect.objectContaining({ errorCode: 'INVALID_PATH_SEGMENT' }));
  });

  it('encodes what it keeps: a slash cannot open another path', () => {
    expect(paths.object('contacts', 'a/b?c')).toBe('/crm/objects/2026-09/contacts/a%2Fb%3Fc');
  });

  it.each(['..', '1.5', '-1', '12a', '', ' ', '1/2', '123456789012345678901'])('checkObjectId(%j) is INVALID_OBJECT_ID', (id) => {
    expect(() => checkObjectId(id, 'The enrolled contact id')).toThrow(expect.objectContaining({ errorCode: 'INVALID_OBJECT_ID' }));
  });

  it('no /crm/v3/ or /crm/v4/ path is written anywhere in lib/, actions/ or scripts/', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.(ts|mjs|cjs|js)$/.test(name) && /\/crm\/v[34]\/|\/automation\/v4\//.test(readFileSync(file, 'utf8'))) offenders.push(path.relative(ROOT, file));
      }
    };
    for (const dir of ['lib', 'actions', 'scripts']) walk(path.join(ROOT, dir));
    expect(offenders).toEqual([]);
  });

  it('the fake refuses legacy v3/v4 paths, unless legacyPaths is set (the bench runs the original snippets on them)', () => {
    const fake = new FakeHubSpot();
    const company = fake.seed('companies', { domain: 'acme.io' });
    const contact = fake.seed('contacts', { email: 'ada@acme.io' });
    const request = (method: string, pathname: string): FakeRequest => ({ method, origin: HUBSPOT_ORIGIN, path: pathname, pathname, query: new URLSearchParams(), headers: {}, body: undefined, rawBody: '' });
    expect(fake.handle(request('PUT', `/crm/objects/2026-09/contacts/${contact}/associations/default/companies/${company}`)).status).toBe(200);
    const get = (pathname: string) => fake.handle(request('GET', pathname));
    expect(get(`/crm/v3/objects/contacts/${contact}`).status).toBe(404);
    fake.legacyPaths = true;
    expect(get(`/crm/v3/objects/contacts/${contact}`)).toMatchObject({ status: 200, body: { id: contact } });
    expect(get(`/crm/v4/objects/contacts/${contact}/associations/companies`)).toMatchObject({ status: 200, body: { results: [{ toObjectId: Number(company) }] } });
    expect(get(`/crm/objects/2026-09/contacts/${contact}`).status).toBe(200);
  });
});

describe('a pinned version reaches the bundles', () => {
  const require = createRequire(import.meta.url);
  const { loadBundle, defaultRuntimeModules } = require('../../scripts/sandbox.cjs');
  const dir = mkdtempSync(path.join(tmpdir(), 'hubspot-version-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let world: OrderWorld;
  beforeEach(() => {
    world = orderWorld();
    world.net.install();
  });
  afterEach(() => world.net.uninstall());

  async function built(config: Record<string, unknown>): Promise<Action> {
    const { text } = await bundleAction('shopify-order-sync', { config });
    const file = path.join(dir, `bundle-${JSON.stringify(config).length}.js`);
    writeFileSync(file, text);
    return loadBundle(file, { runtimeModules: defaultRuntimeModules(RUNTIME_MODULES, ROOT), resolveFrom: ROOT }).exports.action as Action;
  }

  it('default build calls 2026-09; a build with "hubspot": { "apiVersion": "2026-03" } calls 2026-03 only', async () => {
    expect((await runAction(await built({}), orderEvent(5001), { env: world.env })).outputs?.status).toBe('ok');
    expect([...world.hubspot.apiVersions]).toEqual(['2026-09']);
    world.hubspot.apiVersions.clear();
    expect((await runAction(await built({ hubspot: { apiVersion: '2026-03' } }), orderEvent(5001), { env: world.env })).outputs?.status).toBe('ok');
    expect([...world.hubspot.apiVersions]).toEqual(['2026-03']);
  });

  it('a version that is not a date version fails the build', async () => {
    await expect(bundleAction('shopify-order-sync', { config: { hubspot: { apiVersion: 'v3' } } })).rejects.toThrow(/date version/);
  });
});

describe('HubSpot behaviours the client handles', () => {
  let net: FakeNetwork;
  let hubspot: FakeHubSpot;
  let logs: string[];
  const client = (budgetMs = 1_500): HubSpotClient =>
    createHubSpotClient({ accessToken: TOKEN, log: createLogger({ scope: 'test', secrets: [TOKEN], sink: (l) => logs.push(l) }), deadline: createDeadline({ budgetMs, reserveMs: 200 }) });
  const upsertPath = (req: { method: string; pathname: string }) => req.method === 'POST' && req.pathname === '/crm/objects/2026-09/contacts/batch/upsert';

  beforeEach(() => {
    logs = [];
    hubspot = new FakeHubSpot({ accessToken: TOKEN });
    net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle).install();
  });
  afterEach(() => net.uninstall());

  it('sends what the 2026-09 request schemas require: propertiesWithHistory on batch/read, associations on create, the search paging fields', async () => {
    const api = client();
    const item = hubspot.seed('line_items', { name: 'a' });
    expect((await api.readObjects('line_items', [item], ['name'])).map((r) => r.id)).toEqual([item]);
    await api.createObject('companies', { name: 'Acme' });
    await api.searchObjects('companies', { filterGroups: [{ filters: [{ propertyName: 'name', operator: 'EQ', value: 'Acme' }] }] });
    const bodies = net.calls.map((c) => c.requestBody as Record<string, unknown>);
    expect(bodies[0]).toEqual({ properties: ['name'], propertiesWithHistory: [], inputs: [{ id: item }] });
    expect(bodies[1]).toEqual({ properties: { name: 'Acme' }, associations: [] });
    expect(bodies[2]).toMatchObject({ after: '0', limit: 10, properties: [], sorts: [] });
  });

  it('the fake refuses a body missing a required field with HubSpot\'s 400 VALIDATION_ERROR (what batch/read without propertiesWithHistory got)', async () => {
    const res = hubspot.handle({ method: 'POST', pathname: '/crm/objects/2026-09/line_items/batch/read', query: new URLSearchParams(), headers: { authorization: `Bearer ${TOKEN}` }, body: { properties: ['name'], inputs: [{ id: '1' }] }, rawBody: '' } as unknown as FakeRequest);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringContaining('propertiesWithHistory') });
    const nested = hubspot.handle({ method: 'POST', pathname: '/crm/objects/2026-09/line_items/batch/create', query: new URLSearchParams(), headers: { authorization: `Bearer ${TOKEN}` }, body: { inputs: [{ properties: {} }] }, rawBody: '' } as unknown as FakeRequest);
    expect(nested.body).toMatchObject({ message: expect.stringContaining('inputs[0].associations') });
  });

  it(`reads associations page by page, and stops with a permanent error past ${MAX_ASSOCIATION_PAGES} pages instead of paging until the deadline`, async () => {
    const deal = hubspot.seed('deals', { dealname: 'big order' });
    hubspot.associationPageSize = 1;
    const api = client(20_000);
    const items: string[] = [];
    for (let i = 0; i < MAX_ASSOCIATION_PAGES; i++) {
      items.push(hubspot.seed('line_items', { name: `line ${i}` }));
      await api.associateDefault('deals', deal, 'line_items', items.at(-1)!);
    }
    expect((await api.readAssociatedIds('deals', deal, 'line_items')).sort()).toEqual([...items].sort());
    const extra = hubspot.seed('line_items', { name: 'one too many' });
    await api.associateDefault('deals', deal, 'line_items', extra);
    await expect(api.readAssociatedIds('deals', deal, 'line_items')).rejects.toMatchObject({ errorCode: 'HUBSPOT_TOO_MANY_ASSOCIATIONS' });
  });

  // https://developers.hubspot.com/docs/api-reference/error-handling: 423 "wait at least 2 seconds"; 477 Retry-After.
  it('423 Locked: waits at least 2 s in the run, then succeeds', async () => {
    hubspot.answerNext(upsertPath, { status: 423, body: { status: 'error', message: 'Locked', category: 'LOCKED' } });
    const started = Date.now();
    const [record] = await client(10_000).upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: { email: 'ada@example.com' } }]);
    expect(record?.new).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_950);
    expect(net.calls.map((c) => c.status)).toEqual([423, 200]);
  }, 10_000);

  it('423 Locked without budget to wait: a retryable error with a 5xx status (HubSpot re-runs), not a permanent one', async () => {
    hubspot.answerNext(upsertPath, { status: 423, body: { status: 'error', message: 'Locked', category: 'LOCKED' } });
    const error = await client(1_500).upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: {} }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ errorCode: 'LOCKED', status: 503 });
    expect(net.calls).toHaveLength(1);
  });

  it('477 Migration in progress: waits Retry-After in the run when it fits; a long Retry-After is left to the re-run', async () => {
    hubspot.answerNext(upsertPath, { status: 477, headers: { 'retry-after': '2' }, body: { status: 'error', message: 'Migration in progress', category: 'MIGRATION_IN_PROGRESS' } });
    expect(await client(10_000).upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: {} }])).toHaveLength(1);
    hubspot.answerNext(upsertPath, { status: 477, headers: { 'retry-after': '600' }, body: { status: 'error', message: 'Migration in progress' } });
    const error = await client(10_000).upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: {} }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'retryable', errorCode: 'MIGRATION_IN_PROGRESS', status: 503, retryAfterSeconds: 600 });
  }, 10_000);

  it.each([
    ['an empty body', { status: 200, body: undefined }],
    ['a non-JSON text body', { status: 200, body: 'OK', headers: { 'content-type': 'text/plain' } }],
  ])('a 2xx with %s where a body is needed is a retryable 502, not INTERNAL_ERROR', async (_what, answer) => {
    hubspot.answerNext(upsertPath, answer).answerNext(upsertPath, answer);
    const error = await client().upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: {} }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ errorCode: 'MALFORMED_RESPONSE', status: 502 });
  });

  it('one empty 2xx is retried once in the run (the upsert is idempotent)', async () => {
    hubspot.answerNext(upsertPath, { status: 200, body: undefined });
    expect(await client(10_000).upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: {} }])).toHaveLength(1);
  });

  it('batch/upsert answering 409 for the whole batch (email is another contact\'s): updates the record HubSpot names', async () => {
    const other = hubspot.seed('contacts', { email: 'ada.primary@example.com', firstname: 'Ada' });
    hubspot.addAdditionalEmail(other, 'ada@example.com');
    const [record] = await client().upsertObjects('contacts', 'email', [{ id: 'ada@example.com', properties: { lastname: 'Lovelace' } }]);
    expect(record).toMatchObject({ id: other, new: false });
    expect(hubspot.get('contacts', other)?.properties.lastname).toBe('Lovelace');
    expect(hubspot.list('contacts')).toHaveLength(1);
    expect(net.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 409', 'PATCH 200']);
  });

  it('a whole-batch 409 for several inputs is a clear permanent error, nothing guessed', async () => {
    const other = hubspot.seed('contacts', { email: 'ada.primary@example.com' });
    hubspot.addAdditionalEmail(other, 'ada@example.com');
    const inputs = [{ id: 'ada@example.com', properties: {} }, { id: 'bob@example.com', properties: {} }];
    await expect(client().upsertObjects('contacts', 'email', inputs)).rejects.toMatchObject({ kind: 'permanent', errorCode: 'HUBSPOT_UPSERT_CONFLICT' });
  });
});

describe('portal rules and currencies (2026-09), reported by name', () => {
  let world: OrderWorld;
  beforeEach(() => {
    world = orderWorld();
    world.net.install();
  });
  afterEach(() => world.net.uninstall());
  const run = () => runAction(shopifyOrderSync, orderEvent(5001), { env: world.env });

  it('a required create-form field: permanent HUBSPOT_VALIDATION_RULE naming the property and Settings → Properties / Objects', async () => {
    world.hubspot.addValidationRule({ kind: 'required', objectType: 'deals', property: 'hubspot_owner_id' });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'HUBSPOT_VALIDATION_RULE' });
    expect(outputs?.error_message).toContain('hubspot_owner_id');
    expect(outputs?.error_message).toMatch(/Settings → Properties/);
    expect(outputs?.error_message).toMatch(/Settings → Objects/);
    expect(world.hubspot.list('deals')).toHaveLength(0);
  });

  it('a conditional rule (closedate required when dealstage is closedwon) passes when the action sends the value', async () => {
    world.hubspot.addValidationRule({ kind: 'conditional', objectType: 'deals', property: 'closedate', when: { property: 'dealstage', value: 'closedwon' } });
    expect((await run()).outputs?.status).toBe('ok');
    world.hubspot.addValidationRule({ kind: 'conditional', objectType: 'deals', property: 'hs_next_step', when: { property: 'dealstage', value: 'closedwon' } });
    const { outputs } = await runAction(shopifyOrderSync, orderEvent(5001), { env: world.env });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'HUBSPOT_VALIDATION_RULE' });
    expect(outputs?.error_message).toContain('hs_next_step');
  });

  it('an association permission rule: HUBSPOT_VALIDATION_RULE that says association', async () => {
    world.hubspot.addValidationRule({ kind: 'association', objectType: 'line_items', toType: 'deals' });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'HUBSPOT_VALIDATION_RULE' });
    expect(outputs?.error_message).toMatch(/association/i);
  });

  it('a currency not enabled in the account: HUBSPOT_CURRENCY_NOT_ENABLED naming the currency and where to enable it', async () => {
    world.hubspot.enabledCurrencies = new Set(['EUR']);
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'HUBSPOT_CURRENCY_NOT_ENABLED' });
    expect(outputs?.error_message).toContain('USD');
    expect(outputs?.error_message).toContain('Settings → Account defaults → Currencies');
  });

  it('an ordinary invalid value keeps the plain VALIDATION_ERROR code (not mistaken for a portal rule)', () => {
    const body = { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid: [{"isValid":false,"message":"abc is not a valid number","error":"INVALID_INTEGER","name":"amount"}]' };
    expect(describeHubSpotError(400, body).code).toBe('VALIDATION_ERROR');
  });
});

describe('every action checks the enrolled object id before any call', () => {
  const withObjectId = <E extends { object?: unknown }>(event: E, objectType: string, objectId: string) => ({ ...event, object: { objectType, objectId } });
  let net: FakeNetwork;
  beforeEach(() => {
    net = new FakeNetwork().route(HUBSPOT_ORIGIN, new FakeHubSpot({ accessToken: TOKEN }).handle).install();
  });
  afterEach(() => net.uninstall());

  it.each(['..', '.', '12a', '1/2'])('objectId %j → INVALID_OBJECT_ID, no HTTP call, in clearbit-enrich, quickbooks-invoice and salesforce-lead-sync', async (id) => {
    const runs = [
      runAction(clearbitEnrich, withObjectId({ ...syncEvent(), inputFields: blankInputs() }, 'CONTACT', id), { env: CLEARBIT_ENV }),
      runAction(quickbooksInvoice, withObjectId(dealEvent('1'), 'DEAL', id), { env: QUICKBOOKS_SECRETS }),
      runAction(salesforceLeadSync, withObjectId(syncEvent(), 'CONTACT', id), { env: { ...FAKE_SECRETS, ...FAKE_SALESFORCE_SECRETS } }),
    ];
    for (const outcome of await Promise.all(runs)) {
      expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'INVALID_OBJECT_ID' });
    }
    expect(net.calls).toEqual([]);
  });
});

describe('describeHubSpotError reads the invalid-value list wherever HubSpot puts it', () => {
  it('a currency refusal nested in errors[].message is still HUBSPOT_CURRENCY_NOT_ENABLED material', () => {
    const detail = 'Property values were not valid: [{"isValid":false,"message":"JPY was not one of the allowed options","error":"INVALID_OPTION","name":"hs_line_item_currency_code"}]';
    const details = describeHubSpotError(400, { status: 'error', category: 'VALIDATION_ERROR', message: 'One or more validation errors occurred', errors: [{ message: detail }] });
    expect(details.code).toBe('CURRENCY_NOT_ENABLED');
    expect(details.message).toContain('JPY');
  });
});
