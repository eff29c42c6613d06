import { action } from '../../../actions/signup-onboarding/index';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeNetwork } from '../../fakes/network';
import { FAKE_SECRETS, contactEvent } from '../../support/run';
import type { ActionScenarios, World } from '../../support/scenario';

const signup = { email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', phone: '+44 20 7946 0000' };

export function signupWorld(): World & { hubspot: FakeHubSpot } {
  const hubspot = new FakeHubSpot({ uniqueProperties: { companies: ['signup_company_domain'] }, accessToken: FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN });
  const net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle);
  return {
    hubspot,
    net,
    env: { ...FAKE_SECRETS },
    snapshot: () => hubspot.snapshot(),
    counts: () => ({ contacts: hubspot.list('contacts').length, companies: hubspot.list('companies').length, associations: hubspot.associations.length }),
    issuedSecrets: () => [],
  };
}

export const scenarios: ActionScenarios = {
  action,
  world: signupWorld,
  paths: [
    { name: 'new contact, new company', event: contactEvent(signup), expect: { status: 'ok', contact_created: true, company_created: true } },
    {
      name: 'existing contact and company',
      event: contactEvent(signup),
      setup: (world) => {
        const { hubspot } = world as ReturnType<typeof signupWorld>;
        hubspot.seed('companies', { domain: 'acme.io', name: 'Acme' });
        hubspot.seed('contacts', { email: 'ada@acme.io', firstname: 'Ada' });
      },
      expect: { status: 'ok', contact_created: false, company_created: false },
    },
    {
      name: 'existing contact, new company',
      event: contactEvent(signup),
      setup: (world) => (world as ReturnType<typeof signupWorld>).hubspot.seed('contacts', { email: 'ada@acme.io', firstname: 'Ada' }),
      expect: { status: 'ok', contact_created: false, company_created: true },
    },
    { name: 'personal email', event: contactEvent({ ...signup, email: 'ada@gmail.com' }), expect: { status: 'ok', company_id: '' } },
  ],
  hostileFields: ['email', 'firstname', 'lastname', 'company', 'domain', 'phone', 'website'],
  concurrency: {
    name: '50 signups from one new company domain',
    events: Array.from({ length: 50 }, (_, i) => contactEvent({ ...signup, email: `user${i}@acme.io` })),
    check: (world) => {
      const counts = world.counts();
      if (counts.companies !== 1 || counts.contacts !== 50) throw new Error(`expected 1 company and 50 contacts, got ${JSON.stringify(counts)}`);
    },
  },
};
