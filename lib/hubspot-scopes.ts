/**
 * Which HubSpot scopes each call needs: the one table the actions' token scopes, the guides, the bundle headers and
 * `npm run setup -- --plan` are rendered from. An action declares the CRM operations its code performs
 * (`hubspotTokenSecret(['deals.read', 'line_items.read'])`); its scopes are derived here, and a test
 * (test/lib/hubspot-scopes.test.ts) checks the declaration equals what the action's runs against the fake call.
 *
 * Facts derived from HubSpot's 2026-09 OpenAPI specs (github.com/HubSpot/HubSpot-public-api-spec-collection,
 * `security` of each operation; a requirement object lists scopes that are ALL needed, the array of requirement
 * objects lists alternatives). Checked with `node --import tsx scripts/check-spec.ts <spec checkout>` on 2026-12-05
 * against commit 99893791383 of the collection: 0 differences.
 *   contacts    PublicApiSpecs/CRM/Contacts/Rollouts/424/2026-09/contacts.json
 *   companies   PublicApiSpecs/CRM/Companies/Rollouts/424/2026-09/companies.json
 *   deals       PublicApiSpecs/CRM/Deals/Rollouts/424/2026-09/deals.json
 *   line_items  PublicApiSpecs/CRM/Line Items/Rollouts/424/2026-09/lineItems.json — every operation needs
 *               crm.objects.line_items.read|write AND e-commerce in one requirement (not either, as before)
 *   associations PublicApiSpecs/CRM/Associations/Rollouts/130902/2026-09/associations.json (batch/read) and the
 *               objects specs (PUT …/associations/default/…): any ONE of ~90 single-scope alternatives, every
 *               crm.objects.<type>.read and .write of the four types below among them
 *   properties  PublicApiSpecs/CRM/Properties/Rollouts/145899/2026-09/properties.json: reads accept
 *               crm.schemas.<type>.read; creates accept crm.schemas.<type>.write — line items have no such scope,
 *               their creates accept e-commerce
 *   flows       PublicApiSpecs/Automation/Automation V4/Rollouts/144908/2026-09-beta/automationV4.json: OAuth
 *               `automation` only (no private-app requirement at all)
 */

export const CRM_OBJECT_TYPES = ['contacts', 'companies', 'deals', 'line_items'] as const;
export type CrmObjectTypeName = (typeof CRM_OBJECT_TYPES)[number];
export type CrmAccess = 'read' | 'write';
/** One CRM operation an action performs: `deals.read` (GET, batch/read, search), `deals.write` (create, update, upsert). */
export type HubSpotOperation = `${CrmObjectTypeName}.${CrmAccess}`;

/** Operation → the scopes of its one requirement (all needed together). */
export const OBJECT_SCOPES: Record<HubSpotOperation, readonly string[]> = {
  'contacts.read': ['crm.objects.contacts.read'],
  'contacts.write': ['crm.objects.contacts.write'],
  'companies.read': ['crm.objects.companies.read'],
  'companies.write': ['crm.objects.companies.write'],
  'deals.read': ['crm.objects.deals.read'],
  'deals.write': ['crm.objects.deals.write'],
  'line_items.read': ['crm.objects.line_items.read', 'e-commerce'],
  'line_items.write': ['crm.objects.line_items.write', 'e-commerce'],
};

/** Association calls (default PUT, batch/read) accept any one of these (a subset of the spec's alternatives). */
export const ASSOCIATION_ANY_OF: readonly string[] = CRM_OBJECT_TYPES.flatMap((t) => [`crm.objects.${t}.read`, `crm.objects.${t}.write`]);

/** Properties API, per object type: the scopes of one accepted requirement to list (read) and to create (write). */
export const SCHEMA_SCOPES: Record<CrmObjectTypeName, Record<CrmAccess, readonly string[]>> = {
  contacts: { read: ['crm.schemas.contacts.read'], write: ['crm.schemas.contacts.write'] },
  companies: { read: ['crm.schemas.companies.read'], write: ['crm.schemas.companies.write'] },
  deals: { read: ['crm.schemas.deals.read'], write: ['crm.schemas.deals.write'] },
  line_items: { read: ['crm.schemas.line_items.read'], write: ['e-commerce'] },
};

/** Flows API (automation v4, beta): the only requirement the spec lists. */
export const FLOW_SCOPES: readonly string[] = ['automation'];

const isOperation = (op: string): op is HubSpotOperation => Object.prototype.hasOwnProperty.call(OBJECT_SCOPES, op);

/** The scopes a token needs for these operations: the union of their requirements, sorted. */
export function scopesForOperations(operations: readonly string[]): string[] {
  const scopes = new Set<string>();
  for (const op of operations) {
    if (!isOperation(op)) throw new Error(`Unknown HubSpot operation ${JSON.stringify(op)}: one of ${Object.keys(OBJECT_SCOPES).join(', ')}`);
    for (const s of OBJECT_SCOPES[op]) scopes.add(s);
  }
  return [...scopes].sort();
}

/** What one HubSpot request needs: a CRM operation, an association call (any object scope), or none we know. */
export type CallRequirement = { kind: 'object'; operation: HubSpotOperation } | { kind: 'association' } | { kind: 'unknown' };

const TYPE_ALIASES: Record<string, CrmObjectTypeName> = { '0-1': 'contacts', contact: 'contacts', '0-2': 'companies', company: 'companies', '0-3': 'deals', deal: 'deals', '0-8': 'line_items', line_item: 'line_items' };
const objectType = (t: string | undefined): CrmObjectTypeName | undefined =>
  t === undefined ? undefined : (CRM_OBJECT_TYPES as readonly string[]).includes(t) ? (t as CrmObjectTypeName) : TYPE_ALIASES[t];

/**
 * Classifies a CRM objects/associations call by method and path (date-versioned, as lib/hubspot.ts hubspotPaths
 * builds them): reads are GET, POST …/search and POST …/batch/read; everything else on an object is a write.
 */
export function requirementOfCall(method: string, pathname: string): CallRequirement {
  const p = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (p[0] !== 'crm') return { kind: 'unknown' };
  if (p[1] === 'associations') return { kind: 'association' };
  if (p[1] !== 'objects') return { kind: 'unknown' };
  if (p[5] === 'associations') return { kind: 'association' };
  const type = objectType(p[3]);
  if (!type) return { kind: 'unknown' };
  const m = method.toUpperCase();
  const read = m === 'GET' || (m === 'POST' && (p[4] === 'search' || (p[4] === 'batch' && p[5] === 'read')));
  return { kind: 'object', operation: `${type}.${read ? 'read' : 'write'}` };
}

/** Whether `scopes` satisfy a call's requirement. */
export function scopesAllow(scopes: readonly string[], requirement: CallRequirement): boolean {
  if (requirement.kind === 'object') return OBJECT_SCOPES[requirement.operation].every((s) => scopes.includes(s));
  if (requirement.kind === 'association') return ASSOCIATION_ANY_OF.some((s) => scopes.includes(s));
  return false;
}
