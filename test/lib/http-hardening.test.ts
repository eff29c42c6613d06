import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeadline } from '../../lib/deadline';
import { ConfigError, PermanentError, RetryableError } from '../../lib/errors';
import { createServiceClient, inProcessRetryDelay, MAX_RESPONSE_BYTES } from '../../lib/http';
import { DEFAULT_RESPONSE_CAP, RESPONSE_CAPS, responseCapFor } from '../../lib/response-caps';
import { createLogger } from '../../lib/logger';
import { createToolingClient } from '../../scripts/lib-tooling/common';
import { virtualNet } from '../support/virtual-fetch';

/** Issue 13 §3: what a vendor's answer (or our own configuration) can do to the one request function. */

afterEach(() => {
  vi.unstubAllGlobals();
  nock.cleanAll();
  nock.enableNetConnect();
});

const ORIGIN = 'https://vendor.example.com';
const silent = () => createLogger({ scope: 't', sink: () => {} });

describe('Retry-After never shortens the normal back-off', () => {
  // Half-way jitter: the normal back-off is 1 s, 2 s, 4 s for a 429, 250 ms for one 5xx.
  const mid = () => 0.5;
  it.each([
    ['0 (retry now)', 0],
    ['negative, parsed as a past date', Math.max(0, (Date.parse('-5') - Date.now()) / 1000)],
    ['a list, parsed as a past date', 0],
    ['a date in the past', 0],
  ])('429 with Retry-After %s waits at least the back-off', (_what, seconds) => {
    for (const attempt of [1, 2, 3]) {
      const normal = inProcessRetryDelay({ service: 'x', status: 429 }, attempt, mid) as number;
      expect(inProcessRetryDelay({ service: 'x', status: 429, retryAfterSeconds: seconds }, attempt, mid)).toBeGreaterThanOrEqual(normal);
    }
    expect(inProcessRetryDelay({ service: 'x', status: 503, retryAfterSeconds: seconds }, 1, mid)).toBeGreaterThanOrEqual(250);
  });

  it('a longer Retry-After still wins', () => {
    expect(inProcessRetryDelay({ service: 'x', status: 429, retryAfterSeconds: 7 }, 1, () => 0.5)).toBe(7_000);
  });

  it.each(['-5', '1, 2', 'Wed, 21 Oct 2015 07:28:00 GMT', '0'])('two 429s with Retry-After %j are not retried back to back', async (value) => {
    const net = virtualNet(() => (net.sends.length <= 2 ? { status: 429, body: {}, headers: { 'retry-after': value } } : { status: 200, body: { ok: true } }));
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: net.deadline({ budgetMs: 18_000, reserveMs: 0 }) });
    await net.run(() => client.request({ method: 'GET', url: '/r', idempotent: true }));
    const [first, second, third] = net.sends.map((s) => s.at) as [number, number, number];
    // 1 s ±50 % then 2 s ±50 %, plus the 100 ms the answer took: at least 0.5 s and 1 s.
    expect(second - first).toBeGreaterThanOrEqual(500);
    expect(third - second).toBeGreaterThanOrEqual(1_000);
  });
});

describe('retry429InRun: false (a vendor whose 429 asks for a wait no run can hold)', () => {
  it('throws the first 429 as a retryable 429 for HubSpot\'s re-run, idempotent or not, without a wait', async () => {
    for (const idempotent of [true, false]) {
      const net = virtualNet(() => ({ status: 429, body: { message: 'wait 60 seconds' } }));
      const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: net.deadline() });
      const error = await net.run(() => client.request({ method: 'POST', url: '/token', idempotent, retry429InRun: false })).catch((e) => e);
      expect(net.sends).toHaveLength(1);
      expect(error).toBeInstanceOf(RetryableError);
      expect(error).toMatchObject({ errorCode: 'RATE_LIMITED', response: { status: 429 } });
      vi.unstubAllGlobals();
    }
  });

  it('leaves other retryable failures to the usual rule (one quick retry when idempotent)', async () => {
    const net = virtualNet(() => (net.sends.length === 1 ? { status: 503, body: {} } : { status: 200, body: { ok: true } }));
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: net.deadline() });
    await expect(net.run(() => client.request({ method: 'GET', url: '/r', idempotent: true, retry429InRun: false }))).resolves.toMatchObject({ status: 200 });
    expect(net.sends).toHaveLength(2);
  });
});

describe('response size cap', () => {
  it('is at most 3 MiB for any call: 3 MiB of the worst JSON shape parses in ~64 MB (test/lib/heap-limit.test.ts)', () => {
    expect(MAX_RESPONSE_BYTES).toBe(3 * 1024 * 1024);
    for (const cap of [...RESPONSE_CAPS, DEFAULT_RESPONSE_CAP]) expect(cap.bytes, cap.endpoint).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  it.each([
    ['hubspot', 'https://api.hubapi.com/crm/objects/2026-09/companies/search', 2 * 1024 * 1024],
    ['hubspot', 'https://api.hubapi.com/crm/objects/2026-09/line_items/batch/read', 2 * 1024 * 1024],
    ['hubspot', 'https://api.hubapi.com/crm/associations/2026-09/deals/line_items/batch/read', 2 * 1024 * 1024],
    ['hubspot', 'https://api.hubapi.com/crm/objects/2026-09/deals/1003?properties=amount', 512 * 1024],
    ['salesforce', 'https://acme.my.salesforce.com/services/data/v68.0/query?q=SELECT+Id+FROM+Lead', 3 * 1024 * 1024],
    ['salesforce', 'https://acme.my.salesforce.com/services/oauth2/token', 512 * 1024],
    ['shopify', 'https://acme-store.myshopify.com/admin/api/2026-10/graphql.json', 1024 * 1024],
    ['quickbooks', 'https://quickbooks.api.intuit.com/v3/company/9130/query?query=SELECT', 3 * 1024 * 1024],
    ['quickbooks', 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer', 1024 * 1024],
    ['clearbit', 'https://person.clearbit.com/v2/combined/find?email=a%40b.co', 512 * 1024],
    ['unknown', 'https://vendor.example.com/x', 1024 * 1024],
  ])('%s %s: %i bytes', (service, url, bytes) => {
    expect(responseCapFor(service, url).bytes).toBe(bytes);
  });

  it('the endpoint\'s cap applies without any option, and its size is in the message', async () => {
    nock('https://person.clearbit.com').get('/v2/combined/find').reply(200, `{"person":"${'x'.repeat(600 * 1024)}"}`, { 'content-type': 'application/json' });
    const client = createServiceClient({ service: 'clearbit', baseUrl: 'https://person.clearbit.com', log: silent(), deadline: createDeadline({ budgetMs: 18_000, reserveMs: 0 }) });
    const error = await client.request({ method: 'GET', url: '/v2/combined/find' }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.errorCode).toBe('RESPONSE_TOO_LARGE');
    expect(error.message).toContain('over 512 KiB');
  });

  it('setup and deploy (on a developer\'s machine, not in 128 MB) read a property list larger than an action\'s cap', async () => {
    const properties = Array.from({ length: 1_500 }, (_, i) => ({ name: `custom_${i}`, label: `Custom ${i}`, type: 'enumeration', options: Array.from({ length: 5 }, (_, o) => ({ label: `Option ${o}`, value: `option_${o}` })), description: 'x'.repeat(200) }));
    nock('https://api.hubapi.com').get('/crm/properties/2026-09/contacts').reply(200, { results: properties });
    expect(JSON.stringify({ results: properties }).length).toBeGreaterThan(responseCapFor('hubspot', 'https://api.hubapi.com/crm/properties/2026-09/contacts').bytes);
    const { client } = createToolingClient({ token: 'pat-na1-tooling-test-token-000000', scope: 'setup', logSink: () => {} });
    const res = await client.request<{ results: unknown[] }>({ method: 'GET', url: '/crm/properties/2026-09/contacts' });
    expect(res.data.results).toHaveLength(1_500);
  });

  it('a request can set its own cap', async () => {
    nock(ORIGIN).get('/small').reply(200, `{"a":"${'x'.repeat(2_000)}"}`, { 'content-type': 'application/json' });
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: createDeadline({ budgetMs: 18_000, reserveMs: 0 }) });
    await expect(client.request({ method: 'GET', url: '/small', maxResponseBytes: 1_000 })).rejects.toMatchObject({ errorCode: 'RESPONSE_TOO_LARGE' });
  });

  it('a body larger than the cap fails cleanly as a permanent RESPONSE_TOO_LARGE, read no further', async () => {
    const big = `{"results":["${'x'.repeat(2_000)}"]}`;
    nock(ORIGIN).get('/big').reply(200, big, { 'content-type': 'application/json' });
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: createDeadline({ budgetMs: 18_000, reserveMs: 0 }), maxResponseBytes: 1_000 });
    const error = await client.request({ method: 'GET', url: '/big', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.errorCode).toBe('RESPONSE_TOO_LARGE');
  });

  it('a stream without Content-Length is cut off at the cap too', async () => {
    const { Readable } = await import('node:stream');
    let pushed = 0;
    const endless = new Readable({
      read() {
        pushed += 1;
        this.push(pushed > 10_000 ? null : Buffer.alloc(1024, 'a'));
      },
    });
    nock(ORIGIN).get('/stream').reply(200, () => endless, { 'content-type': 'application/json' });
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: createDeadline({ budgetMs: 18_000, reserveMs: 0 }), maxResponseBytes: 64 * 1024 });
    const error = await client.request({ method: 'GET', url: '/stream' }).catch((e) => e);
    expect(error.errorCode).toBe('RESPONSE_TOO_LARGE');
    expect(pushed).toBeLessThan(10_000);
  });

  it('a body under the cap is read as usual', async () => {
    nock(ORIGIN).get('/ok').reply(200, { ok: 'é' });
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline: createDeadline({ budgetMs: 18_000, reserveMs: 0 }), maxResponseBytes: 1_000 });
    await expect(client.request({ method: 'GET', url: '/ok' })).resolves.toMatchObject({ status: 200, data: { ok: 'é' } });
  });
});

describe('the per-call abort timer', () => {
  function countingDeadline() {
    const armed = new Set<unknown>();
    const deadline = createDeadline({
      budgetMs: 18_000,
      reserveMs: 0,
      setTimer: (fn, ms) => {
        const handle = setTimeout(() => (armed.delete(handle), fn()), ms);
        armed.add(handle);
        return handle;
      },
      clearTimer: (handle) => (armed.delete(handle), clearTimeout(handle as ReturnType<typeof setTimeout>)),
    });
    return { deadline, armed };
  }

  it('is not left armed when auth() fails', async () => {
    const { deadline, armed } = countingDeadline();
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline, auth: async () => { throw new ConfigError('no token', { errorCode: 'MISSING_SECRET' }); } });
    await expect(client.request({ method: 'GET', url: '/x' })).rejects.toBeInstanceOf(ConfigError);
    expect(armed.size).toBe(0);
  });

  it('does not count the time auth() takes against the call\'s own timeout', async () => {
    // auth() takes 300 ms (a token refresh), the answer 150 ms, the call's timeout is 400 ms: only the 150 count.
    const net = virtualNet(() => ({ status: 200, body: { ok: true } }), { latencyMs: 150 });
    const client = createServiceClient({
      service: 'vendor',
      baseUrl: ORIGIN,
      log: silent(),
      deadline: net.deadline({ budgetMs: 18_000, reserveMs: 0 }),
      auth: async () => (await net.clock.sleep(300), { authorization: 'Bearer t0ken-value' }),
    });
    await expect(net.run(() => client.request({ method: 'GET', url: '/t', timeoutMs: 400 }))).resolves.toMatchObject({ status: 200 });
  });

  it('is cleared after a successful call', async () => {
    const { deadline, armed } = countingDeadline();
    nock(ORIGIN).get('/s').reply(200, {});
    await createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: silent(), deadline }).request({ method: 'GET', url: '/s' });
    expect(armed.size).toBe(0);
  });
});

describe('a header value fetch refuses (a secret pasted with a zero-width space)', () => {
  it.each([
    ['zero-width space', 'tok\u200ben-value-123'],
    ['line break', 'tok\nen-value-123'],
  ])('%s: a permanent configuration error that names the header, not its value, before any request', async (_what, value) => {
    const scope = nock(ORIGIN).get('/h').reply(200, {});
    const lines: string[] = [];
    const client = createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: createLogger({ scope: 't', sink: (l) => lines.push(l) }), deadline: createDeadline({ budgetMs: 18_000, reserveMs: 0 }), auth: () => ({ authorization: `Bearer ${value}` }) });
    const error = await client.request({ method: 'GET', url: '/h', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).not.toBeInstanceOf(RetryableError);
    expect(error.errorCode).toBe('INVALID_HEADER_VALUE');
    expect(error.message).toContain('authorization');
    expect(`${error.message}\n${lines.join('\n')}`).not.toContain('en-value-123');
    expect(scope.pendingMocks()).toHaveLength(1);
  });
});
