import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quickBooksLiteral } from '../../lib/quickbooks';
import { soqlString } from '../../lib/salesforce';
import { parseQuery } from '../fakes/quickbooks';
import { parseLeadQuery } from '../fakes/salesforce';
import { HOSTILE_VALUES } from '../support/hostile';

/**
 * Cross-action property tests for the query-literal escapers (issue 9, part 2): escape, embed in the query our
 * client sends, parse back the way the vendor does (the fakes' parsers follow the documented escape rules) — the
 * query still has exactly its one condition, holding exactly the original text, and the rest of the query intact.
 * No value, however hostile, can end the literal and extend the query.
 */
const params = { seed: 9_9, numRuns: 400 };
/** Any text, weighted towards the characters that matter in a literal. */
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom("'", '\\', '"', '%', '_', ' ', 'O', 'R', '=', '\n', 'u', '0'), maxLength: 30 }),
  fc.constantFrom(...HOSTILE_VALUES.map((h) => h.value).filter((v) => v.length < 1_000)),
);

describe('Salesforce SOQL literal', () => {
  it('parses back to the original value, and the query keeps its shape', () => {
    fc.assert(
      fc.property(value, (text) => {
        const query = parseLeadQuery(`SELECT Id, Email FROM Lead WHERE Email = ${soqlString(text)} AND IsConverted = false ORDER BY LastModifiedDate DESC LIMIT 1`);
        expect(query.where).toEqual([
          { field: 'Email', value: text },
          { field: 'IsConverted', value: false },
        ]);
        expect(query.limit).toBe(1);
      }),
      params,
    );
  });
});

describe('QuickBooks query literal', () => {
  it('parses back to the original value, and the query keeps its shape', () => {
    fc.assert(
      fc.property(value, (text) => {
        const query = parseQuery(`SELECT * FROM Customer WHERE DisplayName = ${quickBooksLiteral(text)} AND Active = 'true' MAXRESULTS 1`);
        expect(query).toEqual({ entity: 'Customer', conditions: [{ field: 'DisplayName', values: [text] }, { field: 'Active', values: ['true'] }], maxResults: 1 });
      }),
      params,
    );
  });
});
