import { describe, expect, it } from 'vitest';
import { fixtureFromRecording, type RecordedCall } from '../../scripts/harness/fixture';
import { deriveKey, sealStoredValue } from '../../lib/token-store';

/**
 * Issue 13 §2: `--record` turns a live run into a committed fixture. Besides the secrets from .env it must scrub
 * what the run itself produced: the token-store ciphertext (it decrypts with the key in .env to live tokens) and
 * tokens a vendor issued at run time and then echoed outside a credential-named field.
 */
const KEY = 'k6Vq0m5c3J9yV2b7qf1Xw8zR4tN0pL6sA3dE9gH2jK0=';
const ACCESS = 'eyJ-access-LIVE-0123456789abcdefghij';
const REFRESH = 'AB11-refresh-LIVE-0123456789abcdefghij';
const secrets = { HUBSPOT_ACCESS_TOKEN: 'pat-na1-live-0000-1111-2222-333333333333', QUICKBOOKS_TOKEN_KEY: KEY, QUICKBOOKS_REALM_ID: '9130354321987654' };
const ciphertext = sealStoredValue(deriveKey(KEY), 'quickbooks:production:9130354321987654', { accessToken: ACCESS, refreshToken: REFRESH }, 3);

const recorded: RecordedCall[] = [
  { scope: 'https://oauth.platform.intuit.com', method: 'POST', path: '/oauth2/v1/tokens/bearer', body: 'grant_type=refresh_token&refresh_token=AB11-old-refresh-0000000000000', status: 200, response: { access_token: ACCESS, refresh_token: REFRESH, expires_in: 3600, token_type: 'bearer' } },
  {
    scope: 'https://api.hubapi.com',
    method: 'POST',
    path: '/crm/v3/objects/companies/batch/upsert',
    body: { inputs: [{ id: 'quickbooks', idProperty: 'integration_store_key', properties: { integration_store_value: ciphertext, integration_store_version: '3' } }] },
    status: 200,
    response: { results: [{ id: '77', properties: { integration_store_value: ciphertext, integration_store_version: '3' } }] },
  },
  {
    scope: 'https://quickbooks.api.intuit.com',
    method: 'GET',
    path: '/v3/company/9130354321987654/query?query=select',
    status: 400,
    response: { Fault: { Error: [{ Message: `token ${ACCESS} is not valid for this request`, Detail: `see ${Buffer.from(REFRESH).toString('base64url')}` }] }, note: `copy: ${ciphertext}` },
  },
];

describe('--record scrubbing', () => {
  const fixture = fixtureFromRecording({ description: 'x', event: {}, secrets, recorded, outcome: { outputFields: { status: 'ok' } } });
  const text = JSON.stringify(fixture);

  it('keeps no token-store ciphertext, under its property or anywhere else', () => {
    expect(text).not.toContain(ciphertext);
    expect(text).not.toContain(ciphertext.split('.')[3]!.slice(0, 24));
  });

  it('redacts tokens issued during the run wherever the vendor echoes them', () => {
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
    expect(text).not.toContain(Buffer.from(REFRESH).toString('base64url').slice(4, 30));
    expect(text).toContain('is not valid for this request');
  });

  it('keeps identifiers the replay needs', () => {
    expect(fixture.secrets.QUICKBOOKS_REALM_ID).toBe('9130354321987654');
    expect(fixture.interactions[2]?.request.url).toContain('/v3/company/9130354321987654/query');
  });
});
