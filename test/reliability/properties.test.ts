import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDomain } from '../../actions/signup-onboarding/map';
import { CLASSIFICATION_RULES, classifyFailure, errorFromFailure, type HttpFailure } from '../../lib/classify';
import { RetryableError } from '../../lib/errors';
import { parseDateTime, parseDecimal, parseEmail } from '../../lib/inputs';
import { Redactor, createLogger } from '../../lib/logger';
import { ERROR_CODE, isRetryStatus } from './scenarios';

/**
 * Property-based tests (issue 9, part 2) for the pure pieces every action relies on: input parsers, the log
 * redactor, failure classification, and the signup-onboarding domain mapper. Seeded, so a run is reproducible;
 * a failure prints the seed and the shrunk counterexample.
 */
const params = { seed: 9_2024, numRuns: 300 };
/** Any text a form can send: full unicode, including surrogates and control characters. */
const anyText = fc.string({ unit: 'binary', maxLength: 80 });

describe('parseDecimal', () => {
  const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max });
  const decimalText = fc
    .record({ sign: fc.constantFrom('', '+', '-'), int: digits(12), frac: fc.option(digits(8)), pad: fc.constantFrom('', ' ', '\t ') })
    .filter(({ int, frac }) => int.length > 0 || (frac ?? '').length > 0)
    .map(({ sign, int, frac, pad }) => `${pad}${sign}${int}${frac === null ? '' : `.${frac}`}${pad}`);

  it('never throws, and answers a canonical decimal or nothing', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, decimalText), (text) => {
        const value = parseDecimal(text);
        return value === undefined || /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/.test(value);
      }),
      params,
    );
  });

  it('is idempotent: parsing a parsed value gives it back', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, decimalText), (text) => {
        const value = parseDecimal(text);
        return value === undefined || parseDecimal(value) === value;
      }),
      params,
    );
  });

  it('keeps the number: every plain decimal parses to the same value, -0 to 0', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const value = parseDecimal(text);
        expect(value).toBeDefined();
        // Number() is exact enough to compare short decimals; Object.is would tell -0 from 0, which we want equal.
        expect(Number(value)).toBe(Number(text.trim()) === 0 ? 0 : Number(text.trim()));
      }),
      params,
    );
  });

  it.each(['1,234.50', '1.234,50', '1e3', 'NaN', 'Infinity', '0x1F', '$1', '', '  ', '.', '-', '1.2.3'])('refuses %j rather than guess', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });
});

describe('parseEmail', () => {
  it('never throws; an accepted address is trimmed, lower-case, has one @ and parses to itself', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.emailAddress().map((e) => ` ${e.toUpperCase()} `)), (text) => {
        const email = parseEmail(text);
        if (email === undefined) return true;
        return email === email.trim() && email === email.toLowerCase() && email.split('@').length === 2 && email.length <= 254 && parseEmail(email) === email;
      }),
      params,
    );
  });

  it('accepts ordinary addresses whatever their case or surrounding blanks', () => {
    const ordinary = fc
      .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}$/), fc.array(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
      .map(([local, labels, tld]) => `${local}@${[...labels, tld].join('.')}`);
    fc.assert(
      fc.property(ordinary, fc.constantFrom('', ' ', '\t'), (email, pad) => {
        expect(parseEmail(`${pad}${email.toUpperCase()}${pad}`)).toBe(email);
      }),
      params,
    );
  });
});

describe('parseDateTime', () => {
  const instant = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true });

  it('never throws, and answers a finite epoch or nothing', () => {
    fc.assert(fc.property(anyText, (text) => {
      const ms = parseDateTime(text);
      return ms === undefined || Number.isFinite(ms);
    }), params);
  });

  it('reads epoch milliseconds and ISO 8601 instants exactly', () => {
    fc.assert(
      fc.property(instant, (date) => {
        expect(parseDateTime(String(date.getTime()))).toBe(date.getTime());
        expect(parseDateTime(date.toISOString())).toBe(date.getTime());
        expect(parseDateTime(date.toISOString().slice(0, 10))).toBe(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
      }),
      params,
    );
  });

  it('refuses calendar dates that do not exist instead of rolling them over', () => {
    // V8's Date.parse reads "2024-02-30" as 1 March; a workflow date must never silently move.
    const impossible = fc
      .record({ year: fc.integer({ min: 1970, max: 2999 }), month: fc.integer({ min: 1, max: 12 }), extra: fc.integer({ min: 1, max: 3 }) })
      .map(({ year, month, extra }) => {
        const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const day = daysInMonth + extra;
        return day > 31 ? undefined : `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      })
      .filter((text): text is string => text !== undefined);
    fc.assert(
      fc.property(impossible, fc.constantFrom('', 'T10:00:00Z', 'T00:00:00.000+02:00'), (day, time) => {
        expect(parseDateTime(`${day}${time}`)).toBeUndefined();
      }),
      params,
    );
  });
});

describe('Redactor', () => {
  // Secrets as vendors issue them (token alphabets) and as users might type them (any printable text).
  const secret = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9._~+/=-]{6,60}$/),
    fc.string({ minLength: 6, maxLength: 40 }).filter((s) => s.trim().length >= 6 && s === s.trim()),
  );
  const surround = fc.string({ unit: 'binary', maxLength: 30 });

  it('a registered secret never survives redact, whatever surrounds it', () => {
    fc.assert(
      fc.property(secret, surround, surround, fc.integer({ min: 1, max: 3 }), (value, before, after, times) => {
        const redactor = new Redactor([value]);
        const text = Array.from({ length: times }, () => `${before}${value}${after}`).join(' ');
        const out = redactor.redact(text);
        // The only way the secret may still appear is if the surrounding text itself spells it out around the marker.
        return !out.includes(value) || `${before}${after}`.includes(value) || out.replaceAll('[redacted]', '').includes(value);
      }),
      params,
    );
  });

  it('also removes the secret in its URL-encoded and base64 forms', () => {
    fc.assert(
      fc.property(secret, surround, (value, around) => {
        const redactor = new Redactor([value]);
        const encoded = encodeURIComponent(value);
        const base64 = Buffer.from(value).toString('base64');
        const out = redactor.redact(`${around} q=${encoded} auth=${base64} ${around}`);
        expect(out.includes(encoded) && !around.includes(encoded)).toBe(false);
        expect(out.includes(base64) && !around.includes(base64)).toBe(false);
      }),
      params,
    );
  });

  it('a secret registered at run time never reaches a log line, even inside a quoted field value', () => {
    fc.assert(
      fc.property(secret, surround, (value, around) => {
        const lines: string[] = [];
        const log = createLogger({ scope: 'prop', sink: (line) => lines.push(line) });
        log.addSecret(value);
        log.info('event', { detail: `${around}${value}${around}`, nested: { token: value }, error: new Error(`failed with ${value}`) });
        const line = lines.join('\n');
        const escaped = JSON.stringify(value).slice(1, -1);
        expect(line.includes(value) && !around.includes(value)).toBe(false);
        expect(line.includes(escaped) && !JSON.stringify(around).includes(escaped)).toBe(false);
      }),
      params,
    );
  });
});

describe('classifyFailure', () => {
  const failure: fc.Arbitrary<HttpFailure> = fc.record(
    {
      service: fc.constantFrom('hubspot', 'salesforce', 'shopify', 'quickbooks', 'clearbit'),
      status: fc.integer({ min: 100, max: 599 }),
      networkCode: fc.constantFrom('ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_CANCELED', 'ENOTFOUND'),
      vendorCode: fc.stringMatching(/^[A-Z][A-Z0-9]{0,8}(_[A-Z0-9]{1,8}){0,3}$/), // as HubSpot/Salesforce name them
      vendorMessage: fc.string({ maxLength: 40 }),
      retryAfterSeconds: fc.integer({ min: 0, max: 3600 }),
      malformedBody: fc.boolean(),
      deadline: fc.boolean(),
    },
    { requiredKeys: ['service'] },
  );

  it('every failure matches at least one rule and gets exactly one verdict', () => {
    fc.assert(
      fc.property(failure, (f) => {
        expect(CLASSIFICATION_RULES.some((r) => r.matches(f))).toBe(true);
        const a = classifyFailure(f);
        expect(['retryable', 'permanent', 'config']).toContain(a.verdict);
        expect(classifyFailure(f)).toEqual(a); // pure: same input, same answer
        expect(a.errorCode).toMatch(ERROR_CODE);
      }),
      params,
    );
  });

  it('statuses follow the table: 429, 408, HubSpot 423/477 and 5xx retryable; 401/403 config; other 4xx permanent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), (status) => {
        const { verdict } = classifyFailure({ service: 'hubspot', status });
        const expected = [429, 408, 423, 477].includes(status) || status >= 500 ? 'retryable' : status === 401 || status === 403 ? 'config' : 'permanent';
        expect(verdict).toBe(expected);
      }),
      params,
    );
  });

  it('a retryable verdict becomes a thrown error carrying 429/5xx in response.status and code; others never do', () => {
    fc.assert(
      fc.property(failure, (f) => {
        const { verdict, retryStatus } = classifyFailure(f);
        const error = errorFromFailure(f, 'call');
        if (verdict === 'retryable') {
          expect(isRetryStatus(retryStatus)).toBe(true);
          expect(error).toBeInstanceOf(RetryableError);
          const retryable = error as RetryableError;
          expect(isRetryStatus(retryable.response.status)).toBe(true);
          expect(retryable.code).toBe(retryable.response.status);
        } else {
          expect(error).not.toBeInstanceOf(RetryableError);
        }
        expect(error.errorCode).toMatch(ERROR_CODE);
        expect(error.message).not.toMatch(/\bundefined\b/);
      }),
      params,
    );
  });
});

describe('signup-onboarding normalizeDomain', () => {
  const label = fc.oneof(fc.constantFrom('www', 'acme', 'co', 'xn--mnchen-3ya', 'münchen', 'a-b', '1'), fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/));
  const hostLike = fc
    .record({
      scheme: fc.constantFrom('', 'https://', 'http://', 'HTTP://'),
      labels: fc.array(label, { minLength: 1, maxLength: 4 }),
      tld: fc.constantFrom('io', 'com', 'co.uk', 'de', 'dev', '123'),
      port: fc.constantFrom('', ':8080'),
      rest: fc.constantFrom('', '/', '/about?x=1', '#top', '.'),
      local: fc.constantFrom('', 'ada@'),
    })
    .map(({ scheme, labels, tld, port, rest, local }) => `${local ? local : scheme}${labels.join('.')}.${tld}${port}${rest}`.toUpperCase());

  it('never throws, and answers a lower-case host name with a dot, or nothing', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, hostLike), (text) => {
        const domain = normalizeDomain(text);
        return domain === undefined || (domain === domain.toLowerCase() && domain.includes('.') && !/[/:?#@\s]/.test(domain));
      }),
      params,
    );
  });

  it('is idempotent: a normalised domain normalises to itself', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, hostLike), (text) => {
        const domain = normalizeDomain(text);
        expect(domain === undefined ? undefined : normalizeDomain(domain)).toBe(domain);
      }),
      params,
    );
  });
});
