import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineAction, type ActionResult, type HubSpotEvent } from '../../lib/action';
import { CLASSIFICATION_RULES, classifyFailure, parseRetryAfter } from '../../lib/classify';
import { createDeadline } from '../../lib/deadline';
import { PermanentError, RetryableError } from '../../lib/errors';
import { createServiceClient, inProcessRetryDelay, MAX_RETRIES_IN_RUN } from '../../lib/http';
import { input } from '../../lib/inputs';
import { createLogger } from '../../lib/logger';
import { output } from '../../lib/outputs';
import { contactEvent, runAction } from '../support/run';
import { virtualNet, type VirtualNet } from '../support/virtual-fetch';

afterEach(() => {
  vi.unstubAllGlobals();
  nock.cleanAll();
  nock.enableNetConnect();
});

const ORIGIN = 'https://vendor.example.com';

/** A tiny action whose flow is given per test, to exercise the adapter alone. */
function probe(run: (ctx: any) => Promise<Record<string, unknown>>) {
  return defineAction({
    name: 'probe',
    title: 'Probe',
    description: 'adapter test',
    enrollment: { objectType: 'contact', trigger: 'test' },
    secrets: { VENDOR_KEY: { description: 'key', typicalLength: 32 }, OTHER_KEY: { description: 'other', typicalLength: 10 } },
    inputs: {
      email: input.email('email', { required: true }),
      amount: input.decimal('amount'),
      when: input.datetime('when'),
      vip: input.boolean('vip'),
    },
    outputs: { text: output.string('text'), count: output.number('count'), at: output.datetime('at'), flag: output.boolean('flag') },
    run: run as never,
  });
}
const env = { VENDOR_KEY: 'vk_live_0123456789abcdefSECRET', OTHER_KEY: 'other-secret-value' };

describe('runtime adapter', () => {
  it('parses string inputs by declared type; empty means absent', async () => {
    let seen: unknown;
    const action = probe(async (ctx) => ((seen = ctx.inputs), {}));
    await runAction(action, contactEvent({ email: ' Ada@Example.COM ', amount: '0012.500', when: '2026-11-01', vip: 'true' }), { env });
    expect(seen).toEqual({ email: 'ada@example.com', amount: '12.5', when: Date.parse('2026-11-01T00:00:00Z'), vip: true });
    await runAction(action, contactEvent({ email: 'a@b.co', amount: '', when: '   ', vip: '' }), { env });
    expect(seen).toEqual({ email: 'a@b.co', amount: undefined, when: undefined, vip: undefined });
  });

  it('names every missing secret at once, before the flow runs', async () => {
    let ran = false;
    const { outputs } = await runAction(probe(async () => ((ran = true), {})), contactEvent({ email: 'a@b.co' }), { env: {} });
    expect(ran).toBe(false);
    expect(outputs).toMatchObject({ status: 'error', error_code: 'MISSING_SECRET' });
    expect(outputs?.error_message).toMatch(/VENDOR_KEY, OTHER_KEY/);
  });

  it('collects every bad input into one named error', async () => {
    const { outputs } = await runAction(probe(async () => ({})), contactEvent({ email: 'nope', amount: '1,234.50', when: '2026-13-45', vip: 'maybe' }), { env });
    expect(outputs?.status).toBe('error');
    for (const field of ['email', 'amount', 'when', 'vip']) expect(outputs?.error_message).toContain(`"${field}"`);
  });

  it('adds status/error outputs and checks outputs against the declaration', async () => {
    const ok = await runAction(probe(async () => ({ text: 'x'.repeat(70_000), count: 3, at: new Date(5), flag: false })), contactEvent({ email: 'a@b.co' }), { env });
    expect(ok.outputs).toMatchObject({ status: 'ok', error_code: '', error_message: '', count: 3, at: 5, flag: false });
    expect(String(ok.outputs?.text).length).toBe(65_000);

    const bad = await runAction(probe(async () => ({ undeclared: 1, count: 'many' })), contactEvent({ email: 'a@b.co' }), { env });
    expect(bad.outputs).toMatchObject({ status: 'error', error_code: 'INVALID_OUTPUT' });
    expect(bad.outputs?.error_message).toMatch(/undeclared.*not declared.*count.*finite number/);
  });

  it('main takes only the event and returns the outputs; a callback passed after it is never called (Node 24)', async () => {
    const action = probe(async () => ({ count: 1 }));
    // https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24
    expect(action.main.length).toBe(1);
    Object.assign(process.env, env);
    try {
      const seen: unknown[] = [];
      const callerWithCallback = action.main as (event: HubSpotEvent, callback: (r: unknown) => void) => Promise<ActionResult>;
      const result = await callerWithCallback(contactEvent({ email: 'a@b.co' }), (r) => seen.push(r));
      expect(result.outputFields).toMatchObject({ status: 'ok', count: 1 });
      expect(seen).toEqual([]);
      expect(await action.main(contactEvent({ email: 'a@b.co' }))).toEqual(result);
    } finally {
      delete process.env.VENDOR_KEY;
      delete process.env.OTHER_KEY;
    }
  });

  it('turns an unexpected bug into a named error output, not a crash', async () => {
    const { outputs, logs } = await runAction(probe(async (ctx) => ({ text: ctx.inputs.nothing.deeper })), contactEvent({ email: 'a@b.co' }), { env });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INTERNAL_ERROR' });
    expect(outputs?.error_message).toMatch(/TypeError/);
    expect(logs.some((l) => l.includes('stack='))).toBe(true);
  });

  it('re-throws errors from other clients that carry 429/5xx, with the status where HubSpot looks', async () => {
    const axiosLike = Object.assign(new Error('Request failed with status code 503'), { response: { status: 503 } });
    const { thrown } = await runAction(probe(async () => Promise.reject(axiosLike)), contactEvent({ email: 'a@b.co' }), { env });
    expect(thrown).toBeInstanceOf(RetryableError);
    expect(thrown?.response?.status).toBe(503);
    expect(thrown?.code).toBe(503);
  });

  it('redacts secrets from thrown messages, outputs and logs', async () => {
    const { outputs, logs } = await runAction(
      probe(async () => Promise.reject(new PermanentError(`vendor said: key ${env.VENDOR_KEY} and Bearer abc.def.ghi are bad`, { errorCode: 'VENDOR_REJECTED' }))),
      contactEvent({ email: 'a@b.co' }),
      { env },
    );
    const all = JSON.stringify({ outputs, logs });
    expect(all).not.toContain(env.VENDOR_KEY);
    expect(all).not.toContain('abc.def.ghi');
    expect(outputs?.error_message).toContain('[redacted]');
  });
});

describe('classification', () => {
  it.each([
    [{ status: 429 }, 'retryable', 429],
    [{ status: 500 }, 'retryable', 500],
    [{ status: 503 }, 'retryable', 503],
    [{ status: 408 }, 'retryable', 503],
    [{ networkCode: 'ECONNRESET' }, 'retryable', 503],
    [{ status: 200, malformedBody: true }, 'retryable', 502],
    [{ deadline: true }, 'retryable', 504],
    [{ status: 401 }, 'config', undefined],
    [{ status: 403 }, 'config', undefined],
    [{ status: 404 }, 'permanent', undefined],
    [{ status: 409 }, 'permanent', undefined],
    [{ status: 400 }, 'permanent', undefined],
  ])('%j → %s (status %s)', (failure, verdict, retryStatus) => {
    const result = classifyFailure({ service: 'x', ...failure });
    expect(result.verdict).toBe(verdict);
    expect(result.retryStatus).toBe(retryStatus);
  });

  it('every rule says why', () => {
    for (const rule of CLASSIFICATION_RULES) expect(rule.why.length).toBeGreaterThan(10);
  });

  it.each([
    ['10', 10],
    ['0.5', 0.5],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 10],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %j → %j s', (value, seconds) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(seconds);
  });
});

describe('in-process retry delay', () => {
  it.each([
    [{ status: 429 }, 1, 1_000],
    [{ status: 429 }, 3, 4_000],
    [{ status: 429 }, 4, 4_000],
    [{ status: 429 }, MAX_RETRIES_IN_RUN, 4_000],
    [{ status: 429 }, MAX_RETRIES_IN_RUN + 1, undefined],
    [{ status: 429, retryAfterSeconds: 7 }, 1, 7_000],
    [{ status: 429, retryAfterSeconds: 60 }, 1, undefined],
    [{ status: 503 }, 1, 250],
    [{ status: 503 }, 2, undefined],
    [{ status: 503, retryAfterSeconds: 30 }, 1, undefined],
    [{ networkCode: 'ECONNRESET' }, 1, 250],
    [{ deadline: true }, 1, undefined],
  ])('%j, attempt %i → %j ms', (failure, attempt, expected) => {
    expect(inProcessRetryDelay({ service: 'x', ...failure }, attempt, () => 0.5)).toBe(expected);
  });

  it('spreads rate-limit back-off between half and one and a half times the step', () => {
    expect(inProcessRetryDelay({ service: 'x', status: 429 }, 2, () => 0)).toBe(1_000);
    expect(inProcessRetryDelay({ service: 'x', status: 429 }, 2, () => 0.999)).toBe(2_998);
  });
});

describe('request function', () => {
  const client = (budgetMs = 18_000, extra = {}) =>
    createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: createLogger({ scope: 't', sink: () => {} }), deadline: createDeadline({ budgetMs, reserveMs: 0 }), ...extra });

  it('a 5xx with an HTML body is retryable and keeps its status', async () => {
    nock(ORIGIN).post('/y').reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    const error = await client().request({ method: 'POST', url: '/y' }).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.status).toBe(502);
  });

  it('a 200 with truncated JSON is retryable (502), not a parse crash', async () => {
    nock(ORIGIN).post('/z').reply(200, '{"results":[{"id":"1', { 'content-type': 'application/json' });
    const error = await client().request({ method: 'POST', url: '/z' }).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.status).toBe(502);
    expect(error.errorCode).toBe('MALFORMED_RESPONSE');
  });

  // On a virtual clock (test/support/virtual-fetch.ts): the back-off's seconds pass without real sleeps.
  const virtualClient = (net: VirtualNet, budgetMs = 18_000) =>
    createServiceClient({ service: 'vendor', baseUrl: ORIGIN, log: createLogger({ scope: 't', sink: () => {} }), deadline: net.deadline({ budgetMs, reserveMs: 0 }) });

  it('retries an idempotent call in-process, honouring a short Retry-After', async () => {
    const net = virtualNet(() => (net.sends.length <= 2 ? { status: 429, body: {}, headers: { 'retry-after': '0' } } : { status: 200, body: { ok: true } }));
    const res = await net.run(() => virtualClient(net).request<{ ok: boolean }>({ method: 'GET', url: '/r', idempotent: true }));
    expect(res.data.ok).toBe(true);
    expect(net.sends).toHaveLength(3);
  });

  it('leaves the retry to HubSpot when the wait would not fit the budget', async () => {
    const scope = nock(ORIGIN).get('/b').reply(429, {}).get('/b').reply(200, {});
    const error = await client(3_500).request({ method: 'GET', url: '/b', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.status).toBe(429);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it('never retries a non-idempotent POST in-process after a failure that may have acted on it', async () => {
    const scope = nock(ORIGIN).post('/p').reply(503, 'down').post('/p').reply(200, {});
    await expect(client().request({ method: 'POST', url: '/p' })).rejects.toBeInstanceOf(RetryableError);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it('does retry a non-idempotent POST refused with 429 (the limiter turned it away unseen)', async () => {
    const net = virtualNet(() => (net.sends.length === 1 ? { status: 429, body: { status: 'error', policyName: 'TEN_SECONDLY_ROLLING' } } : { status: 201, body: { id: '1' } }));
    const res = await net.run(() => virtualClient(net).request<{ id: string }>({ method: 'POST', url: '/p' }));
    expect(res.status).toBe(201);
    expect(res.data.id).toBe('1');
    expect(net.sends.map((send) => send.method)).toEqual(['POST', 'POST']);
  });

  it('asks for new credentials once on 401, then sends again', async () => {
    let refreshes = 0;
    nock(ORIGIN).get('/a').reply(401, {}).get('/a').reply(200, { ok: 1 });
    const res = await client(18_000, { onUnauthorized: async () => (refreshes += 1) > 0 }).request({ method: 'GET', url: '/a' });
    expect(res.status).toBe(200);
    expect(refreshes).toBe(1);
  });

  it('aborts a hung call at the deadline with a retryable 504', async () => {
    // Answers after a virtual minute: only the deadline's abort (at 300 ms of the same clock) can end the call sooner.
    const net = virtualNet(() => ({ status: 200, body: {} }), { latencyMs: 60_000 });
    const error = await net.run(() => virtualClient(net, 300).request({ method: 'GET', url: '/slow' })).catch((e) => e);
    expect(net.clock.now()).toBe(300);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.status).toBe(504);
    expect(error.errorCode).toBe('DEADLINE_EXCEEDED');
  });
});
