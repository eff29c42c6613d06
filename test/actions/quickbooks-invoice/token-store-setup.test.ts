import path from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/quickbooks-invoice/index';
import { clearModuleCaches } from '../../../lib/module-cache';
import { QUICKBOOKS_TOKEN_STORE } from '../../../lib/quickbooks';
import { STORE_KEY_PROPERTY, STORE_VERSION_PROPERTY } from '../../../lib/token-store';
import { setupCommand } from '../../../scripts/setup';
import { HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeHubSpotProperties } from '../../fakes/hubspot-properties';
import { runAction } from '../../support/run';
import { QUICKBOOKS_SECRETS, dealEvent, quickbooksWorld, type QuickBooksWorld } from './scenarios';

/**
 * Issue 21 §4. From API version 2026-09 HubSpot enforces a portal's validation rules on API writes: a portal whose
 * create-company form requires fields refuses a create that lacks them
 * (https://developers.hubspot.com/changelog/crm-api-write-validation-enforcement; the fake's `addValidationRule`).
 * The token store's record is therefore created at setup (or by hand), and the action only reads and updates it.
 */

const NO_ENV_FILE = path.join(tmpdir(), 'no-such-dir', '.env');
let world: QuickBooksWorld | undefined;
afterEach(() => {
  world?.net.uninstall();
  world = undefined;
  clearModuleCaches();
});

const storeRecords = (w: QuickBooksWorld) => w.hubspot.list('companies').filter((c) => c.properties[STORE_KEY_PROPERTY] === QUICKBOOKS_TOKEN_STORE.key);

/** A portal without the store record yet (before setup), whose properties API is served too (for `npm run setup`). */
function portalBeforeSetup(): QuickBooksWorld {
  const w = (world = quickbooksWorld());
  for (const record of storeRecords(w)) w.hubspot.records.delete(record.id);
  const properties = new FakeHubSpotProperties(QUICKBOOKS_SECRETS.HUBSPOT_ACCESS_TOKEN);
  w.net.wrapRoute(HUBSPOT_ORIGIN, (objects) => (req) => (req.pathname.startsWith('/crm/properties/') ? properties.handle(req) : objects(req)));
  w.net.install();
  return w;
}

async function setup(argv: string[]) {
  const printed: string[] = [];
  const result = await setupCommand({ argv, actions: [action], env: { HUBSPOT_ACCESS_TOKEN: QUICKBOOKS_SECRETS.HUBSPOT_ACCESS_TOKEN }, envFile: NO_ENV_FILE, print: (l) => printed.push(l) });
  return { result, printed: printed.join('\n') };
}

const run = (w: QuickBooksWorld) => runAction(action, dealEvent(w.ids.deal), { env: w.env });

describe('npm run setup creates the token store record', () => {
  it('dry run says it would; --apply creates it (after its properties) and prints its id; a second run finds it', async () => {
    const w = portalBeforeSetup();
    const dry = await setup([]);
    expect(dry.printed).toMatch(/would create {2}token store company "QuickBooks connection \(do not delete\)" \(integration_store_key = quickbooks\) for quickbooks-invoice \(after its properties\)/);
    expect(storeRecords(w)).toHaveLength(0);

    const applied = await setup(['--apply']);
    const [record] = storeRecords(w);
    expect(record?.properties).toMatchObject({ name: QUICKBOOKS_TOKEN_STORE.recordName, [STORE_KEY_PROPERTY]: QUICKBOOKS_TOKEN_STORE.key });
    expect(applied.printed).toContain(`created       token store company "QuickBooks connection (do not delete)" (integration_store_key = quickbooks) for quickbooks-invoice: record id ${record?.id}`);
    expect(applied.result.tokenStores?.refused).toBe(false);

    const again = await setup(['--apply']);
    expect(again.printed).toContain(`exists        token store company "QuickBooks connection (do not delete)" (integration_store_key = quickbooks) for quickbooks-invoice: record id ${record?.id}`);
    expect(storeRecords(w)).toHaveLength(1);

    const outcome = await run(w);
    expect(outcome.outputs?.status, outcome.thrown?.message).toBe('ok');
    expect(storeRecords(w)).toHaveLength(1);
  });

  it('a portal requiring a field on new companies: setup names the rule and the manual path; the record made by hand serves the action, which creates no company', async () => {
    const w = portalBeforeSetup();
    w.hubspot.addValidationRule({ kind: 'required', objectType: 'companies', property: 'industry' });
    const applied = await setup(['--apply']);
    expect(applied.result.tokenStores?.refused).toBe(true);
    expect(applied.printed).toMatch(/REFUSED .*VALIDATION_ERROR, property industry/);
    expect(applied.printed).toContain('Create it by hand: HubSpot → CRM → Companies → Create company; Company name "QuickBooks connection (do not delete)"; fill "industry"');
    expect(applied.printed).toContain('(View all properties), set "Integration store key (unique)" (group "Integration token store") to quickbooks');
    expect(storeRecords(w)).toHaveLength(0);

    // The admin follows the steps in HubSpot's UI.
    const id = w.hubspot.seed('companies', { name: QUICKBOOKS_TOKEN_STORE.recordName, industry: 'COMPUTER_SOFTWARE', [STORE_KEY_PROPERTY]: QUICKBOOKS_TOKEN_STORE.key });
    expect((await setup([])).printed).toContain(`record id ${id}`);

    const companies = w.hubspot.list('companies').length;
    const outcome = await run(w);
    expect(outcome.outputs?.status, outcome.thrown?.message).toBe('ok');
    expect(w.hubspot.list('companies')).toHaveLength(companies);
    expect(Number(w.hubspot.get('companies', id)?.properties[STORE_VERSION_PROPERTY])).toBeGreaterThan(0);
  });

  it('a Service Key without the company scopes: setup names them and the manual path instead of failing', async () => {
    const w = portalBeforeSetup();
    w.hubspot.answerNext((req) => req.method === 'GET' && req.pathname.endsWith('/companies/quickbooks'), {
      status: 403,
      body: { status: 'error', message: 'This app hasn\'t been granted all required scopes to make this call.', correlationId: '00000000-0000-4000-8000-0000000000aa', category: 'MISSING_SCOPES', errors: [{ message: 'missing scope', context: { requiredGranularScopes: ['crm.objects.companies.read'] } }] },
    });
    const applied = await setup(['--apply']);
    expect(applied.result.tokenStores?.refused).toBe(true);
    expect(applied.printed).toContain('This step needs the scopes crm.objects.companies.read, crm.objects.companies.write on the Service Key');
    expect(applied.printed).toContain('Create it by hand: HubSpot → CRM → Companies → Create company');
  });
});

describe('the action never creates the store record', () => {
  it('missing record: a permanent TOKEN_STORE_MISSING telling the admin to run setup, before Intuit is called (no token rotated and lost)', async () => {
    const w = portalBeforeSetup();
    w.hubspot.addValidationRule({ kind: 'required', objectType: 'companies', property: 'industry' });
    const outcome = await run(w);
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'TOKEN_STORE_MISSING' });
    expect(String(outcome.outputs?.error_message)).toContain('npm run setup -- --apply');
    expect(String(outcome.outputs?.error_message)).toContain('"Integration store key (unique)" property to "quickbooks"');
    expect(w.quickbooks.refreshes + w.quickbooks.invalidGrants).toBe(0);
    expect(w.net.calls.some((c) => c.url.includes('oauth.platform.intuit.com'))).toBe(false);
    expect(storeRecords(w)).toHaveLength(0);
    expect(w.net.calls.some((c) => c.method === 'POST' && c.url.includes('/companies'))).toBe(false);
  });

  it('a rule refusing the store update: TOKEN_STORE_WRITE_REFUSED naming the rule, the record and the fix', async () => {
    const w = (world = quickbooksWorld());
    const [store] = storeRecords(w);
    w.hubspot.answerNext((req) => req.method === 'PATCH' && req.pathname.endsWith(`/companies/${store?.id}`), {
      status: 400,
      body: {
        status: 'error',
        message: 'The property industry is required when integration_store_version is set',
        correlationId: '00000000-0000-4000-8000-00000000c0de',
        category: 'VALIDATION_ERROR',
        errors: [{ message: 'industry is required', code: 'CONDITIONALLY_REQUIRED_PROPERTY', context: { propertyName: ['industry'] } }],
      },
    });
    w.net.install();
    const outcome = await run(w);
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'TOKEN_STORE_WRITE_REFUSED' });
    const message = String(outcome.outputs?.error_message);
    expect(message).toContain(`company ${store?.id} ("QuickBooks connection (do not delete)")`);
    expect(message).toContain('a validation rule of this HubSpot account refused the write (property industry)');
    expect(message).toContain('exempt the record from the rule, or give it the values the rule asks for');
    expect(outcome.logs.some((l) => l.includes('quickbooks.token.not_saved') && l.includes('kept in this container'))).toBe(true);
  });
});
