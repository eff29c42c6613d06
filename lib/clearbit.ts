import { ConfigError, PermanentError } from './errors';
import type { ServiceClient, ServiceOptions, VendorErrorDetails } from './http';

/**
 * Clearbit's Enrichment API, behind a small provider interface so another enrichment API can replace it
 * (see docs/clearbit.md): an action asks an `EnrichmentProvider` for `findByEmail(email)` and receives
 * provider-neutral facts, never a vendor payload.
 *
 * Status: Clearbit belongs to HubSpot. API keys exist only for Clearbit accounts created in 2023 or earlier
 * (https://help.clearbit.com/hc/en-us/articles/16764226936471-Legacy-Understanding-Credits-and-Usage), and the free
 * platform was sunset on 2025-04-30 in favour of HubSpot's Breeze Intelligence
 * (https://help.clearbit.com/hc/en-us/articles/19677786369687-Sales-Intelligence-Understanding-Credits-Usage). The
 * Enrichment API still answers those existing keys; Breeze Intelligence has no API for a custom-code action.
 *
 * One call per lookup: `GET https://person.clearbit.com/v2/combined/find?email=…` returns the person and the
 * company of the email's domain together (https://dashboard.clearbit.com/docs#enrichment-api-combined-api).
 * Never the streaming host (person-stream.clearbit.com): it holds the connection open for up to 60 s until the
 * lookup finishes, longer than HubSpot's 20 s limit for a custom-code action. Without it a first lookup answers
 * 202 "queued" at once; the workflow can delay and run the action again.
 */

// ---- the provider interface ------------------------------------------------------------------------------

/** What an enrichment source knows about a person and their employer. Every field may be missing. */
export interface EnrichmentFacts {
  person?: {
    fullName?: string;
    title?: string;
    role?: string;
    seniority?: string;
    employerName?: string;
    employerDomain?: string;
    city?: string;
    state?: string;
    country?: string;
    linkedinUrl?: string;
    twitterUrl?: string;
  };
  company?: {
    name?: string;
    domain?: string;
    industry?: string;
    sector?: string;
    city?: string;
    state?: string;
    country?: string;
    employees?: number;
    /** A range as the provider states it, e.g. "$10M-$50M". */
    estimatedAnnualRevenue?: string;
    foundedYear?: number;
    linkedinUrl?: string;
    twitterUrl?: string;
  };
}

/** Every answer an enrichment lookup can give that is not a failure. Failures are thrown as ActionErrors. */
export type EnrichmentLookup =
  | { outcome: 'found'; facts: EnrichmentFacts }
  /** Accepted, still being looked up: ask again later (Clearbit: 202). */
  | { outcome: 'queued' }
  | { outcome: 'not_found' }
  /** Malformed or a role address (info@, sales@) that belongs to no person (Clearbit: 422). */
  | { outcome: 'invalid_email'; reason: string };

export interface EnrichmentProvider {
  /** Lower-case vendor name, for logs and the `service` of errors. */
  readonly name: string;
  findByEmail(email: string): Promise<EnrichmentLookup>;
}

// ---- Clearbit ----------------------------------------------------------------------------------------------

export const CLEARBIT_PERSON_API = 'https://person.clearbit.com';
export const CLEARBIT_COMBINED_FIND_PATH = '/v2/combined/find';

/** Clearbit's documented error body: `{"error": {"type": "unknown_record", "message": "Unknown person."}}`. */
export interface ClearbitErrorBody {
  error?: { type?: string; message?: string };
}

export function describeClearbitError(_status: number, data: unknown): VendorErrorDetails {
  const error = data && typeof data === 'object' ? (data as ClearbitErrorBody).error : undefined;
  if (!error || typeof error !== 'object') return {};
  return {
    message: typeof error.message === 'string' ? error.message.slice(0, 300) : undefined,
    code: typeof error.type === 'string' && /^[a-z0-9_]{1,40}$/i.test(error.type) ? error.type.toUpperCase() : undefined,
  };
}

/**
 * HTTP Basic auth with the API key as user name and an empty password, as Clearbit documents first ("Requests are
 * authenticated using HTTP Basic Auth. Provide your API key as the basic auth username. You do not need to provide a
 * password.") and as its official clients do (`curl -u {key}:`). Clearbit also accepts the key as a Bearer token
 * ("Alternatively…"); we follow the primary form. Never in the query string. https://dashboard.clearbit.com/docs#authentication
 */
export function clearbitAuthorization(apiKey: string): string {
  return `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
}

/** The service options of a Clearbit client; the action passes them to ctx.service(...). */
export function clearbitServiceOptions(apiKey: string): Omit<ServiceOptions, 'log' | 'deadline'> {
  return {
    service: 'clearbit',
    baseUrl: CLEARBIT_PERSON_API,
    auth: () => ({ authorization: clearbitAuthorization(apiKey) }),
    describeError: describeClearbitError,
    // A combined lookup answers in about a second when Clearbit knows the email, else 202 at once.
    defaultTimeoutMs: 8_000,
  };
}

/** Statuses that are answers, not failures, for the combined lookup. 402 and 401 are handled too, to name them well. */
const ANSWERED = [202, 401, 402, 404, 422] as const;

export function createClearbitProvider(http: ServiceClient): EnrichmentProvider {
  return {
    name: 'clearbit',
    async findByEmail(email) {
      const res = await http.request<unknown>({
        method: 'GET',
        url: CLEARBIT_COMBINED_FIND_PATH,
        query: { email },
        accept: ANSWERED,
        // A lookup changes nothing at Clearbit, so sending it twice is safe.
        idempotent: true,
        label: 'combined find',
      });
      const vendor = describeClearbitError(res.status, res.data);
      switch (res.status) {
        case 202:
          return { outcome: 'queued' };
        case 404:
          return { outcome: 'not_found' };
        case 422:
          return { outcome: 'invalid_email', reason: vendor.message ?? 'Clearbit refused the email as invalid or as a role address' };
        case 401:
          throw new ConfigError(`Clearbit refused the API key (HTTP 401${vendor.message ? ` — ${vendor.message}` : ''}): check the CLEARBIT_API_KEY secret`, {
            errorCode: 'CLEARBIT_UNAUTHORIZED',
            status: 401,
            service: 'clearbit',
          });
        case 402:
          // Over the plan's monthly quota: a re-run within days would fail the same way, so no retry.
          throw new PermanentError(`Clearbit quota exhausted (HTTP 402${vendor.message ? ` — ${vendor.message}` : ''}): raise the plan's limit or wait for the next period`, {
            errorCode: 'CLEARBIT_QUOTA_EXCEEDED',
            status: 402,
            service: 'clearbit',
          });
      }
      const facts = factsFromClearbit(res.data);
      return facts.person || facts.company ? { outcome: 'found', facts } : { outcome: 'not_found' };
    },
  };
}

// ---- Clearbit payload → facts (pure, total) -----------------------------------------------------------------

/** Longest text we keep from any one field; Clearbit's are short, HubSpot's string properties hold 65,536. */
export const MAX_FACT_CHARS = 1_000;

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A trimmed, non-empty string cut at MAX_FACT_CHARS without splitting a surrogate pair; undefined otherwise. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  return trimmed.length <= MAX_FACT_CHARS ? trimmed : Array.from(trimmed).slice(0, MAX_FACT_CHARS).join('').slice(0, MAX_FACT_CHARS);
}

function wholeNumber(value: unknown, min: number, max: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

// Handles as Clearbit documents them: linkedin "in/alexmaccaw" / "company/clearbit", twitter "alex". Anything with
// characters a profile path cannot hold is dropped rather than turned into a broken or injected URL.
const HANDLE = /^[A-Za-z0-9_.\-/%]{1,200}$/;

export function linkedinUrl(handle: unknown, kind: 'in' | 'company'): string | undefined {
  const h = text(handle)?.replace(/^\/+|\/+$/g, '');
  if (!h || !HANDLE.test(h) || h.includes('..')) return undefined;
  return `https://www.linkedin.com/${h.includes('/') ? h : `${kind}/${h}`}`;
}

export function twitterUrl(handle: unknown): string | undefined {
  const h = text(handle)?.replace(/^@/, '');
  return h && /^[A-Za-z0-9_]{1,50}$/.test(h) ? `https://twitter.com/${h}` : undefined;
}

function compact<T extends Record<string, unknown>>(values: T): Partial<T> | undefined {
  const kept = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(kept).length ? kept : undefined;
}

/**
 * Clearbit's combined answer `{ person, company }` (either may be null) as provider-neutral facts. Total: any
 * JSON value in, never a throw; wrong types and empty strings are dropped field by field.
 */
export function factsFromClearbit(body: unknown): EnrichmentFacts {
  const root = record(body);
  const person = record(root?.person);
  const company = record(root?.company);
  const facts: EnrichmentFacts = {};

  if (person) {
    const name = record(person.name);
    const employment = record(person.employment);
    const geo = record(person.geo);
    const p = compact({
      fullName: text(name?.fullName),
      title: text(employment?.title),
      role: text(employment?.role),
      seniority: text(employment?.seniority),
      employerName: text(employment?.name),
      employerDomain: text(employment?.domain)?.toLowerCase(),
      city: text(geo?.city),
      state: text(geo?.state),
      country: text(geo?.country),
      linkedinUrl: linkedinUrl(record(person.linkedin)?.handle, 'in'),
      twitterUrl: twitterUrl(record(person.twitter)?.handle),
    });
    if (p) facts.person = p;
  }

  if (company) {
    const category = record(company.category);
    const geo = record(company.geo);
    const metrics = record(company.metrics);
    const c = compact({
      name: text(company.name),
      domain: text(company.domain)?.toLowerCase(),
      industry: text(category?.industry),
      sector: text(category?.sector),
      city: text(geo?.city),
      state: text(geo?.state),
      country: text(geo?.country),
      employees: wholeNumber(metrics?.employees, 0, 10_000_000),
      estimatedAnnualRevenue: text(metrics?.estimatedAnnualRevenue),
      foundedYear: wholeNumber(company.foundedYear, 1000, 2100),
      linkedinUrl: linkedinUrl(record(company.linkedin)?.handle, 'company'),
      twitterUrl: twitterUrl(record(company.twitter)?.handle),
    });
    if (c) facts.company = c;
  }
  return facts;
}
