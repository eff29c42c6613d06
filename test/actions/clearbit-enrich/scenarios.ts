import { action } from '../../../actions/clearbit-enrich/index';
import { ENRICHMENT_FIELDS, ENRICHED_AT_PROPERTY } from '../../../actions/clearbit-enrich/map';
import { ADA_COMBINED, CLEARBIT_ORIGIN, FakeClearbit } from '../../fakes/clearbit';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeNetwork } from '../../fakes/network';
import { FAKE_SECRETS, contactEvent } from '../../support/run';
import type { ActionScenarios, World } from '../../support/scenario';

/** Distinctive, so leak checks can search every log line and output for it. */
export const CLEARBIT_TEST_KEY = 'sk_leakcheck0clearbit0000000000000001';
export const ENV = { ...FAKE_SECRETS, CLEARBIT_API_KEY: CLEARBIT_TEST_KEY };

/** The enrolled contact: the first record a fresh FakeHubSpot creates gets id 1001. */
export const ADA_ID = '1001';

/** Every fillable property empty, as a workflow sends unset properties. */
export const blankInputs = (email = 'ada@acme.io'): Record<string, string> => ({ email, ...Object.fromEntries(ENRICHMENT_FIELDS.map((f) => [f.name, ''])) });

/** What a contact looks like once someone filled every property by hand. */
export const FILLED_BY_SALES: Record<string, string> = {
  jobtitle: 'VP Engineering',
  company: 'Acme',
  industry: 'Software',
  city: 'Cambridge',
  state: 'Cambridgeshire',
  country: 'UK',
  clearbit_seniority: 'executive',
  clearbit_role: 'engineering',
  clearbit_linkedin_url: 'https://www.linkedin.com/in/ada',
  clearbit_twitter_url: 'https://twitter.com/ada_l',
  clearbit_company_domain: 'acme.io',
  clearbit_company_sector: 'Technology',
  clearbit_company_employees: '300',
  clearbit_company_revenue: '$1M-$10M',
  clearbit_company_founded_year: '2010',
  clearbit_company_linkedin_url: 'https://www.linkedin.com/company/acme',
};

export function clearbitWorld(options: { contact?: Record<string, string> } = {}): World & { hubspot: FakeHubSpot; clearbit: FakeClearbit } {
  const hubspot = new FakeHubSpot({ accessToken: FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN });
  const clearbit = new FakeClearbit({ apiKey: CLEARBIT_TEST_KEY }).add('ada@acme.io', ADA_COMBINED);
  hubspot.seed('contacts', { email: 'ada@acme.io', firstname: 'Ada', ...(options.contact ?? {}) });
  const net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle).route(CLEARBIT_ORIGIN, clearbit.handle);
  return {
    hubspot,
    clearbit,
    net,
    env: { ...ENV },
    // The enrichment timestamp differs per run by design; whether it is set is what must be stable.
    snapshot: () => {
      const snap = hubspot.snapshot();
      return {
        ...snap,
        records: snap.records.map((r) => ({ ...r, properties: Object.fromEntries(Object.entries(r.properties).map(([k, v]) => [k, k === ENRICHED_AT_PROPERTY ? 'set' : v])) })),
      };
    },
    counts: () => ({ contacts: hubspot.list('contacts').length }),
    issuedSecrets: () => [],
  };
}

export const scenarios: ActionScenarios = {
  action,
  world: clearbitWorld,
  paths: [
    {
      name: 'enriched new values',
      event: contactEvent(blankInputs(), ADA_ID),
      expect: { status: 'ok', enrichment_status: 'enriched', fields_updated: 16, jobtitle: 'Head of Engineering', seniority: 'director', company_domain: 'acme.io', company_employees: 250 },
    },
    {
      name: 'nothing new',
      event: contactEvent({ email: 'ada@acme.io', ...FILLED_BY_SALES }, ADA_ID),
      setup: (world) => {
        const { hubspot } = world as ReturnType<typeof clearbitWorld>;
        Object.assign(hubspot.get('contacts', ADA_ID)!.properties, FILLED_BY_SALES);
      },
      expect: { status: 'ok', enrichment_status: 'enriched', fields_updated: 0, jobtitle: 'Head of Engineering' },
    },
  ],
  hostileFields: ['email', ...ENRICHMENT_FIELDS.map((f) => f.name)],
};
