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
/** Values shorter than this are not treated as secrets: redacting "1" or "us" would shred every line. */
const MIN_SECRET_LENGTH = 6;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** Token-shaped words from our vendors, redacted even when nobody registered them. */
const TOKEN_SHAPES = [
  /\bpat-[a-z0-9]{2,4}-[0-9a-f-]{20,}\b/gi, // HubSpot private-app token
  /\bshp(at|ca|pa|ss)_[0-9a-f]{16,}\b/gi, // Shopify access tokens
  /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g, // Salesforce session id
  /\b(access_token|refresh_token|client_secret|api_key)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];
const MAX_FIELD_LENGTH = 500;

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) this.secrets.add(trimmed);
    // A secret also leaks in its encoded forms (query strings, Basic auth).
    if (trimmed.length >= MIN_SECRET_LENGTH) {
      this.secrets.add(encodeURIComponent(trimmed));
      this.secrets.add(Buffer.from(trimmed).toString('base64'));
      // Log field values with quotes or spaces are JSON-quoted, so a secret containing " or \ appears escaped.
      this.secrets.add(JSON.stringify(trimmed).slice(1, -1));
    }
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

function formatValue(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const clipped = text.length > MAX_FIELD_LENGTH ? `${text.slice(0, MAX_FIELD_LENGTH)}…(+${text.length - MAX_FIELD_LENGTH})` : text;
  return /[\s"=]/.test(clipped) || clipped === '' ? JSON.stringify(clipped) : clipped;
}

export function formatLine(level: LogLevel, scope: string, event: string, fields: LogFields = {}): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return [`[${scope}]`, level.toUpperCase(), event, ...parts].join(' ');
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
    sink(redactor.redact(formatLine(level, options.scope, event, fields)), level);
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
