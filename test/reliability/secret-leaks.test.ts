import { isIdentifierSecret } from '../../scripts/harness/fixture';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_SECRETS, type Outcome } from '../support/run';
import type { World } from '../support/scenario';
import { deriveKey, openStoredValue, V2_FIRST_VERSION } from '../../lib/token-store';
import { ACTIONS, exposedText, freshWorld, runIn, secretForms } from './scenarios';

/**
 * Secret leaks (issue 9, part 3). HubSpot shows an action's console output to every admin of the portal, and
 * outputs are copied into workflow properties; secret values and the tokens our fakes issue (OAuth access and
 * refresh tokens) must never appear in a log line, an output, a thrown message or stack, or a recorded fixture.
 */

const TEST_DIR = join(import.meta.dirname, '..');

let current: World | undefined;
afterEach(() => {
  current?.net.uninstall();
  current = undefined;
});

/** Values long enough to be real secrets (the logger ignores shorter ones, as we do here). */
function secretsOf(world: World): string[] {
  return [...new Set([...Object.values(world.env), ...world.issuedSecrets()])].filter((s) => typeof s === 'string' && s.trim().length >= 6);
}

function leaksIn(text: string, secrets: string[]): string[] {
  return secrets.flatMap((s) => secretForms(s).filter((form) => text.includes(form)).map((form) => `${s.slice(0, 8)}… (as ${form === s ? 'is' : 'encoded'})`));
}

/** Token-store values (lib/token-store.ts: format.iv.tag.body) anywhere in a text. */
const STORE_VALUE = /\bv\d+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{8,}/g;

/**
 * Store values in `text` that open with a key material and context we know: such a value is the live token pair in
 * disguise (issue 13 §2: a recording kept the ciphertext, which decrypts with the key in .env).
 */
function decryptableStoreValues(text: string, keys: Iterable<string>, contexts: Iterable<string>): string[] {
  const derived = [...new Set(keys)].flatMap((k) => {
    try {
      return [deriveKey(k)];
    } catch {
      return []; // a weak key cannot have made a store value
    }
  });
  return [...new Set(text.match(STORE_VALUE) ?? [])].filter((value) =>
    derived.some((key) => [...contexts].some((context) => [...Array.from({ length: 50 }, (_, i) => i + 1), ...Array.from({ length: 50 }, (_, i) => V2_FIRST_VERSION + i)].some((version) => openStoredValue(key, context, value, version) !== undefined))),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe.each(ACTIONS.map((a) => [a.name, a.scenarios] as const))('%s', (_name, scenarios) => {
  it('uses distinctive secret values, so the search below means something', () => {
    const world = scenarios.world();
    const values = Object.values(world.env);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value.length).toBeGreaterThanOrEqual(12);
  });

  it.each(scenarios.paths.map((p) => [p.name, p] as const))('path "%s": no secret or issued token in logs, outputs or errors (first run and re-run)', async (_p, path) => {
    const world = (current = freshWorld(scenarios, path));
    const runs: Outcome[] = [await runIn(scenarios, world, path.event), await runIn(scenarios, world, path.event)];
    expect(runs[0]?.outputs?.status).toBe('ok');
    expect(runs[0]?.logs.length).toBeGreaterThan(0);
    expect(leaksIn(runs.map(exposedText).join('\n'), secretsOf(world))).toEqual([]);
  });

  it('wrong credentials: the rejected values stay out of logs, outputs and errors', async () => {
    const [path] = scenarios.paths;
    if (!path) throw new Error('no path');
    const world = (current = freshWorld(scenarios, path));
    // Same shape as the real ones, different content: every fake must reject them, and nobody may echo them.
    const wrongEnv = Object.fromEntries(Object.entries(world.env).map(([k, v]) => [k, `${v.slice(0, Math.max(0, v.length - 12))}wrongleak${k.length.toString().padStart(3, '0')}`]));
    const outcome = await runIn(scenarios, world, path.event, { env: wrongEnv });
    expect(outcome.outputs?.status ?? 'thrown', 'wrong credentials must not succeed').not.toBe('ok');
    expect(leaksIn(exposedText(outcome), [...Object.values(wrongEnv), ...secretsOf(world)])).toEqual([]);
  });
});

it('no recorded fixture or test file under test/ holds an issued token or a secret other than the declared fakes', async () => {
  const declared = new Set<string>(Object.values(FAKE_SECRETS));
  const secrets = new Set<string>();
  for (const { scenarios } of ACTIONS) {
    const world = (current = freshWorld(scenarios, scenarios.paths[0]));
    if (scenarios.paths[0]) await runIn(scenarios, world, scenarios.paths[0].event);
    for (const s of world.issuedSecrets()) secrets.add(s);
    // Every credential the action is given; identifiers (shop domain, My Domain URL, realm id) open nothing alone.
    for (const [name, value] of Object.entries(world.env)) if (!isIdentifierSecret(name)) secrets.add(value);
    world.net.uninstall();
    current = undefined;
  }
  // Fixture files (recorded answers) must not carry even the fake secret values: they are pasted into docs and issues.
  const fixtures = filesUnder(TEST_DIR).filter((f) => /\.(json|txt|har|ndjson|log)$/.test(f));
  for (const value of Object.values(FAKE_SECRETS)) secrets.add(value);
  const found = fixtures.flatMap((file) => leaksIn(readFileSync(file, 'utf8'), [...secrets].filter((s) => s.length >= 6)).map((l) => `${relative(TEST_DIR, file)}: ${l}`));
  expect(found).toEqual([]);

  // Encrypted token-store values: try every key material and store context we know, the recorded fixtures' own too.
  const keys = new Set<string>();
  const realms = new Set<string>();
  for (const { scenarios } of ACTIONS) {
    for (const [name, value] of Object.entries(scenarios.world().env)) {
      if (/_TOKEN_KEY$/.test(name)) keys.add(value);
      if (/_REALM_ID$/.test(name)) realms.add(value);
    }
  }
  const texts = fixtures.map((file) => [file, readFileSync(file, 'utf8')] as const);
  for (const [, text] of texts) {
    try {
      for (const [name, value] of Object.entries((JSON.parse(text) as { secrets?: Record<string, string> }).secrets ?? {})) {
        if (/_TOKEN_KEY$/.test(name)) keys.add(value);
        if (/_REALM_ID$/.test(name)) realms.add(value);
      }
    } catch {
      // not a fixture
    }
  }
  const contexts = [...realms].flatMap((realm) => ['production', 'sandbox'].map((environment) => `quickbooks:${environment}:${realm}`));
  expect(keys.size).toBeGreaterThan(0);
  const decryptable = texts.flatMap(([file, text]) => decryptableStoreValues(text, keys, contexts).map((v) => `${relative(TEST_DIR, file)}: store value ${v.slice(0, 12)}… decrypts`));
  expect(decryptable).toEqual([]);
  expect(declared.size).toBeGreaterThan(0);
});
