import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { secretForms } from '../reliability/scenarios';
import { configuredHubSpotApiVersion, createToolingClient, loadActions, parseDotEnv, readAccessToken, type AnyAction } from '../../scripts/lib-tooling/common';
import { textProperty } from '../../lib/properties';
import { collectDeclarations, runPropertySetup } from '../../scripts/lib-tooling/property-setup';
import { setupCommand, setupMain } from '../../scripts/setup';
import { FakeHubSpotProperties } from '../fakes/hubspot-properties';
import { FakeNetwork } from '../fakes/network';
import { FIXTURE_ACTIONS, ORDER_STATUS } from './fixtures/actions';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const ORIGIN = 'https://api.hubapi.com';
const NO_ENV_FILE = path.join(tmpdir(), 'no-such-dir', '.env');

let network: FakeNetwork;
let hubspot: FakeHubSpotProperties;
let printed: string[];

beforeEach(() => {
  hubspot = new FakeHubSpotProperties(TOKEN);
  network = new FakeNetwork().route(ORIGIN, hubspot.handle).install();
  printed = [];
});
afterEach(() => network.uninstall());

function setup(argv: string[], actions: AnyAction[] = FIXTURE_ACTIONS, env: Record<string, string | undefined> = { HUBSPOT_ACCESS_TOKEN: TOKEN }) {
  return setupCommand({ argv, actions, env, envFile: NO_ENV_FILE, print: (l) => printed.push(l) });
}

describe('npm run setup', () => {
  it('dry run lists exactly the missing groups and properties and writes nothing', async () => {
    const result = await setup([]);
    expect(result.plan.missing.map((d) => `${d.property.objectType}.${d.property.name}`)).toEqual([
      'contacts.storefront_customer_id',
      'deals.storefront_order_id',
      'deals.storefront_order_status',
    ]);
    expect(result.plan.groups.map((g) => `${g.objectType}.${g.group.name}:${g.exists}`)).toEqual(['contacts.storefront_sync:false', 'deals.storefront_sync:false']);
    expect(hubspot.writes).toEqual([]);
    expect(network.calls.every((c) => c.method === 'GET')).toBe(true);
    expect(printed.filter((l) => l.startsWith('would create property'))).toHaveLength(3);
    expect(printed.join('\n')).toContain('npm run setup -- --apply');
  });

  it('a property declared by two actions is created once and names both', async () => {
    const { declared, inconsistent } = collectDeclarations(FIXTURE_ACTIONS);
    expect(inconsistent).toEqual([]);
    expect(declared.find((d) => d.property.name === 'storefront_customer_id')?.actions).toEqual(['fixture-customer-sync', 'fixture-order-sync']);
  });

  it('--apply creates the groups and properties with the declared definition', async () => {
    const result = await setup(['--apply']);
    expect(result.createdGroups).toEqual(['contacts.storefront_sync', 'deals.storefront_sync']);
    expect(result.createdProperties).toEqual(['contacts.storefront_customer_id', 'deals.storefront_order_id', 'deals.storefront_order_status']);
    const orderId = hubspot.properties.get('deals')?.get('storefront_order_id');
    expect(orderId).toMatchObject({ type: 'string', fieldType: 'text', groupName: 'storefront_sync', hasUniqueValue: true });
    const status = hubspot.properties.get('deals')?.get('storefront_order_status');
    expect(status?.options.map((o) => o.value)).toEqual(['paid', 'refunded']);
    expect(hubspot.groups.get('deals')?.get('storefront_sync')?.label).toBe('Storefront sync');
    // Groups first: HubSpot rejects a property whose group does not exist.
    expect(hubspot.writes.map((w) => w.path)).toEqual([
      '/crm/properties/2026-09/contacts/groups',
      '/crm/properties/2026-09/deals/groups',
      '/crm/properties/2026-09/contacts',
      '/crm/properties/2026-09/deals',
      '/crm/properties/2026-09/deals',
    ]);
  });

  it('a second --apply is a no-op', async () => {
    await setup(['--apply']);
    const writesAfterFirst = hubspot.writes.length;
    printed = [];
    const second = await setup(['--apply']);
    expect(hubspot.writes.length).toBe(writesAfterFirst);
    expect(second.plan.missing).toEqual([]);
    expect(second.plan.matching).toHaveLength(3);
    expect(printed.at(-1)).toMatch(/^3 properties already as declared, 0 missing, 0 different/);
  });

  it('reports an existing property with another definition and does not overwrite it', async () => {
    hubspot.addGroup('deals', { name: 'storefront_sync', label: 'Storefront sync' });
    hubspot.addProperty('deals', { name: 'storefront_order_id', type: 'number', fieldType: 'number', groupName: 'storefront_sync', hasUniqueValue: false });
    hubspot.addProperty('deals', { ...ORDER_STATUS, options: [{ label: 'Paid', value: 'paid' }], hasUniqueValue: false });
    const result = await setup(['--apply']);
    const different = Object.fromEntries(result.plan.different.map((d) => [d.property.name, d.differences]));
    expect(different.storefront_order_id).toEqual(['type is number, declared string', 'fieldType is number, declared text', 'hasUniqueValue is false, declared true']);
    expect(different.storefront_order_status).toEqual(['options are [paid], declared [paid,refunded]']);
    expect(hubspot.properties.get('deals')?.get('storefront_order_id')?.type).toBe('number');
    expect(hubspot.writes.filter((w) => w.path === '/crm/properties/2026-09/deals')).toEqual([]);
    expect(printed.filter((l) => l.startsWith('DIFFERENT'))).toHaveLength(2);
  });

  it('a 409 on a group created meanwhile (HubSpot CONFLICT body) counts as existing, and the properties still get created', async () => {
    // The group appears between our read and our create: the list is read before another admin creates it.
    network.uninstall();
    hubspot.addGroup('deals', { name: 'storefront_sync', label: 'Storefront sync' });
    network = new FakeNetwork()
      .route(ORIGIN, (req) => (req.method === 'GET' && req.pathname === '/crm/properties/2026-09/deals/groups' ? { status: 200, body: { results: [] } } : hubspot.handle(req)))
      .install();
    const result = await setup(['--apply']);
    expect(result.alreadyExisted).toEqual(['deals group storefront_sync']);
    expect(network.calls.some((c) => c.status === 409)).toBe(true);
    expect(result.createdProperties).toContain('deals.storefront_order_id');
  });

  it('--only limits the run to one action', async () => {
    const result = await setup(['--only', 'fixture-customer-sync'], [FIXTURE_ACTIONS[0] as AnyAction]);
    expect(result.plan.objectTypes).toEqual(['contacts']);
    expect(network.calls.every((c) => c.url.includes('/contacts'))).toBe(true);
  });

  it('a rejected token names the scopes to grant and never prints the token', async () => {
    const lines: string[] = [];
    const error = await setupCommand({ argv: [], actions: FIXTURE_ACTIONS, env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-99999999-9999-9999-9999-999999999999' }, envFile: NO_ENV_FILE, print: (l) => lines.push(l) }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/401/);
    expect((error as Error).message).toContain('crm.schemas.deals.write');
    expect((error as Error).message).not.toContain('99999999');
  });

  it('an under-scoped token (403 MISSING_SCOPES) names the scopes', async () => {
    hubspot.missingScopes.add('crm.schemas.deals.write');
    const error = await setup(['--apply']).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/lacks a scope/);
    expect((error as Error).message).toContain('crm.schemas.deals.write');
    expect((error as { errorCode?: string }).errorCode).toBe('MISSING_SCOPES');
    // Only the contacts part got created before the deals write was refused.
    expect(hubspot.properties.get('deals')?.has('storefront_order_id')).toBe(false);
  });

  it('a missing token is a clear error that names the scopes, before any call', async () => {
    const error = await setup([], FIXTURE_ACTIONS, {}).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/No HUBSPOT_ACCESS_TOKEN.*\.env/);
    expect((error as Error).message).toContain('crm.schemas.contacts.write');
    expect((error as Error).message).toContain('run `npm run setup -- --plan`');
    expect(network.calls).toEqual([]);
  });

  it('--only with an unknown action is a usage error: exit 2, like every other wrong argument', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await setupMain(['--only', 'nosuch'], { env: {}, envFile: NO_ENV_FILE })).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/--only nosuch: No action named "nosuch"/);
    expect(errors.join('\n')).toContain('npm run setup -- --help');
  });

  it('a vendor or proxy message echoing the token is printed through the actions\' redactor, whatever the encoding', async () => {
    const token = 'sk-na1-Zy/Xw+Vu=Ts~9876543210fedcba';
    const echoes = secretForms(token);
    network.uninstall();
    network = new FakeNetwork()
      .route(ORIGIN, (req) => ({ status: 400, body: { status: 'error', category: 'VALIDATION_ERROR', message: `Bad request: you sent authorization=${req.headers.authorization}; ${echoes.join(' | ')}` } }))
      .install();
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await setupMain([], { actions: FIXTURE_ACTIONS, env: { HUBSPOT_ACCESS_TOKEN: token }, envFile: NO_ENV_FILE, print: () => {} })).toBe(1);
    } finally {
      spy.mockRestore();
    }
    const text = errors.join('\n');
    expect(text).toMatch(/^setup failed: .*Bad request: you sent authorization=Bearer \[redacted\]/);
    for (const form of echoes) expect(text, form).not.toContain(form);
  });

  it('reads the token from a .env file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'setup-env-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, `# local\nexport OTHER=1\nHUBSPOT_ACCESS_TOKEN="${TOKEN}"\n`);
    expect(readAccessToken({ env: {}, envFile: file, scopes: [] })).toBe(TOKEN);
    const result = await setupCommand({ argv: [], actions: FIXTURE_ACTIONS, env: {}, envFile: file, print: () => {} });
    expect(result.plan.missing).toHaveLength(3);
  });

  it('rejects unknown options (typos), suggesting the known one', async () => {
    await expect(setup(['--aply'])).rejects.toThrow(/unknown option --aply \(did you mean --apply\?\)/);
    await expect(setup(['shopify-order-sync'])).rejects.toThrow(/did you mean --only shopify-order-sync/);
  });

  it('--plan lists every declared group and property with its definition and the scopes, without a token or a call', async () => {
    const result = await setup(['--plan'], FIXTURE_ACTIONS, {});
    expect(network.calls).toEqual([]);
    expect(result.applied).toBe(false);
    expect(result.plan.missing).toHaveLength(3);
    const text = printed.join('\n');
    expect(text).toContain('group     storefront_sync ("Storefront sync")');
    expect(text).toContain('property  storefront_order_id — "Storefront order id" (string/text, group storefront_sync, require unique values) for fixture-order-sync');
    expect(text).toContain('options paid | refunded');
    expect(text).toContain('storefront_customer_id — "Storefront customer id" (string/text, group storefront_sync) for fixture-customer-sync, fixture-order-sync');
    expect(text).toContain('crm.schemas.contacts.write, crm.schemas.deals.read, crm.schemas.deals.write');
  });

  it("--plan names each real action's token scopes, derived from its operations (line items bring e-commerce), and counts in the singular", async () => {
    const actions = await loadActions('shopify-order-sync');
    await setup(['--plan'], actions, {});
    const text = printed.join('\n');
    expect(text).toContain("Scopes of each action's own HUBSPOT_ACCESS_TOKEN secret (not needed by setup):");
    expect(text).toContain('  shopify-order-sync: crm.objects.contacts.write, crm.objects.deals.read, crm.objects.deals.write, crm.objects.line_items.read, crm.objects.line_items.write, e-commerce');
    printed = [];
    const one = { definition: { name: 'fixture-one', secrets: {}, properties: [textProperty('contacts', 'g', 'p', 'P', 'p')], propertyGroups: [{ name: 'g', label: 'G' }] } } as unknown as AnyAction;
    await setup(['--plan'], [one], {});
    expect(printed.join('\n')).toContain('1 property in 1 group.');
  });

  it('--plan and --apply together is a usage error', async () => {
    await expect(setup(['--plan', '--apply'])).rejects.toThrow(/pass one of them/);
  });

  it('every real action: a dry run against an empty portal lists each declared property once', async () => {
    const actions = await loadActions();
    expect(actions.length).toBeGreaterThan(0);
    const declared = new Set(actions.flatMap((a) => (a.definition.properties ?? []).map((p) => `${p.objectType}.${p.name}`)));
    const result = await setup([], actions);
    const planned = [...result.plan.missing, ...result.plan.matching, ...result.plan.different].map((d) => `${d.property.objectType}.${d.property.name}`);
    expect(new Set(planned)).toEqual(declared);
    expect(planned.length).toBe(declared.size);
    expect(result.plan.inconsistent).toEqual([]);
  });
});

describe('parseDotEnv', () => {
  it.each([
    ['A=1', { A: '1' }],
    ['export A = "x y" ', { A: 'x y' }],
    ["A='q#1'", { A: 'q#1' }],
    ['A=v # comment', { A: 'v' }],
    ['# A=1\n\nB=2', { B: '2' }],
    ['not a line\nC=', { C: '' }],
  ])('%j', (text, expected) => {
    expect(parseDotEnv(text)).toEqual(expected);
  });
});

describe('npm run setup: date versions and unique values', () => {
  const lineItemKey = textProperty('line_items', 'storefront_sync', 'storefront_line_id', 'Storefront line id', 'Line id', { hasUniqueValue: true });
  const lineAction = { definition: { name: 'fixture-lines', properties: [lineItemKey], propertyGroups: [{ name: 'storefront_sync', label: 'Storefront sync' }] } } as unknown as AnyAction;

  it('a unique line-item property is reported as a declaration HubSpot cannot hold', () => {
    const { inconsistent } = collectDeclarations([lineAction]);
    expect(inconsistent).toEqual([expect.stringContaining('line_items.storefront_line_id (fixture-lines) is declared unique, but HubSpot offers unique values only for contacts, companies, deals, tickets')]);
  });

  it('the fake properties API refuses a unique line-item property, as only contacts/companies/deals/tickets/custom objects have them', async () => {
    hubspot.addGroup('line_items', { name: 'storefront_sync', label: 'Storefront sync' });
    const { client } = createToolingClient({ token: TOKEN, scope: 'setup', logSink: () => {} });
    await expect(client.request({ method: 'POST', url: '/crm/properties/2026-09/line_items', json: { name: 'x', label: 'x', type: 'string', fieldType: 'text', groupName: 'storefront_sync', hasUniqueValue: true } })).rejects.toMatchObject({ httpStatus: 400 });
  });

  it('the real actions declare no unique property on line items (shopify-order-sync keys them through the deal)', async () => {
    const { declared, inconsistent } = collectDeclarations(await loadActions());
    expect(inconsistent).toEqual([]);
    expect(declared.filter((d) => d.property.objectType === 'line_items' && d.property.hasUniqueValue)).toEqual([]);
  });

  it('setup calls the 2026-09 properties API by default, and the pinned version when given', async () => {
    const { client } = createToolingClient({ token: TOKEN, scope: 'setup', logSink: () => {} });
    await runPropertySetup(client, FIXTURE_ACTIONS, { apply: false });
    expect([...hubspot.apiVersions]).toEqual(['2026-09']);
    await runPropertySetup(client, FIXTURE_ACTIONS, { apply: false, apiVersion: '2026-03' });
    expect([...hubspot.apiVersions]).toEqual(['2026-09', '2026-03']);
    expect(network.calls.every((c) => /\/crm\/properties\/2026-0[39]\//.test(c.url))).toBe(true);
  });

  it('the tooling reads the pin from actions.config.json and refuses a version that is not a date version', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hubspot-version-'));
    const file = path.join(dir, 'actions.config.json');
    writeFileSync(file, JSON.stringify({ hubspot: { apiVersion: '2026-03' } }));
    expect(configuredHubSpotApiVersion(file)).toBe('2026-03');
    writeFileSync(file, JSON.stringify({ 'clearbit-enrich': {} }));
    expect(configuredHubSpotApiVersion(file)).toBe('2026-09');
    writeFileSync(file, JSON.stringify({ hubspot: { apiVersion: 'v3' } }));
    expect(() => configuredHubSpotApiVersion(file)).toThrow(/date version/);
    expect(configuredHubSpotApiVersion(path.join(dir, 'absent.json'))).toBe('2026-09');
  });
});
