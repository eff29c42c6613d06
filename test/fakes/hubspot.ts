import { HUBSPOT_API_VERSION } from '../../lib/api-versions';
import { ASSOCIATION_ANY_OF, OBJECT_SCOPES, requirementOfCall, scopesAllow } from '../../lib/hubspot-scopes';
import { refuseIncomplete } from './hubspot-request-schemas';
import type { FakeRequest, FakeResponse } from './network';

/**
 * An in-memory HubSpot CRM that answers like the real date-versioned APIs (2026-09: paths and shapes as in
 * github.com/HubSpot/HubSpot-public-api-spec-collection PublicApiSpecs/CRM/{Line Items,Associations}/…/2026-09), with
 * the behaviours our design relies on:
 * - uniqueness only on contact email and on properties created with hasUniqueValue, and never on line items
 *   (unique values exist for contacts, companies, deals, tickets and custom objects only:
 *   https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide); an upsert by a property that is not
 *   unique is refused like the real API ("Unable to perform update/upsert by non-unique 0-8 property",
 *   github.com/HubSpot/hubspot-api-nodejs/issues/548);
 * - search that lags writes (new records stay invisible to search until `indexSearch()`);
 * - the portal's validation rules, enforced on writes from 2026-09 (`addValidationRule`;
 *   https://developers.hubspot.com/changelog/crm-api-write-validation-enforcement);
 * - currencies enabled in the account (`enabledCurrencies`);
 * - only date-versioned paths: a legacy /crm/v3 or /crm/v4 call gets 404, so a stray old path fails a test —
 *   unless `legacyPaths` is set (the benchmark runs the original snippets, whose SDK still calls v3/v4, which HubSpot
 *   serves until 2027-03-30 for v4 and September 2027 for v3:
 *   https://developers.hubspot.com/docs/developer-tooling/platform/versioning).
 */

export const HUBSPOT_ORIGIN = 'https://api.hubapi.com';

export interface FakeRecord {
  id: string;
  type: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  searchable: boolean;
}

export interface FakeAssociation {
  fromType: string;
  fromId: string;
  toType: string;
  toId: string;
  typeId: number;
  category: string;
}

/** HubSpot-defined association type ids used by our actions (both directions). */
export const DEFAULT_ASSOCIATION_TYPES: Record<string, number> = {
  'contacts→companies': 279,
  'companies→contacts': 280,
  'deals→contacts': 3,
  'contacts→deals': 4,
  'deals→companies': 341,
  'companies→deals': 342,
  'line_items→deals': 20,
  'deals→line_items': 19,
};

/** HubSpot's object type ids, as error messages name them. */
const OBJECT_TYPE_IDS: Record<string, string> = { contacts: '0-1', companies: '0-2', deals: '0-3', line_items: '0-8' };

/**
 * A rule the portal admin set, enforced on API writes from 2026-09:
 * - `required`: `property` must have a value on every create (the create-record form's required fields);
 * - `conditional`: `property` must have a value when `when.property` is written as `when.value`
 *   (e.g. closedate required when dealstage is closedwon);
 * - `association`: the token's user may not create associations from `objectType` to `toType`.
 */
export type FakeValidationRule =
  | { kind: 'required'; objectType: string; property: string }
  | { kind: 'conditional'; objectType: string; property: string; when: { property: string; value: string } }
  | { kind: 'association'; objectType: string; toType: string };

/** A canned answer for the next matching request (423 Locked, 477 Migration in progress, an empty 200, …). */
export interface QueuedAnswer {
  match: (req: FakeRequest) => boolean;
  response: FakeResponse;
}

const OBJECT_TYPE_ALIASES: Record<string, string> = { '0-1': 'contacts', contact: 'contacts', '0-2': 'companies', company: 'companies', '0-3': 'deals', deal: 'deals', '0-8': 'line_items', line_item: 'line_items' };
const normalizeType = (t: string) => OBJECT_TYPE_ALIASES[t] ?? t;

/**
 * The 2026-09 request schema of a date-versioned objects/associations call with a body (test/fakes/hubspot-request-schemas.ts):
 * a body missing a required field is refused before anything else, as HubSpot's request binding does.
 */
function requestSchemaOf(method: string, p: readonly string[]): string | undefined {
  if (p[1] === 'objects' && p[5] !== 'associations') {
    if (method === 'POST' && p.length === 4) return 'SimplePublicObjectInputForCreate';
    if (method === 'POST' && p[4] === 'search' && p.length === 5) return 'PublicObjectSearchRequest';
    if (method === 'PATCH' && p.length === 5) return 'SimplePublicObjectInput';
    if (method === 'POST' && p[4] === 'batch' && p.length === 6) {
      return { create: 'BatchInputSimplePublicObjectBatchInputForCreate', read: 'BatchReadInputSimplePublicObjectId', update: 'BatchInputSimplePublicObjectBatchInput', upsert: 'BatchInputSimplePublicObjectBatchInputUpsert' }[p[5] as string];
    }
  }
  if (p[1] === 'associations' && method === 'POST' && p[5] === 'batch') {
    if (p[6] === 'read' && p.length === 7) return 'BatchInputPublicFetchAssociationsBatchRequest';
    if (p[6] === 'associate' && p[7] === 'default' && p.length === 8) return 'BatchInputPublicDefaultAssociationMultiPost';
  }
  return undefined;
}

let correlation = 0;
function error(status: number, category: string, message: string, extra: Record<string, unknown> = {}): FakeResponse {
  correlation += 1;
  return { status, body: { status: 'error', message, correlationId: `00000000-0000-4000-8000-${String(correlation).padStart(12, '0')}`, category, ...extra } };
}

export class FakeHubSpot {
  readonly records = new Map<string, FakeRecord>();
  readonly associations: FakeAssociation[] = [];
  readonly validationRules: FakeValidationRule[] = [];
  /** Date versions the calls used, e.g. {"2026-09"}. */
  readonly apiVersions = new Set<string>();
  /**
   * Currencies enabled in the account (Settings → Account defaults → Currencies); undefined = any code is accepted.
   * Currency properties are enumerations of these: another code is refused with INVALID_OPTION.
   */
  enabledCurrencies: Set<string> | undefined;
  /** Additional emails of contacts (hs_additional_emails): they block creating another contact with that email. */
  readonly additionalEmails = new Map<string, string>();
  readonly queued: QueuedAnswer[] = [];
  /** Unique properties per object type (besides contact email), as created by our setup tooling. */
  readonly uniqueProperties: Record<string, string[]>;
  /** Expected bearer token; requests with another get 401 like HubSpot's. */
  accessToken: string | undefined;
  private nextId = 1000;
  private clock: () => number;
  /** Also serve /crm/v3/objects and /crm/v4 (objects, associations) as their date-versioned equivalents. */
  legacyPaths = false;
  /**
   * The scopes the token was granted; undefined = all. A date-versioned call whose 2026-09 security requirement they
   * do not meet (lib/hubspot-scopes.ts: e.g. a line-item read without e-commerce) answers 403 MISSING_SCOPES.
   */
  grantedScopes: readonly string[] | undefined;

  constructor(options: { uniqueProperties?: Record<string, string[]>; accessToken?: string; clock?: () => number } = {}) {
    if (options.uniqueProperties?.line_items?.length) {
      // Setup cannot create one (HubSpot offers unique values for contacts, companies, deals, tickets, custom objects).
      throw new Error('FakeHubSpot: line items cannot have unique properties in HubSpot');
    }
    this.uniqueProperties = { contacts: ['email'], ...(options.uniqueProperties ?? {}) };
    this.accessToken = options.accessToken;
    this.clock = options.clock ?? Date.now;
  }

  // ---- test helpers ---------------------------------------------------------------------------------------

  seed(type: string, properties: Record<string, string>, options: { searchable?: boolean } = {}): string {
    return this.insert(normalizeType(type), properties, options.searchable ?? true).id;
  }

  list(type: string): FakeRecord[] {
    return [...this.records.values()].filter((r) => r.type === normalizeType(type));
  }

  get(type: string, id: string): FakeRecord | undefined {
    const r = this.records.get(id);
    return r && r.type === normalizeType(type) ? r : undefined;
  }

  /** An admin-configured rule the API enforces on writes (2026-09). */
  addValidationRule(rule: FakeValidationRule): this {
    this.validationRules.push(rule);
    return this;
  }

  /** `email` becomes an additional email of contact `contactId`: a create with it answers 409 naming that contact. */
  addAdditionalEmail(contactId: string, email: string): this {
    this.additionalEmails.set(email.toLowerCase(), contactId);
    return this;
  }

  /** The next request matching `match` gets `response` instead of being handled (once). */
  answerNext(match: (req: FakeRequest) => boolean, response: FakeResponse): this {
    this.queued.push({ match, response });
    return this;
  }

  /** HubSpot's search index catches up. */
  indexSearch(): void {
    for (const r of this.records.values()) r.searchable = true;
  }

  associationsOf(fromType: string, fromId: string, toType: string): string[] {
    const f = normalizeType(fromType);
    const t = normalizeType(toType);
    const ids = new Set<string>();
    for (const a of this.associations) {
      if (a.fromType === f && a.fromId === fromId && a.toType === t) ids.add(a.toId);
      if (a.toType === f && a.toId === fromId && a.fromType === t) ids.add(a.fromId);
    }
    return [...ids];
  }

  /** Everything, in a stable form, to compare the end state of two runs. */
  snapshot(): { records: Array<{ type: string; properties: Record<string, string> }>; associations: string[] } {
    const records = [...this.records.values()]
      .map((r) => ({ type: r.type, properties: Object.fromEntries(Object.entries(r.properties).filter(([k]) => !['createdate', 'lastmodifieddate', 'hs_object_id', 'hs_lastmodifieddate'].includes(k)).sort()) }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const describe = (type: string, id: string) => {
      const r = this.records.get(id);
      return `${type}:${r ? (r.properties.email ?? r.properties.domain ?? r.properties.name ?? r.properties.dealname ?? id) : id}`;
    };
    const associations = [...new Set(this.associations.map((a) => [describe(a.fromType, a.fromId), describe(a.toType, a.toId)].sort().join(' ~ ')))].sort();
    return { records, associations };
  }

  // ---- the API ----------------------------------------------------------------------------------------------

  handle = (req: FakeRequest): FakeResponse => {
    if (this.accessToken !== undefined && req.headers.authorization !== `Bearer ${this.accessToken}`) {
      return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
    }
    const queued = this.queued.findIndex((q) => q.match(req));
    if (queued >= 0) return (this.queued.splice(queued, 1)[0] as QueuedAnswer).response;
    const p = req.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // v3/v4 bodies follow their own (older) schemas: the 2026-09 required fields are checked on date-versioned calls only.
    const legacy = this.legacyPaths && p[0] === 'crm' && (p[1] === 'v3' || p[1] === 'v4') && (p[2] === 'objects' || p[2] === 'associations');
    if (legacy) {
      // Served as the date version our own code calls: the shapes are the same for what the snippets use.
      const [legacyVersion, kind] = p.splice(1, 2, p[2] as string, HUBSPOT_API_VERSION);
      // GET /crm/v4/objects/{from}/{id}/associations/{to} (the SDK's associations.v4.basicApi.getPage). Shape:
      // { results: [{ toObjectId, associationTypes: [{ category, typeId, label }] }], paging? } — the v4 guide's
      // "Retrieve associated records" example (https://developers.hubspot.com/docs/api/crm/associations) and
      // @hubspot/api-client's MultiAssociatedObjectWithLabel / AssociationSpecWithLabel models. The guide's example
      // gives toObjectId as a number; the SDK types it string and passes the JSON value through.
      if (legacyVersion === 'v4' && kind === 'objects' && req.method === 'GET' && p[5] === 'associations' && p.length === 7) {
        const fromType = normalizeType(p[3] as string);
        const toType = normalizeType(p[6] as string);
        const results = this.associationsOf(fromType, p[4] as string, toType).map((toObjectId) => ({ toObjectId: Number(toObjectId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: DEFAULT_ASSOCIATION_TYPES[`${fromType}→${toType}`] ?? 1, label: null }] }));
        return { status: 200, body: { results } };
      }
    }
    const version = p[2] ?? '';
    if (p[0] !== 'crm' || !/^\d{4}-\d{2}$/.test(version)) return error(404, 'OBJECT_NOT_FOUND', `Fake HubSpot serves only date-versioned CRM paths, not ${req.method} ${req.pathname}`);
    this.apiVersions.add(version);
    if (!legacy && this.grantedScopes) {
      const requirement = requirementOfCall(req.method, req.pathname);
      if (requirement.kind !== 'unknown' && !scopesAllow(this.grantedScopes, requirement)) {
        const required = requirement.kind === 'object' ? [...OBJECT_SCOPES[requirement.operation]] : [...ASSOCIATION_ANY_OF];
        // The 403 body HubSpot sends for a missing scope (as FakeHubSpotProperties and the flows fake answer it).
        return error(403, 'MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.", {
          errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: required } }],
        });
      }
    }
    const schema = legacy ? undefined : requestSchemaOf(req.method, p);
    const incomplete = schema ? refuseIncomplete(schema, req.body) : undefined;
    if (incomplete) return incomplete;
    // /crm/objects/{version}/{from}/{id}/associations/default/{to}/{toId}  and  .../associations/{to}/{toId}
    if (p[1] === 'objects' && p[5] === 'associations' && p[3]) {
      const fromType = normalizeType(p[3]);
      const fromId = p[4] as string;
      if (p[6] === 'default' && req.method === 'PUT' && p.length === 9) return this.associateDefault(fromType, fromId, normalizeType(p[7] as string), p[8] as string);
      if (req.method === 'PUT' && p.length === 8) return this.associateLabeled(fromType, fromId, normalizeType(p[6] as string), p[7] as string, req.body);
    }
    // /crm/objects/{version}/{type}[/{id}|/search|/batch/{op}]
    if (p[1] === 'objects' && p[3]) {
      const type = normalizeType(p[3]);
      if (p.length === 4 && req.method === 'POST') return this.create(type, body);
      if (p[4] === 'search' && p.length === 5 && req.method === 'POST') return this.search(type, body);
      if (p[4] === 'batch' && p.length === 6 && req.method === 'POST') return this.batch(type, p[5] ?? '', body);
      if (p.length === 5 && req.method === 'GET') return this.read(type, p[4] as string, req.query);
      if (p.length === 5 && req.method === 'PATCH') return this.update(type, p[4] as string, body, req.query.get('idProperty') ?? undefined);
    }
    // /crm/associations/{version}/{from}/{to}/batch/associate/default  and  .../batch/read
    if (p[1] === 'associations' && p[5] === 'batch' && req.method === 'POST') {
      const fromType = normalizeType(p[3] as string);
      const toType = normalizeType(p[4] as string);
      if (p[6] === 'associate' && p[7] === 'default' && p.length === 8) {
        const inputs = (body.inputs as Array<{ from: { id: string }; to: { id: string } }>) ?? [];
        for (const i of inputs) {
          const res = this.associateDefault(fromType, String(i.from.id), toType, String(i.to.id));
          if (res.status !== 200) return res;
        }
        return { status: 200, body: { status: 'COMPLETE', results: inputs.map((i) => ({ from: { id: String(i.from.id) }, to: { id: String(i.to.id) }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: DEFAULT_ASSOCIATION_TYPES[`${fromType}→${toType}`] } })), startedAt: this.now(), completedAt: this.now() } };
      }
      if (p[6] === 'read' && p.length === 7) return this.readAssociations(fromType, toType, body);
    }
    return error(404, 'OBJECT_NOT_FOUND', `Fake HubSpot has no route for ${req.method} ${req.pathname}`);
  };

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  private insert(type: string, properties: Record<string, string>, searchable: boolean): FakeRecord {
    const id = String(++this.nextId);
    const now = this.now();
    const record: FakeRecord = { id, type, properties: { ...properties, hs_object_id: id, createdate: now, lastmodifieddate: now }, createdAt: now, updatedAt: now, searchable };
    if (type === 'contacts' && properties.email) record.properties.email = properties.email.toLowerCase();
    this.records.set(id, record);
    return record;
  }

  private findByUnique(type: string, property: string, value: string): FakeRecord | undefined {
    const v = property === 'email' ? value.toLowerCase() : value;
    return this.list(type).find((r) => r.properties[property] === v);
  }

  /** The first unique-property clash the given values would cause, if any. */
  private uniqueClash(type: string, properties: Record<string, unknown>, exceptId?: string): { property: string; existing: FakeRecord } | undefined {
    for (const property of this.uniqueProperties[type] ?? []) {
      if (type !== 'contacts' && property === 'email') continue;
      const value = properties[property];
      if (typeof value !== 'string' || value === '') continue;
      const existing = this.findByUnique(type, property, value);
      if (existing && existing.id !== exceptId) return { property, existing };
    }
    return undefined;
  }

  private view(r: FakeRecord, properties?: string[]) {
    const props = properties ? Object.fromEntries(properties.map((k) => [k, r.properties[k] ?? null])) : r.properties;
    return { id: r.id, properties: { ...props, hs_object_id: r.id, createdate: r.properties.createdate, lastmodifieddate: r.properties.lastmodifieddate }, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: false };
  }

  private validateProperties(properties: unknown): FakeResponse | undefined {
    if (!properties || typeof properties !== 'object') return error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: properties is required');
    for (const [k, v] of Object.entries(properties)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && v !== null) {
        return error(400, 'VALIDATION_ERROR', `Property values were not valid: [{"isValid":false,"message":"${k} must be a string","error":"INVALID_STRING","name":"${k}"}]`);
      }
    }
    return undefined;
  }

  private create(type: string, body: Record<string, unknown>): FakeResponse {
    const invalid = this.validateProperties(body.properties);
    if (invalid) return invalid;
    const properties = Object.fromEntries(Object.entries(body.properties as Record<string, unknown>).map(([k, v]) => [k, v === null ? '' : String(v)]));
    const associationTargets = ((body.associations as Array<{ to: { id: string } }>) ?? []).map((a) => this.records.get(String(a.to?.id))?.type ?? '');
    const refused = this.currencyViolation(properties) ?? this.ruleViolation(type, properties, undefined, associationTargets);
    if (refused) return refused;
    const owner = type === 'contacts' && properties.email ? this.additionalEmails.get(properties.email.toLowerCase()) : undefined;
    if (owner) return error(409, 'CONFLICT', `Contact already exists. Existing ID: ${owner}`);
    const clash = this.uniqueClash(type, properties);
    if (clash) {
      if (type === 'contacts' && clash.property === 'email') return error(409, 'CONFLICT', `Contact already exists. Existing ID: ${clash.existing.id}`);
      return error(409, 'CONFLICT', `A ${type.replace(/s$/, '')} with the unique value for ${clash.property} already exists. Existing ID: ${clash.existing.id}`);
    }
    const associations = (body.associations as Array<{ to: { id: string }; types: Array<{ associationCategory: string; associationTypeId: number }> }>) ?? [];
    for (const a of associations) {
      if (!this.records.has(String(a.to.id))) return error(400, 'VALIDATION_ERROR', `One or more associations are invalid: ${a.to.id} does not exist`);
    }
    const record = this.insert(type, properties, false);
    for (const a of associations) {
      const target = this.records.get(String(a.to.id)) as FakeRecord;
      for (const t of a.types) this.addAssociation(type, record.id, target.type, target.id, t.associationTypeId, t.associationCategory);
    }
    return { status: 201, body: this.view(record) };
  }

  private read(type: string, idOrValue: string, query: URLSearchParams): FakeResponse {
    const idProperty = query.get('idProperty');
    const record = idProperty ? this.findByUnique(type, idProperty, idOrValue) : this.get(type, idOrValue);
    if (!record) return { status: 404, body: undefined };
    const properties = query.get('properties')?.split(',').filter(Boolean);
    const assocTypes = query.get('associations')?.split(',').filter(Boolean) ?? [];
    const view: Record<string, unknown> = this.view(record, properties);
    if (assocTypes.length) {
      const associations: Record<string, unknown> = {};
      for (const t of assocTypes) {
        const ids = this.associationsOf(type, record.id, t);
        if (ids.length) associations[normalizeType(t)] = { results: ids.map((id) => ({ id, type: `${type.replace(/s$/, '')}_to_${normalizeType(t).replace(/s$/, '')}` })) };
      }
      if (Object.keys(associations).length) view.associations = associations;
    }
    return { status: 200, body: view };
  }

  private update(type: string, idOrValue: string, body: Record<string, unknown>, idProperty?: string): FakeResponse {
    const record = idProperty ? this.findByUnique(type, idProperty, idOrValue) : this.get(type, idOrValue);
    if (!record) return error(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', { context: { id: [idOrValue] } });
    const invalid = this.validateProperties(body.properties);
    if (invalid) return invalid;
    const properties = Object.fromEntries(Object.entries(body.properties as Record<string, unknown>).map(([k, v]) => [k, v === null ? '' : String(v)]));
    const refused = this.currencyViolation(properties) ?? this.ruleViolation(type, properties, record.properties, []);
    if (refused) return refused;
    const clash = this.uniqueClash(type, properties, record.id);
    if (clash) return error(409, 'CONFLICT', `A record with the unique value for ${clash.property} already exists. Existing ID: ${clash.existing.id}`);
    Object.assign(record.properties, properties);
    record.updatedAt = this.now();
    record.properties.lastmodifieddate = record.updatedAt;
    return { status: 200, body: this.view(record) };
  }

  private search(type: string, body: Record<string, unknown>): FakeResponse {
    const groups = (body.filterGroups as Array<{ filters: Array<{ propertyName: string; operator: string; value?: string; values?: string[] }> }>) ?? [];
    const matches = (r: FakeRecord) =>
      groups.length === 0 ||
      groups.some((g) =>
        g.filters.every((f) => {
          const v = r.properties[f.propertyName];
          switch (f.operator) {
            case 'EQ':
              return v !== undefined && v.toLowerCase() === String(f.value).toLowerCase();
            case 'IN':
              return v !== undefined && (f.values ?? []).map((x) => x.toLowerCase()).includes(v.toLowerCase());
            case 'HAS_PROPERTY':
              return v !== undefined && v !== '';
            case 'NOT_HAS_PROPERTY':
              return v === undefined || v === '';
            default:
              return false;
          }
        }),
      );
    const sorts = (body.sorts as Array<{ propertyName: string; direction: string }>) ?? [];
    let results = this.list(type).filter((r) => r.searchable && matches(r));
    for (const s of [...sorts].reverse()) {
      results = results.sort((a, b) => (a.properties[s.propertyName] ?? '').localeCompare(b.properties[s.propertyName] ?? '') * (s.direction === 'DESCENDING' ? -1 : 1));
    }
    const limit = typeof body.limit === 'number' ? body.limit : 10;
    const properties = body.properties as string[] | undefined;
    return { status: 200, body: { total: results.length, results: results.slice(0, limit).map((r) => this.view(r, properties)) } };
  }

  private batch(type: string, op: string, body: Record<string, unknown>): FakeResponse {
    const inputs = (body.inputs as Array<Record<string, unknown>>) ?? [];
    const startedAt = this.now();
    const done = (results: unknown[], status = 200) => ({ status, body: { status: 'COMPLETE', results, startedAt, completedAt: this.now() } });
    if (op === 'upsert') {
      const results = [];
      for (const input of inputs) {
        const idProperty = String(input.idProperty ?? '');
        if (!(this.uniqueProperties[type] ?? []).includes(idProperty) || (idProperty === 'email' && type !== 'contacts')) {
          // The real message names the object type id: github.com/HubSpot/hubspot-api-nodejs/issues/548
          return error(400, 'VALIDATION_ERROR', `Unable to perform update/upsert by non-unique ${OBJECT_TYPE_IDS[type] ?? type} property`);
        }
        const invalid = this.validateProperties(input.properties);
        if (invalid) return invalid;
        const properties = Object.fromEntries(Object.entries(input.properties as Record<string, unknown>).map(([k, v]) => [k, v === null ? '' : String(v)]));
        const existing = this.findByUnique(type, idProperty, String(input.id));
        const refused = this.currencyViolation(properties) ?? this.ruleViolation(type, properties, existing?.properties, []);
        if (refused) return refused;
        // A create whose email is another contact's additional email: 409 for the whole batch, no per-record result.
        const owner = !existing && type === 'contacts' && idProperty === 'email' ? this.additionalEmails.get(String(input.id).toLowerCase()) : undefined;
        if (owner) return error(409, 'CONFLICT', `Contact already exists. Existing ID: ${owner}`);
        if (existing) {
          Object.assign(existing.properties, properties);
          existing.updatedAt = this.now();
          results.push({ ...this.view(existing), new: false });
        } else {
          const record = this.insert(type, { ...properties, [idProperty]: String(input.id) }, false);
          results.push({ ...this.view(record), new: true });
        }
      }
      return done(results);
    }
    if (op === 'create') {
      const results = [];
      for (const input of inputs) {
        const res = this.create(type, input);
        if (res.status !== 201) return res;
        results.push(res.body);
      }
      return done(results, 201);
    }
    if (op === 'read') {
      const idProperty = body.idProperty as string | undefined;
      const properties = body.properties as string[] | undefined;
      const results = inputs
        .map((i) => (idProperty ? this.findByUnique(type, idProperty, String(i.id)) : this.get(type, String(i.id))))
        .filter((r): r is FakeRecord => r !== undefined)
        .map((r) => this.view(r, properties));
      return done(results);
    }
    if (op === 'update') {
      const results = [];
      for (const input of inputs) {
        const res = this.update(type, String(input.id), input, input.idProperty as string | undefined);
        if (res.status !== 200) return res;
        results.push(res.body);
      }
      return done(results);
    }
    return error(404, 'OBJECT_NOT_FOUND', `Fake HubSpot has no batch operation ${op}`);
  }

  /**
   * Associations batch read (PublicAssociationMultiWithLabel per input: { from, to: [{ toObjectId, associationTypes }] }),
   * pages of `associationPageSize` with paging.next.after; an id without associations is left out of `results`.
   */
  associationPageSize = 500;

  private readAssociations(fromType: string, toType: string, body: Record<string, unknown>): FakeResponse {
    const inputs = (body.inputs as Array<{ id: string; after?: string }>) ?? [];
    const results = [];
    for (const input of inputs) {
      const ids = this.associationsOf(fromType, String(input.id), toType);
      if (!ids.length) continue;
      const start = Number(input.after ?? 0);
      const page = ids.slice(start, start + this.associationPageSize);
      const next = start + this.associationPageSize < ids.length ? { next: { after: String(start + this.associationPageSize) } } : undefined;
      results.push({
        from: { id: String(input.id) },
        to: page.map((id) => ({ toObjectId: id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: DEFAULT_ASSOCIATION_TYPES[`${fromType}→${toType}`] ?? 1, label: null }] })),
        ...(next ? { paging: next } : {}),
      });
    }
    return { status: 200, body: { status: 'COMPLETE', results, startedAt: this.now(), completedAt: this.now() } };
  }

  /**
   * The portal's rules, as 2026-09 enforces them on API writes: 400 VALIDATION_ERROR. The changelog's example body is
   * cut short ("category", "message", "errors"…); assumed the documented ErrorDetail shape (spec Error/ErrorDetail)
   * with the property in errors[].context.propertyName. https://developers.hubspot.com/changelog/crm-api-write-validation-enforcement
   */
  private ruleViolation(type: string, written: Record<string, string>, stored: Record<string, string> | undefined, associationTypes: string[]): FakeResponse | undefined {
    const has = (property: string) => (written[property] ?? stored?.[property] ?? '') !== '';
    for (const rule of this.validationRules) {
      if (normalizeType(rule.objectType) !== type) continue;
      if (rule.kind === 'required' && !stored && !has(rule.property)) {
        return error(400, 'VALIDATION_ERROR', `The property ${rule.property} is required to create a ${type.replace(/s$/, '')}`, { errors: [{ message: `${rule.property} is required on the create record form`, code: 'REQUIRED_PROPERTY', context: { propertyName: [rule.property] } }] });
      }
      if (rule.kind === 'conditional' && written[rule.when.property] === rule.when.value && !has(rule.property)) {
        return error(400, 'VALIDATION_ERROR', `The property ${rule.property} is required when ${rule.when.property} is ${rule.when.value}`, { errors: [{ message: `${rule.property} is required when ${rule.when.property} is ${rule.when.value}`, code: 'CONDITIONALLY_REQUIRED_PROPERTY', context: { propertyName: [rule.property] } }] });
      }
      if (rule.kind === 'association' && associationTypes.includes(normalizeType(rule.toType))) {
        return error(400, 'VALIDATION_ERROR', `You do not have permission to associate ${type} with ${normalizeType(rule.toType)}`, { errors: [{ message: `Association permission denied for ${type} to ${normalizeType(rule.toType)}`, code: 'ASSOCIATION_PERMISSION', context: { toObjectType: [normalizeType(rule.toType)] } }] });
      }
    }
    return undefined;
  }

  /**
   * Currency properties are enumerations of the account's currencies; another code is refused like any invalid
   * enumeration value ("Property values were not valid: [{…"error":"INVALID_OPTION"…}]"). Undocumented for currencies
   * specifically; assumed the general invalid-option body because both properties are enumerations.
   */
  private currencyViolation(written: Record<string, string>): FakeResponse | undefined {
    if (!this.enabledCurrencies) return undefined;
    for (const name of ['deal_currency_code', 'hs_line_item_currency_code']) {
      const code = written[name];
      if (code && !this.enabledCurrencies.has(code)) {
        const detail = JSON.stringify([{ isValid: false, message: `${code} was not one of the allowed options: [${[...this.enabledCurrencies].map((c) => `label: "${c}"\nvalue: "${c}"`).join(', ')}]`, error: 'INVALID_OPTION', name, localizedErrorMessage: `${code} was not one of the allowed options` }]);
        return error(400, 'VALIDATION_ERROR', `Property values were not valid: ${detail}`);
      }
    }
    return undefined;
  }

  private addAssociation(fromType: string, fromId: string, toType: string, toId: string, typeId: number, category: string): void {
    // HubSpot associations are bidirectional: contact→company 279 and company→contact 280 are one link, seen from
    // either side (https://developers.hubspot.com/docs/api/crm/associations, "associations are bidirectional").
    const reverseTypeId = DEFAULT_ASSOCIATION_TYPES[`${toType}→${fromType}`];
    const isReverse = (a: FakeAssociation) => a.fromType === toType && a.fromId === toId && a.toType === fromType && a.toId === fromId && typeId === DEFAULT_ASSOCIATION_TYPES[`${fromType}→${toType}`] && a.typeId === reverseTypeId;
    const exists = this.associations.some((a) => (a.fromType === fromType && a.fromId === fromId && a.toType === toType && a.toId === toId && a.typeId === typeId) || isReverse(a));
    if (!exists) this.associations.push({ fromType, fromId, toType, toId, typeId, category });
  }

  private associateDefault(fromType: string, fromId: string, toType: string, toId: string): FakeResponse {
    if (!this.get(fromType, fromId) || !this.get(toType, toId)) return error(404, 'OBJECT_NOT_FOUND', `No ${!this.get(fromType, fromId) ? fromType : toType} with ID ${!this.get(fromType, fromId) ? fromId : toId} exists`);
    const typeId = DEFAULT_ASSOCIATION_TYPES[`${fromType}→${toType}`] ?? 1;
    this.addAssociation(fromType, fromId, toType, toId, typeId, 'HUBSPOT_DEFINED');
    return { status: 200, body: { status: 'COMPLETE', results: [{ from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } }], startedAt: this.now(), completedAt: this.now() } };
  }

  private associateLabeled(fromType: string, fromId: string, toType: string, toId: string, body: unknown): FakeResponse {
    if (!this.get(fromType, fromId) || !this.get(toType, toId)) return error(404, 'OBJECT_NOT_FOUND', 'No object with that ID exists');
    for (const spec of (body as Array<{ associationCategory: string; associationTypeId: number }>) ?? []) {
      this.addAssociation(fromType, fromId, toType, toId, spec.associationTypeId, spec.associationCategory);
    }
    return { status: 201, body: { fromObjectTypeId: fromType, fromObjectId: Number(fromId), toObjectTypeId: toType, toObjectId: Number(toId), labels: [] } };
  }
}
