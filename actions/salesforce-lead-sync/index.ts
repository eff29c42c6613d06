import { defineAction } from '../../lib/action';
import { ActionError, RetryableError, describeError } from '../../lib/errors';
import { checkObjectId, hubspotTokenSecret, type HubSpotClient } from '../../lib/hubspot';
import { input } from '../../lib/inputs';
import type { Logger } from '../../lib/logger';
import { output } from '../../lib/outputs';
import { textProperty, type PropertyDeclaration } from '../../lib/properties';
import { createSalesforceClient, isLeadId, type Lead, type SalesforceClient } from '../../lib/salesforce';
import { DEFAULT_CONFIG, checkConfig, contactErrorWrite, contactWrite, planSync, type ContactState, type LeadSyncConfig, type SyncOperation } from './map';

/**
 * Salesforce lead sync: keeps a Salesforce Lead in step with the enrolled HubSpot contact.
 *
 * 1. Find the lead: by the stored salesforce_lead_id, else by email (SOQL, literals escaped).
 * 2. No lead → create it. Both exist → the newer side wins: HubSpot newer → update the lead's differing fields;
 *    Salesforce newer → copy the lead's differing values to the contact. Nothing differs → write nothing (`noop`),
 *    so the sync cannot re-enroll the contact in an endless loop.
 * 3. Record the lead id, its status and the sync status on the contact — one HubSpot write, only when needed.
 *
 * At most three calls on a warm run: the query, one Salesforce write, one HubSpot write (plus the token call on a
 * cold container). Idempotent for HubSpot's re-runs after a 429/5xx: a lead created by a run whose HubSpot write
 * then failed is found by email on the re-run (Salesforce queries see committed writes at once), never created twice.
 */

const GROUP = 'salesforce_sync';
const SYNC_STATUSES = ['synced', 'linked_duplicate', 'lead_converted', 'error'];

const contactProperty = (name: string, label: string, description: string, extra: Partial<PropertyDeclaration> = {}) => textProperty('contacts', GROUP, name, label, description, extra);

export const action = defineAction({
  name: 'salesforce-lead-sync',
  title: 'Salesforce lead sync: HubSpot contact ↔ Salesforce lead',
  description: 'Creates or updates the Salesforce Lead for a contact, or copies newer Salesforce values back; lifecycle stage ↔ lead status and owners mapped by configurable tables. Salesforce REST API v68.0 (Winter \'27). When a duplicate rule blocks a new lead, the lead it matched is linked; a matched contact is the error SALESFORCE_DUPLICATE_CONTACT. Alert-only duplicate rules block API saves too unless the build setting allowDuplicateSave sends Sforce-Duplicate-Rule-Header allowSave=true (off by default).',
  enrollment: {
    objectType: 'contact',
    trigger: 'Contact property changes you want in Salesforce (e.g. {lifecyclestage}, {firstname}, {lastname}, {company}), with re-enrollment on',
  },
  secrets: {
    SALESFORCE_LOGIN_URL: {
      description: "Your org's My Domain URL (not login.salesforce.com: the client credentials flow only works on My Domain)",
      typicalLength: 40,
      where: 'Salesforce Setup → My Domain → Current My Domain URL, e.g. https://acme.my.salesforce.com',
    },
    SALESFORCE_CLIENT_ID: {
      description: 'Consumer key of an external client app with OAuth scope "api", the client credentials flow enabled and a Run As user',
      typicalLength: 85,
      where: 'Salesforce Setup → External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret',
    },
    SALESFORCE_CLIENT_SECRET: { description: 'Consumer secret of the same app', typicalLength: 64, where: 'Next to the consumer key' },
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['contacts.write']),
  },
  inputs: {
    email: input.email('Contact email; finds the lead when no Salesforce id is stored yet', { required: true, property: 'email' }),
    firstname: input.string('First name', { property: 'firstname', maxLength: 40 }),
    lastname: input.string('Last name (a placeholder is used on new leads when empty: Salesforce requires it)', { property: 'lastname', maxLength: 80 }),
    company: input.string('Company name (a placeholder is used on new leads when empty: Salesforce requires it)', { property: 'company', maxLength: 255 }),
    phone: input.string('Phone number', { property: 'phone', maxLength: 40 }),
    lifecyclestage: input.string('Lifecycle stage (internal value, e.g. marketingqualifiedlead)', { property: 'lifecyclestage', maxLength: 100 }),
    hs_lead_status: input.string('HubSpot lead status (internal value, e.g. IN_PROGRESS)', { property: 'hs_lead_status', maxLength: 100 }),
    hubspot_owner_id: input.string('Contact owner', { property: 'hubspot_owner_id', maxLength: 40 }),
    lastmodifieddate: input.datetime('Last modified date: decides which side is newer', { property: 'lastmodifieddate' }),
    salesforce_lead_id: input.string('Salesforce lead id stored by an earlier run', { property: 'salesforce_lead_id', maxLength: 18 }),
    salesforce_lead_status: input.string('Lead status stored by an earlier run (lets an unchanged run write nothing)', { property: 'salesforce_lead_status', maxLength: 255 }),
    salesforce_sync_status: input.string('Sync status stored by an earlier run (lets an unchanged run write nothing)', { property: 'salesforce_sync_status', maxLength: 40 }),
  },
  outputs: {
    sync_operation: output.enumeration('What this run did', ['create', 'update', 'sync_from_salesforce', 'noop']),
    salesforce_lead_id: output.string('Id of the Salesforce lead'),
  },
  propertyGroups: [{ name: GROUP, label: 'Salesforce sync' }],
  properties: [
    contactProperty('salesforce_lead_id', 'Salesforce lead id', 'Id of the Salesforce Lead this contact is synced with'),
    contactProperty('salesforce_lead_status', 'Salesforce lead status', 'Lead Status in Salesforce at the last sync'),
    contactProperty('salesforce_sync_status', 'Salesforce sync status', 'Outcome of the last sync', {
      type: 'enumeration',
      fieldType: 'select',
      options: SYNC_STATUSES.map((value) => ({ label: value.replace(/_/g, ' '), value })),
    }),
    contactProperty('salesforce_last_sync_at', 'Salesforce last sync', 'When the Salesforce sync last wrote to this contact', { type: 'datetime', fieldType: 'date' }),
    contactProperty('salesforce_sync_error', 'Salesforce sync error', 'Why the last sync failed; empty after a successful one', { fieldType: 'textarea' }),
  ],
  apiCalls: {
    'new lead': '2 (query, create) + 1 HubSpot write; +1 token call on a cold start',
    'existing lead, HubSpot newer': '2 (query, update) + 1 HubSpot write only when the lead status changed',
    'existing lead, Salesforce newer': '1 (query) + 1 HubSpot write',
    'nothing differs (noop)': '1 (query)',
  },
  config: DEFAULT_CONFIG as LeadSyncConfig,

  async run(ctx) {
    const { inputs, secrets, log, now } = ctx;
    const config = checkConfig(ctx.config);
    const contact: ContactState = inputs;
    const hubspot = ctx.hubspot();
    const contactTarget = contactTargetFor(ctx.object, contact.email);

    try {
      const salesforce = createSalesforceClient({
        credentials: { loginUrl: secrets.SALESFORCE_LOGIN_URL, clientId: secrets.SALESFORCE_CLIENT_ID, clientSecret: secrets.SALESFORCE_CLIENT_SECRET },
        service: ctx.service,
        log,
        now,
        allowDuplicateSave: config.allowDuplicateSave,
      });
      const lead = await findLead(salesforce, contact, log);
      const plan = planSync(contact, lead, config);
      log.info('sync.plan', { operation: plan.operation, lead: 'leadId' in plan ? plan.leadId : undefined });

      let operation: SyncOperation = plan.operation;
      let leadId: string;
      let write: Record<string, string> | undefined;
      switch (plan.operation) {
        case 'create': {
          const created = await salesforce.createLead(plan.lead);
          leadId = created.id;
          if (created.duplicateOf) {
            // A duplicate rule matched a lead our email lookup did not (fuzzy name/company match): link it, and let
            // the next enrollment sync it by id rather than spend a second Salesforce write in this run.
            log.warn('lead.duplicate_linked', { lead: leadId });
            operation = 'noop';
            write = contactWrite(contact, { leadId, leadStatus: null, syncStatus: 'linked_duplicate' }, now());
          } else {
            write = contactWrite(contact, { leadId, leadStatus: plan.lead.Status ?? null, syncStatus: 'synced' }, now());
          }
          break;
        }
        case 'update':
          leadId = plan.leadId;
          await salesforce.updateLead(leadId, plan.changes);
          write = contactWrite(contact, { leadId, leadStatus: plan.leadStatus, syncStatus: 'synced' }, now());
          break;
        case 'sync_from_salesforce':
          leadId = plan.leadId;
          write = contactWrite(contact, { leadId, leadStatus: plan.leadStatus, syncStatus: 'synced', changes: plan.contactChanges }, now());
          break;
        case 'noop':
          leadId = plan.leadId;
          write = contactWrite(contact, { leadId, leadStatus: plan.leadStatus, syncStatus: plan.reason === 'converted' ? 'lead_converted' : 'synced' }, now());
          break;
      }

      if (write) await updateContact(hubspot, contactTarget, write);
      else log.info('contact.unchanged', { reason: 'nothing differs: no write, no re-enrollment' });
      return { sync_operation: operation, salesforce_lead_id: leadId };
    } catch (error) {
      // HubSpot re-runs retryable failures; a permanent one is also recorded on the contact (best effort).
      if (!(error instanceof RetryableError)) await recordFailure(hubspot, contactTarget, error, log, now());
      throw error;
    }
  },
});

/** By the stored id when it is a lead id, else by email. A stale or foreign id falls back to email and is replaced. */
async function findLead(salesforce: SalesforceClient, contact: ContactState, log: Logger): Promise<Lead | undefined> {
  const storedId = contact.salesforce_lead_id;
  if (storedId && isLeadId(storedId)) {
    const lead = await salesforce.findLeadById(storedId);
    if (lead) return lead;
    log.warn('lead.stored_id_not_found', { lead: storedId });
  } else if (storedId) {
    log.warn('lead.stored_id_invalid', { reason: 'not a 15/18-character Lead id (00Q…)' });
  }
  return salesforce.findLeadByEmail(contact.email);
}

interface ContactTarget {
  id: string;
  idProperty?: string;
}

/** The enrolled contact by its id; by email (a unique contact property) when the event named no contact. */
function contactTargetFor(object: { type: string | undefined; id: string | undefined }, email: string): ContactTarget {
  const isContact = object.type === undefined || /^(contact|contacts|0-1)$/i.test(object.type);
  // The id reaches the URL path: refuse anything but a record id before any call (e.g. ".." would change the endpoint).
  return object.id && isContact ? { id: checkObjectId(object.id, 'The enrolled contact id') } : { id: email, idProperty: 'email' };
}

function updateContact(hubspot: HubSpotClient, target: ContactTarget, properties: Record<string, string>) {
  return hubspot.updateObject('contacts', target.id, properties, target.idProperty ? { idProperty: target.idProperty } : {});
}

async function recordFailure(hubspot: HubSpotClient, target: ContactTarget, error: unknown, log: Logger, now: number): Promise<void> {
  const message = log.redact(error instanceof ActionError ? `${error.errorCode}: ${error.message}` : describeError(error));
  try {
    await updateContact(hubspot, target, contactErrorWrite(message, now));
  } catch (recordError) {
    log.warn('contact.error_not_recorded', { error: describeError(recordError) });
  }
}

export const main = action.main;
