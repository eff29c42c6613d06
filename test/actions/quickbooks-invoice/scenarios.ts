import { action } from '../../../actions/quickbooks-invoice/index';
import { QUICKBOOKS_TOKEN_STORE } from '../../../lib/quickbooks';
import { STORE_KEY_PROPERTY } from '../../../lib/token-store';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeNetwork } from '../../fakes/network';
import { FakeQuickBooks, INTUIT_OAUTH_ORIGIN, QUICKBOOKS_ORIGIN } from '../../fakes/quickbooks';
import { FAKE_SECRETS, contactEvent } from '../../support/run';
import type { ActionScenarios, World } from '../../support/scenario';

/** Distinctive values: the leak checks search every log line and output for them. */
export const QUICKBOOKS_SECRETS = {
  ...FAKE_SECRETS,
  QUICKBOOKS_CLIENT_ID: 'ABqbo-client-id-leakcheck-000000000000000000000000',
  QUICKBOOKS_CLIENT_SECRET: 'qbo-client-secret-leakcheck-000000000000',
  QUICKBOOKS_REALM_ID: '9130354321987654',
  QUICKBOOKS_REFRESH_TOKEN: 'AB11-bootstrap-refresh-leakcheck-00000000000000000',
  QUICKBOOKS_TOKEN_KEY: 'k6Vq0m5c3J9yV2b7qf1Xw8zR4tN0pL6sA3dE9gH2jK0=',
} as const;

export interface QuickBooksWorld extends World {
  hubspot: FakeHubSpot;
  quickbooks: FakeQuickBooks;
  /** The contact, company and first deal every world starts with. */
  ids: { contact: string; company: string; deal: string };
  /** Seeds a deal associated with the world's contact (and company); returns its id. */
  addDeal(properties?: Record<string, string>, options?: { contact?: string | null; lineItems?: Array<Record<string, string>> }): string;
}

export const CONTACT = { email: "ada.o'neil@acme.io", firstname: 'Ada', lastname: "O'Neil", company: 'Acme', city: 'London' };
export const DEAL = { dealname: 'Acme renewal 2025', amount: '1200.5', closedate: '2025-01-15T10:00:00.000Z', dealstage: 'closedwon' };

export function quickbooksWorld(options: { clock?: () => number; rotateAfterMs?: number } = {}): QuickBooksWorld {
  const hubspot = new FakeHubSpot({ uniqueProperties: { companies: ['integration_store_key'] }, accessToken: QUICKBOOKS_SECRETS.HUBSPOT_ACCESS_TOKEN, ...(options.clock ? { clock: options.clock } : {}) });
  const quickbooks = new FakeQuickBooks({
    clientId: QUICKBOOKS_SECRETS.QUICKBOOKS_CLIENT_ID,
    clientSecret: QUICKBOOKS_SECRETS.QUICKBOOKS_CLIENT_SECRET,
    realmId: QUICKBOOKS_SECRETS.QUICKBOOKS_REALM_ID,
    refreshToken: QUICKBOOKS_SECRETS.QUICKBOOKS_REFRESH_TOKEN,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.rotateAfterMs !== undefined ? { rotateAfterMs: options.rotateAfterMs } : {}),
  });
  const net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle).route(INTUIT_OAUTH_ORIGIN, quickbooks.handleOAuth).route(QUICKBOOKS_ORIGIN, quickbooks.handleApi);

  const associate = (fromType: string, fromId: string, toType: string, toId: string, typeId: number) =>
    hubspot.associations.push({ fromType, fromId, toType, toId, typeId, category: 'HUBSPOT_DEFINED' });
  const contact = hubspot.seed('contacts', CONTACT);
  const company = hubspot.seed('companies', { name: 'Acme Ltd', domain: 'acme.io' });
  associate('contacts', contact, 'companies', company, 279);
  // The token store's record, as `npm run setup -- --apply` creates it (the action never creates it).
  hubspot.seed('companies', { name: QUICKBOOKS_TOKEN_STORE.recordName, [STORE_KEY_PROPERTY]: QUICKBOOKS_TOKEN_STORE.key });

  const addDeal: QuickBooksWorld['addDeal'] = (properties = DEAL, opts = {}) => {
    const deal = hubspot.seed('deals', properties);
    const contactId = opts.contact === undefined ? contact : opts.contact;
    if (contactId) associate('deals', deal, 'contacts', contactId, 3);
    associate('deals', deal, 'companies', company, 341);
    for (const item of opts.lineItems ?? []) associate('line_items', hubspot.seed('line_items', item), 'deals', deal, 20);
    return deal;
  };
  const deal = addDeal();

  return {
    hubspot,
    quickbooks,
    net,
    ids: { contact, company, deal },
    addDeal,
    env: { ...QUICKBOOKS_SECRETS },
    snapshot: () => ({
      deals: hubspot.list('deals').map((d) => ({ dealname: d.properties.dealname, invoice: d.properties.quickbooks_invoice_number ?? '', status: d.properties.quickbooks_invoice_status ?? '' })),
      quickbooks: quickbooks.snapshot(),
    }),
    counts: () => ({ customers: quickbooks.customers.size, invoices: quickbooks.invoices.size, tokenStores: hubspot.list('companies').filter((c) => c.properties.integration_store_key).length }),
    issuedSecrets: () => [...quickbooks.issued],
  };
}

export const dealEvent = (dealId: string, inputs: Record<string, unknown> = {}) => contactEvent({ dealname: '', amount: '', closedate: '', deal_currency_code: '', quickbooks_invoice_id: '', ...inputs }, dealId, 'DEAL');

/** The first world's deal id (ids are handed out in seeding order by the fake). */
const FIRST_DEAL = quickbooksWorld().ids.deal;
const CONCURRENT_DEALS = 50;

export const scenarios: ActionScenarios = {
  action,
  world: quickbooksWorld,
  paths: [
    { name: 'new customer', event: dealEvent(FIRST_DEAL), expect: { status: 'ok', invoice_created: true, invoice_number: '1001' } },
    {
      name: 'existing customer',
      event: dealEvent(FIRST_DEAL),
      setup: (world) => void (world as QuickBooksWorld).quickbooks.seedCustomer({ DisplayName: "Ada O'Neil", email: CONTACT.email }),
      expect: { status: 'ok', invoice_created: true, customer_id: '58' },
    },
  ],
  hostileFields: ['dealname', 'amount', 'closedate', 'deal_currency_code', 'quickbooks_invoice_id'],
  concurrency: {
    name: '50 won deals of one new QuickBooks customer',
    // The first deal exists in every world; the setup adds the other 49 with the ids that follow.
    events: Array.from({ length: CONCURRENT_DEALS }, (_, i) => dealEvent(String(Number(FIRST_DEAL) + i))),
    setup: (world) => {
      const w = world as QuickBooksWorld;
      // The scenario is about one customer and one token store; Intuit's 10 requests/second per realm (which these
      // 50 runs at once would meet) is exercised by the throttle test in quickbooks-invoice.test.ts.
      w.quickbooks.limits = { perSecond: Infinity, perMinute: Infinity };
      for (let i = 1; i < CONCURRENT_DEALS; i += 1) {
        const id = w.addDeal({ ...DEAL, dealname: `Deal ${i}` });
        if (id !== String(Number(FIRST_DEAL) + i)) throw new Error(`expected deal id ${Number(FIRST_DEAL) + i}, the fake handed out ${id}`);
      }
    },
    check: (world) => {
      const counts = world.counts();
      if (counts.customers !== 1 || counts.invoices !== CONCURRENT_DEALS || counts.tokenStores !== 1) {
        throw new Error(`expected 1 customer, ${CONCURRENT_DEALS} invoices and 1 token store, got ${JSON.stringify(counts)}`);
      }
    },
  },
};
