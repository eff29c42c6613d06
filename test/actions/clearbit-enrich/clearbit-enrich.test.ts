import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/clearbit-enrich/index';
import { ENRICHED_AT_PROPERTY, ENRICHMENT_FIELDS, MAX_PROPERTY_CHARS, contactUpdateFrom, headlineFrom } from '../../../actions/clearbit-enrich/map';
import { clearbitAuthorization, describeClearbitError, factsFromClearbit, linkedinUrl, twitterUrl } from '../../../lib/clearbit';
import { ACME_COMPANY, ADA_COMBINED, ADA_PERSON, type FakeClearbit } from '../../fakes/clearbit';
import type { FakeHubSpot } from '../../fakes/hubspot';
import type { Fault, FakeNetwork } from '../../fakes/network';
import { contactEvent, runAction } from '../../support/run';
import { ADA_ID, CLEARBIT_TEST_KEY, ENV, FILLED_BY_SALES, blankInputs, clearbitWorld, scenarios } from './scenarios';

const NOW = Date.UTC(2025, 5, 2, 9, 30);

let world: ReturnType<typeof clearbitWorld>;
let hubspot: FakeHubSpot;
let clearbit: FakeClearbit;
let net: FakeNetwork;

beforeEach(() => {
  world = clearbitWorld();
  ({ hubspot, clearbit, net } = world);
  net.install();
});
afterEach(() => net.uninstall());

const run = (inputs: Record<string, unknown> = blankInputs(), options: { config?: Record<string, unknown>; objectId?: string | number; env?: Record<string, string> } = {}) =>
  runAction(action, contactEvent(inputs, options.objectId ?? ADA_ID), { env: options.env ?? ENV, now: () => NOW, ...(options.config ? { config: options.config } : {}) });

const contact = () => hubspot.get('contacts', ADA_ID)!.properties;
const paths = () => net.calls.map((c) => `${c.method} ${new URL(c.url).host}${new URL(c.url).pathname}`);

describe('Clearbit payload → facts', () => {
  it('maps the documented combined shape', () => {
    expect(factsFromClearbit(ADA_COMBINED)).toEqual({
      person: {
        fullName: 'Ada Lovelace',
        title: 'Head of Engineering',
        role: 'engineering',
        seniority: 'director',
        employerName: 'Acme Analytics',
        employerDomain: 'acme.io',
        city: 'London',
        state: 'England',
        country: 'United Kingdom',
        linkedinUrl: 'https://www.linkedin.com/in/ada-lovelace',
        twitterUrl: 'https://twitter.com/ada',
      },
      company: {
        name: 'Acme Analytics',
        domain: 'acme.io',
        industry: 'Internet Software & Services',
        sector: 'Information Technology',
        city: 'San Francisco',
        state: 'California',
        country: 'United States',
        employees: 250,
        estimatedAnnualRevenue: '$10M-$50M',
        foundedYear: 2011,
        linkedinUrl: 'https://www.linkedin.com/company/acme-analytics',
        twitterUrl: 'https://twitter.com/acme',
      },
    });
  });

  it.each([
    [null, {}],
    ['oops', {}],
    [{ person: null, company: null }, {}],
    [{ person: { employment: null, geo: 'x', name: [] }, company: { metrics: { employees: -3 }, foundedYear: 99999 } }, {}],
    [{ person: { employment: { title: '   ' } } }, {}],
    [{ company: { metrics: { employees: '42' }, foundedYear: '1999' } }, { company: { employees: 42, foundedYear: 1999 } }],
    [{ company: { metrics: { employees: 12.5 } } }, {}],
  ])('odd payload %j → %j', (payload, expected) => {
    expect(factsFromClearbit(payload)).toEqual(expected);
  });

  it.each([
    ['in/ada', 'in', 'https://www.linkedin.com/in/ada'],
    ['ada', 'in', 'https://www.linkedin.com/in/ada'],
    ['/company/acme/', 'company', 'https://www.linkedin.com/company/acme'],
    ['in/../../evil', 'in', undefined],
    ['in/ada?x=<script>', 'in', undefined],
    ['', 'in', undefined],
    [42, 'in', undefined],
  ] as const)('linkedinUrl(%j, %s) = %j', (handle, kind, expected) => {
    expect(linkedinUrl(handle, kind)).toBe(expected);
  });

  it.each([
    ['ada', 'https://twitter.com/ada'],
    ['@ada_l', 'https://twitter.com/ada_l'],
    ['ada lovelace', undefined],
    ['javascript:alert(1)', undefined],
  ])('twitterUrl(%j) = %j', (handle, expected) => {
    expect(twitterUrl(handle)).toBe(expected);
  });

  it.each([
    [{ error: { type: 'email_invalid', message: 'Invalid email.' } }, { message: 'Invalid email.', code: 'EMAIL_INVALID' }],
    [{ error: { type: 'x y;drop', message: 7 } }, { message: undefined, code: undefined }],
    ['<html>', {}],
    [undefined, {}],
  ])('describeClearbitError(%j)', (body, expected) => {
    expect(describeClearbitError(400, body)).toEqual(expected);
  });
});

describe('contact update', () => {
  const facts = factsFromClearbit(ADA_COMBINED);

  it('fill_blanks writes only empty properties, plus the timestamp', () => {
    const update = contactUpdateFrom(facts, { jobtitle: 'CTO', city: '  ', company: '' }, { policy: 'fill_blanks', now: NOW });
    expect(update.properties.jobtitle).toBeUndefined();
    expect(update.properties.city).toBe('London');
    expect(update.properties.company).toBe('Acme Analytics');
    expect(update.filled).toHaveLength(15);
    expect(update.properties[ENRICHED_AT_PROPERTY]).toBe('2025-06-02T09:30:00.000Z');
  });

  it('overwrite replaces differing values and skips equal ones (numbers compared as numbers)', () => {
    const update = contactUpdateFrom(facts, { jobtitle: 'CTO', clearbit_company_employees: '250.0', city: 'London' }, { policy: 'overwrite', now: NOW });
    expect(update.properties.jobtitle).toBe('Head of Engineering');
    expect(update.filled).not.toContain('clearbit_company_employees');
    expect(update.filled).not.toContain('city');
  });

  it('nothing new → no properties at all, not even the timestamp', () => {
    expect(contactUpdateFrom(facts, FILLED_BY_SALES, { policy: 'fill_blanks', now: NOW })).toEqual({ properties: {}, filled: [] });
    expect(contactUpdateFrom({}, {}, { policy: 'overwrite', now: NOW })).toEqual({ properties: {}, filled: [] });
  });

  it('an unusable clock does not throw', () => {
    expect(contactUpdateFrom(facts, {}, { policy: 'fill_blanks', now: Number.NaN }).properties[ENRICHED_AT_PROPERTY]).toBe('1970-01-01T00:00:00.000Z');
    expect(contactUpdateFrom(facts, {}, { policy: 'fill_blanks', now: 1e20 }).properties[ENRICHED_AT_PROPERTY]).toBe('1970-01-01T00:00:00.000Z');
  });

  it('never throws and never produces a value longer than HubSpot allows, whatever the payload', () => {
    const handle = fc.record({ handle: fc.oneof(fc.string(), fc.constant(null), fc.integer()) }, { requiredKeys: [] });
    const odd = fc.oneof(fc.string({ maxLength: 70_000 }), fc.constant('x'.repeat(70_000)), fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.anything());
    const person = fc.record(
      { name: fc.record({ fullName: odd }, { requiredKeys: [] }), employment: fc.oneof(fc.record({ title: odd, role: odd, seniority: odd, domain: odd, name: odd }, { requiredKeys: [] }), odd), geo: fc.record({ city: odd, country: odd }, { requiredKeys: [] }), linkedin: handle, twitter: handle },
      { requiredKeys: [] },
    );
    const company = fc.record(
      { name: odd, domain: odd, category: fc.record({ industry: odd, sector: odd }, { requiredKeys: [] }), metrics: fc.record({ employees: odd, estimatedAnnualRevenue: odd }, { requiredKeys: [] }), foundedYear: odd, linkedin: handle },
      { requiredKeys: [] },
    );
    const payload = fc.oneof(fc.record({ person: fc.oneof(person, odd), company: fc.oneof(company, odd) }, { requiredKeys: [] }), fc.anything());
    const current = fc.dictionary(fc.constantFrom(...ENRICHMENT_FIELDS.map((f) => f.name)), fc.oneof(fc.string(), fc.constant(undefined)));
    fc.assert(
      fc.property(payload, current, fc.constantFrom('fill_blanks' as const, 'overwrite' as const), fc.oneof(fc.integer(), fc.double()), (body, cur, policy, now) => {
        const facts = factsFromClearbit(body);
        const update = contactUpdateFrom(facts, cur, { policy, now });
        for (const value of Object.values(update.properties)) {
          expect(typeof value).toBe('string');
          expect(value.length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
          expect(value.trim()).not.toBe('');
        }
        const headline = headlineFrom(facts);
        expect(headline.jobtitle.length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
      }),
      { numRuns: 300 },
    );
  });
});

describe('clearbit-enrich', () => {
  it('full payload: one Clearbit call, one update by the enrolled id, every blank filled', async () => {
    const { outputs } = await run();
    expect(outputs).toEqual({
      enrichment_status: 'enriched',
      fields_updated: 16,
      jobtitle: 'Head of Engineering',
      seniority: 'director',
      company_domain: 'acme.io',
      company_employees: 250,
      company_industry: 'Internet Software & Services',
      status: 'ok',
      error_code: '',
      error_message: '',
    });
    expect(paths()).toEqual(['GET person.clearbit.com/v2/combined/find', `PATCH api.hubapi.com/crm/objects/2026-09/contacts/${ADA_ID}`]);
    expect(new URL(net.calls[0]!.url).searchParams.get('email')).toBe('ada@acme.io');
    expect(contact()).toMatchObject({
      email: 'ada@acme.io',
      firstname: 'Ada',
      jobtitle: 'Head of Engineering',
      company: 'Acme Analytics',
      industry: 'Internet Software & Services',
      city: 'London',
      country: 'United Kingdom',
      clearbit_seniority: 'director',
      clearbit_linkedin_url: 'https://www.linkedin.com/in/ada-lovelace',
      clearbit_company_domain: 'acme.io',
      clearbit_company_employees: '250',
      clearbit_company_revenue: '$10M-$50M',
      clearbit_company_founded_year: '2011',
      clearbit_company_linkedin_url: 'https://www.linkedin.com/company/acme-analytics',
      clearbit_enriched_at: '2025-06-02T09:30:00.000Z',
    });
    expect(hubspot.list('contacts')).toHaveLength(1);
  });

  it('person without company: person facts and the employer domain from employment', async () => {
    clearbit.add('ada@acme.io', { person: ADA_PERSON, company: null });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', enrichment_status: 'enriched', fields_updated: 10, company_domain: 'acme.io', company_industry: '' });
    expect(outputs).not.toHaveProperty('company_employees');
    expect(contact()).toMatchObject({ jobtitle: 'Head of Engineering', company: 'Acme Analytics', clearbit_company_domain: 'acme.io', city: 'London' });
    expect(contact()).not.toHaveProperty('industry');
    expect(contact()).not.toHaveProperty('clearbit_company_employees');
  });

  it('company without person: company facts only, no person location from the company HQ', async () => {
    clearbit.add('ada@acme.io', { person: null, company: ACME_COMPANY });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', enrichment_status: 'enriched', fields_updated: 8, jobtitle: '', seniority: '', company_employees: 250 });
    expect(contact()).toMatchObject({ company: 'Acme Analytics', industry: 'Internet Software & Services', clearbit_company_founded_year: '2011' });
    expect(contact()).not.toHaveProperty('city');
    expect(contact()).not.toHaveProperty('jobtitle');
  });

  it('neither person nor company in a 200 → not_found, no write', async () => {
    clearbit.add('ada@acme.io', { person: null, company: null });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', enrichment_status: 'not_found', fields_updated: 0 });
    expect(net.calls).toHaveLength(1);
  });

  it('202 queued is an outcome, not an error: no HubSpot call; the next enrollment enriches', async () => {
    clearbit.add('ada@acme.io', ADA_COMBINED, { queued: true });
    const first = await run();
    expect(first.thrown).toBeUndefined();
    expect(first.outputs).toMatchObject({ status: 'ok', enrichment_status: 'queued', fields_updated: 0, jobtitle: '' });
    expect(paths()).toEqual(['GET person.clearbit.com/v2/combined/find']);
    expect(contact()).not.toHaveProperty('jobtitle');

    const second = await run();
    expect(second.outputs).toMatchObject({ status: 'ok', enrichment_status: 'enriched', fields_updated: 16 });
  });

  it('404 → not_found, no HubSpot call', async () => {
    const { outputs } = await run(blankInputs('grace@hopper.dev'));
    expect(outputs).toMatchObject({ status: 'ok', enrichment_status: 'not_found', fields_updated: 0 });
    expect(net.calls).toHaveLength(1);
  });

  it.each(['info@acme.io', 'Sales@Acme.io'])('422 for a role address (%s) → invalid_email, no HubSpot call', async (email) => {
    const { outputs, logs } = await run(blankInputs(email));
    expect(outputs).toMatchObject({ status: 'ok', enrichment_status: 'invalid_email', fields_updated: 0 });
    expect(net.calls).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/role/);
  });

  it('a malformed email never reaches Clearbit', async () => {
    const { outputs } = await run(blankInputs('ada@@acme'));
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INVALID_INPUT' });
    expect(net.calls).toHaveLength(0);
  });

  it('402 over quota → permanent error (not retried), no HubSpot call', async () => {
    clearbit.quota = 0;
    const { outputs, thrown } = await run();
    expect(thrown).toBeUndefined();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'CLEARBIT_QUOTA_EXCEEDED', enrichment_status: 'error' });
    expect(String(outputs?.error_message)).toMatch(/quota/);
    expect(net.calls).toHaveLength(1);
  });

  it('the quota runs out between two enrollments: the first enriches, the second is an error', async () => {
    clearbit.quota = 1;
    expect((await run()).outputs?.enrichment_status).toBe('enriched');
    expect((await run()).outputs).toMatchObject({ status: 'error', error_code: 'CLEARBIT_QUOTA_EXCEEDED' });
  });

  it('401 → configuration error naming the secret, without the key', async () => {
    const wrongKey = 'sk_wrongwrongwrong000000000000000099';
    const { outputs, logs } = await run(blankInputs(), { env: { ...ENV, CLEARBIT_API_KEY: wrongKey } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'CLEARBIT_UNAUTHORIZED' });
    expect(String(outputs?.error_message)).toContain('CLEARBIT_API_KEY');
    expect(JSON.stringify({ outputs, logs })).not.toContain(wrongKey);
    expect(net.calls).toHaveLength(1);
  });

  it('authenticates like the official clients: HTTP Basic, the key as user name, empty password', async () => {
    await run();
    expect(clearbit.authorizations).toEqual([`Basic ${Buffer.from(`${CLEARBIT_TEST_KEY}:`).toString('base64')}`]);
    expect(clearbitAuthorization('sk_abc')).toBe('Basic c2tfYWJjOg==');
  });

  it('the fake accepts what Clearbit accepts: Basic with the key (any password) or Bearer with the key, nothing else', () => {
    const ask = (authorization: string) => clearbit.handle({ method: 'GET', origin: 'https://person.clearbit.com', path: '/v2/combined/find?email=ada%40acme.io', pathname: '/v2/combined/find', query: new URLSearchParams({ email: 'ada@acme.io' }), headers: { authorization }, body: undefined, rawBody: '' }).status;
    expect(ask(`Basic ${Buffer.from(`${CLEARBIT_TEST_KEY}:`).toString('base64')}`)).toBe(200);
    expect(ask(`Bearer ${CLEARBIT_TEST_KEY}`)).toBe(200);
    expect(ask(`Basic ${Buffer.from('sk_other:').toString('base64')}`)).toBe(401);
    expect(ask(CLEARBIT_TEST_KEY)).toBe(401);
  });

  it('missing Clearbit key is named before any HTTP call', async () => {
    const { outputs } = await run(blankInputs(), { env: { ...ENV, CLEARBIT_API_KEY: ' ' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'MISSING_SECRET' });
    expect(outputs?.error_message).toContain('CLEARBIT_API_KEY');
    expect(net.calls).toHaveLength(0);
  });

  it('partial blanks: only the blanks are filled, what sales typed stays', async () => {
    const typed = { jobtitle: 'Chief Number Cruncher', company: 'ACME (UK) Ltd', clearbit_seniority: 'executive' };
    Object.assign(contact(), typed);
    const { outputs } = await run({ ...blankInputs(), ...typed });
    expect(outputs).toMatchObject({ status: 'ok', fields_updated: 13, jobtitle: 'Head of Engineering' });
    expect(contact()).toMatchObject({ ...typed, city: 'London', clearbit_company_domain: 'acme.io' });
  });

  it('nothing new: no HubSpot call at all', async () => {
    const before = hubspot.snapshot();
    const { outputs, logs } = await run({ email: 'ada@acme.io', ...FILLED_BY_SALES });
    expect(outputs).toMatchObject({ status: 'ok', enrichment_status: 'enriched', fields_updated: 0 });
    expect(paths()).toEqual(['GET person.clearbit.com/v2/combined/find']);
    expect(hubspot.snapshot()).toEqual(before);
    expect(logs.join('\n')).toMatch(/contact\.unchanged/);
  });

  it('overwrite policy (build-time config) replaces differing values, leaves equal ones alone', async () => {
    const { outputs } = await run({ email: 'ada@acme.io', ...FILLED_BY_SALES, clearbit_role: 'engineering' }, { config: { overwritePolicy: 'overwrite' } });
    // 16 fields minus the two Clearbit agrees with (role, company domain).
    expect(outputs).toMatchObject({ status: 'ok', fields_updated: 14 });
    expect(contact()).toMatchObject({ jobtitle: 'Head of Engineering', clearbit_company_employees: '250' });
    expect(contact()).not.toHaveProperty('clearbit_role');
    expect(contact()).not.toHaveProperty('clearbit_company_domain');
  });

  it('an unknown overwrite policy is a configuration error before any call', async () => {
    const { outputs } = await run(blankInputs(), { config: { overwritePolicy: 'always' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INVALID_CONFIG' });
    expect(net.calls).toHaveLength(0);
  });

  it('unicode names and places are written verbatim', async () => {
    clearbit.add('zoë@acme.io', {
      person: { ...ADA_PERSON, name: { fullName: 'Zoë Ørsted-Ñúñez' }, employment: { title: 'Geschäftsführerin 🚀', seniority: 'executive', name: 'Müller & Söhne GmbH' }, geo: { city: 'São Paulo', country: 'Brasil' } },
      company: { ...ACME_COMPANY, name: '株式会社エクサ', domain: 'münchen-analytik.de' },
    });
    const { outputs } = await run(blankInputs('Zoë@acme.io'));
    expect(outputs).toMatchObject({ status: 'ok', jobtitle: 'Geschäftsführerin 🚀', company_domain: 'münchen-analytik.de' });
    expect(contact()).toMatchObject({ jobtitle: 'Geschäftsführerin 🚀', company: '株式会社エクサ', city: 'São Paulo' });
  });

  it('missing enrolled object id → clear permanent error, Clearbit credit not spent', async () => {
    const { outputs } = await runAction(action, { ...contactEvent(blankInputs()), object: { objectType: 'CONTACT' } }, { env: ENV });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'MISSING_OBJECT_ID' });
    expect(net.calls).toHaveLength(0);
  });

  it('a company-based workflow is refused rather than updating a contact with a company id', async () => {
    const { outputs } = await runAction(action, contactEvent(blankInputs(), 77, 'COMPANY'), { env: ENV });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'WRONG_OBJECT_TYPE' });
    expect(net.calls).toHaveLength(0);
  });

  it('the enrolled contact was deleted meanwhile → permanent error, not a retry', async () => {
    const { outputs, thrown } = await run(blankInputs(), { objectId: 999_999 });
    expect(thrown).toBeUndefined();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'HUBSPOT_OBJECT_NOT_FOUND' });
  });

  // HubSpot re-runs the whole action after a 429/5xx: the fault must surface with that status and the re-run must
  // leave exactly the state of a clean run.
  const faults: Fault[] = ['429', '429-retry-after', '500', '503', 'reset', 'malformed-200', 'hang'];
  for (const step of [1, 2]) {
    for (const fault of faults) {
      it(`${fault} at call ${step} (${step === 1 ? 'Clearbit' : 'HubSpot'}): retryable status, then a re-run leaves the clean-run state`, async () => {
        net.uninstall();
        const clean = clearbitWorld();
        clean.net.install();
        await runAction(action, contactEvent(blankInputs(), ADA_ID), { env: ENV, now: () => NOW });
        const expected = clean.snapshot();
        clean.net.uninstall();
        net.install();

        // A fault on the first call is absorbed by one in-process retry when the budget allows it; fault the retry too.
        net.injectAt(step, fault).injectAt(step + 1, fault);
        const first = await run();
        expect(first.thrown, `${fault} at call ${step} should throw`).toBeDefined();
        const status = first.thrown?.response?.status;
        expect(status === 429 || (status !== undefined && status >= 500)).toBe(true);
        expect(first.thrown?.code).toBe(status);

        net.clearFaults();
        const second = await run();
        expect(second.outputs).toMatchObject({ status: 'ok', enrichment_status: 'enriched' });
        expect(world.snapshot()).toEqual(expected);
        expect(hubspot.list('contacts')).toHaveLength(1);
      });
    }
  }

  it('a re-run of a completed enrollment leaves the same state', async () => {
    await run();
    const before = world.snapshot();
    const again = await run();
    expect(again.outputs).toMatchObject({ status: 'ok', enrichment_status: 'enriched' });
    expect(world.snapshot()).toEqual(before);
    expect(hubspot.list('contacts')).toHaveLength(1);
  });

  it('never logs or outputs the Clearbit key or the HubSpot token, on any path', async () => {
    clearbit.add('q@acme.io', ADA_COMBINED, { queued: true });
    const runs = [await run(), await run(blankInputs('q@acme.io')), await run(blankInputs('info@acme.io')), await run(blankInputs('nobody@acme.io'))];
    clearbit.quota = 0;
    runs.push(await run());
    const everything = JSON.stringify(runs.map((r) => ({ outputs: r.outputs, logs: r.logs, thrown: r.thrown?.message })));
    expect(runs[0]!.logs.length).toBeGreaterThan(2);
    expect(everything).not.toContain(CLEARBIT_TEST_KEY);
    expect(everything).not.toContain(ENV.HUBSPOT_ACCESS_TOKEN);
  });

  it('the declared paths of the scenario file hold', async () => {
    for (const path of scenarios.paths) {
      net.uninstall();
      const w = scenarios.world();
      path.setup?.(w);
      w.net.install();
      const { outputs } = await runAction(scenarios.action, path.event, { env: w.env });
      expect(outputs, path.name).toMatchObject(path.expect);
      w.net.uninstall();
    }
    net.install();
  });

  it('declares its custom properties in the clearbit group, standard ones not at all', () => {
    const declared = (action.definition.properties ?? []).map((p) => p.name);
    expect(declared).toContain('clearbit_seniority');
    expect(declared).toContain(ENRICHED_AT_PROPERTY);
    expect(declared).not.toContain('jobtitle');
    expect((action.definition.properties ?? []).every((p) => p.groupName === 'clearbit' && p.objectType === 'contacts')).toBe(true);
    expect(Object.keys(action.definition.inputs).length).toBeLessThanOrEqual(50);
  });
});
