import { ConfigError, DeadlineError, PermanentError, RetryableError, type ActionError } from './errors';

/**
 * Retryable or permanent? Decided here and nowhere else, as data plus one pure function.
 *
 * HubSpot re-runs an action only when it throws an error carrying status 429 or 5xx
 * (https://developers.hubspot.com/docs/api/workflows/custom-code-actions). Every failure that a later run could
 * get past (rate limits, outages, resets, timeouts) must therefore leave here as a RetryableError with such a
 * status; everything else becomes a permanent error that the adapter reports in the outputs.
 */

export interface HttpFailure {
  service: string;
  /** HTTP status; undefined when no response arrived (reset, DNS, timeout). */
  status?: number;
  /** Socket error code for failures without a response (ECONNRESET, ETIMEDOUT, UND_ERR_SOCKET, ABORTED, …). */
  networkCode?: string;
  /** The vendor's own error code, when its body named one (e.g. HubSpot `category`, Salesforce `errorCode`). */
  vendorCode?: string;
  /** The vendor's own message, already extracted from the body; never a raw body dump. */
  vendorMessage?: string;
  /** Retry-After in seconds, when the response said. */
  retryAfterSeconds?: number;
  /** The answer had a success status but a body we could not parse (truncated JSON, an HTML error page). */
  malformedBody?: boolean;
  /** The request was aborted because the action's deadline ran out. */
  deadline?: boolean;
  /** The answer's body was larger than we read (the endpoint's cap, lib/response-caps.ts). */
  bodyTooLarge?: boolean;
  /** The cap it went over, in bytes. */
  limitBytes?: number;
  /** Nothing was sent: this header's value holds a character HTTP cannot carry (a secret pasted with one). */
  invalidHeader?: string;
}

export type Verdict = 'retryable' | 'permanent' | 'config';

interface Rule {
  matches: (f: HttpFailure) => boolean;
  verdict: Verdict;
  errorCode: (f: HttpFailure) => string;
  /** The status a retryable error carries: HubSpot only re-runs on 429/5xx. */
  retryStatus?: (f: HttpFailure) => number;
  why: string;
}

/** Ordered: the first rule that matches decides. */
export const CLASSIFICATION_RULES: readonly Rule[] = [
  {
    why: 'a header value HTTP cannot carry (a secret pasted with a zero-width space or a line break): fix the secret',
    matches: (f) => f.invalidHeader !== undefined,
    verdict: 'config',
    errorCode: () => 'INVALID_HEADER_VALUE',
  },
  {
    why: 'a success whose body is larger than an action can parse in its 128 MB (lib/response-caps.ts): the same request gets the same answer on every re-run, so the workflow should branch on it now',
    matches: (f) => f.bodyTooLarge === true,
    verdict: 'permanent',
    errorCode: () => 'RESPONSE_TOO_LARGE',
  },
  {
    why: 'our own 20 s budget ran out; a re-run starts with a fresh one',
    matches: (f) => f.deadline === true,
    verdict: 'retryable',
    errorCode: () => 'DEADLINE_EXCEEDED',
    retryStatus: () => 504,
  },
  {
    why: 'no response at all (reset, refused, DNS, timeout): the vendor may be fine a moment later',
    matches: (f) => f.status === undefined,
    verdict: 'retryable',
    errorCode: (f) => (f.networkCode === 'ETIMEDOUT' || f.networkCode === 'ECONNABORTED' ? 'TIMEOUT' : 'NETWORK_ERROR'),
    retryStatus: () => 503,
  },
  {
    why: 'a 2xx whose body is not the JSON promised (truncated, HTML from a proxy): treat as a bad gateway',
    matches: (f) => f.malformedBody === true && (f.status ?? 0) < 300,
    verdict: 'retryable',
    errorCode: () => 'MALFORMED_RESPONSE',
    retryStatus: () => 502,
  },
  {
    why: 'rate limited: HubSpot re-runs the action later, which is exactly the back-off we want',
    matches: (f) => f.status === 429,
    verdict: 'retryable',
    errorCode: () => 'RATE_LIMITED',
    retryStatus: () => 429,
  },
  {
    why: 'request timeout from the server: carry 503 so HubSpot re-runs (it ignores 408)',
    matches: (f) => f.status === 408,
    verdict: 'retryable',
    errorCode: () => 'TIMEOUT',
    retryStatus: () => 503,
  },
  {
    why: 'server-side failure: transient by definition',
    matches: (f) => (f.status ?? 0) >= 500,
    verdict: 'retryable',
    errorCode: () => 'SERVER_ERROR',
    retryStatus: (f) => f.status ?? 503,
  },
  {
    why: 'HubSpot 423 Locked: rapid writes to one record; HubSpot asks to wait at least 2 s (https://developers.hubspot.com/docs/api-reference/error-handling)',
    matches: (f) => f.status === 423,
    verdict: 'retryable',
    errorCode: () => 'LOCKED',
    retryStatus: () => 503,
  },
  {
    why: 'HubSpot 477 Migration in progress: the portal is being moved between data centres; come back after Retry-After (same page)',
    matches: (f) => f.status === 477,
    verdict: 'retryable',
    errorCode: () => 'MIGRATION_IN_PROGRESS',
    retryStatus: () => 503,
  },
  {
    why: 'bad or expired credentials that a refresh could not fix: someone has to reconnect',
    matches: (f) => f.status === 401,
    verdict: 'config',
    errorCode: () => 'UNAUTHORIZED',
  },
  {
    why: 'the token lacks a scope or the user a permission: fix the app, not the data',
    matches: (f) => f.status === 403,
    verdict: 'config',
    errorCode: () => 'FORBIDDEN',
  },
  {
    why: 'the record does not exist; a re-run would not make it exist',
    matches: (f) => f.status === 404,
    verdict: 'permanent',
    errorCode: () => 'NOT_FOUND',
  },
  {
    why: 'any other 4xx: the request itself is wrong',
    matches: () => true,
    verdict: 'permanent',
    errorCode: (f) => (f.status === 409 ? 'CONFLICT' : 'BAD_REQUEST'),
  },
];

export function classifyFailure(failure: HttpFailure): { verdict: Verdict; errorCode: string; retryStatus?: number; why: string } {
  const rule = CLASSIFICATION_RULES.find((r) => r.matches(failure)) as Rule;
  return {
    verdict: rule.verdict,
    errorCode: rule.errorCode(failure),
    ...(rule.retryStatus ? { retryStatus: rule.retryStatus(failure) } : {}),
    why: rule.why,
  };
}

/** Turns a failure into the error the rest of the code throws. The vendor's own code wins for permanent ones. */
export function errorFromFailure(failure: HttpFailure, context = ''): ActionError {
  const { verdict, errorCode, retryStatus } = classifyFailure(failure);
  const where = `${failure.service}${context ? ` ${context}` : ''}`;
  const what = failure.invalidHeader !== undefined
    ? `not sent: the ${failure.invalidHeader} header holds an invisible or non-ASCII character (often a zero-width space or line break pasted with a secret); paste the secret again`
    : failure.bodyTooLarge
      ? `HTTP ${failure.status} with a body larger than an action can read${failure.limitBytes ? ` (over ${formatBytes(failure.limitBytes)}, the most this call can return legitimately)` : ''}`
      : failure.status === undefined
      ? failure.deadline
        ? 'aborted: the action ran out of its 20 s budget'
        : `no response (${failure.networkCode ?? 'network error'})`
      : failure.malformedBody
        ? `HTTP ${failure.status} with an unreadable body`
        : `HTTP ${failure.status}`;
  const message = `${where} failed: ${what}${failure.vendorMessage ? ` — ${failure.vendorMessage}` : ''}`;
  const base = { service: failure.service, status: failure.status };
  if (verdict === 'retryable') {
    if (errorCode === 'DEADLINE_EXCEEDED') return new DeadlineError(message, base);
    return new RetryableError(message, {
      ...base,
      errorCode,
      status: retryStatus ?? 503,
      ...(failure.retryAfterSeconds !== undefined ? { retryAfterSeconds: failure.retryAfterSeconds } : {}),
    });
  }
  const code = failure.vendorCode ? `${failure.service.toUpperCase()}_${failure.vendorCode}` : errorCode;
  if (verdict === 'config') return new ConfigError(message, { ...base, errorCode: code });
  return new PermanentError(message, { ...base, errorCode: code });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** Parses Retry-After (seconds or an HTTP date) into seconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}
