import nock from 'nock';

/**
 * A fake internet for tests and benchmarks: each vendor fake is a handler for one origin; this dispatcher counts
 * every call across all of them and can inject a fault at call k, so one fault matrix covers every action.
 */

export interface FakeRequest {
  method: string;
  origin: string;
  path: string; // with query string
  pathname: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown; // parsed JSON, form object, or raw string
  rawBody: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export type Fault = '429-retry-after' | '429' | '500' | '503' | 'reset' | 'hang' | 'malformed-200' | 'echo-500';
export const ALL_FAULTS: readonly Fault[] = ['429-retry-after', '429', '500', '503', 'reset', 'hang', 'malformed-200', 'echo-500'];

/**
 * 'echo-500': a 500 whose error message quotes the request back — its Authorization header and body — in the forms
 * vendors and proxies use: as is, form-encoded, percent-encoded in lower case, base64 and base64url, JSON with \u
 * escapes and JSON escaped twice (issue 13 §2). Every vendor shape our clients read a message from carries it.
 * Undocumented vendor behaviour; assumed because debugging proxies and some APIs do echo requests in errors.
 */
function echoBody(req: FakeRequest): Record<string, unknown> {
  const sent = `authorization=${req.headers.authorization ?? ''} body=${req.rawBody}`;
  const lowerPercent = encodeURIComponent(sent).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const jsonU = JSON.stringify(sent).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const message = [
    `upstream error for ${sent}`,
    new URLSearchParams({ echo: sent }).toString(),
    lowerPercent,
    Buffer.from(sent).toString('base64'),
    Buffer.from(`x${sent}`).toString('base64url'),
    Buffer.from(`xy${sent}`).toString('base64'),
    jsonU,
    JSON.stringify(JSON.stringify({ sent })),
  ].join(' | ');
  return {
    message,
    status: 'error',
    category: 'INTERNAL_ERROR',
    error: { message, type: 'server_error' },
    error_description: message,
    errors: [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    Fault: { Error: [{ Message: message, Detail: message, code: '500' }], type: 'SystemFault' },
  };
}

export interface CallRecord {
  index: number;
  method: string;
  url: string;
  status: number | 'reset' | 'hang';
  fault?: Fault;
  /** What was sent and answered, for turning a scenario run into a harness fixture. */
  requestBody?: unknown;
  response?: FakeResponse;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function parseBody(raw: string, contentType: string): unknown {
  if (!raw) return undefined;
  if (/x-www-form-urlencoded/.test(contentType)) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export class FakeNetwork {
  readonly calls: CallRecord[] = [];
  private readonly routes = new Map<string, FakeHandler>();
  private faults = new Map<number, Fault>();
  private scopes: nock.Scope[] = [];
  /** Optional hook to delay each answer (latency simulation); resolves when the answer may be sent. */
  latency: ((req: FakeRequest) => Promise<void>) | undefined;
  /**
   * Requests being answered right now, hung ones excluded: a virtual clock (test/support/virtual-time.ts) moves time
   * only while this is 0, so no abort timer fires while an answer is still on its way.
   */
  inFlight = 0;

  route(origin: string, handler: FakeHandler): this {
    this.routes.set(origin.replace(/\/+$/, ''), handler);
    return this;
  }

  /** Replaces the handler routed for `origin` with a wrapper around it (rate limits, shims). Call before install(). */
  wrapRoute(origin: string, wrap: (inner: FakeHandler) => FakeHandler): this {
    const key = origin.replace(/\/+$/, '');
    const inner = this.routes.get(key);
    if (!inner) throw new Error(`no route for ${origin}`);
    this.routes.set(key, wrap(inner));
    return this;
  }

  /** The next run's call number `index` (1-based, counted across all vendors) fails with `fault`. */
  injectAt(index: number, fault: Fault): this {
    this.faults.set(index, fault);
    return this;
  }

  clearFaults(): this {
    this.faults = new Map();
    return this;
  }

  /**
   * `transport: 'nock'` (default): requests go through Node's real fetch (undici) and nock answers at the socket, so
   * the HTTP client's own code runs as in HubSpot. `transport: 'fetch'`: fetch() to a routed origin is answered in
   * process, as a Response with the same status, body and headers, and the same errors — a reset is undici's
   * TypeError("fetch failed") with the ECONNRESET cause, an abort rejects with the signal's reason — without undici's
   * connection and TLS setup per request (most of the CPU of a run against the fakes). For suites that vary inputs,
   * not transport (test/reliability/hostile-inputs.test.ts); nock stays installed for everything else.
   */
  install({ transport = 'nock' }: { transport?: 'nock' | 'fetch' } = {}): this {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- nock calls the reply function with its own `this`
    const network = this;
    if (transport === 'fetch') this.installFetch();
    nock.disableNetConnect();
    for (const [origin, handler] of this.routes) {
      for (const method of METHODS) {
        const scope = nock(origin)
          .persist()
          .intercept(() => true, method)
          // nock 15 hands the reply function the request as a fetch Request.
          .reply(async (request: Request) => {
            network.inFlight += 1;
            let answer: Awaited<ReturnType<FakeNetwork['dispatch']>>;
            try {
              answer = await network.answer(handler, request, origin, method);
            } finally {
              network.inFlight -= 1;
            }
            if (answer === 'hang') return new Promise<never>(() => {}); // never answers: the caller's deadline must abort
            if (answer === 'reset') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
            const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
            const contentType = typeof answer.body === 'string' ? 'text/html' : 'application/json';
            return [answer.status, body, { 'content-type': contentType, ...(answer.headers ?? {}) }];
          });
        this.scopes.push(scope);
      }
    }
    return this;
  }

  private async answer(handler: FakeHandler, request: Request, origin: string, method: string): Promise<FakeResponse | 'reset' | 'hang'> {
            const headers: Record<string, string> = {};
            request.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
            const raw = await request.text();
            const url = new URL(request.url);
            const req: FakeRequest = {
              method,
              origin,
              path: `${url.pathname}${url.search}`,
              pathname: url.pathname,
              query: url.searchParams,
              headers,
              body: parseBody(raw, headers['content-type'] ?? ''),
              rawBody: raw,
            };
            return this.dispatch(handler, req);
  }

  private restoreFetch: (() => void) | undefined;

  private installFetch(): void {
    const realFetch = globalThis.fetch;
    this.restoreFetch = () => {
      globalThis.fetch = realFetch;
    };
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      // The Request constructor validates headers and body as fetch would.
      const request = new Request(input, init);
      const origin = new URL(request.url).origin;
      const handler = this.routes.get(origin);
      if (!handler) return realFetch(input, init);
      const { signal } = request;
      if (signal.aborted) throw signal.reason;
      this.inFlight += 1;
      let answer: FakeResponse | 'reset' | 'hang';
      try {
        answer = await this.answer(handler, request, origin, request.method);
      } finally {
        this.inFlight -= 1;
      }
      if (signal.aborted) throw signal.reason;
      if (answer === 'hang') return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
      if (answer === 'reset') throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const contentType = typeof answer.body === 'string' ? 'text/html' : 'application/json';
      // A 204/205/304 has no body (the Response constructor refuses one).
      const nullBody = [204, 205, 304].includes(answer.status);
      return new Response(nullBody ? null : body, { status: answer.status, headers: { 'content-type': contentType, ...(answer.headers ?? {}) } });
    };
  }

  uninstall(): void {
    this.restoreFetch?.();
    this.restoreFetch = undefined;
    nock.cleanAll();
    nock.enableNetConnect();
    this.scopes = [];
  }

  private async dispatch(handler: FakeHandler, req: FakeRequest): Promise<FakeResponse | 'reset' | 'hang'> {
    const index = this.calls.length + 1;
    const fault = this.faults.get(index);
    const url = `${req.origin}${req.path}`;
    const record: CallRecord = { index, method: req.method, url, status: 0, ...(fault ? { fault } : {}), ...(req.body !== undefined ? { requestBody: req.body } : {}) };
    this.calls.push(record);
    if (this.latency) await this.latency(req);
    // Rate limits refuse before doing anything; every other fault strikes after the vendor acted, the hardest
    // case for idempotency (the write happened, the answer was lost).
    if (fault === '429' || fault === '429-retry-after') {
      record.status = 429;
      return { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', category: 'RATE_LIMITS' }, headers: fault === '429-retry-after' ? { 'retry-after': '1' } : {} };
    }
    const answer = await handler(req);
    switch (fault) {
      case '500':
      case '503':
        record.status = Number(fault);
        return { status: Number(fault), body: '<html><body><h1>Service Unavailable</h1></body></html>' };
      case 'reset':
        record.status = 'reset';
        return 'reset';
      case 'hang':
        record.status = 'hang';
        return 'hang';
      case 'echo-500':
        record.status = 500;
        return { status: 500, body: echoBody(req) };
      case 'malformed-200':
        record.status = 200;
        return { status: 200, body: '{"results":[{"id":"12', headers: { 'content-type': 'application/json' } };
      default:
        record.status = answer.status;
        record.response = answer;
        return answer;
    }
  }
}
