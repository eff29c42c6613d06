import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../../lib/action';
import { bundleAction } from '../../../scripts/build.mjs';
import { RUNTIME_MODULES } from '../../../scripts/runtime-modules.mjs';
import { contactEvent, runAction } from '../../support/run';
import { ADA_ID, ENV, FILLED_BY_SALES, clearbitWorld } from './scenarios';

/**
 * The overwrite policy is a build-time setting: scripts/build.mjs injects the entry of actions.config.json into the
 * bundle. Built with and without it, the same bundle behaves accordingly.
 */
const require = createRequire(import.meta.url);
const { loadBundle, defaultRuntimeModules } = require('../../../scripts/sandbox.cjs');
const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'clearbit-enrich-'));

async function built(config: Record<string, unknown>): Promise<Action> {
  const { text } = await bundleAction('clearbit-enrich', { config });
  const file = path.join(dir, `bundle-${Object.keys(config).length}-${JSON.stringify(config).length}.js`);
  writeFileSync(file, text);
  return loadBundle(file, { runtimeModules: defaultRuntimeModules(RUNTIME_MODULES, ROOT), resolveFrom: ROOT }).exports.action as Action;
}

let world: ReturnType<typeof clearbitWorld>;
beforeEach(() => {
  world = clearbitWorld();
  world.net.install();
});
afterEach(() => world.net.uninstall());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const salesEdited = contactEvent({ email: 'ada@acme.io', ...FILLED_BY_SALES }, ADA_ID);

describe('clearbit-enrich build-time config', () => {
  it('default build fills blanks only: nothing new, no HubSpot call', async () => {
    const { outputs } = await runAction(await built({}), salesEdited, { env: ENV });
    expect(outputs).toMatchObject({ status: 'ok', fields_updated: 0 });
    expect(world.net.calls).toHaveLength(1);
  });

  it('a build with overwritePolicy "overwrite" replaces differing values', async () => {
    const { outputs } = await runAction(await built({ 'clearbit-enrich': { overwritePolicy: 'overwrite' } }), salesEdited, { env: ENV });
    expect(outputs).toMatchObject({ status: 'ok', fields_updated: 14 });
    expect(world.hubspot.get('contacts', ADA_ID)?.properties.jobtitle).toBe('Head of Engineering');
  });

  it('a build with a misspelt policy fails loudly instead of overwriting', async () => {
    const { outputs } = await runAction(await built({ 'clearbit-enrich': { overwritePolicy: 'overwite' } }), salesEdited, { env: ENV });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INVALID_CONFIG' });
    expect(world.net.calls).toHaveLength(0);
  });
});
