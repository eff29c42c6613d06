import { defineAction } from '../../lib/action';
import { PermanentError } from '../../lib/errors';
import { hubspotTokenSecret, existingIdFromConflict, type HubSpotClient } from '../../lib/hubspot';
import { input } from '../../lib/inputs';
import { output } from '../../lib/outputs';
import { textProperty } from '../../lib/properties';
import { companyDomainFor, companyPropertiesFromSignup, contactPropertiesFromSignup } from './map';

/**
 * Signup onboarding: a new customer registered (an identity provider's after-registration webhook, or a
 * contact-created trigger). Make sure their company and their contact exist in HubSpot and are associated.
 *
 * Idempotent by construction, so HubSpot's whole-action re-runs after a 429/5xx create nothing twice:
 * - the company is found by domain, else upserted by a *unique* domain-key property — two runs (or fifty
 *   concurrent signups from one new domain) cannot create two companies, and search lag cannot fool the upsert;
 * - the contact is created, and HubSpot's 409 "Contact already exists. Existing ID: …" turns the create into an
 *   update with only the values given;
 * - the association is HubSpot's default one (v4 PUT), which is idempotent.
 */

const GROUP = 'signup_onboarding';
/** Unique company property: HubSpot enforces uniqueness only on properties created with hasUniqueValue. */
const COMPANY_DOMAIN_KEY = 'signup_company_domain';
/** HubSpot-defined association type: contact → company (unlabeled). */
const CONTACT_TO_COMPANY = 279;

export const action = defineAction({
  name: 'signup-onboarding',
  title: 'Signup onboarding: company + contact + association',
  description: 'Creates or updates the contact for a new signup, finds or creates their company by domain, and associates the two.',
  enrollment: {
    objectType: 'contact',
    trigger: 'Contact is created (or a webhook-triggered workflow called by your identity provider after registration)',
  },
  secrets: {
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.companies.read', 'crm.objects.companies.write']),
  },
  inputs: {
    email: input.email('Email address the customer signed up with', { required: true, property: 'email' }),
    firstname: input.string('First name', { property: 'firstname', maxLength: 1_000 }),
    lastname: input.string('Last name', { property: 'lastname', maxLength: 1_000 }),
    company: input.string('Company name', { property: 'company', maxLength: 1_000 }),
    domain: input.string('Company domain; when empty it is taken from the website or the email (not for gmail.com and other personal mail)', { maxLength: 1_000 }),
    phone: input.string('Phone number', { property: 'phone', maxLength: 100 }),
    website: input.string('Website URL', { property: 'website', maxLength: 2_000 }),
  },
  outputs: {
    contact_id: output.string('HubSpot id of the contact'),
    company_id: output.string('HubSpot id of the company; empty when the signup has no company domain'),
    contact_created: output.boolean('true when this run created the contact'),
    company_created: output.boolean('true when this run created the company'),
  },
  propertyGroups: [{ name: GROUP, label: 'Signup onboarding' }],
  properties: [
    textProperty('companies', GROUP, COMPANY_DOMAIN_KEY, 'Signup company domain (unique)', 'Unique key set by the signup-onboarding action so a company is never created twice for one domain', { hasUniqueValue: true }),
  ],
  apiCalls: {
    'new contact, new company': 3,
    'new contact, existing company': 2,
    'existing contact (409)': '4 (+1 company upsert when the company is new)',
    'personal email (no company)': '1, or 2 when the contact exists',
  },

  async run({ inputs, hubspot, log }) {
    const client = hubspot();
    const domain = companyDomainFor(inputs);
    if (!domain) log.info('company.skipped', { reason: 'no company domain (personal mail provider or none given)' });

    const company = domain ? await findOrCreateCompany(client, domain, inputs.company) : undefined;
    const contact = await createOrUpdateContact(client, contactPropertiesFromSignup(inputs), company?.id);

    return {
      contact_id: contact.id,
      company_id: company?.id ?? '',
      contact_created: contact.created,
      company_created: company?.created ?? false,
    };
  },
});

async function findOrCreateCompany(client: HubSpotClient, domain: string, name: string | undefined): Promise<{ id: string; created: boolean }> {
  // An existing company (created by hand, an import or HubSpot's auto-association) wins; oldest first.
  const [existing] = await client.searchObjects('companies', {
    filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: domain }] }],
    properties: ['domain', 'name'],
    sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
    limit: 1,
  });
  if (existing) return { id: existing.id, created: false };

  // Search lags writes by seconds, so a company we created a moment ago may be invisible above. The upsert by the
  // unique key finds it anyway — or creates it exactly once, even with concurrent runs.
  const properties = companyPropertiesFromSignup(domain, name, COMPANY_DOMAIN_KEY);
  const [company] = await client.upsertObjects('companies', COMPANY_DOMAIN_KEY, [{ id: domain, properties }]);
  if (!company) throw new PermanentError('HubSpot returned no company from the upsert', { errorCode: 'HUBSPOT_EMPTY_RESPONSE', service: 'hubspot' });
  return { id: company.id, created: company.new === true };
}

async function createOrUpdateContact(client: HubSpotClient, properties: Record<string, string>, companyId: string | undefined): Promise<{ id: string; created: boolean }> {
  const associations = companyId ? [{ toId: companyId, typeId: CONTACT_TO_COMPANY }] : [];
  const res = await client.createObject('contacts', properties, associations, { acceptConflict: true });
  if (res.status !== 409) return { id: (res.data as { id: string }).id, created: true };

  const existingId = existingIdFromConflict(res.data);
  if (!existingId) {
    throw new PermanentError('HubSpot says the contact exists but did not name its id', { errorCode: 'HUBSPOT_CONFLICT', status: 409, service: 'hubspot' });
  }
  await client.updateObject('contacts', existingId, properties);
  if (companyId) await client.associateDefault('contacts', existingId, 'companies', companyId);
  return { id: existingId, created: false };
}

export const main = action.main;
