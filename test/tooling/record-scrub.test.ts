import { describe, expect, it } from 'vitest';
import { fixtureFromRecording, interceptFixture, type RecordedCall } from '../../scripts/harness/fixture';
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

  it('replaces identifiers by placeholders of the same shape, the same everywhere, so the replay builds the same URLs', () => {
    const realm = fixture.secrets.QUICKBOOKS_REALM_ID as string;
    expect(realm).toMatch(/^\d{16}$/);
    expect(realm).not.toBe('9130354321987654');
    expect(text).not.toContain('9130354321987654');
    expect(fixture.interactions[2]?.request.url).toBe(`https://quickbooks.api.intuit.com/v3/company/${realm}/query?query=select`);
  });
});

/**
 * Issue 22 §6: a recording kept camelCase token keys and every secret named *_URL / *_DOMAIN verbatim (a Slack
 * webhook URL and a database URL with its password were written to a fixture). Every secret value is scrubbed
 * wherever it appears, whatever its name; token-like keys are found in any case style.
 */
describe('--record scrubbing: any secret name, any key spelling', () => {
  const SLACK = 'https://hooks.slack.com/services/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789';
  const DATABASE = 'postgres://app:S3cretPw-0123456789@db.internal.example:5432/app';
  const SESSION = 'sess-LIVE-0123456789abcdefghijkl';
  const ACCESS2 = 'acc-LIVE-camel-0123456789abcdefghij';
  const REFRESH2 = 'ref-LIVE-camel-0123456789abcdefghij';
  const secrets2 = {
    SLACK_WEBHOOK_URL: SLACK,
    DATABASE_URL: DATABASE,
    SALESFORCE_LOGIN_URL: 'https://acme.my.salesforce.com',
    SHOPIFY_SHOP: 'acme-store.myshopify.com',
    CRM_DOMAIN: 'crm.acme-internal.example',
    HUBSPOT_ACCESS_TOKEN: 'pat-na1-live-0000-1111-2222-444444444444',
  };
  const recorded2: RecordedCall[] = [
    { scope: 'https://auth.vendor.example', method: 'POST', path: '/session', body: { userName: 'ada' }, status: 200, response: { accessToken: ACCESS2, RefreshToken: REFRESH2, 'session-token': SESSION, tokenType: 'bearer', nextPageToken: 'page-2', nextToken: 'n-3', SyncToken: '0' } },
    { scope: 'https://hooks.slack.com', method: 'POST', path: '/services/T0AAAAAAA/B0BBBBBBB/LiveWebhookSecret0123456789', body: { text: `db ${DATABASE} failed; session ${SESSION}` }, status: 400, response: `invalid_payload for ${encodeURIComponent(SLACK)} (password S3cretPw-0123456789)` },
    { scope: 'https://acme.my.salesforce.com', method: 'POST', path: '/services/oauth2/token', body: 'grant_type=client_credentials', status: 200, response: { access_token: 'sf-token-0123456789abcdef', instance_url: 'https://acme.my.salesforce.com' } },
    { scope: 'https://acme-store.myshopify.com', method: 'GET', path: `/admin/api/2026-01/orders.json?accessToken=${ACCESS2}`, status: 200, response: { orders: [], note: `refresh with ${REFRESH2.toUpperCase()} at crm.acme-internal.example` } },
  ];
  const fixture = fixtureFromRecording({ description: 'any name', event: { inputFields: { email: 'ada@acme.io' } }, secrets: secrets2, recorded: recorded2, outcome: { outputFields: { status: 'ok' } } });
  const text = JSON.stringify(fixture);

  it.each([
    ['the Slack webhook URL', SLACK],
    ['its secret path', '/T0AAAAAAA/B0BBBBBBB/LiveWebhookSecret0123456789'],
    ['the database URL', DATABASE],
    ['the database password', 'S3cretPw-0123456789'],
    ['camelCase accessToken', ACCESS2],
    ['PascalCase RefreshToken (also echoed upper-cased)', REFRESH2],
    ['kebab-case session-token', SESSION],
    ['the Salesforce org (My Domain)', 'acme.my'],
    ['the shop', 'acme-store'],
    ['a *_DOMAIN secret', 'acme-internal'],
    ['the database host', 'db.internal'],
  ])('%s appears nowhere in the fixture', (_what, value) => {
    expect(text.toLowerCase()).not.toContain(value.toLowerCase());
    expect(text).not.toContain(encodeURIComponent(value));
  });

  it('the secrets section holds placeholders of the same shape, and the recording uses the same ones', () => {
    expect(fixture.secrets).toEqual({
      SLACK_WEBHOOK_URL: 'https://fixture-slack-webhook-url.com/fixture-slack-webhook-url',
      DATABASE_URL: 'postgres://fixture:fixture@fixture-database-url.example:5432/fixture-database-url',
      SALESFORCE_LOGIN_URL: 'https://fixture-salesforce-login-url.my.salesforce.com',
      SHOPIFY_SHOP: 'fixture-shopify-shop.myshopify.com',
      CRM_DOMAIN: 'fixture-crm-domain.example',
      HUBSPOT_ACCESS_TOKEN: 'fixture-hubspot-access-token-0000000000000000000',
    });
    expect(fixture.interactions.map((i) => i.request.url)).toEqual([
      'https://auth.vendor.example/session',
      'https://fixture-slack-webhook-url.com/fixture-slack-webhook-url',
      'https://fixture-salesforce-login-url.my.salesforce.com/services/oauth2/token',
      'https://fixture-shopify-shop.myshopify.com/admin/api/2026-01/orders.json?accessToken=[redacted]',
    ]);
    expect(fixture.interactions[0]?.response.body).toEqual({ accessToken: '[redacted]', RefreshToken: '[redacted]', 'session-token': '[redacted]', tokenType: 'bearer', nextPageToken: 'page-2', nextToken: 'n-3', SyncToken: '0' });
    expect(fixture.interactions[2]?.response.body).toEqual({ access_token: '[redacted]', instance_url: 'https://fixture-salesforce-login-url.my.salesforce.com' });
  });

  it('an identifier is replaced as a whole token: not inside a longer number or host name', () => {
    const fixture3 = fixtureFromRecording({
      description: 'ids',
      event: {},
      secrets: { VENDOR_ACCOUNT_ID: '4711', DB_URL: 'postgres://u:pw-0123456789@10.1.2.3:5432/db' },
      recorded: [{ scope: 'https://api.vendor.example', method: 'GET', path: '/accounts/4711/orders?since=1747110000', status: 200, response: { id: 'ord-47110', account: 4711, total: 14711, db: 'postgres://u:pw-0123456789@10.1.2.3:5432/db' } }],
      outcome: { outputFields: {} },
    });
    const id = fixture3.secrets.VENDOR_ACCOUNT_ID as string;
    expect(id).toMatch(/^\d{4}$/);
    expect(fixture3.interactions[0]?.request.url).toBe(`https://api.vendor.example/accounts/${id}/orders?since=1747110000`);
    expect(fixture3.interactions[0]?.response.body).toEqual({ id: 'ord-47110', account: Number(id), total: 14711, db: 'postgres://fixture:fixture@fixture-db-url.invalid:5432/fixture-db-url' });
  });

  it('replays: the action, given the placeholders, sends exactly what the fixture recorded', async () => {
    const intercept = interceptFixture({ ...fixture, interactions: [fixture.interactions[1]!] });
    try {
      const res = await fetch(fixture.secrets.SLACK_WEBHOOK_URL!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `db ${fixture.secrets.DATABASE_URL} failed; session [redacted]` }) });
      expect(res.status).toBe(400);
      expect(intercept.pending()).toEqual([]);
    } finally {
      intercept.done();
    }
  });
});
