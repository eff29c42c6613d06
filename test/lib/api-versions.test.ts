import { describe, expect, it } from 'vitest';
import { HUBSPOT_API_VERSION, QUICKBOOKS_MINOR_VERSION, SALESFORCE_API_VERSION, SHOPIFY_API_VERSION, addMonths, pinnedApiVersions, versionWarnings, type PinnedApiVersion } from '../../lib/api-versions';
import { MINOR_VERSION } from '../../lib/quickbooks';
import { SALESFORCE_API_VERSION as SALESFORCE_CLIENT_VERSION } from '../../lib/salesforce';
import { SHOPIFY_API_VERSION as SHOPIFY_CLIENT_VERSION } from '../../lib/shopify';
import { apiVersionWarnings } from '../../scripts/build.mjs';

const at = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const shopify: PinnedApiVersion = { api: 'Shopify Admin GraphQL API', version: '2026-10', released: '2026-10-01', supportEnds: '2027-10-01', source: 'https://shopify.dev/docs/api/usage/versioning' };

describe('pinned vendor API versions', () => {
  it('are one set of constants: every client uses the ones in lib/api-versions.ts', () => {
    expect(SHOPIFY_CLIENT_VERSION).toBe(SHOPIFY_API_VERSION);
    expect(SALESFORCE_CLIENT_VERSION).toBe(SALESFORCE_API_VERSION);
    expect(MINOR_VERSION).toBe(QUICKBOOKS_MINOR_VERSION);
    expect(pinnedApiVersions().map((v) => v.version)).toEqual([HUBSPOT_API_VERSION, SHOPIFY_API_VERSION, SALESFORCE_API_VERSION, String(QUICKBOOKS_MINOR_VERSION)]);
  });

  it('are the current ones as of December 2026, each with a source and a support window from its release', () => {
    expect([HUBSPOT_API_VERSION, SHOPIFY_API_VERSION, SALESFORCE_API_VERSION, QUICKBOOKS_MINOR_VERSION]).toEqual(['2026-09', '2026-10', 'v68.0', 75]);
    const byApi = Object.fromEntries(pinnedApiVersions().map((v) => [v.api, v]));
    expect(byApi['HubSpot date-versioned APIs']?.supportEnds).toBe('2028-03-08'); // 18 months from 2026-09-08
    expect(byApi['Shopify Admin GraphQL API']?.supportEnds).toBe('2027-10-01'); // 12 months
    expect(byApi['Salesforce REST API']?.supportEnds).toBe('2029-09-01'); // at least 3 years
    for (const v of pinnedApiVersions()) expect(v.source).toMatch(/^https:\/\//);
  });

  it('addMonths counts calendar months', () => {
    expect(addMonths('2026-09-08', 18)).toBe('2028-03-08');
    expect(addMonths('2026-10-01', 12)).toBe('2027-10-01');
  });
});

describe('versionWarnings (the clock is an argument)', () => {
  it('says nothing while the end of support is more than 60 days away', () => {
    expect(versionWarnings([shopify], at('2027-08-01'))).toEqual([]);
  });

  it('names the API and version within 60 days of the end of support', () => {
    const [warning, ...rest] = versionWarnings([shopify], at('2027-09-01'));
    expect(rest).toEqual([]);
    expect(warning).toContain('Shopify Admin GraphQL API 2026-10');
    expect(warning).toContain('support ends on 2027-10-01 (in 30 days)');
  });

  it('names a version whose support has ended', () => {
    expect(versionWarnings([shopify], at('2027-10-11'))).toEqual([expect.stringContaining('Shopify Admin GraphQL API 2026-10: support ended on 2027-10-01 (10 days ago)')]);
  });

  it('cannot warn about a version without a published end (QuickBooks minor versions)', () => {
    expect(versionWarnings([{ ...shopify, supportEnds: undefined }], at('2099-01-01'))).toEqual([]);
  });
});

describe('npm run build: apiVersionWarnings on the real table', () => {
  it('is silent today (December 2026)', async () => {
    expect(await apiVersionWarnings({ now: at('2026-12-02') })).toEqual([]);
  });

  it('warns about Shopify 2026-10 from August 2027 and about HubSpot 2026-09 once it is past', async () => {
    expect(await apiVersionWarnings({ now: at('2027-08-15') })).toEqual([expect.stringMatching(/^Shopify Admin GraphQL API 2026-10: support ends on 2027-10-01 \(in 47 days\)/)]);
    const later = await apiVersionWarnings({ now: at('2028-04-01') });
    expect(later).toEqual([expect.stringMatching(/^HubSpot date-versioned APIs 2026-09: support ended on 2028-03-08/), expect.stringMatching(/^Shopify Admin GraphQL API 2026-10: support ended/)]);
  });
});
