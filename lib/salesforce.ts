import { SALESFORCE_API_VERSION } from './api-versions';
import { errorFromFailure } from './classify';
import { ActionError, ConfigError, PermanentError, RetryableError } from './errors';
import type { HttpRequest, HttpResponse, ServiceClient, ServiceOptions, VendorErrorDetails } from './http';
import type { Logger } from './logger';
import { isFresh, moduleCache, type CachedToken } from './module-cache';

/**
 * A small Salesforce REST client over our one request function (lib/http.ts), not jsforce.
 *
 * Why not jsforce: this flow needs exactly four endpoints — the OAuth 2.0 client-credentials token call, a SOQL
 * query, Lead create and Lead update. jsforce would be the one dependency the pasted bundle carries (~1.8 MB
 * minified, 100–130 ms cold load; even trimmed it stays far above this client's few KB), it brings its own HTTP
 * layer (so failures would escape lib/classify.ts) and its own retry and session handling. A four-endpoint client
 * beats it on size, cold start and error handling at once, so we decided against carrying it.
 *
 * Authentication is the client-credentials flow against the org's My Domain token URL:
 * - SOAP login() is gone from API v65.0 and retired for all versions in Summer '27; username-password OAuth is
 *   blocked by default in orgs created since Summer '23; JWT bearer needs a ~1.7k-char private key, over HubSpot's
 *   1,000-character budget for all secrets together.
 * - login.salesforce.com does not serve this flow: it answers `invalid_grant / request not supported on this
 *   domain`. https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm
 * The answer carries no `expires_in` (the org's session timeout applies), so a cached token is used for at most
 * SESSION_REUSE_MS and a 401 INVALID_SESSION_ID fetches a new one once.
 */

/** The pinned REST API version lives with every other pinned version (lib/api-versions.ts), re-exported here. */
export { SALESFORCE_API_VERSION };
/** The shortest session timeout an org can set is 15 minutes; a revoked token is still caught by the 401 refresh. */
export const SESSION_REUSE_MS = 15 * 60_000;

export interface SalesforceCredentials {
  /** The org's My Domain URL, e.g. https://acme.my.salesforce.com */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The Lead fields this integration reads; the SOQL SELECT list. */
export const LEAD_FIELDS = [
  'Id', 'FirstName', 'LastName', 'Email', 'Company', 'Phone', 'Status', 'LeadSource', 'OwnerId', 'IsConverted', 'LastModifiedDate', 'SystemModstamp',
] as const;

export interface Lead {
  Id: string;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Company: string | null;
  Phone: string | null;
  Status: string | null;
  LeadSource: string | null;
  OwnerId: string | null;
  IsConverted: boolean;
  LastModifiedDate: string | null;
  SystemModstamp: string | null;
}

/** Writable Lead fields we send. */
export type LeadFields = Partial<Record<'FirstName' | 'LastName' | 'Email' | 'Company' | 'Phone' | 'Status' | 'LeadSource' | 'OwnerId', string>>;

/** A duplicate rule's answer (DuplicateResult): https://developer.salesforce.com/docs/platform/api/guide/sforce-api-objects-duplicateresult.html */
export interface DuplicateResult {
  allowSave?: boolean;
  duplicateRule?: string;
  matchResults?: Array<{ entityType?: string; matchRecords?: Array<{ record?: { Id?: string; attributes?: { type?: string } } }> }>;
}

/** One entry of Salesforce's REST error array. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm */
export interface SalesforceApiError {
  message?: string;
  errorCode?: string;
  fields?: string[];
  /**
   * The REST API sends a blocked save's DuplicateResult under this misspelt key ("duplicateResut"), while the SOAP
   * and Apex DuplicateError documentation names it duplicateResult. Observed in REST answers and handled by other
   * clients (e.g. Python and JS integrations reading `[0].duplicateResut.matchResults[0].matchRecords[0].record.Id`);
   * undocumented as such, so we read both spellings. https://developer.salesforce.com/docs/platform/api/guide/sforce-api-objects-duplicateerror.html
   */
  duplicateResut?: DuplicateResult;
  duplicateResult?: DuplicateResult;
}

// ---- SOQL literals ------------------------------------------------------------------------------------------

/**
 * Escapes text for a SOQL string literal, so a value can never end the literal and extend the query.
 * Reserved: `'` and `\` must be preceded by a backslash; control characters get their escape sequences.
 * A backslash in any other position is an error on Salesforce's side, so nothing else is escaped.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */
export function escapeSoqlLiteral(value: string): string {
  return value.replace(/[\\'"\n\r\t\b\f]/g, (c) => SOQL_ESCAPES[c] as string);
}

const SOQL_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** `'…'` with the value escaped: the only way a user value enters a SOQL query. */
export function soqlString(value: string): string {
  return `'${escapeSoqlLiteral(value)}'`;
}

// ---- Salesforce ids -----------------------------------------------------------------------------------------

const ID_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The case-safe 18-character form of a 15-character id (three checksum characters encode the upper-case letters). */
export function toCaseSafeId(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += ID_SUFFIX_ALPHABET.charAt(bits);
  }
  return `${id15}${suffix}`;
}

/** A well-formed 15- or 18-character Salesforce id (the 18-character form with a valid checksum). */
export function isSalesforceId(text: string): boolean {
  if (/^[A-Za-z0-9]{15}$/.test(text)) return true;
  return /^[A-Za-z0-9]{18}$/.test(text) && toCaseSafeId(text.slice(0, 15)) === `${text.slice(0, 15)}${text.slice(15).toUpperCase()}`;
}

/** Lead ids start with the key prefix 00Q. */
export function isLeadId(text: string): boolean {
  return isSalesforceId(text) && text.startsWith('00Q');
}

/** Salesforce date-times look like 2025-06-01T12:00:00.000+0000; the offset without a colon is not ISO 8601. */
export function parseSalesforceDateTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

// ---- errors -------------------------------------------------------------------------------------------------

/** Reads Salesforce's error bodies: the REST array `[{message, errorCode, fields}]` and OAuth's `{error, error_description}`. */
export function describeSalesforceError(_status: number, data: unknown): VendorErrorDetails {
  if (Array.isArray(data)) {
    const errors = data.filter((e): e is SalesforceApiError => !!e && typeof e === 'object');
    const message = errors
      .map((e) => `${e.message ?? e.errorCode ?? 'error'}${e.fields?.length ? ` (fields: ${e.fields.join(', ')})` : ''}`)
      .join(' | ');
    return { message: message || undefined, code: errors.find((e) => e.errorCode)?.errorCode };
  }
  if (data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string') {
    const body = data as { error: string; error_description?: string };
    return { message: body.error_description ? `${body.error}: ${body.error_description}` : body.error, code: body.error.toUpperCase() };
  }
  return {};
}

/** Hints for the errors a user can fix, keyed by Salesforce errorCode. */
const ERROR_HINTS: Record<string, string> = {
  REQUIRED_FIELD_MISSING: 'a required Lead field has no value: map the HubSpot property, or adjust the placeholder values in the action config',
  INVALID_FIELD: 'a field this action uses does not exist on Lead or is not visible to the client-credentials "Run As" user (field-level security)',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: "a mapped value is not in the org's picklist: adjust the lead status / owner tables in actions.config.json",
  DUPLICATES_DETECTED: 'a Salesforce duplicate rule blocked the new lead and did not name the matching record: merge or relax the rule (or set "allowDuplicateSave" in actions.config.json when the rule only alerts), then re-enroll the contact',
  UNABLE_TO_LOCK_ROW: 'another process held a lock on the record (row-lock contention); HubSpot will re-run the action',
  CANNOT_UPDATE_CONVERTED_LEAD: 'the lead was converted in Salesforce and can no longer be updated',
  FIELD_INTEGRITY_EXCEPTION: 'Salesforce refused a value (for example an OwnerId that is not an active user): check the owner table in actions.config.json',
};

function salesforceFailure(status: number, data: unknown, label: string): ActionError {
  const details = describeSalesforceError(status, data);
  const hint = details.code ? ERROR_HINTS[details.code] : undefined;
  return errorFromFailure({ service: 'salesforce', status, vendorCode: details.code, vendorMessage: [details.message, hint].filter(Boolean).join(' — ') || undefined }, label);
}

export interface DuplicateMatch {
  id: string;
  /** Lead, Contact, Account…: from the match result, the record's attributes, else the id's key prefix. */
  entityType: string;
}

/** Standard key prefixes of the objects a Lead duplicate rule can match across. */
const KEY_PREFIXES: Record<string, string> = { '00Q': 'Lead', '003': 'Contact', '001': 'Account' };

/**
 * The existing records a duplicate rule matched, when the answer names them (a rule whose matching rule is set to
 * report records). Reads `duplicateResut` (what the REST API sends) and `duplicateResult` (the documented name).
 */
export function duplicateMatches(data: unknown): DuplicateMatch[] {
  if (!Array.isArray(data)) return [];
  const matches: DuplicateMatch[] = [];
  for (const e of data as SalesforceApiError[]) {
    if (e?.errorCode !== 'DUPLICATES_DETECTED') continue;
    const result = e.duplicateResut ?? e.duplicateResult;
    for (const matchResult of result?.matchResults ?? []) {
      for (const match of matchResult.matchRecords ?? []) {
        const id = match.record?.Id;
        if (typeof id !== 'string' || !isSalesforceId(id)) continue;
        const entityType = match.record?.attributes?.type ?? matchResult.entityType ?? KEY_PREFIXES[id.slice(0, 3)] ?? 'unknown';
        matches.push({ id, entityType });
      }
    }
  }
  return matches;
}

/** The matched lead to link, if any. Only a Lead may become salesforce_lead_id: the id must be 00Q… as well. */
export function duplicateLeadId(data: unknown): string | undefined {
  return duplicateMatches(data).find((m) => m.entityType === 'Lead' && isLeadId(m.id))?.id;
}

/**
 * Salesforce errors that arrive with a 4xx status but pass with time, each with the status HubSpot needs to re-run:
 * - REQUEST_LIMIT_EXCEEDED (the org's rolling 24-hour API limit) arrives as HTTP 403, which would read as a
 *   configuration problem: carry 429.
 *   https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 * - UNABLE_TO_LOCK_ROW (400): another transaction held the record's lock for more than 10 s — row-lock contention
 *   from a bulk job, a flow or a parent record shared by many children; the lock is gone once that transaction ends,
 *   so a later run gets through: carry 503. The 10 s wait is documented for Apex record locks:
 *   https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/langCon_apex_locking_statements.htm
 *   A flow or trigger that hits the lock wraps it (CANNOT_EXECUTE_FLOW_TRIGGER "…UNABLE_TO_LOCK_ROW: unable to obtain
 *   exclusive access to this record…"), so the message is read too.
 */
const TRANSIENT_CODES: Record<string, { status: number; why: string }> = {
  SALESFORCE_REQUEST_LIMIT_EXCEEDED: { status: 429, why: 'daily API request limit; HubSpot will re-run the action later' },
  SALESFORCE_UNABLE_TO_LOCK_ROW: { status: 503, why: 'row lock held by another process; HubSpot will re-run the action later' },
};

export function retryableIfTransient(error: unknown): unknown {
  if (!(error instanceof ActionError) || error.kind !== 'permanent') return error;
  const code = TRANSIENT_CODES[error.errorCode] ? error.errorCode : /\bUNABLE_TO_LOCK_ROW\b/.test(error.message) ? 'SALESFORCE_UNABLE_TO_LOCK_ROW' : undefined;
  const transient = code ? TRANSIENT_CODES[code] : undefined;
  if (!code || !transient) return error;
  return new RetryableError(`${error.message} (${transient.why})`, { errorCode: code, status: transient.status, service: 'salesforce', cause: error });
}

// ---- the client ---------------------------------------------------------------------------------------------

interface Session extends CachedToken {
  instanceUrl: string;
}

/** Module scope: a warm Lambda container reuses the token and skips the token call. */
const sessions = moduleCache<Session>();

/** The My Domain URL as an origin; a clear configuration error for anything that is not an https URL. */
export function normalizeLoginUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new ConfigError('SALESFORCE_LOGIN_URL is not a URL: use your My Domain URL, e.g. https://acme.my.salesforce.com (Setup → My Domain)', { errorCode: 'SALESFORCE_LOGIN_URL_INVALID' });
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError('SALESFORCE_LOGIN_URL must start with https://', { errorCode: 'SALESFORCE_LOGIN_URL_INVALID' });
  }
  return url.origin;
}

export interface SalesforceClient {
  findLeadById(id: string): Promise<Lead | undefined>;
  /** The oldest unconverted lead with this email (SOQL compares text case-insensitively). */
  findLeadByEmail(email: string): Promise<Lead | undefined>;
  /**
   * Creates a lead; when a duplicate rule blocks it and names an existing lead, returns that one instead. A rule that
   * matched a contact (the person was converted, or entered as a contact) is a permanent SALESFORCE_DUPLICATE_CONTACT.
   */
  createLead(fields: LeadFields): Promise<{ id: string; duplicateOf?: string }>;
  updateLead(id: string, fields: LeadFields): Promise<void>;
}

/**
 * `Sforce-Duplicate-Rule-Header: allowSave=true` lets a save pass a duplicate rule whose action is "Alert" (without
 * it, the REST API blocks alert rules like block rules); "Block" rules block either way. The default value of every
 * field is false. Available since API v52.0. https://developer.salesforce.com/docs/platform/api-rest/guide/headers-duplicaterules.html
 */
export const DUPLICATE_RULE_HEADER = 'Sforce-Duplicate-Rule-Header';

export interface SalesforceClientOptions {
  credentials: SalesforceCredentials;
  /**
   * Send allowSave=true on lead creates (build setting `allowDuplicateSave`). Off by default: a rule's match is then
   * linked instead of a second lead being made, which is what a sync wants.
   */
  allowDuplicateSave?: boolean;
  /** ctx.service: shares the action's logger, deadline and classification. */
  service: (options: Omit<ServiceOptions, 'log' | 'deadline'>) => ServiceClient;
  log: Pick<Logger, 'addSecret' | 'info'>;
  now: () => number;
}

export function createSalesforceClient(options: SalesforceClientOptions): SalesforceClient {
  const { credentials, log, now } = options;
  const loginUrl = normalizeLoginUrl(credentials.loginUrl);
  const cacheKey = `${loginUrl}|${credentials.clientId}`;
  const tokenHttp = options.service({ service: 'salesforce', baseUrl: loginUrl, describeError: describeSalesforceError });

  async function fetchSession(): Promise<Session> {
    const res = await tokenHttp.request<Record<string, unknown>>({
      method: 'POST',
      url: '/services/oauth2/token',
      form: { grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret },
      // The token endpoint answers bad credentials with 400/401 {error, error_description}: turned into clear advice below.
      accept: [400, 401],
      idempotent: true,
      label: 'token',
    });
    if (res.status !== 200) throw tokenError(res);
    const { access_token: accessToken, instance_url: instanceUrl } = res.data ?? {};
    if (typeof accessToken !== 'string' || accessToken === '' || typeof instanceUrl !== 'string' || !/^https:\/\//.test(instanceUrl)) {
      throw new PermanentError('Salesforce token answer has no access_token or instance_url', { errorCode: 'SALESFORCE_TOKEN_MALFORMED', service: 'salesforce' });
    }
    log.addSecret(accessToken);
    const session: Session = { accessToken, instanceUrl: instanceUrl.replace(/\/+$/, ''), expiresAt: now() + SESSION_REUSE_MS };
    sessions.set(cacheKey, session);
    log.info('salesforce.token', { cached: false });
    return session;
  }

  async function session(): Promise<Session> {
    const cached = sessions.get(cacheKey);
    if (isFresh(cached, now())) {
      log.addSecret(cached.accessToken);
      return cached;
    }
    return fetchSession();
  }

  const rest = options.service({
    service: 'salesforce',
    auth: async () => ({ authorization: `Bearer ${(await session()).accessToken}` }),
    describeError: describeSalesforceError,
    // 401 [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]: one new token, one retry.
    onUnauthorized: async () => {
      sessions.delete(cacheKey);
      await fetchSession();
      return true;
    },
  });

  async function call<T>(req: Omit<HttpRequest, 'url'> & { path: string }): Promise<HttpResponse<T>> {
    const { instanceUrl } = await session();
    try {
      return await rest.request<T>({ ...req, url: `${instanceUrl}/services/data/${SALESFORCE_API_VERSION}${req.path}` });
    } catch (error) {
      throw retryableIfTransient(error);
    }
  }

  async function queryOneLead(where: string, label: string): Promise<Lead | undefined> {
    const soql = `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE ${where} ORDER BY CreatedDate ASC LIMIT 1`;
    const res = await call<{ records?: Lead[] }>({ method: 'GET', path: '/query', query: { q: soql }, idempotent: true, label });
    return res.data?.records?.[0];
  }

  return {
    findLeadById(id) {
      if (!isSalesforceId(id)) throw new PermanentError(`"${id}" is not a Salesforce id`, { errorCode: 'SALESFORCE_INVALID_ID', service: 'salesforce' });
      return queryOneLead(`Id = ${soqlString(id)}`, 'find lead by id');
    },

    findLeadByEmail(email) {
      return queryOneLead(`Email = ${soqlString(email)} AND IsConverted = false`, 'find lead by email');
    },

    async createLead(fields) {
      // Not idempotent: no in-process retry. A re-run finds the lead by email (queries see writes at once).
      const headers = options.allowDuplicateSave ? { [DUPLICATE_RULE_HEADER]: 'allowSave=true' } : undefined;
      const res = await call<{ id?: string } | SalesforceApiError[]>({ method: 'POST', path: '/sobjects/Lead/', json: fields, ...(headers ? { headers } : {}), accept: [400], label: 'create lead' });
      if (res.status === 400) {
        const duplicateOf = duplicateLeadId(res.data);
        if (duplicateOf) return { id: duplicateOf, duplicateOf };
        const other = duplicateMatches(res.data)[0];
        if (other) {
          throw new PermanentError(
            `A Salesforce duplicate rule matched existing ${other.entityType.toLowerCase()} ${other.id}, not a lead: this person is already a ${other.entityType.toLowerCase()} in Salesforce (converted, or entered directly), so no lead was created or linked. Link or merge the records by hand, or exclude ${other.entityType}s from the lead duplicate rule.`,
            { errorCode: other.entityType === 'Contact' ? 'SALESFORCE_DUPLICATE_CONTACT' : 'SALESFORCE_DUPLICATE_NOT_A_LEAD', service: 'salesforce', status: 400 },
          );
        }
        throw retryableIfTransient(salesforceFailure(res.status, res.data, 'create lead'));
      }
      const id = (res.data as { id?: string }).id;
      if (typeof id !== 'string' || !isSalesforceId(id)) throw new PermanentError('Salesforce created the lead but returned no id', { errorCode: 'SALESFORCE_EMPTY_RESPONSE', service: 'salesforce' });
      return { id };
    },

    async updateLead(id, fields) {
      // PATCH with the same values twice leaves the same record: safe to repeat.
      await call({ method: 'PATCH', path: `/sobjects/Lead/${encodeURIComponent(id)}`, json: fields, idempotent: true, label: 'update lead' });
    },
  };
}

/** Turns the token endpoint's refusal into advice the person setting up the action can act on. */
function tokenError(res: HttpResponse<Record<string, unknown>>): ActionError {
  const error = typeof res.data?.error === 'string' ? res.data.error : '';
  const description = typeof res.data?.error_description === 'string' ? res.data.error_description : '';
  const said = `Salesforce token endpoint answered HTTP ${res.status}${error ? ` ${error}` : ''}${description ? ` (${description})` : ''}`;
  if (error === 'invalid_grant' && /not supported on this domain/i.test(description)) {
    return new ConfigError(`${said}: set SALESFORCE_LOGIN_URL to your org's My Domain URL (Setup → My Domain, e.g. https://acme.my.salesforce.com), not login.salesforce.com or test.salesforce.com`, { errorCode: 'SALESFORCE_LOGIN_URL_NOT_MY_DOMAIN', service: 'salesforce' });
  }
  if (error === 'invalid_client' || error === 'invalid_client_id') {
    return new ConfigError(`${said}: check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (the external client app's consumer key and secret)`, { errorCode: 'SALESFORCE_INVALID_CLIENT', service: 'salesforce' });
  }
  if (error === 'invalid_grant') {
    return new ConfigError(`${said}: enable the client credentials flow on the external client app and choose its "Run As" user`, { errorCode: 'SALESFORCE_INVALID_GRANT', service: 'salesforce' });
  }
  // "unknown_error: retry your request" is the token endpoint's answer to a transient failure on its side: run again.
  // https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_flow_errors.htm
  if (error === 'unknown_error') {
    return new RetryableError(`${said}: a transient Salesforce error; HubSpot will re-run the action`, { errorCode: 'SALESFORCE_TOKEN_UNKNOWN_ERROR', status: 503, service: 'salesforce' });
  }
  return new ConfigError(`${said}: check the SALESFORCE_* secrets`, { errorCode: 'SALESFORCE_TOKEN_REFUSED', service: 'salesforce' });
}
