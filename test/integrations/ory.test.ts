import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { action as signupOnboarding } from '../../actions/signup-onboarding/index';
import { FREE_MAIL_DOMAINS } from '../../actions/signup-onboarding/map';
import { HUBSPOT_API_VERSION } from '../../lib/api-versions';
import { signupWorld } from '../actions/signup-onboarding/scenarios';
import { contactEvent, runAction } from '../support/run';

/**
 * The Ory recipe (integrations/ory/): its Jsonnet body templates, evaluated by a real Jsonnet evaluator — the
 * `jsonnet` CLI (Debian package "jsonnet", the reference implementation; .ci/run installs it) — with `ctx` bound as
 * a top-level argument the way Ory binds it (https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks).
 * Then the webhook body is fed to signup-onboarding as its input fields, against the stateful fake HubSpot.
 */

const DIR = path.resolve(import.meta.dirname, '../../integrations/ory');
const TRIGGER_TEMPLATE = path.join(DIR, 'hubspot-webhook-trigger.jsonnet');
const UPSERT_TEMPLATE = path.join(DIR, 'hubspot-create-contact.jsonnet');

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

const ADA = { id: '3a5293f1-f4d6-49f4-b34f-6da62c360604', schema_id: 'default', state: 'active' };

describe('Ory recipe: Jsonnet templates, evaluated by a real Jsonnet evaluator', () => {
  it.runIf(IN_CI)('the jsonnet CLI is installed in CI (.ci/run: apt-get install jsonnet)', () => {
    expect(HAVE_JSONNET, `jsonnet CLI not found (${evaluator.error?.message ?? evaluator.stderr}); .ci/run installs it with apt-get install jsonnet`).toBe(true);
  });

  describe.skipIf(!HAVE_JSONNET)('with the jsonnet CLI', () => {
    it('full traits: every field a webhook-triggered workflow needs, flat, email lower-cased, domain normalised', () => {
      const out = evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'Ada@Acme.io', name: { first: 'Ada', last: 'Lovelace' }, company: 'Acme', company_domain: 'https://www.Acme.io/about', website: 'https://acme.io' } });
      expect(out).toEqual({
        ok: true,
        json: { email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', domain: 'acme.io', website: 'https://acme.io', ory_identity_id: ADA.id },
      });
    });

    it('missing names and company: empty strings, never null (HubSpot maps "" as "not set")', () => {
      const out = evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'grace@navy.mil' } });
      expect(out.json).toEqual({ email: 'grace@navy.mil', firstname: '', lastname: '', company: '', domain: '', website: '', ory_identity_id: ADA.id });
    });

    it('a single-string name is split into first and last; non-string traits become ""', () => {
      const out = evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'ada@acme.io', name: 'Ada King Lovelace', company: 42, website: null } });
      expect(out.json).toMatchObject({ firstname: 'Ada', lastname: 'King Lovelace', company: '', website: '' });
    });

    it('free-mail domain: a personal mailbox is never sent as the company domain', () => {
      expect(evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'ada@gmail.com', company_domain: 'gmail.com' } }).json).toMatchObject({ email: 'ada@gmail.com', domain: '' });
      expect(evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'ada@gmail.com', company: { name: 'Acme', domain: 'www.acme.io' } } }).json).toMatchObject({ company: 'Acme', domain: 'acme.io' });
      expect(evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'ada@gmail.com', company_domain: 'not a domain' } }).json).toMatchObject({ domain: '' });
    });

    it('no email (e.g. a phone-only signup): the template cancels, so Ory makes no call', () => {
      for (const template of [TRIGGER_TEMPLATE, UPSERT_TEMPLATE]) {
        const out = evaluate(template, { ...ADA, traits: { phone: '+44 20 7946 0000' } });
        expect(out.ok).toBe(false);
        expect(out.error).toMatch(/RUNTIME ERROR: cancel/);
      }
    });

    it('variant B: a contacts batch upsert keyed by email, only the values the signup gave, plus the Ory identity id', () => {
      const full = evaluate(UPSERT_TEMPLATE, { ...ADA, traits: { email: 'Ada@Acme.io', name: { first: 'Ada', last: 'Lovelace' }, company: 'Acme', company_domain: 'acme.io' } });
      expect(full.json).toEqual({ inputs: [{ idProperty: 'email', id: 'ada@acme.io', properties: { email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', website: 'acme.io', ory_identity_id: ADA.id } }] });
      const bare = evaluate(UPSERT_TEMPLATE, { ...ADA, traits: { email: 'ada@gmail.com', company_domain: 'gmail.com' } });
      expect(bare.json?.inputs[0].properties).toEqual({ email: 'ada@gmail.com', ory_identity_id: ADA.id });
    });

    it('the webhook body, mapped field by field, runs signup-onboarding: a company by domain, the contact, their association', async () => {
      const body = evaluate(TRIGGER_TEMPLATE, { ...ADA, traits: { email: 'Ada@Acme.io', name: { first: 'Ada', last: 'Lovelace' }, company: 'Acme', company_domain: 'https://www.acme.io' } }).json!;
      const world = signupWorld();
      world.net.install();
      try {
        // The workflow maps each webhook field to the input of the same name (README.md, "Map the inputs").
        const inputs = Object.fromEntries(['email', 'firstname', 'lastname', 'company', 'domain', 'website'].map((k) => [k, body[k]]));
        const first = await runAction(signupOnboarding, contactEvent(inputs), { env: world.env });
        expect(first.outputs).toMatchObject({ status: 'ok', contact_created: true, company_created: true });
        // Ory retries and HubSpot re-enrollments deliver the same body again: nothing new is created.
        const again = await runAction(signupOnboarding, contactEvent(inputs), { env: world.env });
        expect(again.outputs).toMatchObject({ status: 'ok', contact_created: false, company_created: false });
        expect(world.counts()).toEqual({ contacts: 1, companies: 1, associations: 1 });
        expect(world.hubspot.list('companies')[0]?.properties.domain).toBe('acme.io');
      } finally {
        world.net.uninstall();
      }
    });
  });
});

describe('Ory recipe: files', () => {
  it('the templates\' personal-mail list is the action\'s FREE_MAIL_DOMAINS', () => {
    for (const template of [TRIGGER_TEMPLATE, UPSERT_TEMPLATE]) {
      const text = readFileSync(template, 'utf8');
      const block = /local freeMail = \[([\s\S]*?)\];/.exec(text)?.[1] ?? '';
      expect([...block.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()).toEqual([...FREE_MAIL_DOMAINS].sort());
    }
  });

  it('the hook snippets never block a registration (response.ignore: true), POST the template, and call the pinned HubSpot API version', () => {
    for (const file of ['webhook-action.variant-a.json', 'webhook-action.variant-b.json']) {
      const hook = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
      expect(hook).toMatchObject({ hook: 'web_hook', config: { method: 'POST', response: { ignore: true } } });
      expect(hook.config.body).toMatch(/^base64:\/\//);
      // Ory refuses ignore together with parse or can_interrupt (selfservice/hook/web_hook.go).
      expect(hook.config.response.parse).toBeUndefined();
      expect(hook.config.can_interrupt).toBeUndefined();
    }
    const b = JSON.parse(readFileSync(path.join(DIR, 'webhook-action.variant-b.json'), 'utf8'));
    expect(b.config.url).toBe(`https://api.hubapi.com/crm/objects/${HUBSPOT_API_VERSION}/contacts/batch/upsert`);
    const yaml = readFileSync(path.join(DIR, 'kratos-registration-hooks.yaml'), 'utf8');
    expect(yaml).toMatch(/selfservice:\n {2}flows:\n {4}registration:\n {6}after:\n {8}hooks:\n(?: {10}#[^\n]*\n)* {10}- hook: web_hook/);
    expect(yaml).toMatch(/response:\n\s+# [^\n]*\n\s+ignore: true/);
  });
});
