import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { secretForms } from '../reliability/scenarios';
import { createToolingClient, ROOT } from '../../scripts/lib-tooling/common';
import { deployToFlow, type ManifestEntry } from '../../scripts/lib-tooling/flow-deploy';
import { deployCommand, deployFailureLine, deployMain } from '../../scripts/deploy';
import { ConfigError } from '../../lib/errors';
import { FakeHubSpotFlows } from '../fakes/hubspot-flows';
import { FakeNetwork, type FakeHandler } from '../fakes/network';
import { orderAction } from './fixtures/actions';

const TOKEN = 'pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ORIGIN = 'https://api.hubapi.com';
const FLOW_ID = '585051946';
const FLOW_TEXT = readFileSync(path.join(__dirname, 'fixtures', 'flows.with-branches.json'), 'utf8');
const BUNDLE = '/* fixture-order-sync bundle */\n"use strict";\nexports.main = async () => ({ outputFields: { status: "ok" } });\n';

/** The manifest entry the build would write for the fixture action. */
const ENTRY: ManifestEntry = {
  name: orderAction.definition.name,
  secrets: Object.entries(orderAction.definition.secrets).map(([name, s]) => ({ name, required: (s as { required?: boolean }).required !== false })),
  inputs: Object.entries(orderAction.definition.inputs).map(([name, i]) => ({ name, type: i.type, required: i.required === true, property: i.property ?? null })),
  outputs: Object.entries(orderAction.outputs).map(([name, o]) => ({ name, type: o.type, ...(o.options ? { options: o.options } : {}) })),
};

let network: FakeNetwork;
let flows: FakeHubSpotFlows;
let printed: string[];

function install(handler: FakeHandler = flows.handle) {
  network?.uninstall();
  network = new FakeNetwork().route(ORIGIN, handler).install();
}

beforeEach(() => {
  flows = new FakeHubSpotFlows(TOKEN).add(FLOW_TEXT);
  install();
  printed = [];
});
afterEach(() => network.uninstall());

function deploy(options: { apply?: boolean; actionId?: string; entry?: ManifestEntry } = {}) {
  const { client } = createToolingClient({ token: TOKEN, scope: 'deploy', logSink: (l) => printed.push(l) });
  return deployToFlow(client, { flowId: FLOW_ID, entry: options.entry ?? ENTRY, bundle: BUNDLE, actionId: options.actionId, apply: options.apply ?? false, print: (l) => printed.push(l) });
}

function withFlow(mutate: (flow: { actions: Array<Record<string, unknown>> }) => void) {
  const flow = JSON.parse(FLOW_TEXT);
  mutate(flow);
  flows = new FakeHubSpotFlows(TOKEN).add(JSON.stringify(flow));
  install();
}

describe('npm run deploy (flows API, 2026-09-beta)', () => {
  it('dry run: finds the only custom-code action with the same secrets and shows the diff, writes nothing', async () => {
    const result = await deploy();
    expect(result.actionId).toBe('2');
    expect(result.runtime).toBe('NODE24X');
    expect(result.applied).toBe(false);
    expect(result.changes[0]).toMatch(/^~ sourceCode: \d+ bytes \(sha256 \w+\) → \d+ bytes/);
    // The mapping chosen in HubSpot (order_id → shop_order_ref) is kept, not reset to the suggested property.
    expect(result.changes.some((c) => c.includes('input order_id'))).toBe(false);
    // ENUMERATION is the only output field the 2026-09-beta spec documents (ApiEnumerationOutputField: name, options,
    // type): it is sent with its options. deal_id (STRING) is kept as HubSpot returned it; the new STRING outputs are
    // left to the editor instead of being sent in an undocumented shape.
    expect(result.changes.filter((c) => c.startsWith('+ output'))).toEqual(['+ output status: ENUMERATION [ok, error]']);
    expect(result.outputsForEditor).toEqual(['error_code (STRING)', 'error_message (STRING)']);
    expect(printed.join('\n')).toContain('! output error_code (STRING): the flows API (2026-09-beta spec) documents only ENUMERATION outputs');
    expect(flows.puts).toEqual([]);
    expect(printed.join('\n')).toContain('runtime NODE24X');
    expect(printed.join('\n')).toContain('--apply');
  });

  it('--apply PUTs the flow back byte-identical except the one action and the read-only fields, then verifies with a second GET', async () => {
    const result = await deploy({ apply: true });
    expect(result.applied).toBe(true);
    expect(result.revisionAfter).toBe('8');
    expect(flows.puts).toHaveLength(1);
    const expected = JSON.parse(FLOW_TEXT);
    Object.assign(expected.actions[1], {
      secretNames: ['HUBSPOT_ACCESS_TOKEN', 'STOREFRONT_TOKEN'],
      sourceCode: BUNDLE,
      inputFields: [{ name: 'order_id', value: { type: 'OBJECT_PROPERTY', propertyName: 'shop_order_ref' } }],
      outputFields: [
        { name: 'deal_id', type: 'STRING' },
        { name: 'status', type: 'ENUMERATION', options: ['ok', 'error'] },
      ],
    });
    // The PUT takes only ApiPlatformFlowPutRequest's fields (spec 2026-09-beta): id, flowType, createdAt, updatedAt,
    // nextAvailableActionId, dataSources and objectTypeId are read-only and are not sent back.
    for (const readOnly of ['id', 'flowType', 'createdAt', 'updatedAt', 'nextAvailableActionId', 'dataSources', 'objectTypeId']) delete expected[readOnly];
    expect(flows.puts[0]?.rawBody).toBe(JSON.stringify(expected));
    // Every other action (branches, the other custom-code action, the task with non-ASCII text) byte for byte.
    const sent = JSON.parse(flows.puts[0]?.rawBody ?? '{}');
    const original = JSON.parse(FLOW_TEXT);
    for (const i of [0, 2, 3, 4]) expect(JSON.stringify(sent.actions[i])).toBe(JSON.stringify(original.actions[i]));
    expect(Object.keys(sent)).toEqual(['isEnabled', 'revisionId', 'name', 'startActionId', 'actions', 'enrollmentCriteria', 'timeWindows', 'blockedDates', 'customProperties', 'type']);
    expect(network.calls.map((c) => c.method)).toEqual(['GET', 'GET', 'PUT', 'GET']);
    expect(network.calls.every((c) => c.url.startsWith(`${ORIGIN}/automation/2026-09-beta/flows/${FLOW_ID}`))).toBe(true);
    expect(printed.at(-1)).toMatch(/revision 7 → 8\); verified/);
  });

  it('the fake flows API refuses read-only and unknown fields in a PUT, as the spec\'s PUT schemas do', async () => {
    const { client } = createToolingClient({ token: TOKEN, scope: 'deploy', logSink: () => {} });
    // What deploy sent before 2026-09: the flow exactly as read, read-only fields included.
    await expect(client.request({ method: 'PUT', url: `/automation/2026-09-beta/flows/${FLOW_ID}`, json: JSON.parse(FLOW_TEXT) })).rejects.toMatchObject({ httpStatus: 400 });
    expect(flows.get(FLOW_ID).revisionId).toBe('7');
  });

  it('the fake flows API refuses an ENUMERATION output without options and an output type it never returned (what deploy sent before)', async () => {
    const { client } = createToolingClient({ token: TOKEN, scope: 'deploy', logSink: () => {} });
    const put = (outputFields: unknown[]) => {
      const flow = JSON.parse(FLOW_TEXT);
      for (const k of ['id', 'flowType', 'createdAt', 'updatedAt', 'nextAvailableActionId', 'dataSources', 'objectTypeId']) delete flow[k];
      flow.actions[1].outputFields = outputFields;
      return client.request({ method: 'PUT', url: `/automation/2026-09-beta/flows/${FLOW_ID}`, json: flow });
    };
    await expect(put([{ name: 'deal_id', type: 'STRING' }, { name: 'status', type: 'ENUMERATION' }])).rejects.toMatchObject({ httpStatus: 400, message: expect.stringContaining('options') });
    await expect(put([{ name: 'deal_id', type: 'STRING' }, { name: 'error_code', type: 'STRING' }])).rejects.toMatchObject({ httpStatus: 400, message: expect.stringContaining('error_code') });
    await put([{ name: 'deal_id', type: 'STRING' }, { name: 'status', type: 'ENUMERATION', options: ['ok', 'error'] }]);
    expect(flows.puts).toHaveLength(3);
  });

  it('a contact flow keeps its contact-only fields (suppressionListIds, canEnrollFromSalesforce, eventAnchor, …) and drops read-only ones', async () => {
    withFlow((flow) => {
      const f = flow as unknown as Record<string, unknown>;
      Object.assign(f, { type: 'CONTACT_FLOW', suppressionListIds: [12], canEnrollFromSalesforce: false, eventAnchor: { type: 'CONTACT_PROPERTY_ANCHOR', contactPropertyName: 'closedate' }, unEnrollmentSetting: { type: 'NONE' }, crmObjectCreationStatus: 'COMPLETE' });
    });
    const result = await deploy({ apply: true });
    expect(result.applied).toBe(true);
    const sent = JSON.parse(flows.puts[0]?.rawBody ?? '{}') as Record<string, unknown>;
    expect(sent).toMatchObject({ type: 'CONTACT_FLOW', suppressionListIds: [12], canEnrollFromSalesforce: false, unEnrollmentSetting: { type: 'NONE' } });
    for (const readOnly of ['id', 'createdAt', 'updatedAt', 'crmObjectCreationStatus', 'dataSources', 'flowType', 'objectTypeId', 'nextAvailableActionId']) expect(sent).not.toHaveProperty(readOnly);
  });

  it('a flow of an unknown type, or one lacking a required PUT field, is refused before anything is written', async () => {
    withFlow((flow) => Object.assign(flow, { type: 'TICKET_FLOW' }));
    await expect(deploy({ apply: true })).rejects.toMatchObject({ errorCode: 'UNEXPECTED_FLOW' });
    withFlow((flow) => delete (flow as unknown as Record<string, unknown>).blockedDates);
    await expect(deploy({ apply: true })).rejects.toMatchObject({ errorCode: 'UNEXPECTED_FLOW' });
    expect(flows.puts).toEqual([]);
  });

  it('a second --apply changes nothing', async () => {
    await deploy({ apply: true });
    const second = await deploy({ apply: true });
    expect(second.changes).toEqual([]);
    expect(flows.puts).toHaveLength(1);
  });

  it('refuses when the flow changed between reading and writing (revision check before the PUT)', async () => {
    flows.onGet = (n, fake) => {
      if (n === 2) fake.bumpRevision(FLOW_ID);
    };
    await expect(deploy({ apply: true })).rejects.toMatchObject({ errorCode: 'REVISION_CHANGED' });
    expect(flows.puts).toEqual([]);
  });

  it('refuses clearly when HubSpot rejects the PUT for a stale revision', async () => {
    const base = flows.handle;
    install((req) => {
      if (req.method === 'PUT') flows.bumpRevision(FLOW_ID);
      return base(req);
    });
    const error = await deploy({ apply: true }).catch((e: Error) => e);
    expect(error).toMatchObject({ errorCode: 'REVISION_CHANGED' });
    expect((error as Error).message).toMatch(/Nothing was written/);
    expect(JSON.parse(flows.flows.get(FLOW_ID) ?? '{}').actions[1].sourceCode).not.toBe(BUNDLE);
  });

  it.each(['NODE20X', 'NODE16X', 'PYTHON39', 'PYTHON311'])('refuses an action on runtime %s', async (runtime) => {
    withFlow((flow) => {
      (flow.actions[1] as Record<string, unknown>).runtime = runtime;
    });
    const error = await deploy({ apply: true }).catch((e: Error) => e);
    expect(error).toMatchObject({ errorCode: 'UNSUPPORTED_RUNTIME' });
    expect((error as Error).message).toContain(runtime);
    expect(flows.puts).toEqual([]);
  });

  it('accepts any other Node runtime value and prints it', async () => {
    withFlow((flow) => {
      (flow.actions[1] as Record<string, unknown>).runtime = 'NODE24_X';
    });
    expect((await deploy()).runtime).toBe('NODE24_X');
    expect(printed.join('\n')).toContain('runtime NODE24_X');
  });

  it('refuses when no custom-code action has the secrets, or the --action-id does not exist', async () => {
    const other = { ...ENTRY, secrets: [{ name: 'SALESFORCE_CLIENT_ID', required: true }] };
    await expect(deploy({ entry: other })).rejects.toMatchObject({ errorCode: 'NO_MATCHING_ACTION' });
    await expect(deploy({ actionId: '99' })).rejects.toMatchObject({ errorCode: 'NO_MATCHING_ACTION' });
    // --action-id picks it even when the secrets differ; the runtime check still applies (action 4 is NODE20X).
    await expect(deploy({ actionId: '4' })).rejects.toMatchObject({ errorCode: 'UNSUPPORTED_RUNTIME' });
  });

  it('refuses when several custom-code actions match and no --action-id is given', async () => {
    withFlow((flow) => {
      Object.assign(flow.actions[3] as Record<string, unknown>, { secretNames: ['STOREFRONT_TOKEN', 'HUBSPOT_ACCESS_TOKEN'], runtime: 'NODE24X' });
    });
    await expect(deploy()).rejects.toMatchObject({ errorCode: 'AMBIGUOUS_ACTION' });
    expect((await deploy({ actionId: '4' })).actionId).toBe('4');
  });

  it('an under-scoped token names the automation scope', async () => {
    flows.missingScopes.add('automation');
    const error = await deploy().catch((e: Error) => e);
    expect(error).toMatchObject({ errorCode: 'MISSING_SCOPES' });
    expect((error as Error).message).toContain('automation');
  });
});

describe('deploy command over the built dist/', () => {
  const manifestFile = path.join(ROOT, 'dist', 'manifest.json');
  const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { actions: Array<ManifestEntry & { file: string }> }) : { actions: [] };

  it.each(manifest.actions.map((a) => [a.name, a] as const))('%s: dry run and apply into a flow, token never printed', async (name, entry) => {
    withFlow((flow) => {
      Object.assign(flow.actions[1] as Record<string, unknown>, { secretNames: entry.secrets.map((s) => s.name), inputFields: [], outputFields: [] });
    });
    const lines: string[] = [];
    const run = (argv: string[]) => deployCommand({ argv, env: { HUBSPOT_ACCESS_TOKEN: TOKEN }, envFile: path.join(tmpdir(), 'none', '.env'), print: (l) => lines.push(l) });
    const dry = await run([name, '--flow', FLOW_ID]);
    expect(dry.applied).toBe(false);
    const enumerations = entry.outputs.filter((o) => o.type === 'enumeration');
    expect(dry.changes.filter((c) => c.startsWith('+ output'))).toEqual(enumerations.map((o) => `+ output ${o.name}: ENUMERATION [${(o.options ?? []).join(', ')}]`));
    expect(dry.outputsForEditor).toHaveLength(entry.outputs.length - enumerations.length);
    const applied = await run([name, '--flow', FLOW_ID, '--apply']);
    expect(applied.applied).toBe(true);
    const stored = JSON.parse(flows.flows.get(FLOW_ID) ?? '{}').actions[1];
    expect(stored.sourceCode).toBe(readFileSync(path.join(ROOT, 'dist', entry.file), 'utf8'));
    expect(stored.inputFields.map((f: { name: string }) => f.name)).toEqual(entry.inputs.filter((i) => i.property).map((i) => i.name));
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('usage errors are clear', async () => {
    await expect(deployCommand({ argv: ['signup-onboarding'], env: { HUBSPOT_ACCESS_TOKEN: TOKEN } })).rejects.toThrow(/--flow <flowId> is missing/);
    await expect(deployCommand({ argv: ['signup-onboarding', '--flow'], env: { HUBSPOT_ACCESS_TOKEN: TOKEN } })).rejects.toThrow(/--flow needs a value/);
    await expect(deployCommand({ argv: ['signup-onboarding', '--flow', '1', '--aply'], env: { HUBSPOT_ACCESS_TOKEN: TOKEN } })).rejects.toThrow(/unknown option --aply \(did you mean --apply\?\)/);
    await expect(deployCommand({ argv: ['no-such-action', '--flow', '1'], env: { HUBSPOT_ACCESS_TOKEN: TOKEN } })).rejects.toThrow(/no action "no-such-action"/);
  });
});

describe('deploy: what is deployed, and what is printed', () => {
  const NO_ENV = path.join(tmpdir(), 'none', '.env');

  /** A dist/ with the fixture action, as the build writes it (sha256 in the manifest). */
  function distWith(bundle = BUNDLE, recorded = createHash('sha256').update(bundle).digest('hex')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-dist-'));
    writeFileSync(path.join(dir, 'fixture-order-sync.js'), bundle);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ actions: [{ ...ENTRY, file: 'fixture-order-sync.js', sha256: recorded }] }));
    return dir;
  }

  it('refuses a dist/ file whose sha256 differs from dist/manifest.json, before any token or call', async () => {
    const dir = distWith();
    writeFileSync(path.join(dir, 'fixture-order-sync.js'), `${BUNDLE}process.env.EXFILTRATE = 1;\n`);
    const error = await deployCommand({ argv: ['fixture-order-sync', '--flow', FLOW_ID, '--apply'], env: { HUBSPOT_ACCESS_TOKEN: TOKEN }, envFile: NO_ENV, distDir: dir, print: () => {} }).catch((e: Error) => e);
    expect(error).toMatchObject({ errorCode: 'BUNDLE_MODIFIED' });
    expect((error as Error).message).toMatch(/dist\/fixture-order-sync\.js is not the file the build wrote .*run `npm run build`/);
    expect(network.calls).toEqual([]);
    expect(deployFailureLine(error)).toMatch(/^deploy stopped before contacting HubSpot: /);
    // The file as built deploys.
    const ok = await deployCommand({ argv: ['fixture-order-sync', '--flow', FLOW_ID], env: { HUBSPOT_ACCESS_TOKEN: TOKEN }, envFile: NO_ENV, distDir: distWith(), print: () => {} });
    expect(ok.changes.length).toBeGreaterThan(0);
  });

  it('a manifest without a sha256 (an older build) is refused too', async () => {
    const dir = distWith(BUNDLE, '');
    await expect(deployCommand({ argv: ['fixture-order-sync', '--flow', FLOW_ID], env: { HUBSPOT_ACCESS_TOKEN: TOKEN }, envFile: NO_ENV, distDir: dir, print: () => {} })).rejects.toMatchObject({ errorCode: 'BUNDLE_MODIFIED' });
  });

  it('--flow abc is a usage error (exit 2) found before the token check; a missing token is not "refused"', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await deployMain(['fixture-order-sync', '--flow', 'abc'], { env: {}, envFile: NO_ENV, distDir: distWith() })).toBe(2);
      expect(errors.join('\n')).toMatch(/--flow abc: give the workflow's numeric id/);
      expect(errors.join('\n')).not.toMatch(/TOKEN/);
      errors.length = 0;
      expect(await deployMain(['fixture-order-sync', '--flow', FLOW_ID], { env: {}, envFile: NO_ENV, distDir: distWith() })).toBe(1);
      expect(errors.join('\n')).toMatch(/^deploy stopped before contacting HubSpot: No HUBSPOT_DEPLOY_TOKEN or HUBSPOT_ACCESS_TOKEN: put HUBSPOT_DEPLOY_TOKEN=<app access token>/);
      expect(errors.join('\n')).toContain('It needs the scope automation');
      expect(errors.join('\n')).not.toContain('refused');
      errors.length = 0;
      expect(await deployMain(['no-such-action', '--flow', FLOW_ID], { env: {}, envFile: NO_ENV, distDir: distWith() })).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(network.calls).toEqual([]);
  });

  it('HubSpot refusing after the flow was read is still "refused"', () => {
    expect(deployFailureLine(new ConfigError('No custom-code action …', { errorCode: 'NO_MATCHING_ACTION' }))).toMatch(/^deploy refused: /);
  });

  it('a vendor or proxy message echoing the token is printed redacted, in every encoding the actions\' redactor knows', async () => {
    const token = 'sk-na1-Ab/Cd+Ef=Gh~0123456789abcdef';
    const echoes = secretForms(token);
    install((req) => ({
      status: 403,
      body: { status: 'error', category: 'MISSING_SCOPES', message: `Forbidden: you sent authorization=${req.headers.authorization}; echoes: ${echoes.join(' | ')}` },
    }));
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await deployMain(['fixture-order-sync', '--flow', FLOW_ID], { env: { HUBSPOT_DEPLOY_TOKEN: token }, envFile: NO_ENV, distDir: distWith(), print: () => {} })).toBe(1);
    } finally {
      spy.mockRestore();
    }
    const text = errors.join('\n');
    expect(text).toContain('deploy refused: HubSpot refused the flows API call (403');
    expect(text).toContain('[redacted]');
    for (const form of echoes) expect(text, form).not.toContain(form);
  });
});
