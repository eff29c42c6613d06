import { SALESFORCE_API_VERSION, toCaseSafeId } from '../../lib/salesforce';
import type { FakeRequest, FakeResponse } from './network';

/**
 * A stateful fake Salesforce org: the OAuth 2.0 client-credentials token endpoint on the My Domain origin, and
 * the REST API (SOQL query, Lead create/update) on the instance_url origin. Answers and error bodies follow the
 * documented shapes: REST errors are arrays of {message, errorCode, fields}; OAuth errors are {error, error_description}.
 * SOQL WHERE literals are parsed the way Salesforce does — an unknown backslash sequence is MALFORMED_QUERY — so an
 * unescaped quote or backslash breaks the query here as it would there.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */

export const SALESFORCE_MY_DOMAIN = 'https://acme.my.salesforce.com';
/** Different from the My Domain origin in the fake, so tests prove REST calls go to the instance_url answered. */
export const SALESFORCE_INSTANCE = 'https://acme-instance.my.salesforce.com';
export const SALESFORCE_GENERIC_LOGIN = 'https://login.salesforce.com';
/** The version the client pins (lib/api-versions.ts); the resources we fake are the same in every version since v52.0. */
export const API_PREFIX = `/services/data/${SALESFORCE_API_VERSION}`;

export const FAKE_SALESFORCE_SECRETS = {
  SALESFORCE_LOGIN_URL: SALESFORCE_MY_DOMAIN,
  SALESFORCE_CLIENT_ID: '3MVG9leakcheckClientId0000000000000000000000000000000000000000000000000000000000000',
  SALESFORCE_CLIENT_SECRET: 'LEAKCHECKSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
} as const;

export interface FakeLead {
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
  CreatedDate: string;
  LastModifiedDate: string;
  SystemModstamp: string;
}

const WRITABLE = ['FirstName', 'LastName', 'Email', 'Company', 'Phone', 'Status', 'LeadSource', 'OwnerId'] as const;
const READABLE = new Set<string>([...WRITABLE, 'Id', 'IsConverted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp']);
/** A new org's Lead Status picklist (restricted). */
export const DEFAULT_LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];
export const DEFAULT_OWNER = '005000000000001AAA';

/** Salesforce's date-time format: 2025-06-01T12:00:00.000+0000. */
export function salesforceDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const rest = (status: number, errorCode: string, message: string, fields: string[] = []): FakeResponse => ({ status, body: [{ message, errorCode, fields }] });
const oauth = (status: number, error: string, description: string): FakeResponse => ({ status, body: { error, error_description: description } });

const SOQL_UNESCAPES: Record<string, string> = { n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f', '"': '"', "'": "'", '\\': '\\' };

/**
 * Reads a SOQL string literal starting at `start` (which must be a quote), as Salesforce does: the escape
 * sequences of "Quoted String Escape Sequences" (plus \uXXXX), anything else after a backslash is an error.
 */
export function parseSoqlLiteral(text: string, start = 0): { value: string; end: number } {
  if (text[start] !== "'") throw new SoqlError(`expected a string literal at ${start}`);
  let value = '';
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === "'") return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = text[i + 1];
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (next !== undefined && next in SOQL_UNESCAPES) {
      value += SOQL_UNESCAPES[next];
      i += 1;
    } else {
      throw new SoqlError(`Invalid string literal '${text.slice(start, i + 2)}'. Illegal character sequence '\\${next ?? ''}' in string literal.`);
    }
  }
  throw new SoqlError('unterminated string literal');
}

export class SoqlError extends Error {}

interface Condition {
  field: string;
  value: string | boolean;
}

/** The SOQL subset our client sends: SELECT f, … FROM Lead WHERE f = 'x' [AND f = true|false] [ORDER BY f ASC|DESC] [LIMIT n]. */
export function parseLeadQuery(soql: string): { fields: string[]; where: Condition[]; orderBy?: { field: string; desc: boolean }; limit?: number } {
  const head = /^\s*SELECT\s+([\w\s,]+?)\s+FROM\s+Lead\s+WHERE\s+/i.exec(soql);
  if (!head) throw new SoqlError(`unexpected query: ${soql.slice(0, 80)}`);
  const fields = (head[1] as string).split(',').map((f) => f.trim());
  for (const f of fields) if (!READABLE.has(f)) throw new SoqlError(`No such column '${f}' on entity 'Lead'.`);
  const where: Condition[] = [];
  let i = head[0].length;
  for (;;) {
    const cond = /^(\w+)\s*=\s*/.exec(soql.slice(i));
    if (!cond) throw new SoqlError(`unexpected token at ${i}: '${soql.slice(i, i + 20)}'`);
    i += cond[0].length;
    const field = cond[1] as string;
    if (!READABLE.has(field)) throw new SoqlError(`No such column '${field}' on entity 'Lead'.`);
    if (soql[i] === "'") {
      const literal = parseSoqlLiteral(soql, i);
      where.push({ field, value: literal.value });
      i = literal.end;
    } else {
      const word = /^(true|false)\b/i.exec(soql.slice(i));
      if (!word) throw new SoqlError(`unexpected token at ${i}: '${soql.slice(i, i + 20)}'`);
      where.push({ field, value: (word[1] as string).toLowerCase() === 'true' });
      i += word[0].length;
    }
    const and = /^\s+AND\s+/i.exec(soql.slice(i));
    if (!and) break;
    i += and[0].length;
  }
  const tail = /^(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(soql.slice(i));
  if (!tail) throw new SoqlError(`unexpected token at ${i}: '${soql.slice(i, i + 20)}'`);
  return {
    fields,
    where,
    ...(tail[1] ? { orderBy: { field: tail[1], desc: (tail[2] ?? '').toUpperCase() === 'DESC' } } : {}),
    ...(tail[3] ? { limit: Number(tail[3]) } : {}),
  };
}

export interface DuplicateRule {
  /** Which existing lead counts as a duplicate of a new one. */
  matches: (existing: FakeLead, incoming: Record<string, string>) => boolean;
  /** A lead rule can also match contacts (a cross-object matching rule): which existing contact counts. */
  matchesContact?: (existing: FakeContact, incoming: Record<string, string>) => boolean;
  /** Whether the error names the matched records (Salesforce includes them for rules with a match rule report). */
  includeRecords: boolean;
  /**
   * The rule's action on create. "block" always refuses; "alert" refuses an API save too, unless the request carries
   * `Sforce-Duplicate-Rule-Header: allowSave=true` (https://developer.salesforce.com/docs/platform/api-rest/guide/headers-duplicaterules.html).
   * Default "block".
   */
  action?: 'block' | 'alert';
}

export interface FakeContact {
  Id: string;
  Email: string | null;
  LastName: string | null;
}

export class FakeSalesforce {
  readonly leads = new Map<string, FakeLead>();
  readonly issuedTokens: string[] = [];
  readonly queries: string[] = [];
  clientId: string;
  clientSecret: string;
  instanceUrl = SALESFORCE_INSTANCE;
  leadStatuses = [...DEFAULT_LEAD_STATUSES];
  duplicateRule: DuplicateRule | undefined;
  /** The org used up its daily API requests: every REST call answers 403 REQUEST_LIMIT_EXCEEDED. */
  requestLimitExceeded = false;
  /** Fields the org requires on a new lead (Salesforce itself requires LastName and Company; orgs can add more). */
  requiredFields = ['LastName', 'Company'];
  /** Contacts of the org (only for duplicate rules that match across Lead and Contact). */
  readonly contacts = new Map<string, FakeContact>();
  /** The next n lead writes fail with 400 UNABLE_TO_LOCK_ROW, as when another process holds the record's lock. */
  rowLockedWrites = 0;
  /** The next n token requests answer 400 unknown_error "retry your request". */
  tokenUnknownErrors = 0;
  /** Headers of every lead create, to check what the client asked for. */
  readonly createHeaders: Array<Record<string, string>> = [];
  private readonly validTokens = new Set<string>();
  private nextId = 1;
  private clock: () => number;

  constructor(options: { clientId?: string; clientSecret?: string; clock?: () => number } = {}) {
    this.clientId = options.clientId ?? FAKE_SALESFORCE_SECRETS.SALESFORCE_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? FAKE_SALESFORCE_SECRETS.SALESFORCE_CLIENT_SECRET;
    this.clock = options.clock ?? Date.now;
  }

  // ---- test helpers ---------------------------------------------------------------------------------------

  seedLead(fields: Partial<Omit<FakeLead, 'Id'>> & { LastModifiedDate?: string }): string {
    const now = salesforceDateTime(this.clock());
    const id = this.newId();
    const modified = fields.LastModifiedDate ?? now;
    this.leads.set(id, {
      Id: id, FirstName: null, LastName: null, Email: null, Company: null, Phone: null, Status: 'Open - Not Contacted', LeadSource: null, OwnerId: DEFAULT_OWNER, IsConverted: false,
      CreatedDate: fields.CreatedDate ?? modified, SystemModstamp: fields.SystemModstamp ?? modified, ...fields, LastModifiedDate: modified,
    });
    return id;
  }

  /** A contact with a real-looking 003… id (Contact key prefix). */
  seedContact(fields: Partial<Omit<FakeContact, 'Id'>>): string {
    const id = toCaseSafeId(`0035g00000${String(this.nextId++).padStart(5, '0')}`.slice(0, 15));
    this.contacts.set(id, { Id: id, Email: null, LastName: null, ...fields });
    return id;
  }

  list(): FakeLead[] {
    return [...this.leads.values()];
  }

  /** Every session token stops working, as when the org's session timeout passes. */
  expireSessions(): void {
    this.validTokens.clear();
  }

  /** Stable end state: no ids, no timestamps. */
  snapshot(): Array<Record<string, unknown>> {
    return this.list()
      .map(({ Id: _id, CreatedDate: _c, LastModifiedDate: _l, SystemModstamp: _s, ...rest }) => rest)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }

  private newId(): string {
    // 00Q (Lead key prefix) + a pod/instance part + counter: a real-looking 15-char id, returned case-safe (18).
    return toCaseSafeId(`00Q5g00000${String(this.nextId++).padStart(5, '0')}`.slice(0, 15));
  }

  // ---- OAuth 2.0 token endpoint (My Domain) ------------------------------------------------------------------

  handleMyDomain = (req: FakeRequest): FakeResponse => {
    if (req.method !== 'POST' || req.pathname !== '/services/oauth2/token') return { status: 404, body: '<html><body>Not found</body></html>' };
    const form = (req.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') return oauth(400, 'unsupported_grant_type', 'grant type not supported');
    if (this.tokenUnknownErrors > 0) {
      // The token endpoint's answer to a transient failure on its side; observed verbatim, listed among the OAuth
      // errors at https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_flow_errors.htm
      this.tokenUnknownErrors -= 1;
      return oauth(400, 'unknown_error', 'retry your request');
    }
    if (form.client_id !== this.clientId) return oauth(400, 'invalid_client_id', 'client identifier invalid');
    if (form.client_secret !== this.clientSecret) return oauth(400, 'invalid_client', 'invalid client credentials');
    const token = `00D5g000004FAKE!AQ${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}.token${this.issuedTokens.length + 1}`;
    this.issuedTokens.push(token);
    this.validTokens.add(token);
    return {
      status: 200,
      body: {
        access_token: token,
        signature: 'c2lnbmF0dXJlLW9mLXRoZS1mYWtlLXRva2Vu',
        scope: 'api',
        instance_url: this.instanceUrl,
        id: `${SALESFORCE_MY_DOMAIN}/id/00D5g000004FAKEEAS/005000000000001AAA`,
        token_type: 'Bearer',
        issued_at: String(this.clock()),
      },
    };
  };

  /** login.salesforce.com does not serve the client-credentials flow. */
  handleGenericLogin = (req: FakeRequest): FakeResponse => {
    if (req.method === 'POST' && req.pathname === '/services/oauth2/token') return oauth(400, 'invalid_grant', 'request not supported on this domain');
    return { status: 404, body: '<html><body>Not found</body></html>' };
  };

  // ---- REST API (instance_url) ----------------------------------------------------------------------------------

  handleRest = (req: FakeRequest): FakeResponse => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.validTokens.has(token)) return rest(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (this.requestLimitExceeded) return rest(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    if (!req.pathname.startsWith(API_PREFIX)) return rest(404, 'NOT_FOUND', 'The requested resource does not exist');
    const path = req.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/query') return this.query(req.query.get('q') ?? '');
    if ((req.method === 'POST' && path === '/sobjects/Lead') || (req.method === 'PATCH' && path.startsWith('/sobjects/Lead/'))) {
      if (this.rowLockedWrites > 0) {
        // Row-lock contention: another transaction held the record (or its parent) for more than 10 s.
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
        this.rowLockedWrites -= 1;
        return rest(400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records: 00Q5g0000000001EAA');
      }
    }
    if (req.method === 'POST' && path === '/sobjects/Lead') {
      this.createHeaders.push(req.headers);
      return this.create(req.body, /(^|;)\s*allowSave=true\s*(;|$)/i.test(req.headers['sforce-duplicate-rule-header'] ?? ''));
    }
    const match = /^\/sobjects\/Lead\/([A-Za-z0-9]+)$/.exec(path);
    if (match && req.method === 'PATCH') return this.update(match[1] as string, req.body);
    if (match && req.method === 'GET') {
      const lead = this.find(match[1] as string);
      return lead ? { status: 200, body: { attributes: { type: 'Lead' }, ...lead } } : rest(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    return rest(404, 'NOT_FOUND', 'The requested resource does not exist');
  };

  private find(id: string): FakeLead | undefined {
    return this.list().find((l) => l.Id.slice(0, 15) === id.slice(0, 15));
  }

  private query(soql: string): FakeResponse {
    this.queries.push(soql);
    let parsed: ReturnType<typeof parseLeadQuery>;
    try {
      parsed = parseLeadQuery(soql);
    } catch (error) {
      return rest(400, /No such column/.test((error as Error).message) ? 'INVALID_FIELD' : 'MALFORMED_QUERY', (error as Error).message);
    }
    let records = this.list().filter((lead) =>
      parsed.where.every((c) => {
        const v = (lead as unknown as Record<string, unknown>)[c.field];
        if (c.field === 'Id') return typeof c.value === 'string' && typeof v === 'string' && v.slice(0, 15) === c.value.slice(0, 15);
        // SOQL compares text case-insensitively.
        return typeof c.value === 'string' ? typeof v === 'string' && v.toLowerCase() === c.value.toLowerCase() : v === c.value;
      }),
    );
    if (parsed.orderBy) {
      const key = parsed.orderBy.field as keyof FakeLead;
      records = records.sort((a, b) => String(a[key]).localeCompare(String(b[key])) * (parsed.orderBy?.desc ? -1 : 1));
    }
    if (parsed.limit !== undefined) records = records.slice(0, parsed.limit);
    return {
      status: 200,
      body: {
        totalSize: records.length,
        done: true,
        records: records.map((l) => ({ attributes: { type: 'Lead', url: `${API_PREFIX}/sobjects/Lead/${l.Id}` }, ...Object.fromEntries(parsed.fields.map((f) => [f, (l as unknown as Record<string, unknown>)[f] ?? null])) })),
      },
    };
  }

  private validate(fields: Record<string, unknown>): FakeResponse | undefined {
    for (const [k, v] of Object.entries(fields)) {
      if (!(WRITABLE as readonly string[]).includes(k)) return rest(400, 'INVALID_FIELD', `No such column '${k}' on sobject of type Lead`);
      if (v !== null && typeof v !== 'string') return rest(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of string from ${typeof v} value for Lead.${k}`);
    }
    if (typeof fields.Status === 'string' && !this.leadStatuses.includes(fields.Status)) {
      return rest(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Lead Status: bad value for restricted picklist field: ${fields.Status}`, ['Status']);
    }
    return undefined;
  }

  private create(body: unknown, allowSave = false): FakeResponse {
    const fields = (body && typeof body === 'object' ? body : {}) as Record<string, string>;
    const invalid = this.validate(fields);
    if (invalid) return invalid;
    const missing = this.requiredFields.filter((f) => !fields[f] || String(fields[f]).trim() === '');
    if (missing.length) return rest(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    const rule = this.duplicateRule;
    const leads = rule ? this.list().filter((l) => rule.matches(l, fields)) : [];
    const contacts = rule?.matchesContact ? [...this.contacts.values()].filter((c) => rule.matchesContact?.(c, fields)) : [];
    const alertOnly = rule?.action === 'alert';
    if (rule && (leads.length || contacts.length) && !(alertOnly && allowSave)) {
      const message = "You're creating a duplicate record. We recommend you use an existing record instead.";
      const matchResult = (entityType: 'Lead' | 'Contact', ids: string[]) => ({
        entityType,
        errors: [],
        matchEngine: 'FuzzyMatchEngine',
        matchRecords: rule.includeRecords
          ? ids.map((id) => ({ additionalInformation: [], fieldDiffs: [], matchConfidence: 100, record: { attributes: { type: entityType, url: `${API_PREFIX}/sobjects/${entityType}/${id}` }, Id: id } }))
          : [],
        rule: `Standard_${entityType}_Match_Rule_v1_0`,
        size: rule.includeRecords ? ids.length : 0,
        success: true,
      });
      return {
        status: 400,
        body: [{
          // The REST API's own spelling of the key: "duplicateResut" (sic). The SOAP/Apex DuplicateError type names it
          // duplicateResult (https://developer.salesforce.com/docs/platform/api/guide/sforce-api-objects-duplicateerror.html);
          // REST answers carry the misspelling, as integrations parsing `[0].duplicateResut.matchResults` show.
          duplicateResut: {
            // DuplicateResult.allowSave: true when the rule only alerts (a header could have let the save through).
            allowSave: alertOnly,
            duplicateRule: 'Standard_Lead_Duplicate_Rule',
            duplicateRuleEntityType: 'Lead',
            errorMessage: message,
            matchResults: [...(leads.length ? [matchResult('Lead', leads.map((d) => d.Id))] : []), ...(contacts.length ? [matchResult('Contact', contacts.map((c) => c.Id))] : [])],
          },
          errorCode: 'DUPLICATES_DETECTED',
          message,
        }],
      };
    }
    const id = this.seedLead({ ...Object.fromEntries(WRITABLE.map((f) => [f, fields[f] ?? null])), Status: fields.Status ?? 'Open - Not Contacted', OwnerId: fields.OwnerId ?? DEFAULT_OWNER });
    return { status: 201, body: { id, success: true, errors: [] } };
  }

  private update(id: string, body: unknown): FakeResponse {
    const lead = this.find(id);
    if (!lead) return rest(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (lead.IsConverted) return rest(400, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    const fields = (body && typeof body === 'object' ? body : {}) as Record<string, string | null>;
    const invalid = this.validate(fields);
    if (invalid) return invalid;
    for (const required of ['LastName', 'Company'] as const) {
      if (required in fields && (fields[required] ?? '').trim() === '') return rest(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${required}]`, [required]);
    }
    Object.assign(lead, fields);
    lead.LastModifiedDate = lead.SystemModstamp = salesforceDateTime(this.clock());
    return { status: 204 };
  }
}
