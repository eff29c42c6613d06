import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleAction, listActions } from '../scripts/build.mjs';
import { compareOutcome, interceptFixture, listFixtures, readFixture, fixtureFromRecording, type RecordedCall } from '../scripts/harness/fixture';
import { invoke, type Main } from '../scripts/harness/invoke';
import { pasteGuideLines } from '../scripts/paste-guide.mjs';
import { RUNTIME_MODULES } from '../scripts/runtime-modules.mjs';

/**
 * The paste-ready files themselves (npm test builds them first): they load where only Node built-ins and
 * HubSpot's pre-installed modules resolve, against an old and a current version of those modules, and replay
 * every recorded fixture with the same outcome as the TypeScript source.
 */
const require = createRequire(import.meta.url);
const { loadBundle } = require('../scripts/sandbox.cjs');
const ROOT = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8')) as {
  actions: Array<{ name: string; file: string; bytes: number; secrets: Array<{ name: string }>; inputs: Array<{ name: string; property: string | null }>; outputs: Array<{ name: string; type: string }>; externals: string[] }>;
};

// HubSpot documents @hubspot/api-client ^10 for its runtime; Node 24's versions are unpublished. Our bundles
// require neither it nor axios (lib/http.ts uses Node's fetch), and these runs prove it with both versions present.
const RUNTIMES = {
  'documented runtime (@hubspot/api-client 10)': { '@hubspot/api-client': require.resolve('hubspot-api-client-v10'), axios: require.resolve('axios') },
  'latest runtime (@hubspot/api-client latest)': { '@hubspot/api-client': require.resolve('@hubspot/api-client'), axios: require.resolve('axios') },
};

describe('build', () => {
  it('builds every action in actions/', () => {
    expect(manifest.actions.map((a) => a.name)).toEqual(listActions());
  });

  it('is deterministic: the same source gives the same bytes', async () => {
    const name = listActions()[0] as string;
    const a = await bundleAction(name);
    const b = await bundleAction(name);
    expect(a.text).toBe(b.text);
  });

  it('requires nothing beyond Node built-ins and the runtime-provided modules', () => {
    for (const a of manifest.actions) {
      const code = readFileSync(path.join(ROOT, 'dist', a.file), 'utf8');
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string);
      const foreign = required.filter((r) => !r.startsWith('node:') && !RUNTIME_MODULES.includes(r) && !require('node:module').isBuiltin(r));
      expect(foreign, a.name).toEqual([]);
    }
  });
});

describe.each(manifest.actions)('dist/$file', (entry) => {
  const file = path.join(ROOT, 'dist', entry.file);
  const code = readFileSync(file, 'utf8');

  it('starts with a paste guide that names every secret, input and output', () => {
    const header = code.slice(0, code.indexOf('*/'));
    for (const s of entry.secrets) expect(header).toContain(s.name);
    for (const i of entry.inputs) expect(header).toMatch(new RegExp(`\\b${i.name}\\b`));
    for (const o of entry.outputs) expect(header).toContain(`${o.name}: `);
  });

  it('has a header equal to the guide generated from the source declaration', async () => {
    const mod = await import(path.join(ROOT, 'actions', entry.name, 'index.ts'));
    const lines = pasteGuideLines(mod.action.definition, { packageName: 'x', version: 'x', commit: 'x', outputs: mod.action.outputs }).slice(2);
    const header = code.slice(0, code.indexOf('*/'));
    for (const line of lines) if (line) expect(header).toContain(line.replaceAll('*/', '* /'));
  });

  for (const [runtime, modules] of Object.entries(RUNTIMES)) {
    describe(runtime, () => {
      it('loads in the sandbox and exports a one-parameter main (Node 24 has no callback-style handlers)', () => {
        const { exports } = loadBundle(file, { runtimeModules: modules, resolveFrom: ROOT });
        expect(typeof exports.main).toBe('function');
        // https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24
        expect((exports.main as Main).length).toBe(1);
      });

      for (const name of listFixtures(entry.name)) {
        it(`replays fixture ${name} with the expected outcome`, async () => {
          const { exports } = loadBundle(file, { runtimeModules: modules, resolveFrom: ROOT });
          const fixture = readFixture(entry.name, name);
          const intercept = interceptFixture(fixture);
          try {
            const report = await invoke(exports.main as Main, fixture.event, fixture.secrets);
            expect(compareOutcome(fixture, report)).toEqual([]);
            expect(intercept.pending()).toEqual([]);
            for (const secret of Object.values(fixture.secrets)) expect(report.logs.join('\n')).not.toContain(secret);
          } finally {
            intercept.done();
          }
        });
      }
    });
  }
});

describe('recorded fixtures are safe to commit', () => {
  it('redacts secrets, bearer tokens and OAuth tokens from a live recording', () => {
    const secrets = { HUBSPOT_ACCESS_TOKEN: 'pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', SHOPIFY_CLIENT_SECRET: 'shpss_0123456789abcdef0123456789abcdef' };
    const recorded: RecordedCall[] = [
      { scope: 'https://acme.myshopify.com:443', method: 'POST', path: '/admin/oauth/access_token', body: 'client_id=abc123&client_secret=shpss_0123456789abcdef0123456789abcdef&grant_type=client_credentials', status: 200, response: { access_token: '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', scope: 'read_orders', expires_in: 86399 }, rawHeaders: ['Content-Type', 'application/json', 'Set-Cookie', 'secret=1'] },
      { scope: 'https://api.hubapi.com:443', method: 'GET', path: '/crm/objects/2026-09/contacts/1?hapikey=pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', status: 401, response: { status: 'error', message: 'Bearer pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee is invalid' } },
    ];
    const fixture = fixtureFromRecording({ description: 'live', event: { inputFields: { email: 'a@b.co' } }, secrets, recorded, outcome: { outputFields: { status: 'ok' } } });
    const text = JSON.stringify(fixture);
    expect(text).not.toContain('pat-na1-aaaaaaaa');
    expect(text).not.toContain('shpss_0123456789');
    expect(text).not.toContain('shpat_fedcba');
    expect(text).not.toContain('Set-Cookie'.toLowerCase());
    expect(fixture.secrets).toEqual({ HUBSPOT_ACCESS_TOKEN: 'fixture-hubspot-access-token-0000000000000000000', SHOPIFY_CLIENT_SECRET: 'fixture-shopify-client-secret-000000000000000000' });
    expect(fixture.interactions[0]?.request.body).toMatchObject({ grant_type: 'client_credentials', client_secret: '[redacted]' });
    expect(fixture.interactions[0]?.response).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' }, body: { access_token: '[redacted]', expires_in: 86399 } });
    expect(fixture.interactions[1]?.request.url).toBe('https://api.hubapi.com/crm/objects/2026-09/contacts/1?hapikey=%5Bredacted%5D');
  });
});
