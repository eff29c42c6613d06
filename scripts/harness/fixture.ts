import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import nock from 'nock';
import { Redactor } from '../../lib/logger';
import { STORE_VALUE_PROPERTY } from '../../lib/token-store';

/**
 * Recorded fixtures: a workflow event, fake secret values, the HTTP interactions in order, and the expected
 * outcome. Shared by the harness (`npm run harness`) and the tests, stored next to the tests that use them:
 * test/actions/<action>/fixtures/<case>.json.
 */

export interface Interaction {
  /** `match: false` keeps the body for reading but does not require it on replay (bodies that carry the time). */
  request: { method: string; url: string; body?: unknown; match?: boolean };
  response: { status: number; headers?: Record<string, string>; body?: unknown };
}

export interface Fixture {
  description: string;
  event: Record<string, unknown>;
  secrets: Record<string, string>;
  interactions: Interaction[];
  expect: { outputFields: Record<string, unknown> } | { throws: { status: number } };
}

export interface CallLine {
  method: string;
  url: string;
  status: number | 'NO MATCH';
}

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export function fixtureDir(action: string): string {
  return path.join(ROOT, 'test', 'actions', action, 'fixtures');
}

export function listFixtures(action: string): string[] {
  const dir = fixtureDir(action);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

export function readFixture(action: string, name: string): Fixture {
  return JSON.parse(readFileSync(path.join(fixtureDir(action), `${name}.json`), 'utf8')) as Fixture;
}

/**
 * Intercepts exactly the fixture's interactions, in order, and records each call as it happens.
 * Anything the fixture did not record is refused (nock's net connect is disabled) and listed as NO MATCH.
 */
export function interceptFixture(fixture: Fixture): { calls: CallLine[]; pending(): string[]; done(): void } {
  const calls: CallLine[] = [];
  // Recorded bodies had credentials replaced; treat the placeholders sent now the same way before comparing.
  const redactor = new Redactor(Object.values(fixture.secrets));
  nock.disableNetConnect();
  const scopes = fixture.interactions.map((interaction) => {
    const url = new URL(interaction.request.url);
    const matchBody = interaction.request.body === undefined || interaction.request.match === false ? undefined : (body: unknown) => isDeepStrictEqual(scrub(body, redactor), interaction.request.body);
    return nock(url.origin)
      .intercept(`${url.pathname}${url.search}`, interaction.request.method, matchBody as never)
      .reply(async (request: Request) => {
        calls.push({ method: request.method, url: request.url, status: interaction.response.status });
        const body = interaction.response.body;
        return [interaction.response.status, typeof body === 'string' || body === undefined ? (body ?? '') : JSON.stringify(body), { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...(interaction.response.headers ?? {}) }];
      });
  });
  const onNoMatch = (req: { method?: string; href?: string; url?: string; path?: string; host?: string }) => {
    calls.push({ method: req.method ?? '?', url: req.href ?? req.url ?? `${req.host ?? ''}${req.path ?? ''}`, status: 'NO MATCH' });
  };
  nock.emitter.on('no match', onNoMatch);
  return {
    calls,
    pending: () => scopes.flatMap((s) => s.pendingMocks()),
    done: () => {
      nock.emitter.removeListener('no match', onNoMatch);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/** A short description of how the actual outcome differs from the fixture's expectation; empty when it matches. */
export function compareOutcome(fixture: Fixture, actual: { outputFields?: Record<string, unknown>; thrownStatus?: number }): string[] {
  const problems: string[] = [];
  if ('throws' in fixture.expect) {
    if (actual.thrownStatus !== fixture.expect.throws.status) problems.push(`expected a thrown error with status ${fixture.expect.throws.status}, got ${actual.thrownStatus ?? JSON.stringify(actual.outputFields)}`);
    return problems;
  }
  const expected = fixture.expect.outputFields;
  const got = actual.outputFields ?? {};
  for (const key of new Set([...Object.keys(expected), ...Object.keys(got)])) {
    if (!isDeepStrictEqual(expected[key], got[key])) problems.push(`output ${key}: expected ${JSON.stringify(expected[key])}, got ${JSON.stringify(got[key])}`);
  }
  if (actual.thrownStatus !== undefined) problems.push(`threw with status ${actual.thrownStatus}`);
  return problems;
}

/** What nock's recorder hands back with `output_objects: true`. */
export interface RecordedCall {
  scope: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  response?: unknown;
  rawHeaders?: string[];
}

/** Field names whose values are credentials wherever they appear in a recorded body. */
const CREDENTIAL_FIELDS = /^(access_token|refresh_token|id_token|client_secret|client_id|password|api_key|apikey|hapikey|token|signature|code)$/i;
const KEPT_RESPONSE_HEADERS = new Set(['retry-after', 'content-type', 'x-hubspot-ratelimit-remaining']);
/**
 * A token-store value (lib/token-store.ts: format.iv.tag.body, base64url): it decrypts with the QUICKBOOKS_TOKEN_KEY in
 * .env to the live token pair, so it is as secret as the tokens themselves, wherever it appears.
 */
const STORE_CIPHERTEXT = /\bv\d+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{8,}/g;
const isCredentialField = (key: string) => CREDENTIAL_FIELDS.test(key) || key === STORE_VALUE_PROPERTY;

export function scrub(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value).replace(STORE_CIPHERTEXT, '[redacted]');
  if (Array.isArray(value)) return value.map((v) => scrub(v, redactor));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isCredentialField(k) && typeof v === 'string' ? '[redacted]' : scrub(v, redactor)]));
  }
  return value;
}

/**
 * Every value a recording holds under a credential name (an access token a vendor issued at run time, say), so
 * that the same value is redacted where a vendor echoes it outside such a field (an error message, a "self" link).
 */
function credentialValues(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => credentialValues(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (isCredentialField(k) && typeof v === 'string') out.push(v);
      else credentialValues(v, out);
    }
  }
  return out;
}

/**
 * Turns a live recording into a fixture that is safe to commit: secret values and every token-shaped value
 * (bearer tokens, OAuth tokens in bodies, credentials in query strings) replaced, request headers dropped,
 * and the secrets section filled with placeholders instead of the real values.
 */
/**
 * Secrets that name a place rather than grant access (a shop domain, a My Domain URL, a realm id) stay as they
 * are: the replayed action needs them to build the same URLs, and they open nothing on their own.
 */
export function isIdentifierSecret(name: string): boolean {
  return /(_SHOP|_URL|_REALM_ID|_ENVIRONMENT|_DOMAIN)$/.test(name);
}

/**
 * A stand-in value for a credential: named after it, and long enough for actions that check key strength. Encryption
 * keys (…_TOKEN_KEY) must be random bytes in base64 (lib/token-store.ts weakKeyReason): theirs is the base64 of a
 * hash of the name, fixed so fixtures stay stable.
 */
export function placeholderSecret(name: string): string {
  if (/_TOKEN_KEY$/.test(name)) return createHash('sha256').update(`fixture-${name}`).digest('base64');
  return `fixture-${name.toLowerCase().replace(/_/g, '-')}-`.padEnd(48, '0');
}

export function fixtureFromRecording(input: { description: string; event: Record<string, unknown>; secrets: Record<string, string>; recorded: RecordedCall[]; outcome: Fixture['expect'] }): Fixture {
  const redactor = new Redactor(Object.entries(input.secrets).filter(([k]) => !isIdentifierSecret(k)).map(([, v]) => v));
  // First pass: tokens issued at run time (found under credential names in any body or query string).
  for (const call of input.recorded) {
    const body = typeof call.body === 'string' && call.body !== '' ? tryJson(call.body) : call.body;
    const response = typeof call.response === 'string' ? tryJson(call.response) : call.response;
    for (const value of credentialValues([body, response])) redactor.add(value);
    const url = new URL(call.path, call.scope);
    for (const [key, value] of url.searchParams) if (CREDENTIAL_FIELDS.test(key)) redactor.add(value);
  }
  const interactions: Interaction[] = input.recorded.map((call) => {
    const headers: Record<string, string> = {};
    const raw = call.rawHeaders ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = String(raw[i]).toLowerCase();
      if (KEPT_RESPONSE_HEADERS.has(name)) headers[name] = String(raw[i + 1]);
    }
    const url = new URL(call.path, call.scope);
    for (const key of [...url.searchParams.keys()]) if (CREDENTIAL_FIELDS.test(key)) url.searchParams.set(key, '[redacted]');
    const body = typeof call.body === 'string' && call.body !== '' ? tryJson(call.body) : call.body === '' ? undefined : call.body;
    return {
      request: { method: call.method.toUpperCase(), url: redactor.redact(url.toString()), ...(body !== undefined ? { body: scrub(body, redactor) } : {}) },
      response: { status: call.status, ...(Object.keys(headers).length ? { headers } : {}), ...(call.response !== undefined && call.response !== '' ? { body: scrub(call.response, redactor) } : {}) },
    };
  });
  return {
    description: input.description,
    event: scrub(input.event, redactor) as Record<string, unknown>,
    secrets: Object.fromEntries(Object.entries(input.secrets).map(([k, v]) => [k, isIdentifierSecret(k) ? v : placeholderSecret(k)])),
    interactions,
    expect: scrub(input.outcome, redactor) as Fixture['expect'],
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // OAuth token calls send form bodies; keep them as objects so credentials can be found by name.
    return /^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(text) ? Object.fromEntries(new URLSearchParams(text)) : text;
  }
}
