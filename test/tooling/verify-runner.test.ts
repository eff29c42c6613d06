import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyFile } from '../../scripts/codemod/verify';
import { verifyCommand } from '../../scripts/verify';

/** verify's run goes through the one user-code runner: same client choice and default as `harness --file`. */
const SAMPLE = path.resolve(import.meta.dirname, '..', 'samples', 'custom-code', 'callback-hubspot-client.js');
const EVENT = { object: { objectId: '101', objectType: 'CONTACT' }, inputFields: {} };

describe('verify --client', () => {
  it('defaults to v10, as the harness does, and takes latest', async () => {
    const v10 = await verifyFile(SAMPLE, { event: EVENT });
    const latest = await verifyFile(SAMPLE, { event: EVENT, client: 'latest' });
    // The two clients spell a property list differently: v10 joins it, the latest repeats the parameter.
    expect(v10.run?.calls[0]?.url).toMatch(/\?properties=email%2Cphone$/);
    expect(latest.run?.calls[0]?.url).toMatch(/\?properties=email&properties=phone$/);
  }, 30_000);

  it('refuses a client it does not know', async () => {
    await expect(verifyCommand([SAMPLE, '--client', 'v9'])).rejects.toThrow(/--client v9: use v10/);
  });
});
