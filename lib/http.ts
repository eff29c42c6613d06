import { errorFromFailure, parseRetryAfter, classifyFailure, type HttpFailure } from './classify';
import type { Deadline } from './deadline';
import type { Logger } from './logger';
import { pacerFor } from './pacing';
import { responseCapFor } from './response-caps';

/**
 * The one request function every vendor client is built on. It owns timeouts (bounded by the action's
 * deadline), logging of each call, response parsing and the translation of every failure into a typed error.
 * Nothing else in the code base catches raw HTTP errors.
 *
 * The transport is Node 24's built-in fetch, not axios: axios is pre-installed in HubSpot's runtime, but
 * requiring it costs 60–90 ms of every cold start (measured: bench/README.md) and its version there is unpublished;
 * fetch costs nothing to load and is the same everywhere Node 24 runs. fetch never throws on a status, and we parse
 * bodies ourselves, so a 5xx with an HTML body and a 200 with a truncated body are both classified instead of
 * surfacing as a parse error without a status.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL, or a path relative to the service's base URL. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** An application/x-www-form-urlencoded body (OAuth token calls). */
  form?: Record<string, string>;
  /** Statuses handed back to the caller instead of thrown (a 404 that means "none yet", a 409 conflict). */
  accept?: readonly number[];
  /** Safe to send twice: one in-process retry on 429/5xx/reset when the budget allows. */
  idempotent?: boolean;
  /**
   * Default true: a 429 is waited out and resent in the run (up to MAX_RETRIES_IN_RUN). False throws it at once as a
   * retryable 429 for HubSpot's re-run: for a vendor whose documented wait cannot fit a run (Intuit: "wait 60 seconds
   * before retrying").
   */
  retry429InRun?: boolean;
  /** Per-call timeout; the deadline cuts it shorter when needed. */
  timeoutMs?: number;
  /** What the call does, for logs and error messages ("upsert contact"). */
  label?: string;
  /** The caller reads a JSON body: an empty or non-JSON 2xx (other than 204) is then a malformed answer (retryable 502). */
  expectJson?: boolean;
  /** Largest body read for this call (bytes); default: the client's, else the endpoint's cap (lib/response-caps.ts). */
  maxResponseBytes?: number;
  /**
   * Runs before each in-process resend, given the wait ahead of it; what it throws is thrown instead of resending.
   * For a request that needs more of the budget than its own call (a token refresh and the store write after it).
   */
  beforeResend?: (waitMs: number) => void;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface VendorErrorDetails {
  message?: string;
  code?: string;
  /** When the body (not a Retry-After header) says how long to wait, e.g. a daily limit. */
  retryAfterSeconds?: number;
}

export interface ServiceOptions {
  service: string;
  baseUrl?: string;
  log: Logger;
  deadline: Deadline;
  /** Auth headers, fetched per call (a token may have been refreshed since). */
  auth?: () => Promise<Record<string, string>> | Record<string, string>;
  /** Pulls the vendor's message and code out of an error body. */
  describeError?: (status: number, data: unknown) => VendorErrorDetails;
  /** Called once on a 401; return true after refreshing credentials to have the call sent again. */
  onUnauthorized?: () => Promise<boolean>;
  /**
   * Inspects a successful answer for errors hidden in it (QuickBooks Faults and GraphQL errors arrive with
   * HTTP 200). Return a failure to have it classified like any other.
   */
  inspect?: (response: HttpResponse) => Omit<HttpFailure, 'service'> | undefined;
  defaultTimeoutMs?: number;
  /** Largest body read (bytes) for every call of this client; default: the endpoint's cap (lib/response-caps.ts). */
  maxResponseBytes?: number;
  /**
   * The least wait the vendor asks for after a 429 before the request is sent again (Intuit: 60 s). A resend that
   * cannot wait that long within the budget is not made: the 429 is thrown for HubSpot's re-run.
   */
  rateLimitWaitMs?: number;
}

export interface ServiceClient {
  readonly service: string;
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** The ceiling of every response cap; the caps per endpoint, and why, are in lib/response-caps.ts. */
export { MAX_RESPONSE_BYTES } from './response-caps';
/**
 * Retries of one request in one run, whoever chose the waits between them (lib/pacing.ts's lane and window delays,
 * or inProcessRetryDelay below). The pacer decides how long to wait, never how often: a search answered 429 forever
 * was sent 48 times in 15 s by the lane's ever shorter retries (issue 21 §8). Sixteen is what the search lane needs to
 * keep a run that waits long inside the run: in the bench's 1,000-signup simulation (search 5/s) a cap of 8 sent 7
 * runs to HubSpot's re-run a minute later (+31 % over the search floor), 12 sent 1 (+19 %), 16 none (+7.6 %). The
 * 1, 2, 4, 4… s back-off below runs out of budget long before 16, so only the lane ever reaches the cap; past it the
 * 429 goes to HubSpot's re-run, later and with a fresh 20 s.
 */
export const MAX_RETRIES_IN_RUN = 16;
/** Budget kept after any in-process wait, for the retried call itself; otherwise HubSpot's re-run takes over. */
const KEEP_AFTER_WAIT_MS = 3_000;

/**
 * How long to wait before sending an idempotent request again in-process, or undefined to leave the retry to
 * HubSpot's re-run of the whole action (minutes later). Rate limits are worth waiting for here: HubSpot's limit is
 * a rolling 10-second window, so a few seconds of back-off inside our 20 s usually gets through, while a thrown
 * 429 costs the enrollment a minute or more. Other transient failures get one quick retry. (ky's retry rules:
 * honour Retry-After, back off exponentially, never re-send a non-idempotent request — except after a 429, which
 * refused it unseen.)
 */
export function inProcessRetryDelay(failure: HttpFailure, attempt: number, random: () => number = Math.random): number | undefined {
  if (failure.deadline) return undefined;
  if (failure.status === 423 || failure.status === 477) return lockedRetryDelay(failure, attempt);
  // Retry-After only ever lengthens the normal back-off: "0", a negative number, a list or a date in the past all
  // parse to no wait (Date.parse("-5") is a date in year 2001), and retrying a 429 back to back only burns the budget.
  const asked = (limitSeconds: number) => (failure.retryAfterSeconds !== undefined && Number.isFinite(failure.retryAfterSeconds) ? failure.retryAfterSeconds : 0) > limitSeconds;
  const atLeast = (normalMs: number) => Math.max(normalMs, Math.round(Math.max(0, failure.retryAfterSeconds ?? 0) * 1000));
  if (failure.status === 429) {
    if (attempt > MAX_RETRIES_IN_RUN) return undefined;
    if (asked(10)) return undefined;
    // 1 s, 2 s, then 4 s until the budget runs out, each ±50 %: runs refused together must not come back together,
    // and a rolling 10 s window usually has room again within a few seconds.
    return atLeast(Math.round(1_000 * 2 ** Math.min(attempt - 1, 2) * (0.5 + random())));
  }
  if (attempt > 1) return undefined;
  if (asked(2)) return undefined;
  return atLeast(250);
}

/**
 * The body as text, reading no more than `maxBytes`: a vendor (or a proxy) that streams without end must not take
 * the container's memory. Undefined when the body is larger; the rest is not read.
 */
async function readCapped(res: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * fetch throws a TypeError before sending anything when a header value holds a character HTTP cannot carry
 * (a zero-width space pasted with a secret: "Cannot convert argument to a ByteString…"; a line break: "… is an invalid
 * header value"). Its message quotes the value, so we name the header instead. No retry can fix that.
 */
function invalidHeader(headers: Record<string, string>): string | undefined {
  // Visible ASCII, space and tab only: what a token, key or id ever contains (RFC 9110 field-value, minus obs-text).
  return Object.keys(headers).find((name) => /[^\t\x20-\x7e]/.test(headers[name] ?? ''));
}

/**
 * HubSpot 423 Locked (rapid writes to one record: "wait at least 2 seconds") and 477 Migration in progress (with
 * Retry-After): https://developers.hubspot.com/docs/api-reference/error-handling. Up to 3 waits in the run; a wait
 * longer than 10 s, or one the budget cannot hold, leaves the retry to HubSpot's re-run (the error is retryable, 503).
 */
export function lockedRetryDelay(failure: HttpFailure, attempt: number): number | undefined {
  if (attempt > 3) return undefined;
  const asked = failure.retryAfterSeconds !== undefined && Number.isFinite(failure.retryAfterSeconds) ? failure.retryAfterSeconds * 1000 : 0;
  const waitMs = Math.max(2_000, asked);
  return waitMs <= 10_000 ? waitMs : undefined;
}

function parseBody(text: string, contentType: string): { data: unknown; malformed: boolean } {
  if (text === '') return { data: undefined, malformed: false };
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (!looksJson) return { data: text, malformed: /html/i.test(contentType) || /^\s*</.test(text) };
  try {
    return { data: JSON.parse(text), malformed: false };
  } catch {
    return { data: text, malformed: true };
  }
}

/** fetch rejects with TypeError("fetch failed") and the socket's code in `cause`; an abort is an AbortError. */
function networkCode(error: unknown): string | undefined {
  const e = error as { name?: string; code?: unknown; cause?: { code?: unknown; name?: string } };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return 'ABORTED';
  for (const candidate of [e?.cause?.code, e?.code]) if (typeof candidate === 'string') return candidate;
  return undefined;
}

function joinUrl(baseUrl: string | undefined, url: string): string {
  if (/^https?:\/\//i.test(url) || !baseUrl) return url;
  return `${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** Path and query without the host, for log lines (the logger still redacts any secret in it). */
function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

export function createServiceClient(options: ServiceOptions): ServiceClient {
  const { service, log, deadline } = options;
  // Pacing before the limit (lib/pacing.ts): HubSpot's rate-limit headers, search and QuickBooks spacing.
  const pacer = pacerFor(service);

  async function sendOnce(req: HttpRequest): Promise<HttpResponse | HttpFailure> {
    const url = joinUrl(options.baseUrl, req.url);
    const paceMs = pacer?.before(req.method, url) ?? 0;
    if (paceMs > 0 && (await deadline.sleep(paceMs, KEEP_AFTER_WAIT_MS))) log.info('http.paced', { service, call: req.label, waitMs: paceMs });
    const timeoutMs = req.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    deadline.check(`${service} ${req.label ?? req.method}`, 0);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(options.auth ? await options.auth() : {}),
      ...req.headers,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    const query = req.query
      ? Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))
      : undefined;
    const target = query && Object.keys(query).length ? `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams(query)}` : url;
    const badHeader = invalidHeader(headers);
    if (badHeader) return { service, invalidHeader: badHeader };
    // Armed only now, around the request itself: time spent in auth() (a token refresh) is not the call's timeout,
    // and a throwing auth() leaves no timer behind.
    deadline.check(`${service} ${req.label ?? req.method}`, 0);
    const abort = deadline.signal(timeoutMs);
    const started = Date.now();
    try {
      const res = await fetch(target, { method: req.method, headers, body, signal: abort.signal, redirect: 'manual' });
      // Reading the body is bounded by the same signal: a server that stalls mid-body is aborted too.
      const limitBytes = req.maxResponseBytes ?? options.maxResponseBytes ?? responseCapFor(service, url).bytes;
      const text = await readCapped(res, limitBytes);
      const responseHeaders: Record<string, string> = {};
      res.headers.forEach((value, key) => (responseHeaders[key.toLowerCase()] = value));
      if (text === undefined) {
        log.warn('http', { service, call: req.label, method: req.method, url: shortUrl(target), status: res.status, error: 'body too large', limitBytes, ms: Date.now() - started });
        // An error status says enough on its own; a success whose body we cannot hold is a permanent failure.
        if (res.status >= 300 && !req.accept?.includes(res.status)) return { service, status: res.status, retryAfterSeconds: parseRetryAfter(responseHeaders['retry-after']) };
        return { service, status: res.status, bodyTooLarge: true, limitBytes };
      }
      pacer?.after(req.method, url, res.status, responseHeaders);
      const parsed = parseBody(text, responseHeaders['content-type'] ?? '');
      const { data } = parsed;
      const malformed = parsed.malformed || (req.expectJson === true && res.status >= 200 && res.status < 300 && res.status !== 204 && (data === null || typeof data !== 'object'));
      log.info('http', { service, call: req.label, method: req.method, url: shortUrl(target), status: res.status, ms: Date.now() - started });
      if (res.status >= 200 && res.status < 300 && !malformed) {
        const response = { status: res.status, headers: responseHeaders, data };
        const hidden = options.inspect?.(response);
        return hidden ? { service, ...hidden } : response;
      }
      if (req.accept?.includes(res.status) && !malformed) return { status: res.status, headers: responseHeaders, data };
      const details: VendorErrorDetails = malformed ? {} : (options.describeError?.(res.status, data) ?? {});
      return {
        service,
        status: res.status,
        malformedBody: malformed,
        vendorMessage: details.message,
        vendorCode: details.code,
        retryAfterSeconds: parseRetryAfter(responseHeaders['retry-after']) ?? details.retryAfterSeconds,
      };
    } catch (error) {
      const code = networkCode(error);
      log.warn('http', { service, call: req.label, method: req.method, url: shortUrl(target), error: code ?? 'network', detail: (error as Error).message, ms: Date.now() - started });
      return { service, networkCode: code, deadline: abort.byDeadline() };
    } finally {
      abort.dispose();
    }
  }

  const isFailure = (r: HttpResponse | HttpFailure): r is HttpFailure => 'service' in r;

  return {
    service,
    async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
      let refreshed = false;
      let attempt = 0;
      for (;;) {
        const result = await sendOnce(req);
        if (!isFailure(result)) return result as HttpResponse<T>;
        if (result.status === 401 && !refreshed && options.onUnauthorized) {
          refreshed = true;
          if (await options.onUnauthorized()) continue;
        }
        const verdict = classifyFailure(result);
        attempt += 1;
        // A 429 is a refusal: the rate limiter turned the request away before the vendor acted on it, so even a
        // create is safe to send again (HubSpot's own SDK retries 429s of every method: @hubspot/api-client
        // RetryDecorator). Any other failure of a non-idempotent request may have acted: the re-run decides.
        const resendable = result.status === 429 ? req.retry429InRun !== false : req.idempotent === true;
        let waitMs = verdict.verdict === 'retryable' && resendable && attempt <= MAX_RETRIES_IN_RUN
          ? (pacer?.retryDelay(req.method, joinUrl(options.baseUrl, req.url), result, attempt) ?? inProcessRetryDelay(result, attempt))
          : undefined;
        if (waitMs !== undefined && result.status === 429 && options.rateLimitWaitMs !== undefined) waitMs = Math.max(waitMs, options.rateLimitWaitMs);
        if (waitMs !== undefined) req.beforeResend?.(waitMs);
        if (waitMs !== undefined && (await deadline.sleep(waitMs, KEEP_AFTER_WAIT_MS))) {
          log.info('http.retry', { service, call: req.label, after: verdict.errorCode, attempt, waitMs });
          continue;
        }
        if (result.status === 429) pacer?.gaveUp(req.method, joinUrl(options.baseUrl, req.url));
        throw errorFromFailure(result, req.label);
      }
    },
  };
}
