import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { action as signupOnboarding } from '../../actions/signup-onboarding/index';
import { FREE_MAIL_DOMAINS } from '../../actions/signup-onboarding/map';
import { HUBSPOT_API_VERSION } from '../../lib/api-versions';
import { HUBSPOT_ORIGIN } from '../fakes/hubspot';
import { signupWorld } from '../actions/signup-onboarding/scenarios';
import { fillHook } from '../../integrations/ory/fill-hook.mjs';
import { contactEvent, runAction } from '../support/run';

/**
 * The Ory recipe (integrations/ory/): its Jsonnet body templates, evaluated by a real Jsonnet evaluator — the
 * `jsonnet` CLI (Debian package "jsonnet", the reference implementation; .ci/run installs it) — with `ctx` bound as
 * a top-level argument the way Ory binds it (https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks).
 * Then Ory's call and the workflow's run of signup-onboarding, against the stateful fake HubSpot.
 */

const DIR = path.resolve(import.meta.dirname, '../../integrations/ory');
const TRIGGER_TEMPLATE = path.join(DIR, 'hubspot-webhook-trigger.jsonnet');
const CREATE_TEMPLATE = path.join(DIR, 'hubspot-create-contact.jsonnet');

const evaluator = spawnSync('jsonnet', ['--version'], { encoding: 'utf8' });
const HAVE_JSONNET = evaluator.status === 0;
// In CI a missing evaluator is a failure, not a skip: .ci/run must install it.
const IN_CI = process.env.CI === 'true';

interface Evaluated {
  ok: boolean;
  json?: Record<string, any>;
  error?: string;
}

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

function evaluate(template: string, identity: unknown): Evaluated {
  tmp ??= mkdtempSync(path.join(tmpdir(), 'ory-ctx-'));
  const ctxFile = path.join(tmp, 'ctx.json');
  // The registration "after" context: flow, request data and the new identity (trimmed to what templates may read).
  writeFileSync(ctxFile, JSON.stringify({ flow: { id: 'cec1c06e-48eb-4f9d-abf1-2e287371f4eb', type: 'browser' }, request_method: 'POST', request_url: 'https://example.test/self-service/registration', identity }));
  const run = spawnSync('jsonnet', ['--tla-code-file', `ctx=${ctxFile}`, template], { encoding: 'utf8' });
  return run.status === 0 ? { ok: true, json: JSON.parse(run.stdout) } : { ok: false, error: run.stderr };
}

const ADA_ID = '3a5293f1-f4d6-49f4-b34f-6da62c360604';
/** An identity whose email Ory has verified (the after-verification hook's context). */
const verifiedIdentity = (traits: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: ADA_ID,
  schema_id: 'default',
  state: 'active',
  traits,
  verifiable_addresses: [{ id: 'a1', value: String(traits.email ?? '').toLowerCase(), verified: true, via: 'email', status: 'completed' }],
  ...extra,
});
const unverified = (traits: Record<string, unknown>) => verifiedIdentity(traits, { verifiable_addresses: [{ id: 'a1', value: String(traits.email).toLowerCase(), verified: false, via: 'email', status: 'sent' }] });
const SERVICE_KEY = 'pat-na1-0f0f0f0f-1111-2222-3333-ory000000001';

describe('Ory recipe: Jsonnet templates, evaluated by a real Jsonnet evaluator', () => {
  it.runIf(IN_CI)('the jsonnet CLI is installed in CI (.ci/run: apt-get install jsonnet)', () => {
    expect(HAVE_JSONNET, `jsonnet CLI not found (${evaluator.error?.message ?? evaluator.stderr}); .ci/run installs it with apt-get install jsonnet`).toBe(true);
  });

  describe.skipIf(!HAVE_JSONNET)('with the jsonnet CLI', () => {
    it('variant A: a contact create with what the signup gave, email lower-cased, the website as given', () => {
      const out = evaluate(CREATE_TEMPLATE, verifiedIdentity({ email: 'Ada@Acme.io', name: { first: 'Ada', last: 'Lovelace' }, company: 'Acme', company_domain: 'acme.io', website: 'https://www.acme.io/about' }));
      expect(out).toEqual({
        ok: true,
        json: { properties: { email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', website: 'https://www.acme.io/about', ory_identity_id: ADA_ID }, associations: [] },
      });
    });

    it('variant A: no website trait → the company domain as given; a personal mailbox or a non-domain → no website', () => {
      expect(evaluate(CREATE_TEMPLATE, verifiedIdentity({ email: 'ada@acme.io', company_domain: 'https://www.Acme.io/' })).json?.properties).toMatchObject({ website: 'https://www.Acme.io/' });
      expect(evaluate(CREATE_TEMPLATE, verifiedIdentity({ email: 'ada@gmail.com', company: { name: 'Acme', domain: 'www.acme.io' } })).json?.properties).toMatchObject({ company: 'Acme', website: 'www.acme.io' });
      expect(evaluate(CREATE_TEMPLATE, verifiedIdentity({ email: 'ada@gmail.com', company_domain: 'gmail.com' })).json?.properties).toEqual({ email: 'ada@gmail.com', ory_identity_id: ADA_ID });
      expect(evaluate(CREATE_TEMPLATE, verifiedIdentity({ email: 'ada@gmail.com', company_domain: 'not a domain' })).json?.properties).toEqual({ email: 'ada@gmail.com', ory_identity_id: ADA_ID });
    });

    it('variant A: a single-string name is split; non-string traits are left out, never null', () => {
      const out = evaluate(CREATE_TEMPLATE, verifiedIdentity({ email: 'ada@acme.io', name: 'Ada King Lovelace', company: 42, website: null }));
      expect(out.json?.properties).toEqual({ email: 'ada@acme.io', firstname: 'Ada', lastname: 'King Lovelace', ory_identity_id: ADA_ID });
    });

    it('variant B: only the verified email and the identity id — nothing self-reported', () => {
      const out = evaluate(TRIGGER_TEMPLATE, verifiedIdentity({ email: 'Ada@Acme.io', name: { first: 'Mallory', last: 'X' }, company: 'Evil Corp', website: 'https://evil.example' }));
      expect(out).toEqual({ ok: true, json: { email: 'ada@acme.io', ory_identity_id: ADA_ID } });
    });

    it.each([
      ['an unverified email (right after registration)', unverified({ email: 'ada@acme.io', name: { first: 'Mallory' } })],
      ['only another address verified (a second email, a phone)', verifiedIdentity({ email: 'ada@acme.io' }, { verifiable_addresses: [{ value: 'mallory@evil.example', verified: true, via: 'email' }, { value: 'ada@acme.io', verified: false, via: 'email' }] })],
      ['no verifiable addresses at all', verifiedIdentity({ email: 'ada@acme.io' }, { verifiable_addresses: undefined })],
      ['no email (a phone-only signup)', verifiedIdentity({ phone: '+44 20 7946 0000' })],
    ])('%s: both templates cancel, so Ory makes no call', (_what, identity) => {
      for (const template of [CREATE_TEMPLATE, TRIGGER_TEMPLATE]) {
        const out = evaluate(template, identity);
        expect(out.ok).toBe(false);
        expect(out.error).toMatch(/RUNTIME ERROR: cancel/);
      }
    });
  });
});

/**
 * The recipe end to end against the stateful fake HubSpot: Ory's call as the hook sends it (URL, auth header,
 * rendered body), then the workflow's run of signup-onboarding on the contact's own properties (README.md, step 4).
 */
describe.skipIf(!HAVE_JSONNET)('Ory recipe against the fake HubSpot', () => {
  const hook = JSON.parse(readFileSync(path.join(DIR, 'webhook-action.variant-a.json'), 'utf8'));
  const sendAsOry = async (identity: unknown) => {
    const body = evaluate(CREATE_TEMPLATE, identity);
    if (!body.ok) return 'cancelled';
    const res = await fetch(hook.config.url, { method: hook.config.method, headers: { 'content-type': 'application/json', [hook.config.auth.config.name]: `Bearer ${SERVICE_KEY}` }, body: JSON.stringify(body.json) });
    return res.status;
  };
  /** The workflow: the enrolled contact's own Email, First/Last Name, Company Name and Website URL as inputs. */
  const runWorkflowOn = (world: ReturnType<typeof signupWorld>, email: string) => {
    const contact = world.hubspot.list('contacts').find((c) => c.properties.email === email)!;
    const inputs = Object.fromEntries(['email', 'firstname', 'lastname', 'company', 'website'].map((k) => [k, contact.properties[k] ?? '']));
    return runAction(signupOnboarding, contactEvent(inputs), { env: world.env });
  };
  const worldWithOryKey = () => {
    const world = signupWorld();
    // The fake accepts one token; Ory's key is a second Service Key with only contacts.write.
    world.net.wrapRoute(HUBSPOT_ORIGIN, (inner) => (req) => (req.headers.authorization === `Bearer ${SERVICE_KEY}` ? inner({ ...req, headers: { ...req.headers, authorization: `Bearer ${world.env.HUBSPOT_ACCESS_TOKEN}` } }) : inner(req)));
    return world;
  };

  it('a registration with an existing customer\'s email, as "Mallory / Evil Corp": the contact, its company and associations stay as they were', async () => {
    const world = worldWithOryKey();
    world.hubspot.seed('contacts', { email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', website: 'https://acme.io' });
    const before = world.hubspot.snapshot();
    world.net.install();
    try {
      const mallory = { email: 'ada@acme.io', name: { first: 'Mallory', last: 'Mal' }, company: 'Evil Corp', company_domain: 'evil.example' };
      // Right after registration the email is not verified: no call at all.
      expect(await sendAsOry(unverified(mallory))).toBe('cancelled');
      // Even if it were verified (she controls the mailbox after all): a create, refused as the contact exists.
      expect(await sendAsOry(verifiedIdentity(mallory))).toBe(409);
      expect(world.hubspot.snapshot()).toEqual(before);
    } finally {
      world.net.uninstall();
    }
  });

  it('a new verified signup: created once with what it gave, onboarded once however often Ory and HubSpot deliver', async () => {
    const world = worldWithOryKey();
    world.net.install();
    try {
      const identity = verifiedIdentity({ email: 'Ada@Acme.io', name: { first: 'Ada', last: 'Lovelace' }, company: 'Acme', website: 'https://www.acme.io/about' });
      expect(await sendAsOry(identity)).toBe(201);
      // Ory's retry of the same call: a 409, nothing new.
      expect(await sendAsOry(identity)).toBe(409);
      const first = await runWorkflowOn(world, 'ada@acme.io');
      expect(first.outputs).toMatchObject({ status: 'ok', contact_created: false, company_created: true });
      const again = await runWorkflowOn(world, 'ada@acme.io');
      expect(again.outputs).toMatchObject({ status: 'ok', contact_created: false, company_created: false });
      expect(world.counts()).toEqual({ contacts: 1, companies: 1, associations: 1 });
      const [contact] = world.hubspot.list('contacts');
      expect(contact?.properties).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', website: 'https://www.acme.io/about', ory_identity_id: ADA_ID });
      expect(world.hubspot.list('companies')[0]?.properties).toMatchObject({ domain: 'acme.io', name: 'Acme' });
    } finally {
      world.net.uninstall();
    }
  });
});

describe('Ory recipe: files', () => {
  it("variant A's personal-mail list is the action's FREE_MAIL_DOMAINS", () => {
    const text = readFileSync(CREATE_TEMPLATE, 'utf8');
    const block = /local freeMail = \[([\s\S]*?)\];/.exec(text)?.[1] ?? '';
    expect([...block.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()).toEqual([...FREE_MAIL_DOMAINS].sort());
  });

  it('the hook snippets never block a flow (response.ignore: true), POST the template, and call the pinned HubSpot API version', () => {
    for (const file of ['webhook-action.variant-a.json', 'webhook-action.variant-b.json']) {
      const hook = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
      expect(hook).toMatchObject({ hook: 'web_hook', config: { method: 'POST', response: { ignore: true } } });
      expect(hook.config.body).toMatch(/^base64:\/\//);
      // Ory refuses ignore together with parse or can_interrupt (selfservice/hook/web_hook.go).
      expect(hook.config.response.parse).toBeUndefined();
      expect(hook.config.can_interrupt).toBeUndefined();
    }
    const a = JSON.parse(readFileSync(path.join(DIR, 'webhook-action.variant-a.json'), 'utf8'));
    expect(a.config.url).toBe(`https://api.hubapi.com/crm/objects/${HUBSPOT_API_VERSION}/contacts`);
    const yaml = readFileSync(path.join(DIR, 'kratos-hooks.yaml'), 'utf8');
    // After verification, not after registration: only then is the email verified.
    expect(yaml).toMatch(/selfservice:\n {2}flows:\n {4}verification:\n {6}after:\n {8}hooks:\n(?: {10}#[^\n]*\n)* {10}- hook: web_hook/);
    expect(yaml).not.toMatch(/^ {4}registration:/m);
    expect(yaml).toContain(`url: https://api.hubapi.com/crm/objects/${HUBSPOT_API_VERSION}/contacts`);
    expect(yaml).toMatch(/response:\n(?:\s+#[^\n]*\n)*\s+ignore: true/);
  });

  it("variant A authenticates with Ory's web-hook auth (api_key in the Authorization header), and no tracked file holds a key", () => {
    const a = JSON.parse(readFileSync(path.join(DIR, 'webhook-action.variant-a.json'), 'utf8'));
    expect(a.config.auth).toMatchObject({ type: 'api_key', config: { in: 'header', name: 'Authorization' } });
    for (const file of readdirSync(DIR)) {
      const text = readFileSync(path.join(DIR, file), 'utf8');
      expect(text, file).not.toMatch(/\bpat-[a-z0-9]{2,4}-[0-9a-f]{8}-/i);
      expect(text, file).not.toMatch(/Bearer (?!REPLACE|FILLED|…|<)[A-Za-z0-9]/);
    }
  });

  it('fill-hook.mjs puts the key from the environment into a file git ignores, with the template inlined', () => {
    const filled = fillHook('a', SERVICE_KEY);
    expect(filled.config.auth.config.value).toBe(`Bearer ${SERVICE_KEY}`);
    expect(Buffer.from(filled.config.body.replace('base64://', ''), 'base64').toString('utf8')).toBe(readFileSync(CREATE_TEMPLATE, 'utf8'));
    expect(() => fillHook('a', '')).toThrow(/ORY_HUBSPOT_SERVICE_KEY is not set/);
    expect(fillHook('b', 'https://api-na1.hubapi.com/automation/v4/webhook-triggers/1/abc').config.url).toBe('https://api-na1.hubapi.com/automation/v4/webhook-triggers/1/abc');
    for (const variant of ['a', 'b']) {
      const ignored = spawnSync('git', ['check-ignore', '-q', `integrations/ory/webhook-action.variant-${variant}.local.json`], { cwd: path.resolve(DIR, '../..') });
      expect(ignored.status, `webhook-action.variant-${variant}.local.json is not git-ignored`).toBe(0);
    }
  });

  it("the README's least scope for Ory's key is the create's security requirement, and its property steps match npm run setup", () => {
    const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
    // 2026-09 Contacts spec (PublicApiSpecs/CRM/Contacts/Rollouts/424/2026-09/contacts.json), POST
    // /crm/objects/2026-09/{objectType}: private_apps ["crm.objects.contacts.write"].
    expect(readme).toMatch(/one for Ory with \*\*only\*\* `crm\.objects\.contacts\.write`/);
    expect(readme).not.toMatch(/Ory[^\n]*crm\.objects\.contacts\.read/);
    // What setup creates is what the action declares; the README's hand-made property is not among them and sits in a
    // group every portal has for contacts.
    const declared = (signupOnboarding.definition.properties ?? []).map((p) => `${p.objectType}:${p.groupName}:${p.name}`);
    expect(declared).toEqual(['companies:signup_onboarding:signup_company_domain']);
    expect(readme).toMatch(/creates\s+`signup_company_domain` on companies, in the group `signup_onboarding`[^.]*, and nothing on\s+contacts/);
    expect(readme).toMatch(/internal name `ory_identity_id`, group \*\*Contact\s+information\*\*/);
  });
});
