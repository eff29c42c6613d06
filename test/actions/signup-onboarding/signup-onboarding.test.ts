import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/signup-onboarding/index';
import { companyDomainFor, normalizeDomain } from '../../../actions/signup-onboarding/map';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeNetwork, type Fault } from '../../fakes/network';
import { FAKE_SECRETS, contactEvent, runAction } from '../../support/run';

const env = { ...FAKE_SECRETS };
const signup = { email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', phone: '+44 20 7946 0000', website: '', domain: '' };

let hubspot: FakeHubSpot;
let net: FakeNetwork;

beforeEach(() => {
  hubspot = new FakeHubSpot({ uniqueProperties: { companies: ['signup_company_domain'] }, accessToken: FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN });
  net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle).install();
});
afterEach(() => net.uninstall());

const run = (inputs: Record<string, unknown> = signup) => runAction(action, contactEvent(inputs), { env });
const paths = () => net.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`);

describe('company domain', () => {
  it.each([
    ['https://www.Acme.io/about?x=1', 'acme.io'],
    ['ACME.IO.', 'acme.io'],
    ['WWW.WWW.IO', 'www.io'],
    ['www.io', 'www.io'],
    ['sub.acme.co.uk:8080', 'sub.acme.co.uk'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['localhost', undefined],
    ['192.168.0.1', undefined],
    ['acme', undefined],
    ["o'brien.com", undefined],
    ['', undefined],
  ])('normalizeDomain(%j) = %j', (text, expected) => {
    expect(normalizeDomain(text)).toBe(expected);
  });

  it.each([
    [{ email: 'ada@acme.io' }, 'acme.io'],
    [{ email: 'ada@gmail.com' }, undefined],
    [{ email: 'ada@gmail.com', website: 'https://acme.io' }, 'acme.io'],
    [{ email: 'ada@gmail.com', domain: 'beta.dev', website: 'https://acme.io' }, 'beta.dev'],
    [{ email: 'ada@outlook.com', domain: 'yahoo.com' }, undefined],
  ])('companyDomainFor(%j) = %j', (signupFields, expected) => {
    expect(companyDomainFor(signupFields)).toBe(expected);
  });
});

describe('signup-onboarding', () => {
  it('new contact + new company: 3 calls, associated, unique domain key set', async () => {
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', contact_created: true, company_created: true, error_code: '' });
    const [company] = hubspot.list('companies');
    const [contact] = hubspot.list('contacts');
    expect(company?.properties).toMatchObject({ domain: 'acme.io', name: 'Acme', signup_company_domain: 'acme.io' });
    expect(contact?.properties).toMatchObject({ email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme' });
    expect(outputs?.company_id).toBe(company?.id);
    expect(outputs?.contact_id).toBe(contact?.id);
    expect(hubspot.associationsOf('contacts', contact!.id, 'companies')).toEqual([company!.id]);
    expect(paths()).toEqual(['POST /crm/objects/2026-09/companies/search', 'POST /crm/objects/2026-09/contacts/batch/upsert', 'POST /crm/objects/2026-09/companies']);
  });

  it('existing contact, new company: 3 calls (was 5), updates only the values given, keeps the rest, associates', async () => {
    const id = hubspot.seed('contacts', { email: 'ada@acme.io', firstname: 'Augusta', lastname: 'King', jobtitle: 'Countess' });
    const { outputs } = await run({ email: 'ADA@acme.io', firstname: 'Ada', lastname: '', company: 'Acme' });
    expect(outputs).toMatchObject({ status: 'ok', contact_id: id, contact_created: false, company_created: true });
    expect(hubspot.get('contacts', id)?.properties).toMatchObject({ firstname: 'Ada', lastname: 'King', jobtitle: 'Countess' });
    expect(hubspot.list('contacts')).toHaveLength(1);
    expect(hubspot.associationsOf('contacts', id, 'companies')).toEqual([outputs?.company_id]);
    expect(net.calls).toHaveLength(3);
  });

  it('existing contact and company (409): updates only the values given, associates, 4 calls', async () => {
    const companyId = hubspot.seed('companies', { domain: 'acme.io', name: 'Acme' });
    const id = hubspot.seed('contacts', { email: 'ada@acme.io', firstname: 'Augusta', lastname: 'King' });
    const { outputs } = await run({ email: 'ada@acme.io', firstname: 'Ada' });
    expect(outputs).toMatchObject({ status: 'ok', contact_id: id, company_id: companyId, contact_created: false, company_created: false });
    expect(hubspot.get('contacts', id)?.properties).toMatchObject({ firstname: 'Ada', lastname: 'King' });
    expect(hubspot.associationsOf('contacts', id, 'companies')).toEqual([companyId]);
    expect(net.calls).toHaveLength(4);
  });

  it('our company not yet searchable (a concurrent or earlier run made it): refused create names it, 4 calls, no duplicate', async () => {
    const companyId = hubspot.seed('companies', { domain: 'acme.io', name: 'Acme', signup_company_domain: 'acme.io' }, { searchable: false });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', company_id: companyId, company_created: false, contact_created: true });
    expect(hubspot.list('companies')).toHaveLength(1);
    expect(hubspot.associationsOf('contacts', String(outputs?.contact_id), 'companies')).toEqual([companyId]);
    expect(net.calls).toHaveLength(4);
  });

  it('a duplicate refused with 400 "already has that value" (no id): upsert by the unique key finds it, then associates', async () => {
    const companyId = hubspot.seed('companies', { domain: 'acme.io', name: 'Acme', signup_company_domain: 'acme.io' }, { searchable: false });
    net.uninstall();
    net = new FakeNetwork()
      .route(HUBSPOT_ORIGIN, (req) =>
        req.method === 'POST' && req.pathname === '/crm/objects/2026-09/companies'
          ? { status: 400, body: { status: 'error', message: 'Property values were not valid: signup_company_domain already has that value', category: 'VALIDATION_ERROR' } }
          : hubspot.handle(req),
      )
      .install();
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', company_id: companyId, company_created: false });
    expect(hubspot.list('companies')).toHaveLength(1);
    expect(hubspot.associationsOf('contacts', String(outputs?.contact_id), 'companies')).toEqual([companyId]);
    expect(paths().slice(2)).toEqual(['POST /crm/objects/2026-09/companies', 'POST /crm/objects/2026-09/companies/batch/upsert', `PUT /crm/objects/2026-09/contacts/${outputs?.contact_id}/associations/default/companies/${companyId}`]);
  });

  it('any other 400 on the company create is an error, not a duplicate', async () => {
    net.uninstall();
    net = new FakeNetwork()
      .route(HUBSPOT_ORIGIN, (req) =>
        req.method === 'POST' && req.pathname === '/crm/objects/2026-09/companies' ? { status: 400, body: { status: 'error', message: 'Property values were not valid: name is required', category: 'VALIDATION_ERROR' } } : hubspot.handle(req),
      )
      .install();
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error' });
    expect(hubspot.list('companies')).toHaveLength(0);
  });

  it('existing company found by domain is reused, not duplicated', async () => {
    const companyId = hubspot.seed('companies', { domain: 'acme.io', name: 'Acme Inc.' });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', company_id: companyId, company_created: false });
    expect(hubspot.list('companies')).toHaveLength(1);
    expect(hubspot.get('companies', companyId)?.properties.name).toBe('Acme Inc.');
    expect(net.calls).toHaveLength(2);
  });

  it('personal mail address: contact only, no company, one call', async () => {
    const { outputs } = await run({ email: 'ada@gmail.com', firstname: 'Ada' });
    expect(outputs).toMatchObject({ status: 'ok', company_id: '', company_created: false, contact_created: true });
    expect(hubspot.list('companies')).toHaveLength(0);
    expect(net.calls).toHaveLength(1);
  });

  it.each([
    [{ firstname: 'Ada' }, 'MISSING_INPUT', /email/],
    [{ email: '   ' }, 'MISSING_INPUT', /email/],
    [{ email: 'not-an-email' }, 'INVALID_INPUT', /email/],
    [{ email: "o'brien@@acme.io" }, 'INVALID_INPUT', /email/],
  ])('bad email %j → %s, no HTTP call', async (inputs, code, message) => {
    const { outputs } = await run(inputs);
    expect(outputs).toMatchObject({ status: 'error', error_code: code });
    expect(String(outputs?.error_message)).toMatch(message);
    expect(net.calls).toHaveLength(0);
  });

  it('missing secret is named before any HTTP call', async () => {
    const { outputs } = await runAction(action, contactEvent(signup), { env: {} });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'MISSING_SECRET' });
    expect(outputs?.error_message).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(net.calls).toHaveLength(0);
  });

  it('a wrong token is a permanent configuration error, with no token in the message', async () => {
    const { outputs, logs } = await runAction(action, contactEvent(signup), { env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-00000000-0000-0000-0000-wrongwrong00' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'HUBSPOT_INVALID_AUTHENTICATION' });
    expect(JSON.stringify({ outputs, logs })).not.toContain('wrongwrong00');
  });

  it('quotes, unicode and emoji in names are written verbatim', async () => {
    const { outputs } = await run({ email: 'zoë@acme.io', firstname: "D'Arcy \"Dee\"", lastname: 'Ørsted 🚀' });
    expect(outputs?.status).toBe('ok');
    expect(hubspot.list('contacts')[0]?.properties).toMatchObject({ firstname: "D'Arcy \"Dee\"", lastname: 'Ørsted 🚀' });
  });

  // HubSpot re-runs the whole action after a 429/5xx: the fault must surface with its status, and the re-run
  // must end in exactly the state a clean run leaves.
  const faults: Fault[] = ['429', '500', '503', 'reset', 'malformed-200', 'hang'];
  for (const step of [1, 2, 3]) {
    for (const fault of faults) {
      it(`fault ${fault} at call ${step}: retryable status, then a re-run leaves one contact, one company, one association`, async () => {
        net.injectAt(step, fault);
        const first = await run();
        expect(first.outputs?.status).not.toBe('ok');
        expect(first.thrown, `run with ${fault} at call ${step} should throw`).toBeDefined();
        const status = first.thrown?.response?.status;
        expect(status === 429 || (status !== undefined && status >= 500)).toBe(true);
        expect(first.thrown?.code).toBe(status);

        net.clearFaults();
        const second = await run();
        expect(second.outputs?.status).toBe('ok');
        expect(hubspot.list('contacts')).toHaveLength(1);
        expect(hubspot.list('companies')).toHaveLength(1);
        const contactId = hubspot.list('contacts')[0]!.id;
        expect(hubspot.associationsOf('contacts', contactId, 'companies')).toHaveLength(1);
      });
    }
  }

  it('a re-run of a completed enrollment changes nothing, in 4 calls (search caught up) or 4 (not yet)', async () => {
    await run();
    const before = hubspot.snapshot();
    for (const catchUp of [false, true]) {
      if (catchUp) hubspot.indexSearch();
      const calls = net.calls.length;
      const again = await run();
      expect(again.outputs).toMatchObject({ status: 'ok', contact_created: false });
      expect(hubspot.snapshot()).toEqual(before);
      expect(net.calls.length - calls).toBe(4);
    }
  });

  it('50 concurrent signups from one new domain make exactly one company', async () => {
    // HubSpot's real budget: 50 runs share this process's CPU, which the 1 s test deadline is not meant to measure.
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => runAction(action, contactEvent({ email: `user${i}@acme.io`, company: 'Acme' }), { env, deadline: { budgetMs: 20_000 } })),
    );
    expect(runs.every((r) => r.outputs?.status === 'ok')).toBe(true);
    expect(hubspot.list('companies')).toHaveLength(1);
    expect(hubspot.list('contacts')).toHaveLength(50);
  });

  it('never logs or outputs the access token', async () => {
    const { outputs, logs } = await run();
    expect(logs.length).toBeGreaterThan(2);
    expect(JSON.stringify({ outputs, logs })).not.toContain(FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN);
  });

  it('main(event) returns the outputs (Node 24: no callback-style handlers)', async () => {
    const previous = process.env.HUBSPOT_ACCESS_TOKEN;
    process.env.HUBSPOT_ACCESS_TOKEN = FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN;
    try {
      expect(action.main.length).toBe(1);
      const returned = await action.main(contactEvent(signup));
      expect(returned.outputFields.status).toBe('ok');
    } finally {
      if (previous === undefined) delete process.env.HUBSPOT_ACCESS_TOKEN;
      else process.env.HUBSPOT_ACCESS_TOKEN = previous;
    }
  });
});
