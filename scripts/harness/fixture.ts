import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import nock from 'nock';
import { MIN_SECRET_LENGTH, Redactor } from '../../lib/logger';
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
  // Recorded bodies were scrubbed with the real secrets; what is sent now carries the placeholders, which the same
  // rules map onto themselves (replacementFor is idempotent), so both sides compare alike.
  const { scrubber } = scrubberFor(fixture.secrets);
  nock.disableNetConnect();
  const scopes = fixture.interactions.map((interaction) => {
    const url = new URL(interaction.request.url);
    const matchBody = interaction.request.body === undefined || interaction.request.match === false ? undefined : (body: unknown) => isDeepStrictEqual(scrubber.value(body), interaction.request.body);
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

/**
 * Keys whose values are credentials wherever they appear in a recorded body or query string, in any case style
 * (access_token, accessToken, Access-Token, sessionToken, clientSecret, x-api-key): compared with case and
 * separators removed.
 */
const CREDENTIAL_KEY = /(token|secret|password|passwd|apikey|signature|privatekey|credentials?)$|^(code|clientid|pwd|hapikey|authorization|cookie|sessionid)$/;
// Tokens that open nothing: paging cursors (pageToken, nextToken, continuationToken) and QuickBooks' SyncToken, the
// record version an update must send back.
const NOT_CREDENTIAL_KEY = /page|cursor|continuation|^next|sync/;
const KEPT_RESPONSE_HEADERS = new Set(['retry-after', 'content-type', 'x-hubspot-ratelimit-remaining']);
/**
 * A token-store value (lib/token-store.ts: format.iv.tag.body, base64url): it decrypts with the QUICKBOOKS_TOKEN_KEY in
 * .env to the live token pair, so it is as secret as the tokens themselves, wherever it appears.
 */
const STORE_CIPHERTEXT = /\bv\d+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{8,}/g;

export function isCredentialKey(key: string): boolean {
  const plain = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return (CREDENTIAL_KEY.test(plain) && !NOT_CREDENTIAL_KEY.test(plain)) || key === STORE_VALUE_PROPERTY;
}

/**
 * How a recording's text is made safe: secret values whose shape the replay needs (a URL, a host, a numeric id)
 * are replaced by a placeholder of the same shape wherever they appear as is, so the replayed action builds the
 * same requests; every other secret, and every encoding of any secret, becomes "[redacted]".
 */
class Scrubber {
  constructor(
    readonly redactor: Redactor,
    /** [text to find (case-insensitive), replacement], longest first. */
    private readonly substitutions: Array<[string, string]> = [],
  ) {}

  text(value: string): string {
    let out = value;
    for (const [real, placeholder] of this.substitutions) out = replaceAllIgnoringCase(out, real, placeholder);
    // Placeholders stay verbatim: the redactor only sees the text between them.
    const kept = [...new Set(this.substitutions.map(([, placeholder]) => placeholder))];
    return splitKeeping(out, kept).map((piece) => (kept.includes(piece) ? piece : this.redactor.redact(piece).replace(STORE_CIPHERTEXT, '[redacted]'))).join('');
  }

  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    // A numeric id can also be a JSON number ({"realmId": 9130354321987654} would not be, beyond 2^53, but 4711 is).
    if (typeof value === 'number') {
      const swap = this.substitutions.find(([real]) => real === String(value));
      return swap && Number.isSafeInteger(Number(swap[1])) ? Number(swap[1]) : value;
    }
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isCredentialKey(k) && typeof v === 'string' ? '[redacted]' : this.value(v)]));
    }
    return value;
  }
}

/**
 * Every occurrence of `find` in `text`, ignoring case, that is a whole token: where `find` starts or ends with a
 * letter or digit, the text around it must not continue with one (a numeric id inside a longer number, a host
 * inside a longer host name is not that id or host).
 */
function replaceAllIgnoringCase(text: string, find: string, replacement: string): string {
  if (find === '') return text;
  const lower = text.toLowerCase();
  const needle = find.toLowerCase();
  // toLowerCase keeps positions only when it keeps lengths (it does for ASCII, which URLs, hosts and ids are).
  if (lower.length !== text.length) return text.split(find).join(replacement);
  const word = /[a-z0-9]/i;
  const boundedStart = word.test(find[0] as string);
  const boundedEnd = word.test(find[find.length - 1] as string);
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) {
    if (at < from) continue;
    const before = text[at - 1];
    const after = text[at + find.length];
    if ((boundedStart && before !== undefined && word.test(before)) || (boundedEnd && after !== undefined && word.test(after))) continue;
    out += text.slice(from, at) + replacement;
    from = at + find.length;
  }
  return out + text.slice(from);
}

/** `text` cut into pieces, each of `keep` standing alone as a piece. */
function splitKeeping(text: string, keep: string[]): string[] {
  if (keep.length === 0) return [text];
  const pattern = new RegExp(`(${[...keep].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return text.split(pattern).filter((piece) => piece !== '');
}

/**
 * Every value a recording holds under a credential name (an access token a vendor issued at run time, say), so
 * that the same value is redacted where a vendor echoes it outside such a field (an error message, a "self" link).
 */
function credentialValues(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => credentialValues(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (isCredentialKey(k) && typeof v === 'string') out.push(v);
      else credentialValues(v, out);
    }
  }
  return out;
}

/**
 * Secrets that name a place rather than grant access, by their usual names (a shop domain, a My Domain URL, a realm
 * id). Not used to keep values any more — a `*_URL` secret can be a Slack webhook or a database URL with its
 * password — only by tests that tell identifiers from credentials.
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

const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const HOST_VALUE = /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
const NUMERIC_ID = /^\d{4,}$/;

/**
 * Host suffixes an action checks a secret against (lib/shopify.ts SHOP_DOMAIN; Salesforce My Domain hosts), kept in a
 * placeholder so the replayed action accepts it. Of any other host only the top-level domain is kept: the rest
 * names the customer (acme.example, db.internal.acme.example).
 */
const VENDOR_HOST_SUFFIXES = ['myshopify.com', 'my.salesforce.com'];

function placeholderHost(name: string, host: string): string {
  const lower = host.toLowerCase();
  const label = `fixture-${name.toLowerCase().replace(/_/g, '-')}`;
  // An IP address names a network, not a vendor: a reserved name stands in (RFC 2606 .invalid).
  if (/^\d+(\.\d+){3}$/.test(lower) || lower.includes(':') || lower.startsWith('[')) return `${label}.invalid`;
  const vendor = VENDOR_HOST_SUFFIXES.find((suffix) => lower.endsWith(`.${suffix}`));
  if (vendor) return `${label}.${vendor}`;
  const labels = lower.split('.');
  return labels.length > 1 ? `${label}.${labels[labels.length - 1]}` : label;
}

/** Digits derived from the name, as many as the real id has: a numeric id stays numeric and the same length. */
function placeholderDigits(name: string, length: number): string {
  let digits = '';
  for (let i = 0; digits.length < length; i++) digits += String(createHash('sha256').update(`${name}:${i}`).digest().readUInt32BE(0));
  return `9${digits.slice(0, length - 1)}`;
}

interface Replacement {
  placeholder: string;
  /** Texts replaced verbatim (case-insensitive) in the recording. Empty: the value is redacted instead. */
  substitutions: Array<[string, string]>;
  /** Parts of the value that are secret on their own (a URL's password, a webhook URL's path). */
  secretParts: string[];
  /**
   * Whether the redactor also looks for the value (its encodings: a URL inside a query string). Not for a host or a
   * numeric id, which no encoding changes: the whole-token substitution has them, and the redactor would cut them
   * out of longer numbers and names.
   */
  redact: boolean;
}

/**
 * The placeholder for one secret value, whatever its name: its shape decides. A URL keeps its scheme, its port and
 * its host's vendor suffix or top-level domain, and loses its user, password, path and query (a Slack webhook URL is all path;
 * `postgres://app:S3cretPw@…` has a password); a host and a numeric id keep their shape. Anything else is a
 * credential: a named placeholder, redacted in the recording.
 */
export function replacementFor(name: string, value: string): Replacement {
  const trimmed = value.trim();
  if (URL_VALUE.test(trimmed) && URL.canParse(trimmed)) {
    const url = new URL(trimmed);
    const host = url.hostname ? placeholderHost(name, url.hostname) : '';
    const hasPath = url.pathname !== '' && url.pathname !== '/';
    const placeholder = `${url.protocol}//${url.username || url.password ? 'fixture:fixture@' : ''}${host}${url.port ? `:${url.port}` : ''}${hasPath || url.search ? `/fixture-${name.toLowerCase().replace(/_/g, '-')}` : trimmed.endsWith('/') ? '/' : ''}`;
    const substitutions: Array<[string, string]> = [[trimmed, placeholder]];
    if (url.hostname && !hasPath && !url.search && !url.username && !url.password) {
      // A base URL the action builds on (https://acme.my.salesforce.com + /services/…): its origin and host wherever
      // they appear, also normalised by URL parsing (lower case, no default port).
      substitutions.push([url.origin, new URL(placeholder).origin], [url.host, new URL(placeholder).host]);
    }
    const secretParts = [decodeURIComponent(url.password), url.password, `${url.pathname}${url.search}`].filter((part) => part.length >= 8);
    return { placeholder, substitutions: substitutions.filter(([real]) => real.length >= MIN_SECRET_LENGTH), secretParts, redact: true };
  }
  if (HOST_VALUE.test(trimmed)) {
    const placeholder = placeholderHost(name, trimmed);
    return { placeholder, substitutions: [[trimmed, placeholder]], secretParts: [], redact: false };
  }
  if (NUMERIC_ID.test(trimmed)) {
    const placeholder = placeholderDigits(name, trimmed.length);
    return { placeholder, substitutions: [[trimmed, placeholder]], secretParts: [], redact: false };
  }
  return { placeholder: placeholderSecret(name), substitutions: [], secretParts: [], redact: true };
}

/**
 * How a fixture's bodies were scrubbed, for comparing what a replay sends: the same rules applied to the fixture's
 * placeholders, which they map onto themselves (used by interceptFixture and scripts/user-code/replay-match.ts).
 */
export function fixtureScrubber(secrets: Record<string, string>): { value(value: unknown): unknown } {
  return scrubberFor(secrets).scrubber;
}

/**
 * `value` with credential-keyed strings, everything `redactor` knows and token-store ciphertext replaced. Without a
 * fixture's substitutions: to compare with a recording, use fixtureScrubber.
 */
export function scrub(value: unknown, redactor: Redactor): unknown {
  return new Scrubber(redactor).value(value);
}

/** The scrubber for a set of secrets: their substitutions, and a redactor for everything else about them. */
function scrubberFor(secrets: Record<string, string>): { scrubber: Scrubber; replacements: Array<readonly [string, string, Replacement]> } {
  const replacements = Object.entries(secrets).map(([name, value]) => [name, value, replacementFor(name, value)] as const);
  const redactor = new Redactor(replacements.flatMap(([, value, r]) => [...(r.redact ? [value] : []), ...r.secretParts]));
  const substitutions = replacements.flatMap(([, , r]) => r.substitutions).sort((a, b) => b[0].length - a[0].length);
  return { scrubber: new Scrubber(redactor, substitutions), replacements };
}

/**
 * Turns a live recording into a fixture that is safe to commit: every secret value replaced wherever it appears,
 * whatever its name (see replacementFor), every token-shaped value (bearer tokens, OAuth tokens in bodies and query
 * strings, under any key spelling) redacted, request headers dropped, and the secrets section filled with the
 * placeholders instead of the real values.
 */
export function fixtureFromRecording(input: { description: string; event: Record<string, unknown>; secrets: Record<string, string>; recorded: RecordedCall[]; outcome: Fixture['expect'] }): Fixture {
  const { scrubber, replacements } = scrubberFor(input.secrets);
  const redactor = scrubber.redactor;
  // First pass: tokens issued at run time (found under credential names in any body or query string).
  for (const call of input.recorded) {
    const body = typeof call.body === 'string' && call.body !== '' ? tryJson(call.body) : call.body;
    const response = typeof call.response === 'string' ? tryJson(call.response) : call.response;
    for (const value of credentialValues([body, response])) redactor.add(value);
    const url = new URL(call.path, call.scope);
    for (const [key, value] of url.searchParams) if (isCredentialKey(key)) redactor.add(value);
  }
  const interactions: Interaction[] = input.recorded.map((call) => {
    const headers: Record<string, string> = {};
    const raw = call.rawHeaders ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = String(raw[i]).toLowerCase();
      if (KEPT_RESPONSE_HEADERS.has(name)) headers[name] = scrubber.text(String(raw[i + 1]));
    }
    const url = new URL(call.path, call.scope);
    for (const key of [...url.searchParams.keys()]) if (isCredentialKey(key)) url.searchParams.set(key, '[redacted]');
    const body = typeof call.body === 'string' && call.body !== '' ? tryJson(call.body) : call.body === '' ? undefined : call.body;
    return {
      request: { method: call.method.toUpperCase(), url: scrubber.text(url.toString()), ...(body !== undefined ? { body: scrubber.value(body) } : {}) },
      response: { status: call.status, ...(Object.keys(headers).length ? { headers } : {}), ...(call.response !== undefined && call.response !== '' ? { body: scrubber.value(call.response) } : {}) },
    };
  });
  return {
    description: scrubber.text(input.description),
    event: scrubber.value(input.event) as Record<string, unknown>,
    secrets: Object.fromEntries(replacements.map(([name, , r]) => [name, r.placeholder])),
    interactions,
    expect: scrubber.value(input.outcome) as Fixture['expect'],
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
