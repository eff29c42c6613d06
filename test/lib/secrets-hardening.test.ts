import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../lib/action';
import { RetryableError } from '../../lib/errors';
import { input } from '../../lib/inputs';
import { Redactor, createLogger } from '../../lib/logger';
import { clearModuleCaches } from '../../lib/module-cache';
import { SALESFORCE_INSTANCE } from '../fakes/salesforce';
import { runAction } from '../support/run';
import { leadSyncWorld, syncEvent } from '../actions/salesforce-lead-sync/scenarios';

/** Issue 13 §2: secrets and tokens, in every form, everywhere. */

const SECRET = 'Sk3y:w/ith+odd chars\'é"-0123456789';
const CLIENT_ID = 'client-id-4711';

describe('Redactor: every form a secret is written in', () => {
  const redactor = new Redactor([SECRET, 'abc12']);
  const forms: Array<[string, string]> = [
    ['a secret shorter than 6 characters', 'pin=abc12;'],
    ['form-encoding (%27 and +)', new URLSearchParams({ secret: SECRET }).toString()],
    ['lower-case percent escapes', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['base64 of id:secret (offset 15 = 0 mod 3)', Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')],
    ['base64 of id:secret (offset 1 mod 3)', Buffer.from(`x:${SECRET}`).toString('base64')],
    ['base64 of id:secret (offset 2 mod 3)', Buffer.from(`xy:${SECRET}`).toString('base64')],
    ['base64url of a longer text', Buffer.from(`{"client_secret":"${SECRET}","grant":"x"}`).toString('base64url')],
    ['JSON with \\u00e9 escapes', JSON.stringify({ s: SECRET }).replace('é', '\\u00e9')],
    ['double-escaped JSON', JSON.stringify(JSON.stringify({ s: SECRET }))],
  ];
  it.each(forms)('%s', (_what, text) => {
    const out = redactor.redact(`before ${text} after`);
    expect(out).toContain('[redacted]');
    // Nothing of the secret's 8-character stretches survives in any encoding.
    for (const probe of ['Sk3y:w/i', 'U2szeTp3', 'abc12']) expect(out).not.toContain(probe);
    if (text.includes('abc12')) expect(out).not.toContain('abc12');
  });

  it('redacts a field before clipping it, so no start of a secret survives the cut', () => {
    const lines: string[] = [];
    const token = 'tok_0123456789abcdefghijklmnop';
    const log = createLogger({ scope: 't', secrets: [token], sink: (l) => lines.push(l) });
    log.info('long', { detail: `${'x'.repeat(495)}${token}${'y'.repeat(100)}` });
    expect(lines.join('\n')).not.toContain('tok_0');
  });
});

describe('log lines carry no raw control characters', () => {
  it.each([
    ['ESC (ANSI colours, cursor moves)', 'red\u001b[31mALERT\u001b[0m'],
    ['right-to-left override', 'invoice\u202Efdp.exe'],
    ['isolate and zero-width', 'a\u2066b\u200bc'],
    ['C1 control and line separator', 'a\u0085b\u2028c'],
    ['bare carriage return', 'ok\rFAKE LINE'],
  ])('%s is escaped', (_what, value) => {
    const lines: string[] = [];
    createLogger({ scope: 't', sink: (l) => lines.push(l) }).warn('input', { value, [`k${value}`]: 1 });
    const line = lines.join('\n');
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069]/);
    expect(line).toMatch(/\\u00[0-9a-f]{2}|\\u20[0-9a-f]{2}/);
  });
});

describe('thrown errors: the whole cause chain is redacted', () => {
  afterEach(() => clearModuleCaches());

  const probe = (secretValue: string) =>
    defineAction({
      name: 'probe',
      title: 'Probe',
      description: 'cause chain',
      enrollment: { objectType: 'contact', trigger: 'test' },
      secrets: { VENDOR_SECRET: { description: 'key', typicalLength: 32 } },
      inputs: { email: input.email('email') },
      outputs: {},
      run: async () => {
        const vendor = Object.assign(new Error(`limit reached for client_id=x&client_secret=${encodeURIComponent(secretValue)} ${secretValue}`), { config: { headers: { authorization: `Bearer ${secretValue}` } } });
        const middle = new Error(`wrapped: ${secretValue}`, { cause: vendor });
        throw new RetryableError('vendor rate limited', { errorCode: 'RATE_LIMITED', status: 429, cause: middle });
      },
    });

  it('util.inspect of the thrown error shows no secret at any depth', async () => {
    const value = 'vendor-secret-0123456789abcdef';
    const outcome = await runAction(probe(value), { inputFields: {} }, { env: { VENDOR_SECRET: value } });
    expect(outcome.thrown).toBeInstanceOf(RetryableError);
    const printed = inspect(outcome.thrown, { depth: 10 });
    expect(printed).toContain('wrapped: [redacted]');
    expect(printed).not.toContain(value);
    expect(printed).not.toContain(encodeURIComponent(value));
  });

  it('Salesforce REQUEST_LIMIT_EXCEEDED echoing the client secret: nothing of it in the thrown error', async () => {
    const world = leadSyncWorld();
    const secret = world.env.SALESFORCE_CLIENT_SECRET as string;
    world.net.wrapRoute(SALESFORCE_INSTANCE, () => () => ({
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: `TotalRequests Limit exceeded. (client ${world.env.SALESFORCE_CLIENT_ID}:${secret}, ${Buffer.from(`${world.env.SALESFORCE_CLIENT_ID}:${secret}`).toString('base64url')})` }],
    }));
    world.net.install();
    try {
      const outcome = await runAction(world.net && (await import('../../actions/salesforce-lead-sync/index')).action, syncEvent(), { env: world.env, deadline: { budgetMs: 20_000, reserveMs: 1_500 } });
      expect(outcome.thrown?.response?.status).toBe(429);
      const printed = `${inspect(outcome.thrown, { depth: 10 })}\n${outcome.logs.join('\n')}`;
      expect(printed).toContain('REQUEST_LIMIT_EXCEEDED');
      expect(printed).not.toContain(secret);
      expect(printed).not.toContain(Buffer.from(`${world.env.SALESFORCE_CLIENT_ID}:${secret}`).toString('base64url').slice(8, 40));
    } finally {
      world.net.uninstall();
    }
  });
});

describe('secrets that cannot be used are refused before any call, by name', () => {
  const action = defineAction({
    name: 'probe',
    title: 'Probe',
    description: 'secrets',
    enrollment: { objectType: 'contact', trigger: 'test' },
    secrets: { VENDOR_API_KEY: { description: 'key', typicalLength: 32 }, VENDOR_CLIENT_ID: { description: 'id', typicalLength: 8 } },
    inputs: {},
    outputs: {},
    run: async () => ({}),
  });

  it('a credential too short to redact safely is a configuration error', async () => {
    const outcome = await runAction(action, { inputFields: {} }, { env: { VENDOR_API_KEY: 'k9x2', VENDOR_CLIENT_ID: '42' } });
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'INVALID_SECRET' });
    expect(String(outcome.outputs?.error_message)).toContain('VENDOR_API_KEY');
    expect(String(outcome.outputs?.error_message)).not.toContain('VENDOR_CLIENT_ID');
    expect([...outcome.logs, JSON.stringify(outcome.outputs)].join('\n')).not.toContain('k9x2');
  });

  it('a zero-width space pasted with a secret is a permanent error naming the secret, not its value', async () => {
    const outcome = await runAction(action, { inputFields: {} }, { env: { VENDOR_API_KEY: 'vendor-key-01234\u200b56789', VENDOR_CLIENT_ID: '42' } });
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'INVALID_SECRET' });
    expect(String(outcome.outputs?.error_message)).toMatch(/VENDOR_API_KEY .*U\+200B/);
    expect([...outcome.logs, JSON.stringify(outcome.outputs)].join('\n')).not.toContain('vendor-key-01234');
  });
});
