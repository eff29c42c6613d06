import type { FakeRequest, FakeResponse } from './network';

/**
 * A stateful fake of Intuit: the OAuth 2.0 token endpoint (refresh tokens that rotate, the old one dying) and one
 * QuickBooks Online company (realm) with customers, items and invoices, answering like the Accounting API v3:
 * - Faults shaped { Fault: { Error: [{ Message, Detail, code, element }], type }, time }, with HTTP 400 — or
 *   HTTP 200 when a test asks for it (`faultIn200Next`), as QuickBooks sometimes does;
 * - 6240 Duplicate Name Exists: DisplayName unique across customers, vendors and employees (case-insensitive);
 * - `requestid`: a repeated id gets the first answer again instead of a second create;
 * - the query language: SELECT * FROM <Entity> WHERE <Field> = '<literal>' [AND …] [MAXRESULTS n], with the
 *   `\'` and `\\` escapes; anything else is a QueryParserError, so an unescaped quote fails like the real thing;
 * - minorversion below 75 refused; bearer tokens checked, a 401 with the lower-case "fault" body otherwise;
 * - `SELECT … FROM Customer` returns active customers only, unless the query names Active (`Active = false`,
 *   `Active IN (true, false)`), while 6240 counts inactive customers' names too
 *   (https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries);
 *   a sparse update (`sparse: true`) changes only the fields sent;
 * - currencies: a home currency and a multicurrency switch (GET /preferences → CurrencyPrefs); a customer's
 *   CurrencyRef is fixed once set, and an invoice must be in its customer's currency
 *   (https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies);
 * - throttling: more than 10 requests in a second per realm and app, or 500 in a minute per realm, answer 429
 *   (https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles).
 * Shapes from https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer (invoice,
 * query) and the OAuth 2.0 token endpoint docs. Token values are distinctive so leak checks can search for them.
 */

export const INTUIT_OAUTH_ORIGIN = 'https://oauth.platform.intuit.com';
export const QUICKBOOKS_ORIGIN = 'https://quickbooks.api.intuit.com';
export const QUICKBOOKS_SANDBOX_ORIGIN = 'https://sandbox-quickbooks.api.intuit.com';

const DAY_MS = 24 * 3600 * 1000;

export interface FakeCustomer {
  Id: string;
  SyncToken: string;
  DisplayName: string;
  GivenName?: string;
  FamilyName?: string;
  CompanyName?: string;
  PrimaryEmailAddr?: { Address: string };
  Active: boolean;
  Balance: number;
  [k: string]: unknown;
}

export interface FakeInvoice {
  Id: string;
  DocNumber: string;
  TxnDate: string;
  CustomerRef: { value: string; name: string };
  Line: Array<Record<string, unknown>>;
  TotalAmt: number;
  Balance: number;
  CurrencyRef?: { value: string };
  PrivateNote?: string;
  requestId?: string;
  /** The JSON text as received, to check that decimals arrived exactly. */
  rawBody: string;
}

interface RefreshTokenState {
  issuedAt: number;
  expiresAt: number;
}

export interface FakeQuickBooksOptions {
  clientId: string;
  clientSecret: string;
  realmId: string;
  /** The refresh token the user pasted into the secret. */
  refreshToken: string;
  clock?: () => number;
  /** A refresh returns a new refresh token once the current one is this old; 0 = on every refresh. Intuit: ~24 h. */
  rotateAfterMs?: number;
}

export function fault(code: string, message: string, detail: string, type = 'ValidationFault', element = ''): Record<string, unknown> {
  return { Fault: { Error: [{ Message: message, Detail: detail, code, element }], type }, time: '2025-01-15T10:00:00.000-08:00' };
}

export const DUPLICATE_NAME_FAULT = () =>
  fault('6240', 'Duplicate Name Exists Error', 'The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name.');

export class FakeQuickBooks {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly realmId: string;
  readonly customers = new Map<string, FakeCustomer>();
  readonly invoices = new Map<string, FakeInvoice>();
  readonly items = new Map<string, { Id: string; Name: string; Type: string; Active: boolean }>();
  /** Names of vendors and employees: a customer DisplayName may not clash with them either. */
  readonly otherNames = new Set<string>();
  readonly refreshTokens = new Map<string, RefreshTokenState>();
  readonly accessTokens = new Map<string, number>();
  /** Every token handed out, for leak checks. */
  readonly issued: string[] = [];
  readonly requestIds = new Map<string, FakeResponse>();
  /** Token refreshes answered successfully / with invalid_grant. */
  refreshes = 0;
  invalidGrants = 0;
  rotateAfterMs: number;
  /** Runs just before a customer create is handled (to stage a concurrent run's create). */
  beforeCreateCustomer: (() => void) | undefined;
  /** Preferences.CurrencyPrefs. Multicurrency is off in a new company and cannot be turned off once on. */
  homeCurrency = 'USD';
  multiCurrencyEnabled = false;
  /** Intuit's throttles: per second per realm and app, per minute per realm. */
  limits = { perSecond: 10, perMinute: 500 };
  /** The throttle windows' clock: wall-clock by default (see handle()); a test freezes it to make the limit certain. */
  throttleClock: () => number = Date.now;
  /** Accounting API requests answered 429. */
  throttled = 0;
  private readonly requestTimes: number[] = [];
  private readonly faultsIn200: Array<{ body: Record<string, unknown>; endpoint: string | undefined }> = [];
  private nextId = 57;
  private nextDoc = 1001;
  private serial = 0;
  private readonly clock: () => number;

  constructor(options: FakeQuickBooksOptions) {
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.realmId = options.realmId;
    this.clock = options.clock ?? Date.now;
    this.rotateAfterMs = options.rotateAfterMs ?? DAY_MS;
    this.refreshTokens.set(options.refreshToken, { issuedAt: this.clock(), expiresAt: this.clock() + 100 * DAY_MS });
    this.items.set('1', { Id: '1', Name: 'Services', Type: 'Service', Active: true });
  }

  // ---- test helpers ---------------------------------------------------------------------------------------

  seedCustomer(fields: { DisplayName: string; email?: string; [k: string]: unknown }): string {
    const { email, ...rest } = fields;
    const id = String(++this.nextId);
    this.customers.set(id, { Id: id, SyncToken: '0', Active: true, Balance: 0, ...rest, ...(email ? { PrimaryEmailAddr: { Address: email } } : {}) } as FakeCustomer);
    return id;
  }

  /** Every refresh token stops working (100 days unused, 5-year cap, or revoked by a user). */
  expireRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** Every access token is refused from now on (revoked), so the next API call gets a 401. */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** The next API answer (to `endpoint`, e.g. "customer", when given) carries this Fault with HTTP 200. */
  faultIn200Next(body: Record<string, unknown>, endpoint?: string): void {
    this.faultsIn200.push({ body, endpoint });
  }

  snapshot(): unknown {
    return {
      customers: [...this.customers.values()].map((c) => ({ DisplayName: c.DisplayName, email: c.PrimaryEmailAddr?.Address })).sort((a, b) => a.DisplayName.localeCompare(b.DisplayName)),
      invoices: [...this.invoices.values()].map((i) => ({ customer: this.customers.get(i.CustomerRef.value)?.DisplayName, TotalAmt: i.TotalAmt, note: i.PrivateNote })).sort((a, b) => String(a.note).localeCompare(String(b.note))),
    };
  }

  // ---- OAuth ----------------------------------------------------------------------------------------------

  handleOAuth = (req: FakeRequest): FakeResponse => {
    if (req.method !== 'POST' || req.pathname !== '/oauth2/v1/tokens/bearer') return { status: 404, body: { error: 'not_found' } };
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return { status: 401, body: { error: 'invalid_client' } };
    const form = (req.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const token = form.refresh_token ?? '';
    const state = this.refreshTokens.get(token);
    const now = this.clock();
    if (!state || state.expiresAt <= now) {
      this.invalidGrants += 1;
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    this.refreshes += 1;
    let refreshToken = token;
    if (now - state.issuedAt >= this.rotateAfterMs) {
      // Rotation: the old refresh token dies, the new one starts a fresh 100 days.
      this.refreshTokens.delete(token);
      refreshToken = this.token('AB11-refresh');
      this.refreshTokens.set(refreshToken, { issuedAt: now, expiresAt: now + 100 * DAY_MS });
    } else {
      state.expiresAt = now + 100 * DAY_MS;
    }
    const accessToken = this.token('eyJ-access');
    this.accessTokens.set(accessToken, now + 3600 * 1000);
    const rt = this.refreshTokens.get(refreshToken) as RefreshTokenState;
    return {
      status: 200,
      body: { token_type: 'bearer', access_token: accessToken, expires_in: 3600, refresh_token: refreshToken, x_refresh_token_expires_in: Math.round((rt.expiresAt - now) / 1000) },
    };
  };

  private token(prefix: string): string {
    this.serial += 1;
    const value = `${prefix}-${this.realmId}-${String(this.serial).padStart(4, '0')}-leakcheck${Math.random().toString(36).slice(2, 10)}`;
    this.issued.push(value);
    return value;
  }

  // ---- Accounting API -------------------------------------------------------------------------------------

  handleApi = (req: FakeRequest): FakeResponse => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = bearer ? this.accessTokens.get(bearer) : undefined;
    if (!bearer || expiresAt === undefined || expiresAt <= this.clock()) {
      return {
        status: 401,
        body: { warnings: null, intuitObject: null, fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail: 'Token expired or invalid', code: '3200' }], type: 'AUTHENTICATION' }, time: '2025-01-15T10:00:00.000-08:00' },
      };
    }
    const p = req.pathname.split('/').filter(Boolean);
    if (p[0] !== 'v3' || p[1] !== 'company' || p[2] !== this.realmId) return { status: 403, body: fault('3100', 'ApplicationAuthorizationFailed', `errorCode=003100; the token is not authorized for company ${p[2]}`, 'AuthorizationFault') };
    const minor = Number(req.query.get('minorversion') ?? '0');
    if (!(minor >= 75)) return { status: 400, body: fault('4001', 'Invalid minorversion', `minorversion ${req.query.get('minorversion') ?? '(none)'} is no longer supported; use 75 or later`) };

    // The throttle windows run on wall-clock time (what lib/http.ts waits in), not on the test clock that ages
    // tokens: a frozen test clock would otherwise keep a throttled realm throttled for ever. (The bench's simulation
    // switches this throttle off and models Intuit's limits on its virtual clock.)
    const now = this.throttleClock();
    while (this.requestTimes.length && (this.requestTimes[0] as number) <= now - 60_000) this.requestTimes.shift();
    const lastSecond = this.requestTimes.filter((t) => t > now - 1_000).length;
    if (lastSecond >= this.limits.perSecond || this.requestTimes.length >= this.limits.perMinute) {
      this.throttled += 1;
      // Shape as observed for throttled calls (lower-case fault, type SERVICE, code 3001); Intuit's page gives only the status.
      return { status: 429, body: { fault: { error: [{ message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', detail: 'The request limit was reached.', code: '3001' }], type: 'SERVICE' }, time: new Date(now).toISOString() } };
    }
    this.requestTimes.push(now);

    const hidden = this.faultsIn200.findIndex((f) => f.endpoint === undefined || f.endpoint === p[3]);
    if (hidden >= 0) return { status: 200, body: (this.faultsIn200.splice(hidden, 1)[0] as { body: Record<string, unknown> }).body };

    const requestId = req.query.get('requestid');
    const replayKey = requestId ? `${this.realmId}:${requestId}` : undefined;
    if (replayKey && this.requestIds.has(replayKey)) return this.requestIds.get(replayKey) as FakeResponse;

    let answer: FakeResponse;
    if (req.method === 'GET' && p[3] === 'query') answer = this.query(req.query.get('query') ?? '');
    else if (req.method === 'GET' && p[3] === 'preferences') answer = this.preferences();
    else if (req.method === 'POST' && p[3] === 'customer' && (req.body as { sparse?: unknown } | undefined)?.sparse === true) answer = this.updateCustomer(req.body as Record<string, unknown>);
    else if (req.method === 'POST' && p[3] === 'customer') answer = this.createCustomer(req.body as Record<string, unknown>);
    else if (req.method === 'POST' && p[3] === 'invoice') answer = this.createInvoice(req.body as Record<string, unknown>, req.rawBody, requestId ?? undefined);
    else answer = { status: 400, body: fault('4000', 'Unsupported operation', `${req.method} ${req.pathname} is not supported`) };
    if (replayKey && req.method === 'POST') this.requestIds.set(replayKey, answer);
    return answer;
  };

  private names(): string[] {
    return [...[...this.customers.values()].map((c) => c.DisplayName), ...this.otherNames].map((n) => n.toLowerCase());
  }

  private preferences(): FakeResponse {
    return {
      status: 200,
      body: { Preferences: { CurrencyPrefs: { MultiCurrencyEnabled: this.multiCurrencyEnabled, HomeCurrency: { value: this.homeCurrency } }, Id: '1', SyncToken: '0', domain: 'QBO', sparse: false }, time: new Date(this.clock()).toISOString() },
    };
  }

  /** Sparse update: only the fields sent change; the SyncToken must be the current one (else 5010 stale object). */
  private updateCustomer(body: Record<string, unknown>): FakeResponse {
    const customer = this.customers.get(String(body.Id ?? ''));
    if (!customer) return { status: 400, body: fault('610', 'Object Not Found', `Object Not Found : Something you're trying to use has been made inactive or is not found. : Customer ${String(body.Id ?? '')}`) };
    if (String(body.SyncToken ?? '') !== customer.SyncToken) return { status: 400, body: fault('5010', 'Stale Object Error', 'Stale Object Error : You and another user were working on the same thing.') };
    const { Id: _id, SyncToken: _sync, sparse: _sparse, ...changes } = body;
    Object.assign(customer, changes, { SyncToken: String(Number(customer.SyncToken) + 1) });
    return { status: 200, body: { Customer: { ...customer, domain: 'QBO', sparse: false }, time: new Date(this.clock()).toISOString() } };
  }

  private createCustomer(body: Record<string, unknown>): FakeResponse {
    this.beforeCreateCustomer?.();
    const displayName = typeof body.DisplayName === 'string' ? body.DisplayName : '';
    if (!displayName.trim()) return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', 'Business Validation Error: You must fill out at least one of the name fields.', 'ValidationFault', 'DisplayName') };
    if (/[:\t\n]/.test(displayName)) return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', 'Business Validation Error: Name cannot contain a colon (:), tab or newline.', 'ValidationFault', 'DisplayName') };
    if (displayName.length > 500) return { status: 400, body: fault('2050', 'String length is either shorter or longer than supported by specification', 'String length specified does not match the supported length. Max allowed length is 500', 'ValidationFault', 'DisplayName') };
    if (this.names().includes(displayName.toLowerCase())) return { status: 400, body: DUPLICATE_NAME_FAULT() };
    const email = (body.PrimaryEmailAddr as { Address?: string } | undefined)?.Address;
    if (email !== undefined && !/@.*\./.test(email)) return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', 'Business Validation Error: Email address is invalid', 'ValidationFault', 'PrimaryEmailAddr') };
    const currency = (body.CurrencyRef as { value?: string } | undefined)?.value;
    if (currency !== undefined && !this.multiCurrencyEnabled && currency !== this.homeCurrency) {
      // Undocumented wording; assumed a validation fault because the currency needs the multicurrency preference.
      return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', `Business Validation Error: Multicurrency is not turned on; ${currency} cannot be used.`, 'ValidationFault', 'CurrencyRef') };
    }
    const id = String(++this.nextId);
    const customer = { ...body, DisplayName: displayName, Id: id, SyncToken: '0', Active: true, Balance: 0, FullyQualifiedName: displayName, CurrencyRef: { value: currency ?? this.homeCurrency }, MetaData: { CreateTime: new Date(this.clock()).toISOString(), LastUpdatedTime: new Date(this.clock()).toISOString() } } as FakeCustomer;
    this.customers.set(id, customer);
    return { status: 200, body: { Customer: { ...customer, domain: 'QBO', sparse: false }, time: new Date(this.clock()).toISOString() } };
  }

  private createInvoice(body: Record<string, unknown>, rawBody: string, requestId: string | undefined): FakeResponse {
    const customerId = (body.CustomerRef as { value?: string } | undefined)?.value;
    const customer = customerId ? this.customers.get(customerId) : undefined;
    if (!customer || customer.Active === false) return { status: 400, body: fault('2500', 'Invalid Reference Id', `Invalid Reference Id : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. : Customer ${customerId ?? ''}`, 'ValidationFault', 'CustomerRef') };
    const invoiceCurrency = (body.CurrencyRef as { value?: string } | undefined)?.value ?? this.homeCurrency;
    const customerCurrency = (customer.CurrencyRef as { value?: string } | undefined)?.value ?? this.homeCurrency;
    if (invoiceCurrency !== this.homeCurrency && !this.multiCurrencyEnabled) {
      return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', `Business Validation Error: Multicurrency is not turned on; ${invoiceCurrency} cannot be used.`, 'ValidationFault', 'CurrencyRef') };
    }
    if (invoiceCurrency !== customerCurrency) {
      // Undocumented wording; the rule (a transaction is in its customer's currency) is from the multicurrency guide.
      return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', `Business Validation Error: The currency of the transaction (${invoiceCurrency}) must match the currency of the customer (${customerCurrency}).`, 'ValidationFault', 'CurrencyRef') };
    }
    const lines = Array.isArray(body.Line) ? (body.Line as Array<Record<string, unknown>>) : [];
    if (lines.length === 0) return { status: 400, body: fault('6000', 'A business validation error has occurred while processing your request', 'Business Validation Error: Transactions must have at least one line.', 'ValidationFault', 'Line') };
    let total = 0;
    for (const line of lines) {
      const detail = line.SalesItemLineDetail as { ItemRef?: { value?: string }; Qty?: number; UnitPrice?: number } | undefined;
      if (!detail?.ItemRef?.value || !this.items.has(detail.ItemRef.value)) return { status: 400, body: fault('2500', 'Invalid Reference Id', `Invalid Reference Id : Item ${detail?.ItemRef?.value ?? '(none)'} does not exist`, 'ValidationFault', 'ItemRef') };
      const amount = Number(line.Amount);
      if (!Number.isFinite(amount)) return { status: 400, body: fault('2020', 'Required param missing, need to supply the required value for the API', 'Required parameter Line.Amount is missing in the request', 'ValidationFault', 'Line.Amount') };
      if (detail.Qty !== undefined && detail.UnitPrice !== undefined && Math.abs(detail.Qty * detail.UnitPrice - amount) > 0.005 + 1e-9) {
        return { status: 400, body: fault('6070', 'A business validation error has occurred while processing your request', 'Business Validation Error: Amount is not equal to UnitPrice * Qty.', 'ValidationFault', 'Line.Amount') };
      }
      total += amount;
    }
    const id = String(++this.nextId);
    const totalAmt = Math.round(total * 100) / 100;
    const invoice: FakeInvoice = {
      Id: id,
      DocNumber: String(this.nextDoc++),
      TxnDate: typeof body.TxnDate === 'string' ? body.TxnDate : new Date(this.clock()).toISOString().slice(0, 10),
      CustomerRef: { value: customer.Id, name: customer.DisplayName },
      Line: [...lines.map((l, i) => ({ Id: String(i + 1), LineNum: i + 1, ...l })), { Amount: totalAmt, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }],
      TotalAmt: totalAmt,
      Balance: totalAmt,
      ...(body.CurrencyRef ? { CurrencyRef: body.CurrencyRef as { value: string } } : {}),
      ...(typeof body.PrivateNote === 'string' ? { PrivateNote: body.PrivateNote } : {}),
      ...(requestId ? { requestId } : {}),
      rawBody,
    };
    this.invoices.set(id, invoice);
    const { rawBody: _raw, requestId: _rid, ...view } = invoice;
    return { status: 200, body: { Invoice: { ...view, SyncToken: '0', EmailStatus: 'NotSet', domain: 'QBO', sparse: false }, time: new Date(this.clock()).toISOString() } };
  }

  // ---- the query language ---------------------------------------------------------------------------------

  private query(text: string): FakeResponse {
    const parsed = parseQuery(text);
    if ('error' in parsed) return { status: 400, body: fault('4000', 'Error parsing query', `QueryParserError: ${parsed.error}`) };
    const source: Array<Record<string, unknown>> =
      parsed.entity === 'Customer' ? [...this.customers.values()] : parsed.entity === 'Item' ? [...this.items.values()] : parsed.entity === 'Invoice' ? [...this.invoices.values()].map(({ rawBody: _r, ...i }) => i) : [];
    const valueOf = (record: Record<string, unknown>, field: string): string | undefined => {
      const v = field === 'PrimaryEmailAddr' ? (record.PrimaryEmailAddr as { Address?: string } | undefined)?.Address : field === 'Active' ? record.Active !== false : record[field];
      return v === undefined || v === null ? undefined : String(v);
    };
    // Name lists (Customer, Item…) answer active records only, unless the query itself filters on Active.
    const namesActive = parsed.conditions.some((c) => c.field === 'Active');
    const matches = source
      .filter((r) => namesActive || r.Active !== false)
      .filter((r) => parsed.conditions.every((c) => c.values.some((v) => valueOf(r, c.field)?.toLowerCase() === v.toLowerCase())))
      .slice(0, parsed.maxResults);
    const time = new Date(this.clock()).toISOString();
    // An empty result is an empty QueryResponse, without the entity key.
    if (matches.length === 0) return { status: 200, body: { QueryResponse: {}, time } };
    return { status: 200, body: { QueryResponse: { [parsed.entity]: matches, startPosition: 1, maxResults: matches.length }, time } };
  }
}

/**
 * A strict parser for the subset we use: SELECT * FROM E WHERE C [AND C]* [MAXRESULTS n], where C is
 * `F = 'v'`, `F = true|false` or `F IN (v, v…)` with literals or booleans.
 * Inside a literal `\'` is a quote and `\\` a backslash; a bare quote ends it, so an injection attempt leaves
 * trailing text and is a parse error.
 */
export function parseQuery(text: string): { entity: string; conditions: Array<{ field: string; values: string[] }>; maxResults: number } | { error: string } {
  let i = 0;
  const s = text;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i] as string)) i += 1;
  };
  const word = (): string => {
    ws();
    const m = /^[A-Za-z_*][A-Za-z0-9_.]*|^\*/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const expect = (w: string) => {
    const got = word();
    if (got.toUpperCase() !== w) throw new Error(`Encountered "${got || s.slice(i, i + 10)}" at column ${i + 1}, expected ${w}`);
  };
  const literal = (): string => {
    ws();
    if (s[i] !== "'") throw new Error(`Encountered "${s.slice(i, i + 10)}" at column ${i + 1}, expected a string literal`);
    i += 1;
    let out = '';
    while (i < s.length) {
      const ch = s[i] as string;
      if (ch === '\\') {
        const next = s[i + 1];
        if (next === "'" || next === '\\') {
          out += next;
          i += 2;
          continue;
        }
        throw new Error(`Lexical error at column ${i + 1}: invalid escape`);
      }
      if (ch === "'") {
        i += 1;
        return out;
      }
      out += ch;
      i += 1;
    }
    throw new Error('Lexical error: unterminated string literal');
  };
  try {
    expect('SELECT');
    expect('*');
    expect('FROM');
    const entity = word();
    if (!entity) throw new Error('missing entity');
    const conditions: Array<{ field: string; values: string[] }> = [];
    let maxResults = 100;
    const value = (): string => {
      ws();
      if (s[i] === "'") return literal();
      const bool = /^(true|false)\b/i.exec(s.slice(i));
      if (!bool) throw new Error(`Encountered "${s.slice(i, i + 10)}" at column ${i + 1}, expected a value`);
      i += bool[0].length;
      return (bool[1] as string).toLowerCase();
    };
    let next = word();
    if (next.toUpperCase() === 'WHERE') {
      for (;;) {
        const field = word();
        ws();
        if (field && s[i] === '=') {
          i += 1;
          conditions.push({ field, values: [value()] });
        } else if (field && /^IN\s*\(/i.test(s.slice(i))) {
          i = s.indexOf('(', i) + 1;
          const values = [value()];
          for (ws(); s[i] === ','; ws()) {
            i += 1;
            values.push(value());
          }
          if (s[i] !== ')') throw new Error(`Encountered "${s.slice(i, i + 10)}" at column ${i + 1}, expected ")"`);
          i += 1;
          conditions.push({ field, values });
        } else {
          throw new Error(`Encountered "${s.slice(i, i + 10)}" at column ${i + 1}, expected "=" or IN`);
        }
        next = word();
        if (next.toUpperCase() !== 'AND') break;
      }
    }
    if (next.toUpperCase() === 'MAXRESULTS') {
      ws();
      const m = /^\d+/.exec(s.slice(i));
      if (!m) throw new Error('MAXRESULTS needs a number');
      maxResults = Number(m[0]);
      i += m[0].length;
      next = word();
    }
    ws();
    if (next !== '' || i < s.length) throw new Error(`Encountered "${next || s.slice(i, i + 10)}" at column ${i + 1}: unexpected text after the query`);
    return { entity, conditions, maxResults };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
