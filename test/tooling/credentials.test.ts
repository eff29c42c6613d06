import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretBudget } from '../../lib/action';
import { HUBSPOT_TOKEN_TYPICAL_LENGTH, hubspotTokenSecret } from '../../lib/hubspot';
import { loadActions, readAccessToken, ROOT } from '../../scripts/lib-tooling/common';
import { formatHelp } from '../../scripts/lib-tooling/cli.mjs';
import { DEPLOY_TOKEN_NAMES, DEPLOY_TOKEN_WHERE, FLOW_SCOPES } from '../../scripts/lib-tooling/flow-deploy';
import { DEPLOY_CLI } from '../../scripts/deploy';

/**
 * Issue 16 §1: legacy private apps can no longer be created (new accounts since 2026-09-28, existing ones since
 * 2026-10-26); new integrations use HubSpot Service Keys (Development → Keys → Service keys, public beta).
 * https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/account-service-keys
 * Every place a user is told how to get the token must say so, and still accept an existing private-app token.
 */

const NO_ENV_FILE = path.join(ROOT, 'test', 'tooling', 'no-such.env');

describe('HubSpot credentials: Service Keys', () => {
  it('every action asks for a Service Key with its scopes, says where to create it, and accepts a legacy private-app token', async () => {
    for (const action of await loadActions()) {
      const secret = action.definition.secrets.HUBSPOT_ACCESS_TOKEN as { description: string; where?: string; typicalLength: number } | undefined;
      expect(secret, action.definition.name).toBeDefined();
      expect(secret!.description).toMatch(/^HubSpot Service Key \(or an existing legacy private-app token\) with scopes? crm\.objects\./);
      expect(secret!.where).toContain('Development → Keys → Service keys');
      expect(secret!.typicalLength).toBe(HUBSPOT_TOKEN_TYPICAL_LENGTH);
    }
  });

  it('budgets a conservative token length (a Service Key\'s is undocumented) and every action still fits the 1,000 characters', async () => {
    expect(HUBSPOT_TOKEN_TYPICAL_LENGTH).toBeGreaterThan(44);
    expect(hubspotTokenSecret(['contacts.read']).typicalLength).toBe(HUBSPOT_TOKEN_TYPICAL_LENGTH);
    for (const action of await loadActions()) expect(secretBudget(action.definition.secrets).fits, action.definition.name).toBe(true);
  });

  it('a missing token for setup or deploy says to create a Service Key with the scopes, and that a private-app token works too', () => {
    const error = (() => {
      try {
        readAccessToken({ env: {}, envFile: NO_ENV_FILE, scopes: ['crm.schemas.deals.write'] });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('HUBSPOT_ACCESS_TOKEN=<service key>');
    expect(error?.message).toContain('Development → Keys → Service keys with the scope crm.schemas.deals.write (an existing legacy private-app token with that scope works too)');
    expect(error?.message).toContain('legacy private-app token');
  });

  it('deploy takes the app token HUBSPOT_DEPLOY_TOKEN first (the flows spec lists OAuth `automation` only), HUBSPOT_ACCESS_TOKEN otherwise, and says which to create', () => {
    expect(readAccessToken({ env: { HUBSPOT_DEPLOY_TOKEN: 'app-token-1234', HUBSPOT_ACCESS_TOKEN: 'pat-na1-x' }, envFile: NO_ENV_FILE, scopes: FLOW_SCOPES, names: DEPLOY_TOKEN_NAMES })).toBe('app-token-1234');
    expect(readAccessToken({ env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-x' }, envFile: NO_ENV_FILE, scopes: FLOW_SCOPES, names: DEPLOY_TOKEN_NAMES })).toBe('pat-na1-x');
    expect(DEPLOY_TOKEN_WHERE).toMatch(/developer platform with static auth and the automation scope/);
    expect(formatHelp(DEPLOY_CLI)).toContain('HUBSPOT_DEPLOY_TOKEN (else HUBSPOT_ACCESS_TOKEN)');
    expect(formatHelp(DEPLOY_CLI)).toContain('with the scope automation.');
  });

  it('no user-facing text tells anyone to create a private app any more', () => {
    const files = ['README.md', 'scripts/lib-tooling/common.ts', 'scripts/lib-tooling/property-setup.ts', 'scripts/lib-tooling/flow-deploy.ts', 'lib/hubspot.ts', 'scripts/paste-guide.mjs'];
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/create (?:a|the) (?:new )?private app|<private-app token>|Settings → Integrations → Private apps|The private app needs|Grant the private app/i);
    }
  });
});
