import { afterEach, describe, expect, it } from 'vitest';
import { FakeNetwork, type Fault } from '../fakes/network';

/**
 * FakeNetwork's two transports must be indistinguishable to the code under test: 'nock' runs Node's real fetch
 * (undici) against nock, 'fetch' answers in process (test/fakes/network.ts). Same statuses, bodies and headers the
 * client reads, same errors for a reset and an abort, same record of the call — for every fault the suites inject.
 */
const ORIGIN = 'https://api.example.test';

let net: FakeNetwork | undefined;
afterEach(() => {
  net?.uninstall();
  net = undefined;
});

interface Seen {
  status?: number;
  contentType?: string | null;
  retryAfter?: string | null;
  text?: string;
  error?: { name: string; message: string; cause?: unknown };
  call: unknown;
}

async function exchange(transport: 'nock' | 'fetch', request: { path: string; init?: RequestInit; fault?: Fault; abortAfterMs?: number }): Promise<Seen> {
  net = new FakeNetwork().route(ORIGIN, (req) =>
    req.pathname === '/empty' ? { status: 204 } : req.pathname === '/page' ? { status: 200, body: '<html>ok</html>' } : { status: 201, body: { id: '7', got: req.body }, headers: { 'x-hubspot-ratelimit-remaining': '99' } },
  );
  net.install({ transport });
  if (request.fault) net.injectAt(1, request.fault);
  const controller = new AbortController();
  if (request.abortAfterMs !== undefined) setTimeout(() => controller.abort(), request.abortAfterMs);
  const seen: Seen = { call: undefined };
  try {
    const res = await fetch(`${ORIGIN}${request.path}`, { ...request.init, signal: controller.signal });
    Object.assign(seen, { status: res.status, contentType: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), text: await res.text() });
    if (res.status === 201) expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('99');
  } catch (error) {
    const e = error as Error & { cause?: { code?: unknown } };
    seen.error = { name: e.name, message: e.message, ...(e.cause ? { cause: e.cause.code } : {}) };
  }
  const { index, method, url, status, fault, requestBody } = net.calls[0] ?? ({} as Record<string, unknown>);
  seen.call = { index, method, url, status, fault, requestBody };
  net.uninstall();
  net = undefined;
  return seen;
}

const CASES: Array<[string, { path: string; init?: RequestInit; fault?: Fault; abortAfterMs?: number }]> = [
  ['a JSON answer to a JSON POST', { path: '/v1/things?x=1', init: { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body: JSON.stringify({ a: 1 }) } }],
  ['a form POST', { path: '/oauth/token', init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=r' } }],
  ['an HTML page', { path: '/page' }],
  ['a 204', { path: '/empty', init: { method: 'DELETE' } }],
  ...(['429-retry-after', '429', '500', '503', 'echo-500', 'malformed-200', 'reset'] as Fault[]).map((fault) => [`fault ${fault}`, { path: '/v1/things', init: { method: 'PATCH', body: '{"b":2}', headers: { 'content-type': 'application/json' } }, fault }] as [string, { path: string; init?: RequestInit; fault?: Fault }]),
  ['a hang, aborted by the caller', { path: '/v1/things', fault: 'hang', abortAfterMs: 20 }],
];

describe('FakeNetwork transports', () => {
  it.each(CASES)('%s: the same response or error and the same call record', async (_name, request) => {
    const viaNock = await exchange('nock', request);
    const inProcess = await exchange('fetch', request);
    expect(inProcess).toEqual(viaNock);
  });

  it('the in-process transport leaves other origins to nock (no real connection) and restores fetch on uninstall', async () => {
    const original = globalThis.fetch;
    net = new FakeNetwork().route(ORIGIN, () => ({ status: 200, body: {} }));
    net.install({ transport: 'fetch' });
    expect(globalThis.fetch).not.toBe(original);
    await expect(fetch('https://elsewhere.example.test/')).rejects.toThrow();
    net.uninstall();
    net = undefined;
    expect(globalThis.fetch).toBe(original);
  });
});
