import { action } from '../../../actions/salesforce-lead-sync/index';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../../fakes/hubspot';
import { FakeNetwork } from '../../fakes/network';
import { FAKE_SALESFORCE_SECRETS, FakeSalesforce, SALESFORCE_GENERIC_LOGIN, SALESFORCE_INSTANCE, SALESFORCE_MY_DOMAIN } from '../../fakes/salesforce';
import { FAKE_SECRETS, contactEvent } from '../../support/run';
import type { ActionScenarios, World } from '../../support/scenario';

/** The enrolled contact as the workflow sends it; lastmodifieddate is 2025-06-01. */
export const CONTACT = {
  email: 'ada@acme.io',
  firstname: 'Ada',
  lastname: 'Lovelace',
  company: 'Acme',
  phone: '+44 20 7946 0000',
  lifecyclestage: 'marketingqualifiedlead',
  hs_lead_status: '',
  hubspot_owner_id: '',
  lastmodifieddate: '2025-06-01T12:00:00.000Z',
  salesforce_lead_id: '',
  salesforce_lead_status: '',
  salesforce_sync_status: '',
};
export const HUBSPOT_MODIFIED = Date.parse(CONTACT.lastmodifieddate);
export const BEFORE_HUBSPOT = '2025-01-01T09:00:00.000+0000';
export const AFTER_HUBSPOT = '2025-09-01T09:00:00.000+0000';

export type LeadSyncWorld = World & { hubspot: FakeHubSpot; salesforce: FakeSalesforce; contactId: string };

/** Fresh fakes: an empty Salesforce org, and HubSpot holding the enrolled contact (always the first record: id 1001). */
export function leadSyncWorld(): LeadSyncWorld {
  const hubspot = new FakeHubSpot({ accessToken: FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN });
  const contactId = hubspot.seed('contacts', { email: CONTACT.email, firstname: CONTACT.firstname, lastname: CONTACT.lastname, company: CONTACT.company, lifecyclestage: CONTACT.lifecyclestage });
  if (contactId !== ENROLLED_CONTACT_ID) throw new Error(`fake HubSpot numbered the enrolled contact ${contactId}, expected ${ENROLLED_CONTACT_ID}`);
  const salesforce = new FakeSalesforce();
  const net = new FakeNetwork()
    .route(HUBSPOT_ORIGIN, hubspot.handle)
    .route(SALESFORCE_MY_DOMAIN, (req) => salesforce.handleMyDomain(req))
    // Late-bound so a test can swap the REST handler (e.g. an org that rejects every session).
    .route(SALESFORCE_INSTANCE, (req) => salesforce.handleRest(req))
    .route(SALESFORCE_GENERIC_LOGIN, (req) => salesforce.handleGenericLogin(req));
  return {
    hubspot,
    salesforce,
    contactId,
    net,
    env: { ...FAKE_SECRETS, ...FAKE_SALESFORCE_SECRETS },
    snapshot: () => ({
      leads: salesforce.snapshot(),
      contacts: hubspot.list('contacts').map((c) => Object.fromEntries(Object.entries(c.properties).filter(([k]) => !['createdate', 'lastmodifieddate', 'hs_object_id', 'salesforce_last_sync_at', 'salesforce_lead_id'].includes(k)).sort())),
      leadIdsRecorded: hubspot.list('contacts').map((c) => (c.properties.salesforce_lead_id ? salesforce.leads.has(c.properties.salesforce_lead_id) : 'none')),
    }),
    counts: () => ({ leads: salesforce.leads.size, contacts: hubspot.list('contacts').length }),
    issuedSecrets: () => [...salesforce.issuedTokens],
  };
}

export const ENROLLED_CONTACT_ID = '1001';
export const syncEvent = (overrides: Record<string, string> = {}) => contactEvent({ ...CONTACT, ...overrides }, ENROLLED_CONTACT_ID);

const asLeadSync = (world: World) => world as LeadSyncWorld;

export const scenarios: ActionScenarios = {
  action,
  world: leadSyncWorld,
  paths: [
    { name: 'new lead', event: syncEvent(), expect: { status: 'ok', sync_operation: 'create' } },
    {
      name: 'existing lead, HubSpot newer',
      event: syncEvent(),
      setup: (world) => {
        asLeadSync(world).salesforce.seedLead({ Email: 'Ada@Acme.io', FirstName: 'Ada', LastName: 'Byron', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
      },
      expect: { status: 'ok', sync_operation: 'update' },
    },
    {
      name: 'existing lead, Salesforce newer',
      event: syncEvent(),
      setup: (world) => {
        asLeadSync(world).salesforce.seedLead({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'King', Company: 'Acme Ltd', Phone: '+44 20 7946 0000', Status: 'Working - Contacted', LastModifiedDate: AFTER_HUBSPOT });
      },
      expect: { status: 'ok', sync_operation: 'sync_from_salesforce' },
    },
    {
      name: 'existing lead, nothing differs',
      event: syncEvent(),
      setup: (world) => {
        asLeadSync(world).salesforce.seedLead({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'Lovelace', Company: 'Acme', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LastModifiedDate: AFTER_HUBSPOT });
      },
      expect: { status: 'ok', sync_operation: 'noop' },
    },
  ],
  hostileFields: ['email', 'firstname', 'lastname', 'company', 'phone', 'lifecyclestage', 'hs_lead_status', 'hubspot_owner_id', 'lastmodifieddate', 'salesforce_lead_id'],
};
