/**
 * Hostile and odd input values, as a HubSpot workflow can really send them: every input field arrives as a string,
 * "" when the property is not set, and users type whatever they like into forms.
 * https://developers.hubspot.com/docs/api/workflows/custom-code-actions ("inputFields")
 *
 * Each value is named so a failing case says which one broke it.
 */
export interface HostileValue {
  name: string;
  value: string;
}

const HUNDRED_KB = 100 * 1024;

export const HOSTILE_VALUES: readonly HostileValue[] = [
  // Absent and blank: HubSpot sends "" for an unset property.
  { name: 'empty', value: '' },
  { name: 'whitespace', value: ' \t\n ' },
  // Size: longer than any HubSpot string property (65,536) and than the 65,000-character output limit.
  { name: '100 KB string', value: 'x'.repeat(HUNDRED_KB) },
  { name: '100 KB of quotes', value: "'".repeat(HUNDRED_KB) },
  // Unicode: accents, combining marks, RTL, emoji with ZWJ and skin tone, astral plane, a lone surrogate.
  { name: 'unicode', value: 'Zoë Ørsted-Łukasiewicz 東京 مرحبا' },
  { name: 'emoji', value: '🚀👩🏽‍💻 Acme 🇫🇷' },
  { name: 'combining marks', value: 'Zoe\u0308 Cafe\u0301' },
  { name: 'lone surrogate', value: 'broken \ud83d text' },
  { name: 'zero-width and control characters', value: 'Ac\u200bme\u0000\u0007' },
  // Quotes and escapes: break out of a SOQL / QuickBooks query literal or a JSON body if not escaped.
  { name: 'single quote', value: "O'Brien" },
  { name: 'double quote', value: 'The "Best" Co' },
  { name: 'backslash', value: 'C:\\temp\\' },
  { name: 'trailing backslash before quote', value: "abc\\' OR Name != '" },
  { name: 'SOQL injection', value: "x' OR Name LIKE '%" },
  { name: 'LIKE wildcards', value: '100%_done' },
  { name: 'query metacharacters', value: "' \\ % _" },
  { name: 'newline injection', value: "Acme\nlog-injection status=ok\r\n[signup] INFO done" },
  // Issue 13 §2: ESC starts terminal sequences (clear screen, colours); U+202E and U+2066 reorder what a viewer shows.
  { name: 'terminal escapes and bidi overrides', value: 'Acme\u001b[2J\u001b[31mPAID\u001b[0m \u202Efdp.exe\u2066x\u2069 \u0085' },
  { name: 'HTML', value: '<script>alert(1)</script>' },
  { name: 'template and path', value: '${process.env.HUBSPOT_ACCESS_TOKEN} ../../etc/passwd {{x}}' },
  { name: 'prototype keys', value: '__proto__' },
  { name: 'constructor', value: 'constructor' },
  { name: 'the word undefined-like null', value: 'null' },
  // Numbers in odd formats.
  { name: 'thousands separator', value: '1,234.50' },
  { name: 'european decimal', value: '1.234,50' },
  { name: 'exponent', value: '1e3' },
  { name: 'negative zero', value: '-0' },
  { name: 'NaN', value: 'NaN' },
  { name: 'Infinity', value: 'Infinity' },
  { name: 'huge number', value: '9'.repeat(400) },
  { name: 'leading zeros', value: '000123.4500' },
  { name: 'currency symbol', value: '$1,000' },
  { name: 'hex', value: '0x1F' },
  // Dates.
  { name: 'invalid date', value: '2024-02-30' },
  { name: 'invalid month', value: '2024-13-01T00:00:00Z' },
  { name: 'US date', value: '12/31/2024' },
  { name: 'negative epoch', value: '-1' },
  { name: 'far-future epoch', value: '99999999999999' },
  // HubSpot's string booleans and their look-alikes.
  { name: 'string true', value: 'true' },
  { name: 'string false', value: 'false' },
  { name: 'string yes', value: 'yes' },
  { name: 'string TRUE', value: 'TRUE' },
  { name: 'string 1', value: '1' },
  // Emails and domains that look right at a glance.
  { name: 'email with plus and quote', value: "o'brien+test@acme.io" },
  { name: 'two at signs', value: 'a@b@acme.io' },
  { name: 'email with spaces', value: ' ADA@ACME.IO ' },
  { name: 'unicode email', value: 'zoë@münchen.de' },
];

/** Text that must never show up in an output or log line: the mark of a value that was never set. */
export const UNDEFINED_MARKERS = [/\bundefined\b/, /\[object Object\]/];

/** How a SOQL / QuickBooks query literal is escaped: finding this form *stored* means an escaper leaked into data. */
export function queryEscaped(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
