/**
 * Pure mapping for the Salesforce lead sync: which side is newer, what differs, what to write. No I/O, no clock.
 */
import { ConfigError } from '../../lib/errors';
import { isSalesforceId, parseSalesforceDateTime, type Lead, type LeadFields } from '../../lib/salesforce';

/** Build-time settings (actions.config.json → "salesforce-lead-sync" overrides any of them). */
export interface LeadSyncConfig {
  /** HubSpot lifecycle stage (internal value) → Salesforce Lead Status (picklist API value). */
  leadStatusByLifecycleStage: Record<string, string>;
  /** HubSpot lead status (hs_lead_status internal value) → Lead Status; wins over the lifecycle stage when mapped. */
  leadStatusByHubSpotLeadStatus: Record<string, string>;
  /** Salesforce Lead Status → HubSpot lifecycle stage, for syncing back. */
  lifecycleStageByLeadStatus: Record<string, string>;
  /** HubSpot owner id → Salesforce user id (005…). Owners not listed are left to Salesforce's assignment rules. */
  salesforceUserByHubSpotOwner: Record<string, string>;
  /** LeadSource on leads this action creates. */
  leadSource: string;
  /** Salesforce requires LastName and Company on a Lead; these stand in when HubSpot has no value. */
  placeholderLastName: string;
  placeholderCompany: string;
  /**
   * Send `Sforce-Duplicate-Rule-Header: allowSave=true` when creating a lead, so duplicate rules whose action is
   * "Alert" let the lead be saved (rules set to "Block" still block). Default false: an alert rule then blocks the
   * API save like a block rule, and the lead it matched is linked instead of a second one being created.
   */
  allowDuplicateSave: boolean;
}

/**
 * Defaults use the Lead Status values of a new org ("Open - Not Contacted", "Working - Contacted",
 * "Closed - Converted", "Closed - Not Converted"). Converted statuses are set by converting the lead in Salesforce,
 * so no HubSpot stage maps to "Closed - Converted"; the way back maps it to customer.
 */
export const DEFAULT_CONFIG: LeadSyncConfig = {
  leadStatusByLifecycleStage: {
    subscriber: 'Open - Not Contacted',
    lead: 'Open - Not Contacted',
    marketingqualifiedlead: 'Open - Not Contacted',
    salesqualifiedlead: 'Working - Contacted',
    opportunity: 'Working - Contacted',
    customer: 'Working - Contacted',
    evangelist: 'Working - Contacted',
    other: 'Closed - Not Converted',
  },
  leadStatusByHubSpotLeadStatus: {
    NEW: 'Open - Not Contacted',
    OPEN: 'Open - Not Contacted',
    IN_PROGRESS: 'Working - Contacted',
    ATTEMPTED_TO_CONTACT: 'Working - Contacted',
    CONNECTED: 'Working - Contacted',
    OPEN_DEAL: 'Working - Contacted',
    UNQUALIFIED: 'Closed - Not Converted',
    BAD_TIMING: 'Closed - Not Converted',
  },
  lifecycleStageByLeadStatus: {
    'Open - Not Contacted': 'lead',
    'Working - Contacted': 'salesqualifiedlead',
    'Closed - Converted': 'customer',
    'Closed - Not Converted': 'other',
  },
  salesforceUserByHubSpotOwner: {},
  leadSource: 'HubSpot',
  placeholderLastName: '[not provided]',
  placeholderCompany: '[not provided]',
  allowDuplicateSave: false,
};

/** A config file is user data: check it once, name the wrong entry. */
export function checkConfig(config: LeadSyncConfig): LeadSyncConfig {
  const tables = ['leadStatusByLifecycleStage', 'leadStatusByHubSpotLeadStatus', 'lifecycleStageByLeadStatus', 'salesforceUserByHubSpotOwner'] as const;
  for (const table of tables) {
    const value: unknown = config[table];
    if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string' || v.trim() === '')) {
      throw new ConfigError(`Config "${table}" must map names to non-empty text`, { errorCode: 'INVALID_CONFIG' });
    }
  }
  for (const [owner, user] of Object.entries(config.salesforceUserByHubSpotOwner)) {
    if (!isSalesforceId(user) || !user.startsWith('005')) throw new ConfigError(`Config "salesforceUserByHubSpotOwner": "${user}" (for HubSpot owner ${owner}) is not a Salesforce user id (005…)`, { errorCode: 'INVALID_CONFIG' });
  }
  for (const key of ['leadSource', 'placeholderLastName', 'placeholderCompany'] as const) {
    if (typeof config[key] !== 'string' || config[key].trim() === '') throw new ConfigError(`Config "${key}" must be non-empty text`, { errorCode: 'INVALID_CONFIG' });
  }
  if (typeof config.allowDuplicateSave !== 'boolean') throw new ConfigError('Config "allowDuplicateSave" must be true or false', { errorCode: 'INVALID_CONFIG' });
  return config;
}

/** What the workflow tells us about the enrolled contact. */
export interface ContactState {
  email: string;
  firstname?: string | undefined;
  lastname?: string | undefined;
  company?: string | undefined;
  phone?: string | undefined;
  lifecyclestage?: string | undefined;
  hs_lead_status?: string | undefined;
  hubspot_owner_id?: string | undefined;
  /** HubSpot lastmodifieddate, epoch ms. */
  lastmodifieddate?: number | undefined;
  salesforce_lead_id?: string | undefined;
  salesforce_lead_status?: string | undefined;
  salesforce_sync_status?: string | undefined;
}

/** A table entry: own keys only, so input like "constructor" or "__proto__" finds nothing instead of Object's built-ins. */
export function lookup(table: Record<string, string>, key: string | null | undefined): string | undefined {
  if (!key || !Object.hasOwn(table, key)) return undefined;
  const value = table[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function leadStatusFor(contact: ContactState, config: LeadSyncConfig): string | undefined {
  return lookup(config.leadStatusByHubSpotLeadStatus, contact.hs_lead_status) ?? lookup(config.leadStatusByLifecycleStage, contact.lifecyclestage);
}

/** The values HubSpot has for the lead, without placeholders: what an update may send. */
function leadValuesFromContact(contact: ContactState, config: LeadSyncConfig): LeadFields {
  const values: LeadFields = {
    FirstName: contact.firstname,
    LastName: contact.lastname,
    Email: contact.email,
    Company: contact.company,
    Phone: contact.phone,
    Status: leadStatusFor(contact, config),
    OwnerId: lookup(config.salesforceUserByHubSpotOwner, contact.hubspot_owner_id),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string' && v !== '')) as LeadFields;
}

/** A new lead: LastName and Company are required by Salesforce, so placeholders stand in for missing values. */
export function leadForCreate(contact: ContactState, config: LeadSyncConfig): LeadFields {
  return {
    LastName: config.placeholderLastName,
    Company: config.placeholderCompany,
    LeadSource: config.leadSource,
    ...leadValuesFromContact(contact, config),
  };
}

const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? '') === (b ?? '');

/** Fields whose HubSpot value differs from the lead's. Empty HubSpot values never blank out Salesforce data. */
export function leadChangesFromContact(contact: ContactState, lead: Lead, config: LeadSyncConfig): LeadFields {
  const changes: LeadFields = {};
  for (const [field, value] of Object.entries(leadValuesFromContact(contact, config)) as Array<[keyof LeadFields, string]>) {
    const current = lead[field];
    const equal = field === 'Email' ? same(current?.toLowerCase(), value.toLowerCase()) : field === 'OwnerId' ? same(current?.slice(0, 15), value.slice(0, 15)) : same(current, value);
    if (!equal) changes[field] = value;
  }
  return changes;
}

/**
 * HubSpot refuses to move a lifecycle stage backwards through the API unless it is cleared first, so the way back
 * only moves it forward, in HubSpot's default order. Custom stages (numeric ids) are left alone.
 * https://knowledge.hubspot.com/records/use-lifecycle-stages
 */
export const LIFECYCLE_ORDER = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] as const;

function isForward(from: string | undefined, to: string): boolean {
  const target = LIFECYCLE_ORDER.indexOf(to as (typeof LIFECYCLE_ORDER)[number]);
  if (target < 0) return false;
  if (!from) return true;
  const current = LIFECYCLE_ORDER.indexOf(from as (typeof LIFECYCLE_ORDER)[number]);
  return current >= 0 && target > current;
}

const isPlaceholder = (value: string, config: LeadSyncConfig) => value === config.placeholderLastName || value === config.placeholderCompany;

/** Contact properties whose Salesforce value differs. Placeholders and empty lead fields are never copied back. */
export function contactChangesFromLead(lead: Lead, contact: ContactState, config: LeadSyncConfig): Record<string, string> {
  const changes: Record<string, string> = {};
  const pairs: Array<[keyof ContactState, string | null]> = [
    ['firstname', lead.FirstName],
    ['lastname', lead.LastName],
    ['company', lead.Company],
    ['phone', lead.Phone],
  ];
  for (const [property, value] of pairs) {
    if (value && value.trim() !== '' && !isPlaceholder(value, config) && !same(contact[property] as string | undefined, value)) changes[property] = value;
  }
  // The tables are many-to-one: only a status the contact does not already stand for changes its stage.
  if (lead.Status && lead.Status !== leadStatusFor(contact, config)) {
    const stage = lookup(config.lifecycleStageByLeadStatus, lead.Status);
    if (stage && isForward(contact.lifecyclestage, stage)) changes.lifecyclestage = stage;
  }
  if (lead.OwnerId) {
    const owners = Object.entries(config.salesforceUserByHubSpotOwner).filter(([, user]) => user.slice(0, 15) === lead.OwnerId?.slice(0, 15));
    const owner = owners.length === 1 ? owners[0]?.[0] : undefined; // ambiguous reverse mapping: leave the owner alone
    if (owner && owner !== contact.hubspot_owner_id) changes.hubspot_owner_id = owner;
  }
  return changes;
}

/**
 * The newer side wins. LastModifiedDate is the last change by a user or integration; SystemModstamp also moves
 * on system-only updates (roll-ups, recalculations), which would make Salesforce look newer than it is — so it is
 * only the fallback. Without a HubSpot date, the enrollment itself is the news: HubSpot wins.
 */
export function newerSide(contact: ContactState, lead: Lead): 'hubspot' | 'salesforce' {
  const leadModified = parseSalesforceDateTime(lead.LastModifiedDate) ?? parseSalesforceDateTime(lead.SystemModstamp);
  if (contact.lastmodifieddate === undefined || leadModified === undefined) return 'hubspot';
  return leadModified > contact.lastmodifieddate ? 'salesforce' : 'hubspot';
}

export type SyncOperation = 'create' | 'update' | 'sync_from_salesforce' | 'noop';

export type SyncPlan =
  | { operation: 'create'; lead: LeadFields }
  | { operation: 'update'; leadId: string; changes: LeadFields; leadStatus: string | null }
  | { operation: 'sync_from_salesforce'; leadId: string; contactChanges: Record<string, string>; leadStatus: string | null }
  | { operation: 'noop'; leadId: string; leadStatus: string | null; reason: 'in_sync' | 'converted' };

export function planSync(contact: ContactState, lead: Lead | undefined, config: LeadSyncConfig): SyncPlan {
  if (!lead) return { operation: 'create', lead: leadForCreate(contact, config) };
  // A converted lead is read-only in Salesforce (CANNOT_UPDATE_CONVERTED_LEAD); its contact lives on elsewhere.
  if (lead.IsConverted) return { operation: 'noop', leadId: lead.Id, leadStatus: lead.Status, reason: 'converted' };
  if (newerSide(contact, lead) === 'hubspot') {
    const changes = leadChangesFromContact(contact, lead, config);
    if (Object.keys(changes).length) return { operation: 'update', leadId: lead.Id, changes, leadStatus: changes.Status ?? lead.Status };
  } else {
    const contactChanges = contactChangesFromLead(lead, contact, config);
    if (Object.keys(contactChanges).length) return { operation: 'sync_from_salesforce', leadId: lead.Id, contactChanges, leadStatus: lead.Status };
  }
  return { operation: 'noop', leadId: lead.Id, leadStatus: lead.Status, reason: 'in_sync' };
}

export type SyncStatus = 'synced' | 'linked_duplicate' | 'lead_converted' | 'error';

/**
 * What to write on the contact: the changes plus our bookkeeping — or nothing at all when the contact already
 * says all of it. Every write re-enrolls a contact whose workflow listens to property changes; a noop must not.
 */
export function contactWrite(
  contact: ContactState,
  result: { leadId: string; leadStatus: string | null; syncStatus: SyncStatus; changes?: Record<string, string> },
  now: number,
): Record<string, string> | undefined {
  const bookkeeping = {
    salesforce_lead_id: result.leadId,
    salesforce_lead_status: result.leadStatus ?? '',
    salesforce_sync_status: result.syncStatus,
  };
  const changes = result.changes ?? {};
  const stale = Object.entries(bookkeeping).some(([k, v]) => !same(contact[k as keyof ContactState] as string | undefined, v));
  if (!stale && Object.keys(changes).length === 0) return undefined;
  return { ...changes, ...bookkeeping, salesforce_last_sync_at: String(now), salesforce_sync_error: '' };
}

/** The contact properties that record a failure (best effort; the error is also in the outputs). */
export function contactErrorWrite(message: string, now: number): Record<string, string> {
  return { salesforce_sync_status: 'error', salesforce_sync_error: message.length > 1_000 ? `${message.slice(0, 999)}…` : message, salesforce_last_sync_at: String(now) };
}
