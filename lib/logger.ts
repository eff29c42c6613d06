/**
 * One readable line per event, secrets removed at the logger so no caller has to remember.
 * HubSpot shows console output of an action to every admin of the portal, so nothing secret may reach it.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string, level: LogLevel) => void;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** Registers a value learned at run time (an OAuth access token, say) so it is redacted from now on. */
  addSecret(value: string | undefined): void;
  /** Redacts secrets and bearer tokens from any text (thrown messages, outputs). */
  redact(text: string): string;
}

const REDACTED = '[redacted]';
/**
 * Values shorter than this are not treated as secrets: redacting "1" or "us" would shred every line. Credentials
 * shorter than MIN_CREDENTIAL_LENGTH are refused before a run starts (lib/action.ts), so this only spares ids.
 */
export const MIN_SECRET_LENGTH = 4;
/** Encoded fragments shorter than this are not redacted on their own (too likely to occur by chance). */
const MIN_FRAGMENT_LENGTH = 6;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** Token-shaped words from our vendors, redacted even when nobody registered them. */
const TOKEN_SHAPES = [
  /\bpat-[a-z0-9]{2,4}-[0-9a-f-]{20,}\b/gi, // HubSpot private-app token
  /\bshp(at|ca|pa|ss)_[0-9a-f]{16,}\b/gi, // Shopify access tokens
  /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g, // Salesforce session id
  // Any case style: access_token, accessToken, Access-Token, client_secret, clientSecret, api_key, apiKey.
  /\b(access[_-]?token|refresh[_-]?token|session[_-]?token|id[_-]?token|client[_-]?secret|api[_-]?key)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];
const MAX_FIELD_LENGTH = 500;

/** Regex-escapes a literal. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const hex2 = (byte: number) => byte.toString(16).padStart(2, '0');
const hex4 = (unit: number) => unit.toString(16).padStart(4, '0');
/** A backslash, also when the escaped text was URL-encoded afterwards (JSON in a query string: `\"` → `%5C%22`). */
const BACKSLASH = '(?:\\\\|%(?:25){0,3}5c)';
/** Named character references an HTML or XML echo (a SOAP fault, an error page) writes for these characters. */
const NAMED_ENTITIES: Record<string, string> = { '&': 'amp', '"': 'quot', "'": 'apos', '<': 'lt', '>': 'gt' };

/**
 * Every way one character of a secret can be written by a serializer, a proxy or a vendor echoing a request, as a
 * regex alternation (the whole pattern is case-insensitive: `%2f`/`%2F`, `\u002b`/`\u002B` and upper-cased echoes):
 * - as is, after up to three backslashes (`\/` from PHP's json_encode, `\"` and `\\"` from JSON inside JSON);
 * - `\uXXXX`, also escaped again (`\\u00e9`): JSON, and System.Text.Json's default that writes `+` as `\u002B`;
 * - `%XX` per UTF-8 byte, also encoded again (`%252F`, `%25252F`), old `escape()`'s `%uXXXX` and Latin-1 `%E9`,
 *   and `+` for a space;
 * - `\xXX` per UTF-8 byte (Python and C-style repr);
 * - a backslash itself URL-encoded (`%5C`), as JSON put into a query string has it;
 * - HTML/XML character references (`&#47;`, `&#x2F;`, `&amp;`).
 * Each character is matched on its own, so a text that escapes some characters and not others is matched too.
 */
function characterPattern(char: string): string {
  const codePoint = char.codePointAt(0) as number;
  const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i));
  const bytes = [...Buffer.from(char)];
  // Escaped forms before the character as is: with it first, `%` of `%25` or `u` of `\u0055` would end a match
  // early and leave the rest of the escape behind.
  const ways = [
    units.map((unit) => `${BACKSLASH}{1,3}u${hex4(unit)}`).join(''),
    // After an escaping backslash too: JSON first, then URL-encoded (`\"` → `%5C%22`).
    `${BACKSLASH}{0,3}${bytes.map((byte) => `%(?:25){0,3}${hex2(byte)}`).join('')}`,
    bytes.map((byte) => `${BACKSLASH}{1,3}x${hex2(byte)}`).join(''),
    units.map((unit) => `%u${hex4(unit)}`).join(''),
    `&#0{0,4}${codePoint};`,
    `&#x0{0,4}${codePoint.toString(16)};`,
  ];
  // Latin-1 escapes (old `escape()` writes é as %E9, a C repr as \xe9).
  if (codePoint >= 0x80 && codePoint <= 0xff) ways.push(`%(?:25){0,3}${hex2(codePoint)}`, `${BACKSLASH}{1,3}x${hex2(codePoint)}`);
  if (char === ' ') ways.push('\\+', '%(?:25){0,3}2b');
  const named = NAMED_ENTITIES[char];
  if (named) ways.push(`&(?:amp;){0,2}${named};`);
  ways.push(`${BACKSLASH}{0,3}${escapeRegExp(char)}`);
  return `(?:${ways.join('|')})`;
}

/** One backslash of a secret, each way it can be written; repeated per backslash (doubled by escaping) by the caller. */
function backslashWays(): string[] {
  return [`${BACKSLASH}{1,3}u005c`, `${BACKSLASH}{1,3}x5c`, '%u005c', '&#0{0,4}92;', '&#x0{0,4}5c;', BACKSLASH];
}

/**
 * The characters of base64(prefix + value + suffix) that depend on `value` alone, for each of the three offsets
 * `value` can start at (Basic auth is base64 of "id:secret": the secret sits at offset id.length + 1, and its
 * encoding differs with that offset modulo 3).
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value);
  return [0, 1, 2].flatMap((offset) => {
    const total = offset + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Characters before `skip` mix in the prefix; from 4·⌊total/3⌋ on, they mix in whatever follows.
    const skip = [0, 2, 3][offset] as number;
    const core = encoded.slice(skip, 4 * Math.floor(total / 3));
    return [core, core.replace(/\+/g, '-').replace(/\//g, '_')];
  });
}

/**
 * Encodings of the whole secret that no per-character rule can see: hex of its UTF-8 bytes (any case), base64 and
 * base64url, whole and at any offset inside a longer encoded text — of the secret and of its form-encoding, which is
 * what OAuth's client_secret_basic puts into `Basic base64(id:secret)` (RFC 6749 §2.3.1).
 */
function wholeSecretForms(value: string): string[] {
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const forms = [Buffer.from(value).toString('hex')];
  for (const plain of new Set([value, form])) forms.push(Buffer.from(plain).toString('base64'), Buffer.from(plain).toString('base64url'), ...base64Cores(plain));
  return [...new Set(forms)].filter((f) => f.length >= MIN_FRAGMENT_LENGTH && f !== value);
}

/**
 * A pattern that matches `value` however each of its characters is written (see characterPattern). A run of
 * backslashes is one repetition, not one group per backslash: a backslash may itself be doubled by escaping, and
 * per-backslash groups could split a long run of them in exponentially many ways before failing.
 */
function secretPattern(value: string): string {
  return (value.match(/\\+|[^\\]/gu) ?? [])
    .map((piece) => (piece.startsWith('\\') ? `(?:${backslashWays().join('|')}){${piece.length},${4 * piece.length}}` : characterPattern(piece)))
    .join('');
}

/**
 * A look-ahead that a match of `value` must pass: an escape of its first character starts there (`\\`, `\u`, `\x`,
 * `%XX`, `%u`, `&#`, `&amp;`), or its first character as is followed by its second character in some form. Most
 * positions of a line fail it on the spot: a 64 KB log line takes 2–4 ms, also one made of nothing but `%\&`
 * (measured on the development machine); the per-encoding split/join before took 0.2 ms but missed most encodings.
 */
function startOf(value: string): string {
  const [first, second] = Array.from(value) as [string, string];
  const secondStarts = classOf([second, '\\', '%', '&', ...(second === ' ' ? ['+'] : [])]);
  const escapes = [`\\\\[\\\\%ux${classOf([first])}]`, '%[0-9a-fu]', '&[#a-z]', ...(first === ' ' ? ['\\+'] : [])];
  return `(?=${escapes.join('|')}|${escapeRegExp(first)}[${secondStarts}])`;
}

/** A regex character class body listing `chars`. */
const classOf = (chars: string[]) => [...new Set(chars)].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');

/**
 * Redacts registered secrets in every encoding above, and bearer/vendor tokens nobody registered. Two compiled
 * patterns for all secrets, rebuilt only when a secret is added: a log line is scanned twice, not once per encoding.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private matchers: RegExp[] | undefined;

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || this.secrets.has(trimmed)) return;
    this.secrets.add(trimmed);
    this.matchers = undefined;
  }

  redact(text: string): string {
    this.matchers ??= this.compile();
    let out = text;
    for (const matcher of this.matchers) out = out.replace(matcher, REDACTED);
    out = out.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    for (const shape of TOKEN_SHAPES) {
      out = out.replace(shape, (match, ...groups) =>
        typeof groups[0] === 'string' && typeof groups[1] === 'string' && /token|secret|key/i.test(groups[0])
          ? `${groups[0]}${groups[1]}${REDACTED}`
          : REDACTED,
      );
    }
    return out;
  }

  private compile(): RegExp[] {
    // Longest first, so a secret that contains another is removed whole.
    const values = [...this.secrets].sort((a, b) => b.length - a.length);
    if (values.length === 0) return [];
    const whole = values.flatMap(wholeSecretForms);
    // Two passes, each behind a look-ahead for the characters its matches can start with, so that most positions of a
    // line are skipped after one or two character tests (see startOf).
    const firsts = classOf(['\\', '%', '&', '+', ...values.map((v) => Array.from(v)[0] as string)]);
    const escaped = new RegExp(`(?=[${firsts}])(?:${values.map((v) => `${startOf(v)}${secretPattern(v)}`).join('|')})`, 'gi');
    if (whole.length === 0) return [escaped];
    return [escaped, new RegExp(`(?=[${classOf(whole.map((f) => f[0] as string))}])(?:${whole.map(escapeRegExp).join('|')})`, 'gi')];
  }
}

/**
 * Characters that change how a terminal or a log viewer shows a line: C0/C1 controls (ESC starts ANSI sequences),
 * DEL, zero-width characters, line/paragraph separators and bidi overrides (U+202E turns "gpj.exe" around).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const HAS_CONTROL = new RegExp(CONTROL.source);
const escapeControls = (text: string) => text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function formatValue(value: unknown, redact: (text: string) => string): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  const raw = value instanceof Error ? `${value.name}: ${value.message}` : typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  // Redact before clipping: a secret cut in half at the limit would no longer match.
  const text = redact(raw);
  const clipped = text.length > MAX_FIELD_LENGTH ? `${text.slice(0, MAX_FIELD_LENGTH)}…(+${text.length - MAX_FIELD_LENGTH})` : text;
  const quoted = value instanceof Error || /[\s"=]/.test(clipped) || HAS_CONTROL.test(clipped) || clipped === '' ? JSON.stringify(clipped) : clipped;
  return escapeControls(quoted);
}

export function formatLine(level: LogLevel, scope: string, event: string, fields: LogFields = {}, redact: (text: string) => string = (t) => t): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${escapeControls(k)}=${formatValue(v, redact)}`);
  return [`[${escapeControls(scope)}]`, level.toUpperCase(), escapeControls(event), ...parts].join(' ');
}

const consoleSink: LogSink = (line, level) => {
  // HubSpot captures stdout and stderr alike; keep errors on stderr for local runs.
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

export interface LoggerOptions {
  scope: string;
  secrets?: Iterable<string | undefined>;
  sink?: LogSink;
  /** Lines below this level are dropped. Default info; LOG_LEVEL=debug shows more locally. */
  level?: LogLevel;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions): Logger {
  const redactor = new Redactor(options.secrets ?? []);
  const sink = options.sink ?? consoleSink;
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const emit = (level: LogLevel) => (event: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < threshold) return;
    sink(escapeControls(redactor.redact(formatLine(level, options.scope, event, fields, (text) => redactor.redact(text)))), level);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    addSecret: (value) => redactor.add(value),
    redact: (text) => redactor.redact(text),
  };
}
