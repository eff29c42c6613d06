// node:crypto on first use, not at load (~3.6 ms of the cold start): see lib/token-store.ts.
const crypto = () => process.getBuiltinModule('node:crypto');
import { PermanentError } from '../../lib/errors';
import { parseDecimal } from '../../lib/inputs';
import type { QuickBooksInvoice, QuickBooksRef } from '../../lib/quickbooks';

/**
 * Pure mapping for the quickbooks-invoice action: HubSpot deal, contact and line items → QuickBooks customer and
 * invoice bodies, and the invoice back → deal properties. No I/O; `now` is passed in where a date is needed.
 */

type Props = Record<string, string | null | undefined>;

// ---- exact decimals --------------------------------------------------------------------------------------------

/** A decimal string as integer units × 10^-scale, exactly. */
function toScaled(decimal: string): { units: bigint; scale: number } {
  const negative = decimal.startsWith('-');
  const [int = '0', frac = ''] = decimal.replace(/^[+-]/, '').split('.');
  const units = BigInt(`${int}${frac}` || '0');
  return { units: negative ? -units : units, scale: frac.length };
}

function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return parseDecimal(`${negative ? '-' : ''}${text}`) ?? '0';
}

/** a × b, exactly ("0.1" × "3" = "0.3", not 0.30000000000000004). */
export function multiplyDecimals(a: string, b: string): string {
  const x = toScaled(a);
  const y = toScaled(b);
  return fromScaled(x.units * y.units, x.scale + y.scale);
}

/** Rounds half away from zero to `places` decimals, the way invoices round cents. */
export function roundDecimal(value: string, places: number): string {
  const { units, scale } = toScaled(value);
  if (scale <= places) return fromScaled(units, scale);
  const divisor = 10n ** BigInt(scale - places);
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const rounded = (abs + divisor / 2n) / divisor;
  return fromScaled(negative ? -rounded : rounded, places);
}

/**
 * A JSON number written with exactly these digits. JSON.stringify of a JS number could print 0.1 × 3 as
 * 0.30000000000000004; JSON.rawJSON (Node 21+, so in HubSpot's Node 24) writes the decimal text as is.
 */
export function exactNumber(decimal: string): unknown {
  const raw = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;
  return raw ? raw(decimal) : Number(decimal);
}

// ---- customer --------------------------------------------------------------------------------------------------

/** QuickBooks: DisplayName and name parts must not contain ":", tab or newline; DisplayName holds ≤ 500 characters. */
export function cleanName(text: string | null | undefined, max = 100): string {
  return (text ?? '').replace(/[:\t\r\n]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max).trim();
}

export interface ContactFacts {
  email: string;
  firstname?: string | null;
  lastname?: string | null;
  company?: string | null;
  phone?: string | null;
  address?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  country?: string | null;
}

/** "Ada Lovelace", else the company, else the email address. */
export function customerDisplayName(contact: ContactFacts, companyName?: string | null): string {
  const person = cleanName(`${contact.firstname ?? ''} ${contact.lastname ?? ''}`, 400);
  return person || cleanName(contact.company ?? companyName, 400) || cleanName(contact.email, 400);
}

/** The second choice after error 6240 (name taken by another customer, a vendor or an employee). */
export function disambiguatedDisplayName(name: string, email: string): string {
  return cleanName(`${name} (${email})`, 500);
}

/**
 * `currency`: set for a customer of a foreign-currency invoice in a multicurrency company. A customer's CurrencyRef
 * is fixed once set, and an invoice must be in its customer's currency; left out, the customer is in the home
 * currency. https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer (CurrencyRef),
 * https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies
 */
export function customerFromContact(contact: ContactFacts, displayName: string, companyName?: string | null, currency?: string): Record<string, unknown> {
  const given = cleanName(contact.firstname);
  const family = cleanName(contact.lastname);
  const company = cleanName(contact.company ?? companyName);
  const billAddr = Object.fromEntries(
    Object.entries({ Line1: contact.address, City: contact.city, CountrySubDivisionCode: contact.state, PostalCode: contact.zip, Country: contact.country })
      .map(([k, v]) => [k, (v ?? '').trim()])
      .filter(([, v]) => v !== ''),
  );
  return {
    DisplayName: displayName,
    PrimaryEmailAddr: { Address: contact.email },
    ...(given ? { GivenName: given } : {}),
    ...(family ? { FamilyName: family } : {}),
    ...(company ? { CompanyName: company } : {}),
    ...(contact.phone?.trim() ? { PrimaryPhone: { FreeFormNumber: contact.phone.trim() } } : {}),
    ...(Object.keys(billAddr).length ? { BillAddr: billAddr } : {}),
    ...(currency ? { CurrencyRef: { value: currency } } : {}),
  };
}

/**
 * Several customers with one email: an active one before an inactive one, then the lowest Id (the oldest, most
 * likely the one in use). Inactive ones are candidates at all because their names still block new customers (6240).
 */
export function pickCustomer<T extends { Id: string; Active?: boolean }>(customers: readonly T[]): T | undefined {
  const inactive = (c: T) => (c.Active === false ? 1 : 0);
  return [...customers].sort((a, b) => inactive(a) - inactive(b) || Number(a.Id) - Number(b.Id) || a.Id.localeCompare(b.Id))[0];
}

// ---- currency --------------------------------------------------------------------------------------------------

export interface InvoiceCurrency {
  /** ISO code for the invoice's CurrencyRef; undefined = leave it out (a company without multicurrency). */
  code?: string;
  /** Not the home currency: a new customer needs CurrencyRef, an existing one must already be in it. */
  foreign: boolean;
  home: string;
}

/** The deal's currency as an ISO code, or undefined when it has none (HubSpot leaves it empty in single-currency accounts). */
export function dealCurrency(text: string | null | undefined): string | undefined {
  const code = (text ?? '').trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : undefined;
}

/**
 * What currency the invoice is in, given the company's settings. A foreign currency needs multicurrency, which the
 * QuickBooks admin turns on (and can never turn off again): without it nothing is written and the error says where.
 */
export function invoiceCurrency(code: string, prefs: { multiCurrencyEnabled: boolean; homeCurrency: string }): InvoiceCurrency {
  const home = prefs.homeCurrency;
  if (!prefs.multiCurrencyEnabled) {
    if (code !== home) {
      throw new PermanentError(
        `The deal is in ${code}, but this QuickBooks company works only in its home currency ${home}: turn on Multicurrency in QuickBooks (Settings → Account and settings → Advanced → Currency; it cannot be turned off again), or invoice the deal in ${home}`,
        { errorCode: 'QUICKBOOKS_MULTICURRENCY_DISABLED', service: 'quickbooks' },
      );
    }
    return { foreign: false, home };
  }
  return { code, foreign: code !== home, home };
}

/** An existing customer can take the invoice only in its own currency (absent CurrencyRef: the home currency). */
export function checkCustomerCurrency(customer: { Id: string; DisplayName: string; CurrencyRef?: { value: string } }, currency: InvoiceCurrency): void {
  if (!currency.code) return;
  const own = customer.CurrencyRef?.value ?? currency.home;
  if (own !== currency.code) {
    throw new PermanentError(
      `QuickBooks customer "${customer.DisplayName}" (${customer.Id}) is kept in ${own} and a customer's currency cannot change, but the deal is in ${currency.code}: invoice the deal in ${own}, or create a separate ${currency.code} customer for this contact in QuickBooks`,
      { errorCode: 'QUICKBOOKS_CUSTOMER_CURRENCY_MISMATCH', service: 'quickbooks' },
    );
  }
}

// ---- invoice ---------------------------------------------------------------------------------------------------

export interface InvoiceLine {
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

/**
 * One invoice line per HubSpot line item, quantity and unit price kept exactly; or, without line items, one line
 * for the deal amount. Throws a PermanentError for data that cannot make a correct invoice (nothing is written).
 */
export function invoiceLines(lineItems: readonly Props[], deal: { dealname?: string; amount?: string }): InvoiceLine[] {
  if (lineItems.length === 0) {
    const amount = parseDecimal(deal.amount ?? '');
    if (amount === undefined) {
      throw new PermanentError('The deal has no line items and no amount: nothing to invoice', { errorCode: 'DEAL_WITHOUT_AMOUNT' });
    }
    if (amount.startsWith('-')) throw new PermanentError(`The deal amount ${amount} is negative: QuickBooks invoices need a positive amount (use a credit memo)`, { errorCode: 'NEGATIVE_AMOUNT' });
    return [{ description: cleanName(deal.dealname, 4000) || 'Deal', quantity: '1', unitPrice: amount, amount: roundDecimal(amount, 2) }];
  }
  return lineItems.map((item, index) => {
    const name = cleanName(item.name, 4000) || `Line ${index + 1}`;
    const quantity = parseDecimal(item.quantity ?? '1') ?? parseDecimal('1');
    const unitPrice = parseDecimal(item.price ?? '');
    if (quantity === undefined || unitPrice === undefined) {
      throw new PermanentError(`Line item "${name}" has no valid price or quantity`, { errorCode: 'LINE_ITEM_WITHOUT_PRICE' });
    }
    return { description: name, quantity, unitPrice, amount: roundDecimal(multiplyDecimals(quantity, unitPrice), 2) };
  });
}

/** Intuit replays the first answer for a repeated requestid, so a re-run of this deal cannot invoice twice. */
export function invoiceRequestId(portalId: string, dealId: string): string {
  return `hubspot-${portalId}-deal-${dealId}`.slice(0, 50);
}

/** Same contact and name → same requestid: concurrent runs for one new customer get one customer. */
export function customerRequestId(email: string, displayName: string): string {
  return `hubspot-customer-${crypto().createHash('sha256').update(`${email}\n${displayName}`).digest('hex').slice(0, 32)}`;
}

/** YYYY-MM-DD (UTC) of the close date, else of today. */
export function invoiceDate(closedate: number | undefined, now: number): string {
  return new Date(closedate ?? now).toISOString().slice(0, 10);
}

export function invoiceFromDeal(input: {
  customerId: string;
  lines: readonly InvoiceLine[];
  item: QuickBooksRef;
  dealId: string;
  dealname?: string;
  txnDate: string;
  currency?: string;
}): Record<string, unknown> {
  const currency = input.currency?.trim().toUpperCase();
  return {
    CustomerRef: { value: input.customerId },
    TxnDate: input.txnDate,
    ...(currency && /^[A-Z]{3}$/.test(currency) ? { CurrencyRef: { value: currency } } : {}),
    PrivateNote: cleanName(`HubSpot deal ${input.dealId}${input.dealname ? `: ${input.dealname}` : ''}`, 4000),
    Line: input.lines.map((line) => ({
      DetailType: 'SalesItemLineDetail',
      Amount: exactNumber(line.amount),
      Description: line.description,
      SalesItemLineDetail: { ItemRef: input.item, Qty: exactNumber(line.quantity), UnitPrice: exactNumber(line.unitPrice) },
    })),
  };
}

/** Paid, Partially paid or Open, from the invoice's balance. */
export function invoiceStatus(invoice: Pick<QuickBooksInvoice, 'TotalAmt' | 'Balance'>): string {
  const total = invoice.TotalAmt ?? 0;
  const balance = invoice.Balance ?? total;
  if (total > 0 && balance <= 0) return 'Paid';
  if (balance < total) return 'Partially paid';
  return 'Open';
}

export function dealPropertiesFromInvoice(invoice: QuickBooksInvoice, customerId: string): Record<string, string> {
  return {
    quickbooks_invoice_id: invoice.Id,
    quickbooks_invoice_number: invoice.DocNumber ?? '',
    quickbooks_invoice_status: invoiceStatus(invoice),
    quickbooks_customer_id: customerId,
  };
}
