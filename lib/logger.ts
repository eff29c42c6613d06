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
  /\b(access_token|refresh_token|client_secret|api_key)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];
const MAX_FIELD_LENGTH = 500;

/** Percent-escapes in lower case (%2f): some clients and vendors echo them so. */
const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
/** JSON with every non-ASCII character as \uXXXX (é → \u00e9), as some serializers write it. */
const jsonAsciiEscaped = (text: string) => JSON.stringify(text).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

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
 * Every way we have seen a secret written into text: as is; URL- and form-encoded (%27, +), also with lower-case
 * escapes; base64 and base64url, whole and at any offset inside a longer encoded string; JSON-escaped, with \u
 * escapes, and escaped twice (JSON inside a JSON string).
 */
export function secretForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const jsonAscii = jsonAsciiEscaped(value);
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const forms = [
    value,
    uri,
    lowerHex(uri),
    form,
    lowerHex(form),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
    ...base64Cores(value),
    json,
    jsonAscii,
    JSON.stringify(json).slice(1, -1),
    JSON.stringify(jsonAscii).slice(1, -1),
  ];
  return [...new Set(forms.filter((f) => f.length > 0))];
}

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    for (const form of secretForms(trimmed)) if (form.length >= MIN_SECRET_LENGTH && (form === trimmed || form.length >= MIN_FRAGMENT_LENGTH)) this.secrets.add(form);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
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
