import { describe, expect, it } from 'vitest';
import { clearModuleCaches } from '../../../lib/module-cache';
import { createLogger } from '../../../lib/logger';
import type { HttpRequest, ServiceClient } from '../../../lib/http';
import { createQuickBooksAuth, INVALID_GRANT_GRACE_MS, type QuickBooksTokens } from '../../../lib/quickbooks';
import { fingerprint, type StoredValue, type TokenStore } from '../../../lib/token-store';

/**
 * The narrow race the fakes cannot stage: another execution has redeemed the stored refresh token but not yet saved
 * the rotated pair when this one is told invalid_grant. Waiting a moment and reading again must find the new pair
 * instead of asking a person to reconnect.
 */
const BOOTSTRAP = 'AB11-bootstrap-refresh-token-0000000000000000000';
const NOW = Date.parse('2026-11-23T12:00:00Z');

/** A pair issued `ageMs` ago (its access token valid for an hour from then). */
function tokens(n: number, accessValid: boolean, ageMs = 2 * 3_600_000): QuickBooksTokens {
  return { accessToken: `access-${n}`, accessTokenExpiresAt: accessValid ? NOW + 3_600_000 : NOW - ageMs + 3_600_000, refreshToken: `refresh-${n}`, bootstrap: fingerprint(BOOTSTRAP), issuedAt: NOW - ageMs };
}

function setup(saveDuringWait: boolean, sleepAllowed = true, storedAgeMs = INVALID_GRANT_GRACE_MS + 60_000) {
  clearModuleCaches();
  let stored: StoredValue<QuickBooksTokens> = { version: 1, value: tokens(1, false, storedAgeMs) };
  const store: TokenStore<QuickBooksTokens> = {
    read: async () => stored,
    write: async (value, basedOn) => ((stored = { version: basedOn + 1, value }), basedOn + 1),
  };
  // Intuit: refresh-1 was already redeemed by the other execution.
  const oauth: ServiceClient = {
    service: 'quickbooks',
    request: async <T>(req: HttpRequest) => ({ status: 400, headers: {}, data: { error: 'invalid_grant', form: req.form } as T }),
  };
  const sleeps: number[] = [];
  const auth = createQuickBooksAuth({
    credentials: { clientId: 'client', clientSecret: 'secret', realmId: '9130', bootstrapRefreshToken: BOOTSTRAP },
    store,
    oauth,
    now: () => NOW,
    log: createLogger({ scope: 'test', sink: () => {} }),
    sleep: async (ms) => {
      sleeps.push(ms);
      if (saveDuringWait) stored = { version: 2, value: tokens(2, true) }; // the other execution saves meanwhile
      return sleepAllowed;
    },
  });
  return { auth, sleeps };
}

describe('QuickBooks refresh race', () => {
  it('waits once for a concurrent execution to save the rotated pair, then uses it', async () => {
    const { auth, sleeps } = setup(true);
    await expect(auth.accessToken()).resolves.toBe('access-2');
    expect(sleeps).toEqual([1_500]);
  });

  it('a refused pair issued recently is a retryable 503 (a rotation not saved yet), not a reconnect', async () => {
    const { auth } = setup(false, true, 90 * 60_000);
    await expect(auth.accessToken()).rejects.toMatchObject({ errorCode: 'QUICKBOOKS_TOKEN_ROTATION_PENDING', response: { status: 503 } });
  });

  it('still asks for a reconnect when nothing changes and the stored pair is older than the grace window (a really dead token)', async () => {
    const { auth, sleeps } = setup(false);
    await expect(auth.accessToken()).rejects.toMatchObject({ errorCode: 'QUICKBOOKS_RECONNECT_REQUIRED' });
    expect(sleeps).toHaveLength(1);
  });

  it('does not wait when the budget does not allow it', async () => {
    const { auth } = setup(true, false);
    await expect(auth.accessToken()).rejects.toMatchObject({ errorCode: 'QUICKBOOKS_RECONNECT_REQUIRED' });
  });
});
