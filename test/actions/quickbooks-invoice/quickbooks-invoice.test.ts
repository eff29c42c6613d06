import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/quickbooks-invoice/index';
import { invoiceLines, multiplyDecimals, roundDecimal } from '../../../actions/quickbooks-invoice/map';
import { secretBudget } from '../../../lib/action';
import { clearModuleCaches } from '../../../lib/module-cache';
import { quickBooksLiteral } from '../../../lib/quickbooks';
import { decrypt, deriveKey, encrypt, openStoredValue, STORE_VALUE_PROPERTY, V2_FIRST_VERSION } from '../../../lib/token-store';
import type { Fault } from '../../fakes/network';
import { DUPLICATE_NAME_FAULT, fault, parseQuery } from '../../fakes/quickbooks';
import { runAction, type Outcome } from '../../support/run';
import { CONTACT, DEAL, QUICKBOOKS_SECRETS, dealEvent, quickbooksWorld, type QuickBooksWorld } from './scenarios';

let clock = Date.parse('2025-01-20T09:00:00Z');
const now = () => clock;
let world: QuickBooksWorld;

function fresh(options: { rotateAfterMs?: number } = {}): QuickBooksWorld {
  world?.net.uninstall();
  clearModuleCaches();
  world = quickbooksWorld({ clock: now, ...options });
  world.net.install();
  return world;
}

beforeEach(() => {
  clock = Date.parse('2025-01-20T09:00:00Z');
  fresh();
});
afterEach(() => world.net.uninstall());

const run = (dealId = world.ids.deal, inputs: Record<string, unknown> = {}, env: Record<string, string> = world.env) => runAction(action, dealEvent(dealId, inputs), { env, now });
const storeRecordId = () => world.hubspot.list('companies').find((c) => c.properties.integration_store_key === 'quickbooks')?.id;
const paths = () => world.net.calls.map((c) => `${c.method} ${new URL(c.url).host.split('.')[0]}${new URL(c.url).pathname}`);
const leaks = (outcome: Outcome) => {
  const text = JSON.stringify({ outputs: outcome.outputs, logs: outcome.logs, thrown: outcome.thrown?.message });
  return [...Object.values(QUICKBOOKS_SECRETS).filter((s) => s.length >= 20), ...world.quickbooks.issued].filter((s) => text.includes(s));
};
const expectRetryable = (outcome: Outcome) => {
  expect(outcome.thrown, 'the run should throw for HubSpot to re-run it').toBeDefined();
  const status = outcome.thrown?.response?.status;
  expect(status === 429 || (status !== undefined && status >= 500)).toBe(true);
};

describe('QuickBooks query literals', () => {
  it.each([
    ["o'neil@acme.io", "'o\\'neil@acme.io'"],
    ['back\\slash', "'back\\\\slash'"],
    ["x' OR Id > '0", "'x\\' OR Id > \\'0'"],
  ])('quickBooksLiteral(%j) = %s', (value, literal) => {
    expect(quickBooksLiteral(value)).toBe(literal);
  });

  it('any string round-trips through the escaper and the fake parser, and cannot add a condition', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const parsed = parseQuery(`SELECT * FROM Customer WHERE PrimaryEmailAddr = ${quickBooksLiteral(value)} MAXRESULTS 10`);
        expect(parsed).toEqual({ entity: 'Customer', conditions: [{ field: 'PrimaryEmailAddr', values: [value] }], maxResults: 10 });
      }),
      { numRuns: 500 },
    );
  });

  it('an unescaped quote is a parse error in the fake, as in QuickBooks', () => {
    expect(parseQuery("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'o'neil@acme.io'")).toHaveProperty('error');
  });
});

describe('invoice lines (exact decimals)', () => {
  it.each([
    ['0.1', '3', '0.3'],
    ['2.5', '19.99', '49.975'],
    ['-1.5', '2', '-3'],
    ['1000000000000.01', '3', '3000000000000.03'],
  ])('%s × %s = %s', (a, b, product) => expect(multiplyDecimals(a, b)).toBe(product));

  it.each([
    ['49.975', '49.98'],
    ['-0.005', '-0.01'],
    ['1.004', '1'],
    ['7', '7'],
  ])('roundDecimal(%s, 2) = %s', (value, rounded) => expect(roundDecimal(value, 2)).toBe(rounded));

  it('one line per line item, quantity and unit price kept exactly; else one line for the amount', () => {
    expect(invoiceLines([{ name: 'Seats', quantity: '3', price: '0.1' }, { name: 'Setup', quantity: '2.5', price: '19.99' }], {})).toEqual([
      { description: 'Seats', quantity: '3', unitPrice: '0.1', amount: '0.3' },
      { description: 'Setup', quantity: '2.5', unitPrice: '19.99', amount: '49.98' },
    ]);
    expect(invoiceLines([], { dealname: 'Renewal', amount: '1200.50' })).toEqual([{ description: 'Renewal', quantity: '1', unitPrice: '1200.5', amount: '1200.5' }]);
    expect(() => invoiceLines([], { dealname: 'No amount' })).toThrow(/no amount/);
    expect(() => invoiceLines([{ name: 'Free text', quantity: '1', price: null }], {})).toThrow(/no valid price/);
  });

  it('never throws anything but a named PermanentError on odd line items', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.option(fc.string()), quantity: fc.option(fc.string()), price: fc.option(fc.string()) }), { maxLength: 5 }), fc.option(fc.string()), (items, amount) => {
        try {
          invoiceLines(items, { amount: amount ?? undefined });
        } catch (error) {
          expect((error as { errorCode?: string }).errorCode).toMatch(/^[A-Z_]+$/);
        }
      }),
    );
  });
});

describe('quickbooks-invoice', () => {
  it('new customer: creates customer and invoice, writes back to the deal, stores the tokens encrypted', async () => {
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'ok', invoice_created: true, invoice_number: '1001', error_code: '' });
    const [customer] = world.quickbooks.customers.values();
    const [invoice] = world.quickbooks.invoices.values();
    expect(customer).toMatchObject({ DisplayName: "Ada O'Neil", GivenName: 'Ada', FamilyName: "O'Neil", CompanyName: 'Acme', PrimaryEmailAddr: { Address: CONTACT.email } });
    expect(invoice).toMatchObject({ CustomerRef: { value: customer!.Id }, TxnDate: '2025-01-15', TotalAmt: 1200.5 });
    expect(outcome.outputs).toMatchObject({ invoice_id: invoice!.Id, customer_id: customer!.Id });
    expect(world.hubspot.get('deals', world.ids.deal)?.properties).toMatchObject({ quickbooks_invoice_id: invoice!.Id, quickbooks_invoice_number: '1001', quickbooks_invoice_status: 'Open', quickbooks_customer_id: customer!.Id });
    expect(paths()).toEqual([
      'GET api/crm/objects/2026-09/deals/' + world.ids.deal,
      'GET api/crm/objects/2026-09/contacts/' + world.ids.contact,
      'GET api/crm/objects/2026-09/companies/quickbooks',
      'POST oauth/oauth2/v1/tokens/bearer',
      // The store write first checks that no newer version was written meanwhile (issue 13: no rollback), then
      // updates the record setup created (issue 21 §4: never a create).
      'GET api/crm/objects/2026-09/companies/quickbooks',
      `PATCH api/crm/objects/2026-09/companies/${storeRecordId()}`,
      'GET quickbooks/v3/company/9130354321987654/query',
      'GET quickbooks/v3/company/9130354321987654/query',
      'POST quickbooks/v3/company/9130354321987654/customer',
      'POST quickbooks/v3/company/9130354321987654/invoice',
      'PATCH api/crm/objects/2026-09/deals/' + world.ids.deal,
    ]);
    const store = world.hubspot.list('companies').find((c) => c.properties.integration_store_key === 'quickbooks');
    expect(store?.properties).toMatchObject({ name: 'QuickBooks connection (do not delete)', integration_store_version: String(V2_FIRST_VERSION) });
    const ciphertext = store!.properties[STORE_VALUE_PROPERTY]!;
    for (const token of world.quickbooks.issued) expect(ciphertext).not.toContain(token);
    const plaintext = openStoredValue(deriveKey(QUICKBOOKS_SECRETS.QUICKBOOKS_TOKEN_KEY), `quickbooks:production:${QUICKBOOKS_SECRETS.QUICKBOOKS_REALM_ID}`, ciphertext, V2_FIRST_VERSION);
    expect(JSON.parse(plaintext!)).toMatchObject({ refreshToken: QUICKBOOKS_SECRETS.QUICKBOOKS_REFRESH_TOKEN });
    expect(leaks(outcome)).toEqual([]);
  });

  it('existing customer (apostrophe in the email): found by escaped query, nothing created but the invoice', async () => {
    const id = world.quickbooks.seedCustomer({ DisplayName: 'A. O\'Neil (Acme)', email: CONTACT.email });
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'ok', customer_id: id, invoice_created: true });
    expect(world.quickbooks.customers.size).toBe(1);
    expect([...world.quickbooks.invoices.values()][0]?.CustomerRef.value).toBe(id);
    expect(paths().filter((p) => p.includes('/customer'))).toEqual([]);
  });

  it('duplicate display name (a vendor has it): retries with the email in the name', async () => {
    world.quickbooks.otherNames.add("Ada O'Neil");
    const outcome = await run();
    expect(outcome.outputs?.status).toBe('ok');
    expect([...world.quickbooks.customers.values()].map((c) => c.DisplayName)).toEqual([`Ada O'Neil (${CONTACT.email})`]);
  });

  it('duplicate display name because a concurrent run just created this customer: reuses it', async () => {
    world.quickbooks.beforeCreateCustomer = () => {
      world.quickbooks.beforeCreateCustomer = undefined;
      world.quickbooks.seedCustomer({ DisplayName: "Ada O'Neil", email: CONTACT.email });
    };
    const outcome = await run();
    expect(outcome.outputs?.status).toBe('ok');
    expect(world.quickbooks.customers.size).toBe(1);
    expect(outcome.outputs?.customer_id).toBe([...world.quickbooks.customers.keys()][0]);
  });

  it('both names taken by others: a permanent, named error and no invoice', async () => {
    world.quickbooks.otherNames.add("Ada O'Neil").add(`Ada O'Neil (${CONTACT.email})`);
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'QUICKBOOKS_DUPLICATE_NAME' });
    expect(world.quickbooks.invoices.size).toBe(0);
  });

  it('an inactive customer with this email (its name still taken): found with Active IN (true, false), made active and invoiced', async () => {
    const id = world.quickbooks.seedCustomer({ DisplayName: "Ada O'Neil", email: CONTACT.email, Active: false });
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'ok', customer_id: id, invoice_created: true });
    expect(world.quickbooks.customers.size).toBe(1);
    expect(world.quickbooks.customers.get(id)).toMatchObject({ Active: true, DisplayName: "Ada O'Neil", SyncToken: '1' });
    expect([...world.quickbooks.invoices.values()][0]?.CustomerRef.value).toBe(id);
    const query = world.net.calls.map((c) => new URL(c.url)).find((u) => u.pathname.endsWith('/query') && u.searchParams.get('query')?.includes('FROM Customer'));
    expect(query?.searchParams.get('query')).toContain('Active IN (true, false)');
  });

  it('an active and an inactive customer share the email: the active one is used, nothing reactivated', async () => {
    world.quickbooks.seedCustomer({ DisplayName: 'Ada (old)', email: CONTACT.email, Active: false });
    const active = world.quickbooks.seedCustomer({ DisplayName: "Ada O'Neil", email: CONTACT.email });
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'ok', customer_id: active });
    expect(paths().filter((p) => p.endsWith('/customer'))).toEqual([]);
  });

  it('multicurrency: a new customer for a deal in a foreign currency is created in that currency, and so is the invoice', async () => {
    world.quickbooks.multiCurrencyEnabled = true;
    const outcome = await run(world.ids.deal, { deal_currency_code: 'eur' });
    expect(outcome.outputs).toMatchObject({ status: 'ok', invoice_created: true });
    const [customer] = [...world.quickbooks.customers.values()];
    expect(customer?.CurrencyRef).toEqual({ value: 'EUR' });
    expect([...world.quickbooks.invoices.values()][0]?.CurrencyRef).toEqual({ value: 'EUR' });
    // The company's currency settings are read once per warm container.
    await run(world.addDeal({ ...DEAL, dealname: 'second' }), { deal_currency_code: 'EUR' });
    expect(paths().filter((p) => p.endsWith('/preferences'))).toHaveLength(1);
  });

  it('multicurrency: a deal in the home currency makes a home-currency customer', async () => {
    world.quickbooks.multiCurrencyEnabled = true;
    const outcome = await run(world.ids.deal, { deal_currency_code: 'USD' });
    expect(outcome.outputs).toMatchObject({ status: 'ok' });
    expect([...world.quickbooks.customers.values()][0]?.CurrencyRef).toEqual({ value: 'USD' });
    expect(world.net.calls.find((c) => c.url.includes('/customer?'))?.requestBody).not.toHaveProperty('CurrencyRef');
  });

  it('a foreign-currency deal in a company without multicurrency: a named error before anything is written', async () => {
    const outcome = await run(world.ids.deal, { deal_currency_code: 'EUR' });
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'QUICKBOOKS_MULTICURRENCY_DISABLED' });
    expect(outcome.outputs?.error_message).toMatch(/EUR.*USD.*Multicurrency/);
    expect(world.quickbooks.customers.size + world.quickbooks.invoices.size).toBe(0);
  });

  it('an existing customer kept in another currency: a named error, no invoice', async () => {
    world.quickbooks.multiCurrencyEnabled = true;
    world.quickbooks.seedCustomer({ DisplayName: "Ada O'Neil", email: CONTACT.email, CurrencyRef: { value: 'USD' } });
    const outcome = await run(world.ids.deal, { deal_currency_code: 'EUR' });
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'QUICKBOOKS_CUSTOMER_CURRENCY_MISMATCH' });
    expect(outcome.outputs?.error_message).toMatch(/kept in USD.*deal is in EUR/);
    expect(world.quickbooks.invoices.size).toBe(0);
  });

  it('Intuit throttles at 10 requests per second per realm: throttled runs are handed to HubSpot\'s re-run, which invoices each deal once', async () => {
    world.quickbooks.seedCustomer({ DisplayName: "Ada O'Neil", email: CONTACT.email });
    const deals = [world.ids.deal, ...Array.from({ length: 5 }, (_, i) => world.addDeal({ ...DEAL, dealname: `Deal ${i}` }))];
    // Every call in the same throttle second, however slow the machine: the limit is met for certain, not by speed.
    world.quickbooks.throttleClock = () => 1_000_000;
    const outcomes = await Promise.all(deals.map((d) => runAction(action, dealEvent(d), { env: world.env, now, deadline: { budgetMs: 20_000 } })));
    expect(world.quickbooks.throttled).toBeGreaterThan(0);
    // Intuit asks for 60 s after a 429: the run throws it (HubSpot re-runs on 429) instead of retrying within 20 s.
    const throttled = deals.filter((_, i) => outcomes[i]?.outputs?.status !== 'ok');
    expect(throttled.length).toBeGreaterThan(0);
    for (const d of throttled) expect(outcomes[deals.indexOf(d)]?.thrown?.response?.status).toBe(429);
    // A minute later (HubSpot's re-run) the realm's window is free again, and the pacer's one-second slot holds have
    // long expired: a fresh module scope stands for that minute (its token comes from the store, not the cache).
    world.quickbooks.limits = { perSecond: Infinity, perMinute: Infinity };
    clearModuleCaches();
    for (const d of throttled) expect((await runAction(action, dealEvent(d), { env: world.env, now, deadline: { budgetMs: 20_000 } })).outputs?.status).toBe('ok');
    expect(world.quickbooks.invoices.size).toBe(deals.length);
  });

  it('deal already invoiced (input set): no call at all', async () => {
    const outcome = await run(world.ids.deal, { quickbooks_invoice_id: '77' });
    expect(outcome.outputs).toMatchObject({ status: 'ok', invoice_id: '77', invoice_created: false });
    expect(world.net.calls).toHaveLength(0);
  });

  it('deal already invoiced (property on the deal, input not mapped): one HubSpot read, no QuickBooks call', async () => {
    const deal = world.addDeal({ ...DEAL, quickbooks_invoice_id: '88', quickbooks_invoice_number: '1044', quickbooks_customer_id: '60' });
    const outcome = await run(deal);
    expect(outcome.outputs).toMatchObject({ status: 'ok', invoice_id: '88', invoice_number: '1044', customer_id: '60', invoice_created: false });
    expect(paths()).toEqual([`GET api/crm/objects/2026-09/deals/${deal}`]);
  });

  it('line items: one line each, quantity and unit price sent with their exact digits', async () => {
    const deal = world.addDeal(DEAL, { lineItems: [{ name: 'Seats', quantity: '3', price: '0.1' }, { name: 'Consulting: day', quantity: '2.5', price: '19.99' }] });
    const outcome = await run(deal);
    expect(outcome.outputs?.status).toBe('ok');
    const [invoice] = world.quickbooks.invoices.values();
    expect(invoice?.Line.filter((l) => l.DetailType === 'SalesItemLineDetail').map((l) => [l.Description, l.Amount, (l.SalesItemLineDetail as { Qty: number }).Qty])).toEqual([
      ['Seats', 0.3, 3],
      ['Consulting day', 49.98, 2.5],
    ]);
    expect(invoice?.rawBody).toContain('"Amount":0.3,');
    expect(invoice?.rawBody).toContain('"Qty":2.5,"UnitPrice":19.99}');
    expect(invoice?.TotalAmt).toBe(50.28);
  });

  it('single amount when the deal has no line items; the mapped input wins over the stored amount', async () => {
    const outcome = await run(world.ids.deal, { amount: '99.95', dealname: 'From the workflow' });
    expect(outcome.outputs?.status).toBe('ok');
    const [invoice] = world.quickbooks.invoices.values();
    expect(invoice?.Line[0]).toMatchObject({ Amount: 99.95, Description: 'From the workflow', SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: 99.95 } });
  });

  it.each([
    ['no contact', { contact: null }, 'DEAL_WITHOUT_CONTACT'],
    ['no amount and no line items', { properties: { dealname: 'Empty' } }, 'DEAL_WITHOUT_AMOUNT'],
  ])('deal with %s: permanent error before any QuickBooks call', async (_name, setup, code) => {
    const deal = world.addDeal((setup as { properties?: Record<string, string> }).properties ?? DEAL, { contact: (setup as { contact?: null }).contact });
    const outcome = await run(deal);
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: code });
    expect(paths().some((p) => !p.startsWith('GET api'))).toBe(false);
  });

  it('contact without email: permanent error, nothing created', async () => {
    world.hubspot.get('contacts', world.ids.contact)!.properties.email = '';
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'CONTACT_WITHOUT_EMAIL' });
    expect(world.quickbooks.customers.size + world.quickbooks.invoices.size).toBe(0);
  });

  it('reuses a valid access token: a second run in a warm container neither reads the store nor refreshes', async () => {
    await run();
    const second = world.addDeal({ ...DEAL, dealname: 'Second' });
    const before = world.net.calls.length;
    clock += 10 * 60_000;
    await run(second);
    const secondPaths = paths().slice(before);
    expect(secondPaths.some((p) => p.includes('tokens/bearer') || p.includes('companies/quickbooks') || p.includes('batch/upsert'))).toBe(false);
    expect(world.quickbooks.refreshes).toBe(1);
  });

  it('a cold container uses the stored access token while it is valid', async () => {
    await run();
    clearModuleCaches();
    const second = world.addDeal({ ...DEAL, dealname: 'Second' });
    const outcome = await run(second);
    expect(outcome.outputs?.status).toBe('ok');
    expect(world.quickbooks.refreshes).toBe(1);
  });

  it('refresh rotation across two runs: the second run uses the rotated token, not the bootstrap secret', async () => {
    fresh({ rotateAfterMs: 0 });
    await run();
    expect(world.quickbooks.refreshTokens.has(QUICKBOOKS_SECRETS.QUICKBOOKS_REFRESH_TOKEN)).toBe(false);
    clearModuleCaches(); // another container
    clock += 2 * 3600_000; // the access token expired
    const outcome = await run(world.addDeal({ ...DEAL, dealname: 'Second' }));
    expect(outcome.outputs?.status).toBe('ok');
    expect(world.quickbooks.refreshes).toBe(2);
    expect(world.quickbooks.invalidGrants).toBe(0);
    const store = world.hubspot.list('companies').find((c) => c.properties.integration_store_key === 'quickbooks');
    expect(store?.properties.integration_store_version).toBe(String(V2_FIRST_VERSION + 1));
    expect(leaks(outcome)).toEqual([]);
  });

  it('concurrent refresh race: the loser gets invalid_grant, re-reads the store and uses the winner\'s token', async () => {
    fresh({ rotateAfterMs: 0 });
    await run();
    const mine = world.addDeal({ ...DEAL, dealname: 'This container' });
    clock += 2 * 3600_000;
    // Another container refreshes (and stores) between this run's store read and its own refresh.
    const { quickbooks, hubspot } = world;
    let raced = false;
    const original = quickbooks.handleOAuth;
    world.net.uninstall();
    world.net = world.net.route('https://oauth.platform.intuit.com', async (req) => {
      if (!raced) {
        raced = true;
        clearModuleCaches();
        const other = await runAction(action, dealEvent(world.addDeal({ ...DEAL, dealname: 'Other container' })), { env: world.env, now });
        expect(other.outputs?.status).toBe('ok');
        clearModuleCaches();
      }
      return original(req);
    });
    world.net.install();
    const outcome = await run(mine);
    expect(outcome.outputs?.status).toBe('ok');
    expect(quickbooks.invalidGrants).toBe(1);
    expect(quickbooks.refreshes).toBe(2);
    expect(quickbooks.invoices.size).toBe(3);
    expect(hubspot.list('companies').find((c) => c.properties.integration_store_key)?.properties.integration_store_version).toBe(String(V2_FIRST_VERSION + 1));
  });

  it('expired bootstrap token: a clear permanent error telling the user how to reconnect', async () => {
    world.quickbooks.expireRefreshTokens();
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'QUICKBOOKS_RECONNECT_REQUIRED' });
    expect(String(outcome.outputs?.error_message)).toMatch(/QUICKBOOKS_REFRESH_TOKEN secret.*clear the "Integration store value"/);
    expect(world.quickbooks.customers.size + world.quickbooks.invoices.size).toBe(0);
    expect(leaks(outcome)).toEqual([]);
  });

  it('a new secret after reconnecting is picked up although the store holds an older chain', async () => {
    fresh({ rotateAfterMs: 0 });
    await run();
    world.quickbooks.expireRefreshTokens();
    world.quickbooks.refreshTokens.set('AB11-reconnected-leakcheck-000000000000000000000', { issuedAt: clock, expiresAt: clock + 86_400_000 });
    clearModuleCaches();
    clock += 2 * 3600_000;
    const outcome = await run(world.addDeal({ ...DEAL, dealname: 'After reconnect' }), {}, { ...world.env, QUICKBOOKS_REFRESH_TOKEN: 'AB11-reconnected-leakcheck-000000000000000000000' });
    expect(outcome.outputs?.status).toBe('ok');
  });

  it('a revoked access token (401) is refreshed once and the call sent again', async () => {
    await run();
    world.quickbooks.revokeAccessTokens();
    const outcome = await run(world.addDeal({ ...DEAL, dealname: 'After revoke' }));
    expect(outcome.outputs?.status).toBe('ok');
    expect(world.quickbooks.refreshes).toBe(2);
  });

  it('a Fault inside an HTTP 200 is a permanent error with the fault\'s message', async () => {
    world.quickbooks.seedCustomer({ DisplayName: 'Ada', email: CONTACT.email });
    await run(world.addDeal({ ...DEAL, dealname: 'warm-up' })); // tokens and item cached
    world.quickbooks.faultIn200Next(fault('6000', 'A business validation error has occurred while processing your request', 'Business Validation Error: Select a customer with a valid currency.'));
    const outcome = await run();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'QUICKBOOKS_6000' });
    expect(String(outcome.outputs?.error_message)).toContain('valid currency');
    expect(world.hubspot.get('deals', world.ids.deal)?.properties.quickbooks_invoice_id).toBeUndefined();
  });

  it('a 6240 Fault inside an HTTP 200 is handled like the 400 one', async () => {
    world.quickbooks.faultIn200Next(DUPLICATE_NAME_FAULT(), 'customer');
    const outcome = await run();
    expect(outcome.outputs?.status).toBe('ok');
    expect([...world.quickbooks.customers.values()].map((c) => c.DisplayName)).toEqual([`Ada O'Neil (${CONTACT.email})`]);
  });

  // The call order of a cold run: 1 deal, 2 contact, 3 store read, 4 token, 5 store version check, 6 store update,
  // 7 item query, 8 customer query, 9 customer create, 10 invoice create (11 deal update).
  const faults: Fault[] = ['429', '500', '503', 'reset', 'malformed-200', 'hang'];
  const TOKEN_CALL = 4;
  const LOST_ANSWERS: Fault[] = ['500', '503', 'reset', 'malformed-200'];
  for (let step = 1; step <= 10; step += 1) {
    for (const f of faults) {
      it(`fault ${f} at call ${step}: retryable, and the re-run leaves exactly one customer and one invoice`, async () => {
        world.net.injectAt(step, f);
        const first = await run();
        // A lost answer from the token endpoint is sent once more in the run (issue 22 §5): Intuit has not rotated a
        // token this young, so the run goes on.
        if (step === TOKEN_CALL && LOST_ANSWERS.includes(f)) expect(first.outputs?.status, first.thrown?.message).toBe('ok');
        else expectRetryable(first);
        world.net.clearFaults();
        const second = await run();
        expect(second.outputs?.status, JSON.stringify(second.outputs)).toBe('ok');
        expect(world.quickbooks.customers.size).toBe(1);
        expect(world.quickbooks.invoices.size).toBe(1);
        expect(world.hubspot.get('deals', world.ids.deal)?.properties.quickbooks_invoice_id).toBe([...world.quickbooks.invoices.keys()][0]);
        expect(leaks(first)).toEqual([]);
        expect(leaks(second)).toEqual([]);
      });
    }
  }

  it('50 concurrent deals of one new customer: one customer, 50 invoices, one refresh, one store', async () => {
    const deals = [world.ids.deal, ...Array.from({ length: 49 }, (_, i) => world.addDeal({ ...DEAL, dealname: `Deal ${i}` }))];
    // About the one refresh and the one customer: Intuit's 10 requests/second would stretch 200 calls to 20 s (the
    // throttle has its own test below).
    world.quickbooks.limits = { perSecond: Infinity, perMinute: Infinity };
    const started = Date.now();
    // 50 runs share one process here (not 50 Lambdas), so they get HubSpot's real 20 s budget, not the test one.
    const outcomes = await Promise.all(deals.map((d) => runAction(action, dealEvent(d), { env: world.env, now, deadline: { budgetMs: 20_000 } })));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(outcomes.map((o) => o.outputs?.status ?? o.thrown?.message).filter((s) => s !== "ok")).toEqual([]);
    expect(world.quickbooks.customers.size).toBe(1);
    expect(world.quickbooks.invoices.size).toBe(50);
    expect(world.quickbooks.refreshes).toBe(1);
    expect(world.hubspot.list('companies').filter((c) => c.properties.integration_store_key)).toHaveLength(1);
  });

  it('a re-run of a completed enrollment changes nothing', async () => {
    await run();
    const before = JSON.stringify(world.snapshot());
    const again = await run();
    expect(again.outputs).toMatchObject({ status: 'ok', invoice_created: false });
    expect(JSON.stringify(world.snapshot())).toBe(before);
  });

  it('a weak token key is a configuration error before any QuickBooks call', async () => {
    const outcome = await run(world.ids.deal, {}, { ...world.env, QUICKBOOKS_TOKEN_KEY: 'short' });
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'WEAK_TOKEN_KEY' });
    expect(paths().some((p) => p.includes('quickbooks') && !p.includes('companies'))).toBe(false);
  });

  it('a store value from another key or realm is not trusted: the action starts from the secret', () => {
    const key = deriveKey(QUICKBOOKS_SECRETS.QUICKBOOKS_TOKEN_KEY);
    const text = encrypt(key, 'quickbooks:production:1', '{"a":1}');
    expect(decrypt(key, 'quickbooks:production:1', text)).toBe('{"a":1}');
    expect(decrypt(key, 'quickbooks:production:2', text)).toBeUndefined();
    expect(decrypt(deriveKey('Zt3xQm9vB1nR7cW4kY8pL2sD6fH0jG5aE1uI3oT7yV8='), 'quickbooks:production:1', text)).toBeUndefined();
  });

  it('typical secret values fit HubSpot\'s 1,000-character budget', () => {
    const budget = secretBudget(action.definition.secrets);
    expect(budget.fits).toBe(true);
    // 203 for the QuickBooks secrets + the HubSpot token, counted at 128 (a Service Key's length is undocumented; lib/hubspot.ts).
    expect(budget.typical).toBe(331);
    expect(Object.values(QUICKBOOKS_SECRETS).join('').length).toBeLessThanOrEqual(1_000);
  });
});
