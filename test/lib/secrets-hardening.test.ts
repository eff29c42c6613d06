import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
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

/**
 * Issue 22 §2: every encoding a vendor, a serializer or a proxy can echo a secret in — whole, and mixed (some
 * characters escaped, others not) — over random secrets. Each encoder is what a real component writes:
 * System.Text.Json escapes `+ < > & ' "` and all non-ASCII as `\u00XX` with upper-case hex by default; PHP's
 * json_encode writes `/` as `\/`; a proxy that URL-encodes an already encoded query gives `%252F`.
 */
describe('Redactor: encodings × random secrets (property)', () => {
  const hex4 = (unit: number) => unit.toString(16).padStart(4, '0');
  const bytesOf = (s: string) => [...Buffer.from(s)];
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  const uEscapeAll = (s: string, upper = false) => Array.from({ length: s.length }, (_, i) => `\\u${upper ? hex4(s.charCodeAt(i)).toUpperCase() : hex4(s.charCodeAt(i))}`).join('');
  const ENCODERS: Record<string, (s: string) => string> = {
    'as is': (s) => s,
    'upper-cased echo': (s) => s.toUpperCase(),
    'lower-cased echo': (s) => s.toLowerCase(),
    'URL-encoded': encodeURIComponent,
    'URL-encoded, lower-case escapes': (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'form-encoded': (s) => new URLSearchParams({ v: s }).toString().slice(2),
    'URL-encoded twice (%252F)': (s) => encodeURIComponent(encodeURIComponent(s)),
    'URL-encoded three times': (s) => encodeURIComponent(encodeURIComponent(encodeURIComponent(s))),
    'form-encoded twice': (s) => new URLSearchParams({ v: new URLSearchParams({ v: s }).toString().slice(2) }).toString().slice(2),
    'escape() %uXXXX': (s) => s.replace(/[^A-Za-z0-9@*_+\-./]/g, (c) => (c.charCodeAt(0) < 256 ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : `%u${hex4(c.charCodeAt(0)).toUpperCase()}`)),
    JSON: json,
    'JSON inside JSON': (s) => json(json(s)),
    'ASCII-only JSON (\\u00e9)': (s) => json(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0))}`),
    'System.Text.Json default (\\u002B)': (s) => json(s).replace(/\\"/g, '"').replace(/[+<>&'"`\u007f-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0)).toUpperCase()}`),
    "PHP json_encode (\\/)": (s) => json(s).replace(/\//g, '\\/').replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0))}`),
    'every character \\u-escaped': (s) => uEscapeAll(s),
    'every character \\u-escaped, upper-case hex, inside JSON': (s) => json(uEscapeAll(s, true)),
    'JSON, then URL-encoded (a JSON state in a query)': (s) => encodeURIComponent(json(s)),
    'hex, lower case': (s) => Buffer.from(s).toString('hex'),
    'hex, upper case': (s) => Buffer.from(s).toString('hex').toUpperCase(),
    'Python bytes repr (\\xNN)': (s) => bytesOf(s).map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
    'HTML decimal references': (s) => Array.from(s, (c) => `&#${c.codePointAt(0)};`).join(''),
    'HTML hex references': (s) => Array.from(s, (c) => `&#x${(c.codePointAt(0) as number).toString(16).toUpperCase()};`).join(''),
    'XML-escaped (&amp; &quot;)': (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    base64: (s) => Buffer.from(s).toString('base64'),
    base64url: (s) => Buffer.from(s).toString('base64url'),
  };
  /** Per-character ways, chosen at random for each character: the "partly escaped" echoes. */
  const CHARACTER_WAYS: Array<(c: string) => string> = [
    (c) => c,
    (c) => c.toUpperCase(),
    (c) => encodeURIComponent(c),
    (c) => encodeURIComponent(encodeURIComponent(c)),
    (c) => uEscapeAll(c),
    (c) => uEscapeAll(c, true),
    (c) => `\\${c}`,
    (c) => `&#${c.codePointAt(0)};`,
    (c) => bytesOf(c).map((b) => `\\x${b.toString(16)}`).join(''),
  ];
  // Printable ASCII, plus characters whose upper case is one character (é → É) and one outside the BMP.
  const alphabet = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é', 'ü', '€', '😀'];
  const secret = fc
    .array(fc.constantFrom(...alphabet), { minLength: 12, maxLength: 40 })
    .map((chars) => chars.join(''))
    .filter((s) => s === s.trim());
  const params = { numRuns: 150, seed: 22 };

  it.each(Object.entries(ENCODERS))('%s: the whole echo is replaced, the text around it kept', (_name, encode) => {
    fc.assert(
      fc.property(secret, (value) => {
        const encoded = encode(value);
        const out = new Redactor([value]).redact(`before ${encoded} after`);
        expect(out).toBe('before [redacted] after');
      }),
      params,
    );
  });

  it('mixed: each character written its own way', () => {
    fc.assert(
      fc.property(secret.chain((value) => fc.tuple(fc.constant(value), fc.array(fc.nat(CHARACTER_WAYS.length - 1), { minLength: [...value].length, maxLength: [...value].length }))), ([value, ways]) => {
        const encoded = Array.from(value, (c, i) => (CHARACTER_WAYS[ways[i] as number] as (c: string) => string)(c)).join('');
        expect(new Redactor([value]).redact(`before ${encoded} after`)).toBe('before [redacted] after');
      }),
      params,
    );
  });

  it('base64 of id:secret (Basic auth, also client_secret_basic with form-encoded parts): nothing that encodes the secret survives', () => {
    fc.assert(
      fc.property(secret, fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.boolean(), (value, id, formEncoded) => {
        const part = formEncoded ? new URLSearchParams({ v: value }).toString().slice(2) : value;
        const encoded = Buffer.from(`${id}:${part}`).toString('base64');
        const out = new Redactor([value]).redact(`Authorization: Basic-ish ${encoded} end`);
        expect(out).toContain('[redacted]');
        // What is left of the encoded text: the id's characters and at most 3 that mix in its last byte or the end.
        const left = out.replace('Authorization: Basic-ish ', '').replace(' end', '').replace('[redacted]', '');
        expect(left.length).toBeLessThanOrEqual(Math.ceil(((id.length + 1) * 4) / 3) + 4);
      }),
      params,
    );
  });

  it('a run of backslashes in a secret: redacted however it is escaped, and a near miss is left alone', () => {
    const value = `key${'\\'.repeat(30)}end-0123`;
    const redactor = new Redactor([value]);
    expect(redactor.redact(`a ${JSON.stringify(value)} b`)).toBe('a "[redacted]" b');
    expect(redactor.redact(`a ${encodeURIComponent(JSON.stringify(value))} b`)).toBe('a %22[redacted]%22 b');
  });

  it('a near miss of a secret with a run of backslashes fails without exponential backtracking', () => {
    // Per-backslash groups could split a long run in exponentially many ways before failing, and a regex blocks the
    // event loop, so no test timeout could stop it: the check runs in a child process. Its 60 s limit only stops a
    // hung redactor (this takes milliseconds); nothing here measures speed.
    const logger = path.resolve(import.meta.dirname, '../../lib/logger.ts');
    const script = `import { Redactor } from ${JSON.stringify(logger)}; const near = 'key' + '\\\\'.repeat(123) + 'end-0124'; process.stdout.write(String(new Redactor(['key' + '\\\\'.repeat(30) + 'end-0123']).redact(near) === near));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, 'the redactor did not finish: catastrophic backtracking').toBeNull();
    expect(child.stdout).toBe('true');
  }, 90_000);

  it('unrelated text is left alone: a line without the secret comes back unchanged', () => {
    fc.assert(
      fc.property(secret, fc.string({ maxLength: 200 }), (value, text) => {
        fc.pre(!text.toLowerCase().includes(value.toLowerCase()) && !/bearer|basic|token|secret|key|pat-|shp/i.test(text));
        expect(new Redactor([value]).redact(text)).toBe(text);
      }),
      params,
    );
  });
});
