import { defineAction, type ActionContext } from '../../lib/action';
import { ConfigError, PermanentError, ValidationError } from '../../lib/errors';
import { checkObjectId, hubspotTokenSecret, type CrmObject, type HubSpotClient } from '../../lib/hubspot';
import { input, parseEmail } from '../../lib/inputs';
import { moduleCache } from '../../lib/module-cache';
import { output } from '../../lib/outputs';
import { textProperty } from '../../lib/properties';
import {
  QUICKBOOKS_API,
  QUICKBOOKS_TOKEN_STORE,
  createQuickBooksAuth,
  createQuickBooksClient,
  isDuplicateName,
  type QuickBooksClient,
  type QuickBooksCurrencyPrefs,
  type QuickBooksCustomer,
  type QuickBooksEnvironment,
  type QuickBooksRef,
  type QuickBooksTokens,
} from '../../lib/quickbooks';
import { STORE_GROUP, TOKEN_STORE_PROPERTIES, createTokenStore } from '../../lib/token-store';
import {
  checkCustomerCurrency,
  customerDisplayName,
  customerFromContact,
  dealCurrency,
  customerRequestId,
  dealPropertiesFromInvoice,
  disambiguatedDisplayName,
  invoiceDate,
  invoiceFromDeal,
  invoiceLines,
  invoiceCurrency,
  invoiceRequestId,
  pickCustomer,
  type ContactFacts,
  type InvoiceCurrency,
} from './map';

/**
 * QuickBooks invoice: when a deal is won, find or create the QuickBooks customer for the deal's contact, invoice the
 * deal (its line items, or its amount), and write the invoice back to the deal.
 *
 * Idempotent, so HubSpot's whole-action re-runs after a 429/5xx create nothing twice:
 * - a deal that already has quickbooks_invoice_id is skipped before any QuickBooks call;
 * - the customer is found by email first, inactive customers included (an inactive one is made active again and
 *   reused); its create carries a requestid derived from email + name, and a "Duplicate Name" (6240) caused by a
 *   concurrent run that created the same customer turns into a reuse;
 * - a deal in a foreign currency (multicurrency on) gets a customer in that currency (CurrencyRef);
 * - the invoice create carries ?requestid= derived from the deal: Intuit replays its first answer instead of
 *   creating a second invoice.
 * Tokens: Intuit rotates refresh tokens, and custom-code secrets are read-only, so the current pair lives encrypted
 * in a token store inside this HubSpot account (lib/token-store.ts), bootstrapped once from QUICKBOOKS_REFRESH_TOKEN.
 * The store's company record is created at setup (a portal's required-field rules refuse creates the action cannot
 * satisfy); the action only reads and updates it, and a missing record is TOKEN_STORE_MISSING.
 */

const GROUP = 'quickbooks';

const DEAL_PROPERTIES = ['dealname', 'amount', 'closedate', 'deal_currency_code', 'quickbooks_invoice_id', 'quickbooks_invoice_number', 'quickbooks_customer_id'];
const CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'company', 'phone', 'address', 'city', 'state', 'zip', 'country'];
const LINE_ITEM_PROPERTIES = ['name', 'quantity', 'price', 'hs_sku'];

/** The default item's id per realm and name, looked up once per warm container. */
const itemIds = moduleCache<string>();
/** The company's currency settings per realm, read once per warm container (only for deals with a currency). */
const currencyPrefsByRealm = moduleCache<QuickBooksCurrencyPrefs>();

interface Config {
  /** `production` or `sandbox`: a build-time setting rather than a secret, to save the 1,000-character secret budget. */
  environment: QuickBooksEnvironment;
  /** QuickBooks Item used on every invoice line; an id wins over a name. */
  defaultItemId: string;
  defaultItemName: string;
}

export const action = defineAction({
  name: 'quickbooks-invoice',
  title: 'QuickBooks invoice for a won deal',
  description: 'Finds or creates the QuickBooks Online customer for the deal\'s contact, creates an invoice for the deal (one line per line item, or the amount), and writes the invoice id, number and status back to the deal. QuickBooks Online Accounting API, minorversion 75. A customer made inactive in QuickBooks is found by email and made active again. A deal in a foreign currency needs Multicurrency on in QuickBooks; its new customer is created in that currency, and an existing customer kept in another currency is the error QUICKBOOKS_CUSTOMER_CURRENCY_MISMATCH.',
  enrollment: { objectType: 'deal', trigger: '{dealstage} is Closed won and {quickbooks_invoice_id} is unknown' },
  secrets: {
    QUICKBOOKS_CLIENT_ID: { description: 'Client ID of your Intuit app (production keys for production companies)', typicalLength: 50, where: 'developer.intuit.com → your app → Keys & credentials' },
    QUICKBOOKS_CLIENT_SECRET: { description: 'Client secret of your Intuit app', typicalLength: 40, where: 'developer.intuit.com → your app → Keys & credentials' },
    QUICKBOOKS_REALM_ID: { description: 'QuickBooks company id (realm id)', typicalLength: 19, where: 'Shown after connecting (OAuth 2.0 Playground), or QuickBooks → Settings → Account and settings → Billing & subscription' },
    QUICKBOOKS_REFRESH_TOKEN: {
      description: 'A refresh token for the company, used once to start; the action then keeps the rotating tokens in its encrypted store. Replace it to reconnect.',
      typicalLength: 50,
      where: 'developer.intuit.com → OAuth 2.0 Playground (or your app\'s connect flow) → Refresh token',
    },
    QUICKBOOKS_TOKEN_KEY: { description: '32 random bytes in base64 (or hex); encrypts the stored tokens (AES-256-GCM). Typed text, words or patterns are refused (WEAK_TOKEN_KEY)', typicalLength: 44, where: 'Generate: openssl rand -base64 32' },
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['deals.read', 'deals.write', 'contacts.read', 'companies.read', 'companies.write', 'line_items.read']),
  },
  inputs: {
    dealname: input.string('Deal name (used as the line description when the deal has no line items)', { property: 'dealname', maxLength: 4_000 }),
    amount: input.decimal('Deal amount (invoiced when the deal has no line items)', { property: 'amount' }),
    closedate: input.datetime('Close date (the invoice date; today when empty)', { property: 'closedate' }),
    deal_currency_code: input.string('Deal currency (ISO code); sent when set, needs multicurrency in QuickBooks for foreign currencies', { property: 'deal_currency_code', maxLength: 10 }),
    quickbooks_invoice_id: input.string('QuickBooks invoice id already on the deal: when set, the action does nothing', { property: 'quickbooks_invoice_id', maxLength: 100 }),
  },
  outputs: {
    invoice_id: output.string('QuickBooks invoice id'),
    invoice_number: output.string('QuickBooks invoice number (DocNumber)'),
    customer_id: output.string('QuickBooks customer id'),
    invoice_created: output.boolean('true when this enrollment invoiced the deal; false when it was already invoiced'),
  },
  propertyGroups: [{ name: GROUP, label: 'QuickBooks' }, STORE_GROUP],
  properties: [
    textProperty('deals', GROUP, 'quickbooks_invoice_id', 'QuickBooks invoice ID', 'Set by the quickbooks-invoice action; a deal with a value is not invoiced again'),
    textProperty('deals', GROUP, 'quickbooks_invoice_number', 'QuickBooks invoice number', 'DocNumber of the QuickBooks invoice'),
    textProperty('deals', GROUP, 'quickbooks_invoice_status', 'QuickBooks invoice status', 'Open, Partially paid or Paid when the invoice was created'),
    textProperty('deals', GROUP, 'quickbooks_customer_id', 'QuickBooks customer ID', 'The QuickBooks customer the deal was invoiced to'),
    ...TOKEN_STORE_PROPERTIES,
  ],
  apiCalls: {
    'already invoiced (input set)': 0,
    'already invoiced (property on the deal)': 1,
    'existing customer, warm token': '5 (read deal, read contact, query customer, create invoice, update deal) +1 with line items +1 item lookup by name (once per container)',
    'new customer, warm token': '6, +1 when a company is associated (its name)',
    'cold container': '+1 store read; +3 (token refresh, store version check, store write) once an hour; +1 preferences read when the deal has a currency',
    'customer made inactive in QuickBooks': '+1 (sparse update making it active again)',
  },
  notes: {
    'Before the first run: the token store record':
      `The encrypted token pair lives in one company record, "${QUICKBOOKS_TOKEN_STORE.recordName}", whose property "Integration store key (unique)" is \`${QUICKBOOKS_TOKEN_STORE.key}\`. ` +
      '`npm run setup -- --apply` creates it (after the properties) and prints its id; `npm run setup` shows whether it exists. ' +
      'The action never creates it: from API version 2026-09 HubSpot applies your portal\'s validation rules to API writes, and a create-company form with required fields refuses a create that lacks them. ' +
      'If setup reports such a refusal (it names the property), create the record by hand: Companies → Create company, Company name ' +
      `"${QUICKBOOKS_TOKEN_STORE.recordName}", fill the fields your form requires, save; then on the record (View all properties) set "Integration store key (unique)" (group "Integration token store") to \`${QUICKBOOKS_TOKEN_STORE.key}\`. ` +
      'Without the record every run ends with `TOKEN_STORE_MISSING` before any QuickBooks call; a rule that refuses the action\'s update of the record (it writes only "Integration store value (encrypted)" and "Integration store version") ends with `TOKEN_STORE_WRITE_REFUSED`, naming the rule. ' +
      'Do not delete or merge this company; deleting it disconnects QuickBooks until setup creates it again and the QUICKBOOKS_REFRESH_TOKEN secret holds a live token.',
  },
  config: { environment: 'production', defaultItemId: '', defaultItemName: 'Services' } as Config,

  async run(ctx) {
    const { inputs, log } = ctx;
    // Already invoiced: nothing to do, and no QuickBooks call at all.
    if (inputs.quickbooks_invoice_id) return alreadyInvoiced({ quickbooks_invoice_id: inputs.quickbooks_invoice_id });

    const dealId = enrolledDealId(ctx);
    const hubspot = ctx.hubspot();
    // One call: the deal's properties and its contacts, companies and line items.
    const deal = await hubspot.getObject('deals', dealId, { properties: DEAL_PROPERTIES, associations: ['contacts', 'companies', 'line_items'], accept404: true });
    if (!deal) throw new PermanentError(`Deal ${dealId} does not exist (deleted or merged?)`, { errorCode: 'DEAL_NOT_FOUND', service: 'hubspot' });
    if (deal.properties.quickbooks_invoice_id) return alreadyInvoiced(deal.properties);

    const contact = await readDealContact(hubspot, deal);
    const lineItemIds = associatedIds(deal, 'line_items');
    const lineItems = lineItemIds.length ? await readLineItems(hubspot, lineItemIds) : [];
    // Checked before anything is written in QuickBooks: bad data never leaves half an invoice behind.
    const lines = invoiceLines(lineItems, { dealname: inputs.dealname ?? deal.properties.dealname ?? undefined, amount: inputs.amount ?? deal.properties.amount ?? undefined });
    log.info('deal.read', { deal: dealId, lines: lines.length, from: lineItems.length ? 'line items' : 'amount' });

    const quickbooks = connectQuickBooks(ctx);
    const item = await defaultItem(quickbooks, ctx.config, ctx.secrets.QUICKBOOKS_REALM_ID);
    const code = dealCurrency(inputs.deal_currency_code ?? deal.properties.deal_currency_code);
    const currency = code ? invoiceCurrency(code, await companyCurrencyPrefs(quickbooks, `${ctx.config.environment}:${ctx.secrets.QUICKBOOKS_REALM_ID}`)) : undefined;
    const customer = await findOrCreateCustomer(quickbooks, contact, () => readCompanyName(hubspot, deal), currency);

    const invoice = await quickbooks.createInvoice(
      invoiceFromDeal({
        customerId: customer.Id,
        lines,
        item,
        dealId,
        dealname: inputs.dealname ?? deal.properties.dealname ?? undefined,
        txnDate: invoiceDate(inputs.closedate ?? closeDateOf(deal), ctx.now()),
        currency: currency?.code,
      }),
      invoiceRequestId(String(ctx.event.origin?.portalId ?? 'portal'), dealId),
    );
    log.info('invoice.created', { invoice: invoice.Id, number: invoice.DocNumber, customer: customer.Id });

    const properties = dealPropertiesFromInvoice(invoice, customer.Id);
    await hubspot.updateObject('deals', dealId, properties);
    return { invoice_id: invoice.Id, invoice_number: properties.quickbooks_invoice_number, customer_id: customer.Id, invoice_created: true };
  },
});

type Ctx = ActionContext<any, typeof action.definition.secrets, Config>;

function alreadyInvoiced(deal: Record<string, string | null | undefined>) {
  return { invoice_id: deal.quickbooks_invoice_id ?? '', invoice_number: deal.quickbooks_invoice_number ?? '', customer_id: deal.quickbooks_customer_id ?? '', invoice_created: false };
}

function enrolledDealId({ object }: Ctx): string {
  if (object.type && !/^(deal|deals|0-3)$/i.test(object.type)) {
    throw new ValidationError(`This action invoices deals, but the workflow enrolled a ${object.type.toLowerCase()}: use a deal-based workflow`, { errorCode: 'WRONG_OBJECT_TYPE' });
  }
  if (!object.id) throw new ValidationError('The event names no deal id', { errorCode: 'MISSING_OBJECT_ID' });
  // The id reaches the URL path: refuse anything but a record id before any call.
  return checkObjectId(object.id, 'The enrolled deal id');
}

/** HubSpot's v3 read names the line-item association "line items" (with a space) in some answers; accept both. */
function associatedIds(record: CrmObject, type: string): string[] {
  const group = record.associations?.[type] ?? record.associations?.[type.replace('_', ' ')];
  return [...new Set((group?.results ?? []).map((r) => String(r.id)))];
}

function closeDateOf(deal: CrmObject): number | undefined {
  const value = deal.properties.closedate;
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

async function readDealContact(hubspot: HubSpotClient, deal: CrmObject): Promise<ContactFacts> {
  const [contactId] = associatedIds(deal, 'contacts');
  if (!contactId) throw new PermanentError('The deal has no associated contact to invoice: associate the buyer\'s contact with the deal', { errorCode: 'DEAL_WITHOUT_CONTACT' });
  const contact = await hubspot.getObject('contacts', contactId, { properties: CONTACT_PROPERTIES, accept404: true });
  const email = parseEmail(contact?.properties.email ?? '');
  if (!contact || !email) {
    throw new PermanentError(`The deal's contact ${contactId} has no valid email address; QuickBooks customers are matched by email`, { errorCode: 'CONTACT_WITHOUT_EMAIL' });
  }
  return { ...contact.properties, email };
}

async function readLineItems(hubspot: HubSpotClient, ids: string[]): Promise<Array<Record<string, string | null>>> {
  const results = await hubspot.readObjects('line_items', ids, LINE_ITEM_PROPERTIES);
  const byId = new Map(results.map((r) => [r.id, r.properties]));
  // Keep the deal's order (batch read does not promise one); a line item deleted since is skipped.
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id) as Record<string, string | null>] : []));
}

async function readCompanyName(hubspot: HubSpotClient, deal: CrmObject): Promise<string | undefined> {
  const [companyId] = associatedIds(deal, 'companies');
  if (!companyId) return undefined;
  const company = await hubspot.getObject('companies', companyId, { properties: ['name'], accept404: true });
  return company?.properties.name ?? undefined;
}

function connectQuickBooks(ctx: Ctx): QuickBooksClient {
  const { secrets, config, log } = ctx;
  if (!(config.environment in QUICKBOOKS_API)) {
    throw new ConfigError(`Build setting environment must be "production" or "sandbox", not "${String(config.environment)}"`, { errorCode: 'INVALID_CONFIG' });
  }
  const store = createTokenStore<QuickBooksTokens>({
    hubspot: ctx.hubspot(),
    key: QUICKBOOKS_TOKEN_STORE.key,
    recordName: QUICKBOOKS_TOKEN_STORE.recordName,
    secretKey: secrets.QUICKBOOKS_TOKEN_KEY,
    secretName: 'QUICKBOOKS_TOKEN_KEY',
    context: `${config.environment}:${secrets.QUICKBOOKS_REALM_ID}`,
    log,
  });
  const auth = createQuickBooksAuth({
    credentials: {
      clientId: secrets.QUICKBOOKS_CLIENT_ID,
      clientSecret: secrets.QUICKBOOKS_CLIENT_SECRET,
      realmId: secrets.QUICKBOOKS_REALM_ID,
      bootstrapRefreshToken: secrets.QUICKBOOKS_REFRESH_TOKEN,
    },
    store,
    oauth: ctx.service({ service: 'quickbooks', describeError: () => ({}) }),
    now: ctx.now,
    log,
    sleep: (ms) => ctx.deadline.sleep(ms, 5_000),
    budget: { remaining: () => ctx.deadline.remaining(), total: ctx.deadline.elapsed() + ctx.deadline.remaining() },
  });
  return createQuickBooksClient({ realmId: secrets.QUICKBOOKS_REALM_ID, environment: config.environment, auth, service: ctx.service });
}

async function defaultItem(quickbooks: QuickBooksClient, config: Config, realmId: string): Promise<QuickBooksRef> {
  if (config.defaultItemId.trim()) return { value: config.defaultItemId.trim() };
  const name = config.defaultItemName.trim();
  if (!name) throw new ConfigError('Set defaultItemId or defaultItemName in the build config: every invoice line needs a QuickBooks item', { errorCode: 'INVALID_CONFIG' });
  const key = `${realmId}:${name}`;
  const cached = itemIds.get(key);
  if (cached) return { value: cached, name };
  const item = await quickbooks.findItemByName(name);
  if (!item) throw new ConfigError(`QuickBooks has no item named "${name}": create it (Sales → Products and services) or set defaultItemId in the build config`, { errorCode: 'QUICKBOOKS_ITEM_NOT_FOUND' });
  itemIds.set(key, item.Id);
  return { value: item.Id, name: item.Name };
}

async function companyCurrencyPrefs(quickbooks: QuickBooksClient, key: string): Promise<QuickBooksCurrencyPrefs> {
  const cached = currencyPrefsByRealm.get(key);
  if (cached) return cached;
  const prefs = await quickbooks.currencyPrefs();
  currencyPrefsByRealm.set(key, prefs);
  return prefs;
}

/**
 * By email first, inactive customers included. A new customer needs a DisplayName unique across customers (active or
 * not), vendors and employees: on 6240 we look again by email (a concurrent run may just have created this very
 * customer — reuse it), else retry once with the email in the name.
 */
async function findOrCreateCustomer(quickbooks: QuickBooksClient, contact: ContactFacts, companyName: () => Promise<string | undefined>, currency: InvoiceCurrency | undefined): Promise<QuickBooksCustomer> {
  const existing = pickCustomer(await quickbooks.findCustomersByEmail(contact.email));
  if (existing) return usable(quickbooks, existing, currency);

  const company = contact.firstname?.trim() || contact.lastname?.trim() || contact.company?.trim() ? undefined : await companyName();
  const name = customerDisplayName(contact, company);
  const customerCurrency = currency?.foreign ? currency.code : undefined;
  for (const displayName of [name, disambiguatedDisplayName(name, contact.email)]) {
    try {
      return await quickbooks.createCustomer(customerFromContact(contact, displayName, company, customerCurrency), customerRequestId(contact.email, displayName));
    } catch (error) {
      if (!isDuplicateName(error)) throw error;
      const created = pickCustomer(await quickbooks.findCustomersByEmail(contact.email));
      if (created) return usable(quickbooks, created, currency);
    }
  }
  throw new PermanentError(`QuickBooks already has a customer, vendor or employee named "${name}" and "${disambiguatedDisplayName(name, contact.email)}" with another email: rename one of them`, { errorCode: 'QUICKBOOKS_DUPLICATE_NAME', service: 'quickbooks' });
}

/** A found customer, checked against the invoice's currency and made active again if it was made inactive. */
async function usable(quickbooks: QuickBooksClient, customer: QuickBooksCustomer, currency: InvoiceCurrency | undefined): Promise<QuickBooksCustomer> {
  if (currency) checkCustomerCurrency(customer, currency);
  if (customer.Active !== false) return customer;
  // QuickBooks refuses invoices for inactive customers; the contact is buying again, so the customer is active again.
  return quickbooks.reactivateCustomer(customer);
}

export const main = action.main;
