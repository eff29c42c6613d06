import type { FakeRequest, FakeResponse } from './network';

/**
 * An in-memory Clearbit Enrichment API (combined lookup only), answering like the documented one:
 * `GET /v2/combined/find?email=…`, authenticated as Clearbit documents it (https://dashboard.clearbit.com/docs#authentication):
 * HTTP Basic with the key as user name and no password (`curl -u {key}:`, what the official clients send), or
 * alternatively `Authorization: Bearer <key>`; anything else is 401 →
 *   200 `{ person, company }` (either may be null) · 202 queued (first lookup of an unknown email) ·
 *   404 `{"error":{"type":"unknown_record",…}}` · 422 `{"error":{"type":"email_invalid",…}}` for malformed and
 *   role addresses (https://help.clearbit.com/hc/en-us/articles/15618033135895) · 402 over quota · 401 bad key.
 * Payloads are trimmed to the fields the action reads, shaped as Clearbit documents them.
 */

export const CLEARBIT_ORIGIN = 'https://person.clearbit.com';

export interface ClearbitPersonPayload {
  id?: string;
  name?: { fullName?: string | null; givenName?: string | null; familyName?: string | null } | null;
  email?: string;
  geo?: { city?: string | null; state?: string | null; country?: string | null } | null;
  employment?: { domain?: string | null; name?: string | null; title?: string | null; role?: string | null; seniority?: string | null } | null;
  linkedin?: { handle?: string | null } | null;
  twitter?: { handle?: string | null } | null;
  [extra: string]: unknown;
}

export interface ClearbitCompanyPayload {
  id?: string;
  name?: string | null;
  domain?: string | null;
  category?: { industry?: string | null; sector?: string | null } | null;
  geo?: { city?: string | null; state?: string | null; country?: string | null } | null;
  metrics?: { employees?: number | null; estimatedAnnualRevenue?: string | null; [k: string]: unknown } | null;
  foundedYear?: number | null;
  linkedin?: { handle?: string | null } | null;
  twitter?: { handle?: string | null } | null;
  [extra: string]: unknown;
}

export interface CombinedPayload {
  person: ClearbitPersonPayload | null;
  company: ClearbitCompanyPayload | null;
}

// ---- curated fixtures ---------------------------------------------------------------------------------------

export const ACME_COMPANY: ClearbitCompanyPayload = {
  id: 'c5a6a9c5-303a-455a-935c-9dffcd2ed756',
  name: 'Acme Analytics',
  domain: 'acme.io',
  category: { industry: 'Internet Software & Services', sector: 'Information Technology' },
  geo: { city: 'San Francisco', state: 'California', country: 'United States' },
  metrics: { employees: 250, estimatedAnnualRevenue: '$10M-$50M', employeesRange: '251-1K' },
  foundedYear: 2011,
  linkedin: { handle: 'company/acme-analytics' },
  twitter: { handle: 'acme' },
};

export const ADA_PERSON: ClearbitPersonPayload = {
  id: 'd54c54ad-40be-4305-8a34-0ab44710b90d',
  name: { fullName: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' },
  email: 'ada@acme.io',
  geo: { city: 'London', state: 'England', country: 'United Kingdom' },
  employment: { domain: 'acme.io', name: 'Acme Analytics', title: 'Head of Engineering', role: 'engineering', seniority: 'director' },
  linkedin: { handle: 'in/ada-lovelace' },
  twitter: { handle: 'ada' },
};

/** Ada at Acme: the full combined answer. */
export const ADA_COMBINED: CombinedPayload = { person: ADA_PERSON, company: ACME_COMPANY };

/** Local parts Clearbit refuses with 422: they belong to no person. */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set(['info', 'sales', 'support', 'admin', 'contact', 'hello', 'office', 'team', 'noreply', 'no-reply']);

const clearbitError = (status: number, type: string, message: string): FakeResponse => ({ status, body: { error: { type, message } } });

export class FakeClearbit {
  /** Combined answers by lower-cased email. */
  readonly records = new Map<string, CombinedPayload>();
  /** Emails whose next lookup answers 202 (Clearbit is still looking); the one after that answers 200. */
  readonly queued = new Set<string>();
  /** Lookups left in the period; undefined = unlimited. Every answered lookup (200/202/404/422) uses one. */
  quota: number | undefined;
  apiKey: string;
  lookups = 0;

  constructor(options: { apiKey: string; quota?: number }) {
    this.apiKey = options.apiKey;
    this.quota = options.quota;
  }

  add(email: string, payload: Partial<CombinedPayload>, options: { queued?: boolean } = {}): this {
    const key = email.toLowerCase();
    this.records.set(key, { person: payload.person ?? null, company: payload.company ?? null });
    if (options.queued) this.queued.add(key);
    return this;
  }

  /** Every Authorization header seen, to check how the client authenticates. */
  readonly authorizations: string[] = [];

  /** Basic with the key as user name (the password is ignored), or Bearer with the key. */
  private authorized(header: string): boolean {
    this.authorizations.push(header);
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header)?.[1];
    if (basic) return Buffer.from(basic, 'base64').toString('utf8').split(':')[0] === this.apiKey;
    return header === `Bearer ${this.apiKey}`;
  }

  handle = (req: FakeRequest): FakeResponse => {
    if (!this.authorized(req.headers.authorization ?? '')) {
      return clearbitError(401, 'auth_required', 'The API key provided is invalid or missing.');
    }
    if (req.method !== 'GET' || req.pathname !== '/v2/combined/find') return clearbitError(404, 'not_found', 'Route not found.');
    if (this.quota !== undefined && this.quota <= 0) {
      return clearbitError(402, 'over_quota', 'You have exceeded your monthly quota. Upgrade your plan to continue.');
    }
    if (this.quota !== undefined) this.quota -= 1;
    this.lookups += 1;

    const email = (req.query.get('email') ?? '').trim().toLowerCase();
    const at = email.lastIndexOf('@');
    const local = at > 0 ? email.slice(0, at) : '';
    const domain = at > 0 ? email.slice(at + 1) : '';
    if (!local || !/^[^\s@.][^\s@]*\.[a-z]{2,}$/.test(domain)) return clearbitError(422, 'email_invalid', 'Invalid email.');
    if (ROLE_LOCAL_PARTS.has(local)) return clearbitError(422, 'email_invalid', 'Email address belongs to a role, not a person.');

    if (this.queued.has(email)) {
      this.queued.delete(email);
      // 202 Accepted: the lookup is queued; the answer is delivered by webhook or to a later identical request.
      return { status: 202, body: { error: { type: 'queued', message: 'Lookup queued. Please try again shortly.' } } };
    }
    const found = this.records.get(email);
    if (!found) return clearbitError(404, 'unknown_record', 'Unknown person.');
    return { status: 200, body: found };
  };
}
