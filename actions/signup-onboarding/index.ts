import { defineAction } from '../../lib/action';
import { PermanentError } from '../../lib/errors';
import { hubspotTokenSecret, existingIdFromConflict, type HubSpotClient } from '../../lib/hubspot';
import { input } from '../../lib/inputs';
import { output } from '../../lib/outputs';
import { textProperty } from '../../lib/properties';
import { companyDomainFor, companyPropertiesFromSignup, contactPropertiesFromSignup } from './map';

/**
 * Signup onboarding: a new customer registered (an identity provider's hook once the email is verified, or a
 * contact-created trigger). Make sure their company and their contact exist in HubSpot and are associated.
 *
 * Idempotent by construction, so HubSpot's whole-action re-runs after a 429/5xx create nothing twice:
 * - a company made by hand or an import is found by domain (search) and wins;
 * - otherwise the company is created with a *unique* domain-key property, so two runs (or fifty concurrent
 *   signups from one new domain) cannot create two companies and search lag cannot fool it: a create refused as a
 *   duplicate falls back to the upsert by that key, which finds the first;
 * - the contact is keyed by email (HubSpot's own unique key): upserted, or created with HubSpot's 409 "Contact
 *   already exists. Existing ID: …" turned into an update with only the values given;
 * - associations are HubSpot's default ones, which are idempotent.
 * Call order keeps every path at ≤ 4 calls (≤ 3 on a first run): see `apiCalls`.
 */

const GROUP = 'signup_onboarding';
/** Unique company property: HubSpot enforces uniqueness only on properties created with hasUniqueValue. */
const COMPANY_DOMAIN_KEY = 'signup_company_domain';
/** HubSpot-defined association types, unlabeled: contact → company, and company → contact. */
const CONTACT_TO_COMPANY = 279;
const COMPANY_TO_CONTACT = 280;

export const action = defineAction({
  name: 'signup-onboarding',
  title: 'Signup onboarding: company + contact + association',
  description: 'Creates or updates the contact for a new signup, finds or creates their company by domain, and associates the two.',
  enrollment: {
    objectType: 'contact',
    trigger: 'Contact is created (or a webhook-triggered workflow called by your identity provider once the signup email is verified)',
  },
  secrets: {
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['contacts.write', 'companies.read', 'companies.write']),
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
    // Why each call: (1) search by domain — a company made by hand or an import must win over ours; (2) the contact,
    // keyed by email; (3) the company, keyed by the unique domain key, created *with* its association so the link
    // costs no call of its own. Only when the company already exists must the link be a call.
    'new contact, new company': '3: search company, upsert contact by email, create company with the association',
    'existing contact, new company': '3: the same calls (the upsert updates the contact with the values given)',
    'new contact, existing company': '2: search company, create contact with the association',
    'existing contact and company (and the re-run of a completed signup)': '4: search, create contact refused (409 names it), update it with the values given, associate',
    'personal email (no company)': '1: create contact; 2 when it exists (409, then update)',
    'concurrent signups from one new domain, company not yet searchable': '4: the create is refused as a duplicate (409 names the company) and +1 associates; 5 if the refusal does not name it (+1 upsert by the unique key)',
  },

  async run({ inputs, hubspot, log }) {
    const client = hubspot();
    const domain = companyDomainFor(inputs);
    const contactProperties = contactPropertiesFromSignup(inputs);
    if (!domain) {
      log.info('company.skipped', { reason: 'no company domain (personal mail provider or none given)' });
      const contact = await createOrUpdateContact(client, contactProperties, undefined);
      return { contact_id: contact.id, company_id: '', contact_created: contact.created, company_created: false };
    }

    const existing = await findCompanyByDomain(client, domain);
    if (existing) {
      const contact = await createOrUpdateContact(client, contactProperties, existing);
      return { contact_id: contact.id, company_id: existing, contact_created: contact.created, company_created: false };
    }

    // No company with this domain yet (or not searchable yet). The contact goes first, by email in one call whether it
    // exists or not, so the company can be created with its association: three calls, however the contact stood.
    const contact = await upsertContactByEmail(client, contactProperties);
    const company = await createCompanyFor(client, domain, inputs.company, contact.id);
    return { contact_id: contact.id, company_id: company.id, contact_created: contact.created, company_created: company.created };
  },
});

async function findCompanyByDomain(client: HubSpotClient, domain: string): Promise<string | undefined> {
  // Oldest first: the company the portal has had longest is the one people use.
  const [existing] = await client.searchObjects('companies', {
    filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: domain }] }],
    properties: ['domain', 'name'],
    sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
    limit: 1,
  });
  return existing?.id;
}

async function upsertContactByEmail(client: HubSpotClient, properties: Record<string, string>): Promise<{ id: string; created: boolean }> {
  // Batch upsert with idProperty=email: creates the contact or updates the values given, atomically.
  // https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/batch/upsert-contacts
  const [contact] = await client.upsertObjects('contacts', 'email', [{ id: properties.email as string, properties }]);
  if (!contact) throw new PermanentError('HubSpot returned no contact from the upsert', { errorCode: 'HUBSPOT_EMPTY_RESPONSE', service: 'hubspot' });
  return { id: contact.id, created: contact.new === true };
}

/**
 * HubSpot refuses a create whose unique property value exists already: 409 in our fake; a 400 "already has that
 * value" is reported by users of the real API (undocumented, so both are accepted as "exists").
 */
function isDuplicateUniqueValue(error: unknown): boolean {
  const e = error as { httpStatus?: number; status?: number; message?: string };
  return (e?.httpStatus ?? e?.status) === 400 && /already has that value|unique value/i.test(String(e?.message));
}

async function createCompanyFor(client: HubSpotClient, domain: string, name: string | undefined, contactId: string): Promise<{ id: string; created: boolean }> {
  const properties = companyPropertiesFromSignup(domain, name, COMPANY_DOMAIN_KEY);
  let existingId: string | undefined;
  try {
    const res = await client.createObject('companies', properties, [{ toId: contactId, typeId: COMPANY_TO_CONTACT }], { acceptConflict: true });
    if (res.status !== 409) return { id: (res.data as { id: string }).id, created: true };
    existingId = existingIdFromConflict(res.data);
  } catch (error) {
    if (!isDuplicateUniqueValue(error)) throw error;
  }
  // Created a moment ago by a concurrent (or an earlier, failed) run and not searchable yet. When the refusal does not
  // name it, the upsert by the unique key finds it; then the association is a call of its own.
  if (!existingId) {
    const [company] = await client.upsertObjects('companies', COMPANY_DOMAIN_KEY, [{ id: domain, properties }]);
    if (!company) throw new PermanentError('HubSpot returned no company from the upsert', { errorCode: 'HUBSPOT_EMPTY_RESPONSE', service: 'hubspot' });
    existingId = company.id;
  }
  await client.associateDefault('contacts', contactId, 'companies', existingId);
  return { id: existingId, created: false };
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
