import { HUBSPOT_API_VERSION } from './api-versions';
import { scopesForOperations, type HubSpotOperation } from './hubspot-scopes';
import type { Deadline } from './deadline';
import { ConfigError, PermanentError, ValidationError } from './errors';
import { createServiceClient, type HttpRequest, type HttpResponse, type ServiceClient, type VendorErrorDetails } from './http';
import type { Logger } from './logger';

/**
 * A small HubSpot CRM client over our own request function, not @hubspot/api-client: the generated classes throw
 * a parse error without a status on a 5xx HTML page, `apiRequest()` resolves on 4xx/5xx without throwing, and the
 * client's retry decorator sleeps 10 s × attempt on 429 — past our 20 s budget. Here every failure is classified
 * (lib/classify.ts) and every call is bounded by the deadline. Every path comes from `hubspotPaths` below: HubSpot's
 * date-versioned APIs (2026-09 by default), one place for the actions, `npm run setup` and `npm run deploy`.
 */

export const HUBSPOT_API = 'https://api.hubapi.com';

// ---- paths: the one place that knows HubSpot's URL layout ---------------------------------------------------------

// Replaced by the build with the `hubspot.apiVersion` of actions.config.json (scripts/build.mjs); absent in tests.
declare const __HUBSPOT_API_VERSION__: string | undefined;

/**
 * HubSpot date versions are `YYYY-MM` (released each March and September since 2026-03-30, each served 18 months).
 * https://developers.hubspot.com/docs/developer-tooling/platform/versioning and
 * https://developers.hubspot.com/docs/api-reference/latest/overview ("for new integrations, always use the latest
 * date version"); the specs in
 * github.com/HubSpot/HubSpot-public-api-spec-collection (PublicApiSpecs/CRM/…/2026-09/*.json) use exactly these paths.
 */
export const HUBSPOT_DATE_VERSION = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A pinned version must be a date version: a typo such as "v3" or "2026-9" would otherwise 404 every call. */
export function checkHubSpotApiVersion(version: unknown, where = 'hubspot.apiVersion'): string {
  if (typeof version !== 'string' || !HUBSPOT_DATE_VERSION.test(version)) {
    throw new ConfigError(`${where} must be a HubSpot date version such as "${HUBSPOT_API_VERSION}", not ${JSON.stringify(version)}`, { errorCode: 'INVALID_CONFIG' });
  }
  return version;
}

/** The version every HubSpot path uses: the build's pin, else the current default (lib/api-versions.ts). */
export function hubspotApiVersion(): string {
  return typeof __HUBSPOT_API_VERSION__ === 'string' && __HUBSPOT_API_VERSION__ !== '' ? __HUBSPOT_API_VERSION__ : HUBSPOT_API_VERSION;
}

/**
 * One path segment, encoded. `encodeURIComponent` leaves `.` and `..` as they are, and URL parsing then resolves them:
 * an objectId of ".." would turn `PATCH /crm/objects/2026-09/contacts/..` into another endpoint. Empty segments would
 * do the same. Both are refused before any request.
 */
export function pathSegment(value: string | number, what = 'path segment'): string {
  const text = String(value);
  if (text === '' || text === '.' || text === '..' || text.trim() === '') {
    throw new ValidationError(`Refusing to call HubSpot with ${what} ${JSON.stringify(text)}: empty and dot segments change which endpoint is called`, { errorCode: 'INVALID_PATH_SEGMENT' });
  }
  return encodeURIComponent(text);
}

/** HubSpot record ids are numbers (hs_object_id); anything else in an id input is refused before any call. */
export const OBJECT_ID = /^\d{1,20}$/;

export function checkObjectId(value: unknown, what: string): string {
  // Strict: HubSpot sends ids as numbers; anything padded or decorated is not what the workflow enrolled.
  const text = value === undefined || value === null ? '' : String(value);
  if (!OBJECT_ID.test(text)) {
    throw new ValidationError(`${what} must be a numeric HubSpot record id, not ${JSON.stringify(String(value ?? '')).slice(0, 60)}`, { errorCode: 'INVALID_OBJECT_ID' });
  }
  return text;
}

export type ObjectBatchOperation = 'create' | 'read' | 'update' | 'upsert';
export type AssociationBatchOperation = 'associate/default' | 'read';

/**
 * Every HubSpot path this project calls, for one date version. Paths as in HubSpot's 2026-09 specs:
 * objects (PublicApiSpecs/CRM/Line Items|Deals|Contacts/Rollouts/424/2026-09), associations
 * (CRM/Associations/Rollouts/130902/2026-09), properties (CRM/Properties/Rollouts/145899/2026-09) and flows
 * (Automation/Automation V4/Rollouts/144908/2026-09-beta: the flows API exists only as a "-beta" date version).
 */
export function hubspotPaths(version: string = hubspotApiVersion()) {
  const v = checkHubSpotApiVersion(version, 'HubSpot API version');
  const seg = pathSegment;
  const objects = (type: string) => `/crm/objects/${v}/${seg(type, 'object type')}`;
  const properties = (type: string) => `/crm/properties/${v}/${seg(type, 'object type')}`;
  return {
    version: v,
    objects,
    object: (type: string, id: string) => `${objects(type)}/${seg(id, 'object id')}`,
    objectBatch: (type: string, operation: ObjectBatchOperation) => `${objects(type)}/batch/${operation}`,
    objectSearch: (type: string) => `${objects(type)}/search`,
    defaultAssociation: (fromType: string, fromId: string, toType: string, toId: string) =>
      `${objects(fromType)}/${seg(fromId, 'object id')}/associations/default/${seg(toType, 'object type')}/${seg(toId, 'object id')}`,
    associationBatch: (fromType: string, toType: string, operation: AssociationBatchOperation) =>
      `/crm/associations/${v}/${seg(fromType, 'object type')}/${seg(toType, 'object type')}/batch/${operation}`,
    properties,
    property: (type: string, name: string) => `${properties(type)}/${seg(name, 'property name')}`,
    propertyGroups: (type: string) => `${properties(type)}/groups`,
    propertyGroup: (type: string, name: string) => `${properties(type)}/groups/${seg(name, 'group name')}`,
    propertiesBatchCreate: (type: string) => `${properties(type)}/batch/create`,
    flow: (flowId: string) => `/automation/${v}-beta/flows/${seg(flowId, 'flow id')}`,
  };
}

export type HubSpotPaths = ReturnType<typeof hubspotPaths>;

/**
 * Where a HubSpot admin creates the token the actions (and `npm run setup` / `npm run deploy`) use. Legacy private
 * apps can no longer be created (new accounts since 2026-09-28, existing ones since 2026-10-26); HubSpot's
 * replacement for account-level REST integrations is the Service Key (public beta, scoped like a private app, no
 * webhooks): https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/account-service-keys
 * and https://developers.hubspot.com/changelog/service-keys. A legacy private-app token keeps working.
 */
export const HUBSPOT_TOKEN_WHERE =
  'HubSpot → Development → Keys → Service keys → Create service key, add the scopes listed, then Show and copy the key (a legacy private app\'s access token also works)';

/**
 * Characters budgeted for the token in HubSpot's 1,000-character secret budget. HubSpot does not document a
 * Service Key's format or length. Legacy private-app tokens are 44 characters (pat-<region>-<uuid>) and HubSpot's
 * OAuth access tokens about 70; undocumented, so assumed at most 128 — conservative, three times a private-app
 * token — rather than under-count the budget every other secret shares.
 */
export const HUBSPOT_TOKEN_TYPICAL_LENGTH = 128;

/**
 * The HUBSPOT_ACCESS_TOKEN secret every action declares, from the CRM operations its code performs: the scopes are
 * derived from HubSpot's 2026-09 security requirements (lib/hubspot-scopes.ts), never written by hand, so a line-item
 * read brings `e-commerce` with it. The guide and the bundle header read the scopes from `description`.
 */
export function hubspotTokenSecret(operations: readonly HubSpotOperation[]) {
  const scopes = scopesForOperations(operations);
  return {
    description: `HubSpot Service Key (or an existing legacy private-app token) with ${scopes.length === 1 ? 'scope' : 'scopes'} ${scopes.join(', ')}`,
    typicalLength: HUBSPOT_TOKEN_TYPICAL_LENGTH,
    where: HUBSPOT_TOKEN_WHERE,
    /** What the action's code calls; test/lib/hubspot-scopes.test.ts holds it against the calls its runs make. */
    hubspotOperations: [...operations].sort(),
    hubspotScopes: scopes,
  };
}

export type CrmObjectType = 'contacts' | 'companies' | 'deals' | 'line_items' | (string & {});
export type Properties = Record<string, string>;

export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  /** Set by batch upsert: true when the record was created by this call. */
  new?: boolean;
  associations?: Record<string, { results: Array<{ id: string; type: string }>; paging?: { next?: { after?: string } } }>;
}

export interface HubSpotErrorDetail {
  message?: string;
  code?: string;
  /** The field or parameter the error was found in. */
  in?: string;
  subCategory?: string;
  /** e.g. { propertyName: ["closedate"] } */
  context?: Record<string, unknown>;
}

/** HubSpot's documented error body (spec components.schemas.Error / ErrorDetail, 2026-09). Every field is optional in practice. */
export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  subCategory?: string;
  errorType?: string;
  /** On 429: which limit was hit (TEN_SECONDLY_ROLLING, SECONDLY, DAILY). */
  policyName?: string;
  correlationId?: string;
  context?: Record<string, unknown>;
  errors?: HubSpotErrorDetail[];
}

/** Currency properties: enumerations of the currencies enabled in the account. */
export const CURRENCY_PROPERTIES = ['deal_currency_code', 'hs_line_item_currency_code'] as const;
const CURRENCY_SETTINGS = 'Settings → Account defaults → Currencies';

/**
 * An invalid property value comes back as 400 VALIDATION_ERROR "Property values were not valid: [{…}]", a JSON list
 * of { isValid, message, error, name } (error INVALID_OPTION for an enumeration value the property does not offer).
 * https://developers.hubspot.com/docs/api-reference/error-handling ("For CRM object APIs, error responses will include
 * detailed message, code, and context fields"). The embedded list is how HubSpot has always reported it (e.g.
 * github.com/HubSpot/hubspot-api-nodejs issues); we parse it leniently and ignore it when it is not JSON.
 */
export function invalidPropertyValues(message: string | undefined): Array<{ name: string; message: string; error: string }> {
  const at = message?.indexOf('[') ?? -1;
  if (!message || at < 0 || !/Property values were not valid/i.test(message)) return [];
  try {
    const list = JSON.parse(message.slice(at)) as Array<{ name?: unknown; message?: unknown; error?: unknown }>;
    return Array.isArray(list) ? list.map((e) => ({ name: String(e?.name ?? ''), message: String(e?.message ?? ''), error: String(e?.error ?? '') })) : [];
  } catch {
    return [];
  }
}

/** The invalid-value list may be in the top-level message or in an errors[] entry's message. */
function invalidValuesIn(body: HubSpotErrorBody) {
  return [body.message, ...(body.errors ?? []).map((e) => e.message)].flatMap((m) => invalidPropertyValues(m));
}

/**
 * From API version 2026-09 HubSpot enforces the portal admin's rules on API writes: conditional required properties,
 * required fields of the create-record form, user-level association permissions. A write that breaks one gets
 * 400 VALIDATION_ERROR. https://developers.hubspot.com/changelog/crm-api-write-validation-enforcement
 * The changelog's example body is cut short in every copy we could read ("category", "message", "errors"), so the
 * detection is an assumption, stated: the standard ErrorDetail shape, with the property in errors[].context.propertyName
 * (or errors[].in), and a message that says "required" or "permission". An invalid *value* ("Property values were
 * not valid") is not a portal rule and keeps the plain VALIDATION_ERROR code.
 */
export function portalRuleViolation(body: HubSpotErrorBody): { property?: string; kind: 'required' | 'association' } | undefined {
  if (body.category !== 'VALIDATION_ERROR') return undefined;
  if (invalidValuesIn(body).length) return undefined;
  const details = body.errors ?? [];
  const texts = [body.message ?? '', ...details.map((d) => d.message ?? '')].join(' ');
  const association = /association/i.test(texts) && /permission/i.test(texts);
  if (!association && !/\brequired\b/i.test(texts)) return undefined;
  const named = (ctx: Record<string, unknown> | undefined) => {
    const value = ctx?.propertyName ?? ctx?.properties;
    return Array.isArray(value) ? value.map(String).join(', ') : typeof value === 'string' ? value : undefined;
  };
  const property = details.map((d) => named(d.context) ?? d.in).find(Boolean) ?? named(body.context);
  return { property, kind: association ? 'association' : 'required' };
}

/** Pulls HubSpot's own message and category out of an error body (documented shape: status/message/category). */
export function describeHubSpotError(_status: number, data: unknown): VendorErrorDetails {
  if (!data || typeof data !== 'object') return {};
  const body = data as HubSpotErrorBody;
  const detail = body.errors?.find((e) => e.message)?.message;
  const message = [body.message, detail && detail !== body.message ? detail : undefined].filter(Boolean).join(' | ');

  const currency = invalidValuesIn(body).find((e) => (CURRENCY_PROPERTIES as readonly string[]).includes(e.name) && e.error === 'INVALID_OPTION');
  if (currency) {
    const code = /^\s*"?([A-Za-z]{3})\b/.exec(currency.message)?.[1]?.toUpperCase() ?? 'given';
    return {
      code: 'CURRENCY_NOT_ENABLED',
      message: `the ${code} currency is not enabled in this HubSpot account (${currency.name}); add it under ${CURRENCY_SETTINGS}, then re-enroll the record`,
    };
  }
  const rule = portalRuleViolation(body);
  if (rule) {
    const where = rule.kind === 'association'
      ? 'association permissions are set per user under Settings → Users & Teams, and association limits under Settings → Objects → <object> → Associations'
      : 'required and conditionally required properties are set under Settings → Properties (the property\'s rules) and Settings → Objects → <object> → Record customization (the create-record form)';
    return {
      code: 'VALIDATION_RULE',
      message: `a validation rule of this HubSpot account refused the write${rule.property ? ` (property ${rule.property})` : ''}: ${message || 'VALIDATION_ERROR'}. Supply the value or change the rule: ${where}`,
    };
  }
  // The daily limit resets at midnight (portal time): waiting seconds in-process is pointless, a re-run later is not.
  // https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
  const daily = body.policyName === 'DAILY';
  // A 403 MISSING_SCOPES names the scopes in errors[].context.requiredGranularScopes: say them, so the admin knows
  // what to add to the key (e.g. e-commerce, which 2026-09 requires with every line-item scope).
  const scopes = [...new Set((body.errors ?? []).flatMap((e) => (Array.isArray(e.context?.requiredGranularScopes) ? (e.context.requiredGranularScopes as unknown[]) : [])).filter((x): x is string => typeof x === 'string'))];
  const withScopes = scopes.length ? `${message || 'missing scopes'} (required scopes: ${scopes.join(', ')})` : message;
  return { message: withScopes || undefined, code: body.category ?? body.errorType, ...(daily ? { retryAfterSeconds: 3_600 } : {}) };
}

/** HubSpot answers a duplicate create with 409 and "Contact already exists. Existing ID: 123". */
export function existingIdFromConflict(data: unknown): string | undefined {
  const message = data && typeof data === 'object' ? (data as HubSpotErrorBody).message : undefined;
  const match = typeof message === 'string' ? /Existing ID:\s*(\d+)/i.exec(message) : null;
  return match?.[1];
}

/** Pages of associations readAssociatedIds reads at most. */
export const MAX_ASSOCIATION_PAGES = 20;

export interface AssociationSpec {
  toId: string;
  /** HubSpot-defined association type id, e.g. 279 contact→company, 3 deal→contact, 20 line item→deal. */
  typeId: number;
}

export interface HubSpotClient extends ServiceClient {
  /** The paths of the date version this client calls. */
  readonly paths: HubSpotPaths;
  getObject(type: CrmObjectType, id: string, options?: { properties?: string[]; associations?: string[]; idProperty?: string; accept404?: boolean }): Promise<CrmObject | undefined>;
  createObject(type: CrmObjectType, properties: Properties, associations?: AssociationSpec[], options?: { acceptConflict?: boolean }): Promise<HttpResponse<CrmObject | HubSpotErrorBody>>;
  /** batch/create, each record with its associations inline (one call, no second association step). */
  createObjects(type: CrmObjectType, inputs: Array<{ properties: Properties; associations?: AssociationSpec[] }>): Promise<CrmObject[]>;
  /** batch/read by record id; records that no longer exist are simply absent. */
  readObjects(type: CrmObjectType, ids: readonly string[], properties: readonly string[]): Promise<CrmObject[]>;
  updateObject(type: CrmObjectType, id: string, properties: Properties, options?: { idProperty?: string }): Promise<CrmObject>;
  /**
   * Creates or updates records by a unique property in one atomic call (no search lag, no race). A whole-batch 409
   * naming the record that holds the value (e.g. a contact email that is another contact's) becomes an update of that
   * record for a batch of one; otherwise a clear permanent error.
   */
  upsertObjects(type: CrmObjectType, idProperty: string, inputs: Array<{ id: string; properties: Properties }>): Promise<CrmObject[]>;
  searchObjects(type: CrmObjectType, body: SearchRequest): Promise<CrmObject[]>;
  /** The "default" association: HubSpot-defined, idempotent (PUT). */
  associateDefault(fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string): Promise<void>;
  /** Every associated id of one record, all pages (associations batch/read). */
  readAssociatedIds(fromType: CrmObjectType, fromId: string, toType: CrmObjectType): Promise<string[]>;
}

export interface SearchRequest {
  filterGroups: Array<{ filters: Array<{ propertyName: string; operator: string; value?: string; values?: string[] }> }>;
  properties?: string[];
  sorts?: Array<{ propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }>;
  limit?: number;
  /** Paging cursor (paging.next.after of the previous page); "0" for the first. */
  after?: string;
}

const BATCH_LIMIT = 100;

/**
 * PublicObjectSearchRequest (2026-09) requires after, filterGroups, limit, properties and sorts; absent lists are sent
 * empty. What a first request puts in `after` is not documented: assumed "0", since search cursors are offsets as
 * text (a first page of 10 answers paging.next.after "10").
 * Spec: PublicApiSpecs/CRM/*\/Rollouts/424/2026-09/*.json components.schemas.PublicObjectSearchRequest; paging:
 * https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm. The spec types `sorts` items as
 * strings; the search guide documents { propertyName, direction } objects, which we send.
 */
export function searchBody(body: SearchRequest): Required<SearchRequest> {
  return { after: '0', limit: 10, properties: [], sorts: [], ...body };
}

export function createHubSpotClient(options: { accessToken: string; log: Logger; deadline: Deadline; baseUrl?: string; apiVersion?: string }): HubSpotClient {
  const http = createServiceClient({
    service: 'hubspot',
    baseUrl: options.baseUrl ?? HUBSPOT_API,
    log: options.log,
    deadline: options.deadline,
    auth: () => ({ authorization: `Bearer ${options.accessToken}` }),
    describeError: describeHubSpotError,
  });
  const paths = hubspotPaths(options.apiVersion ?? hubspotApiVersion());
  // Every HubSpot answer we read has a JSON body: an empty or non-JSON 2xx is a bad gateway (retryable 502), not a crash.
  const request = <T>(req: HttpRequest) => http.request<T>({ expectJson: true, ...req });
  const batchResults = (data: { results?: CrmObject[] } | undefined, what: string): CrmObject[] => {
    if (!Array.isArray(data?.results)) throw new PermanentError(`HubSpot answered ${what} without results`, { errorCode: 'HUBSPOT_EMPTY_RESPONSE', service: 'hubspot' });
    return data.results;
  };
  const associationInput = (a: AssociationSpec) => ({ to: { id: checkObjectId(a.toId, 'Association target') }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: a.typeId }] });

  const client: HubSpotClient = {
    service: 'hubspot',
    paths,
    request,

    async getObject(type, id, opts = {}) {
      const res = await request<CrmObject>({
        method: 'GET',
        url: paths.object(type, id),
        query: {
          properties: opts.properties?.join(','),
          associations: opts.associations?.join(','),
          idProperty: opts.idProperty,
        },
        accept: opts.accept404 ? [404] : [],
        idempotent: true,
        label: `get ${type}`,
      });
      return res.status === 404 ? undefined : res.data;
    },

    createObject(type, properties, associations = [], opts = {}) {
      return request<CrmObject | HubSpotErrorBody>({
        method: 'POST',
        url: paths.objects(type),
        // `associations` is required by the 2026-09 SimplePublicObjectInputForCreate, even when empty.
        json: { properties, associations: associations.map(associationInput) },
        accept: opts.acceptConflict ? [409] : [],
        // With 409 accepted, sending the create again is safe: a second copy is refused and names the first.
        idempotent: opts.acceptConflict === true,
        label: `create ${type}`,
      });
    },

    async createObjects(type, inputs) {
      const created: CrmObject[] = [];
      for (let i = 0; i < inputs.length; i += BATCH_LIMIT) {
        const batch = inputs.slice(i, i + BATCH_LIMIT);
        // Not idempotent: a lost answer must not be sent again in-process (it would create a second copy); the caller's
        // re-run reads what exists first.
        const res = await request<{ results?: CrmObject[] }>({
          method: 'POST',
          url: paths.objectBatch(type, 'create'),
          json: { inputs: batch.map((b) => ({ properties: b.properties, associations: (b.associations ?? []).map(associationInput) })) },
          label: `create ${type} (batch of ${batch.length})`,
        });
        const results = batchResults(res.data, `create ${type}`);
        if (results.length !== batch.length) {
          throw new PermanentError(`HubSpot created ${results.length} of ${batch.length} ${type}`, { errorCode: 'HUBSPOT_PARTIAL_RESPONSE', service: 'hubspot' });
        }
        created.push(...results);
      }
      return created;
    },

    async readObjects(type, ids, properties) {
      const found: CrmObject[] = [];
      for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
        const res = await request<{ results?: CrmObject[] }>({
          method: 'POST',
          url: paths.objectBatch(type, 'read'),
          // BatchReadInputSimplePublicObjectId (2026-09) requires propertiesWithHistory: [] asks for none.
          json: { properties, propertiesWithHistory: [], inputs: ids.slice(i, i + BATCH_LIMIT).map((id) => ({ id: checkObjectId(id, `${type} id`) })) },
          idempotent: true,
          label: `read ${type}`,
        });
        found.push(...batchResults(res.data, `read ${type}`));
      }
      return found;
    },

    async updateObject(type, id, properties, opts = {}) {
      const res = await request<CrmObject>({
        method: 'PATCH',
        url: paths.object(type, id),
        query: { idProperty: opts.idProperty },
        json: { properties },
        idempotent: true,
        label: `update ${type}`,
      });
      return res.data;
    },

    async upsertObjects(type, idProperty, inputs) {
      // Batch upsert is the only create-or-update keyed by a unique property; @hubspot/api-client v10 lacks it.
      const res = await request<{ results?: CrmObject[] } | HubSpotErrorBody>({
        method: 'POST',
        url: paths.objectBatch(type, 'upsert'),
        json: { inputs: inputs.map((i) => ({ idProperty, id: i.id, properties: i.properties })) },
        accept: [409],
        idempotent: true,
        label: `upsert ${type}`,
      });
      if (res.status !== 409) return batchResults(res.data as { results?: CrmObject[] }, `upsert ${type}`);
      return upsertConflict(client, type, idProperty, inputs, res.data as HubSpotErrorBody);
    },

    async searchObjects(type, body) {
      const res = await request<{ results?: CrmObject[] }>({
        method: 'POST',
        url: paths.objectSearch(type),
        json: searchBody(body),
        idempotent: true,
        label: `search ${type}`,
      });
      return batchResults(res.data, `search ${type}`);
    },

    async associateDefault(fromType, fromId, toType, toId) {
      await request({
        method: 'PUT',
        url: paths.defaultAssociation(fromType, fromId, toType, toId),
        idempotent: true,
        label: `associate ${fromType}→${toType}`,
      });
    },

    async readAssociatedIds(fromType, fromId, toType) {
      const ids: string[] = [];
      let after: string | undefined;
      const seen = new Set<string>();
      for (let page = 1; ; page++) {
        // A bound an order's deal never reaches (the page size is undocumented; the fake pages by 100, so 2,000 line
        // items): a page loop must end well before the 20 s budget, with a permanent error instead of a deadline that
        // HubSpot retries for 3 days. https://developers.hubspot.com/docs/api-reference/latest/crm/associations/associate-records/batch/get-associations
        if (page > MAX_ASSOCIATION_PAGES) throw new PermanentError(`${fromType} ${fromId} has more than ${MAX_ASSOCIATION_PAGES} pages of ${toType} associations; not reading further`, { errorCode: 'HUBSPOT_TOO_MANY_ASSOCIATIONS', service: 'hubspot' });
        const res = await request<{ results?: Array<{ from?: { id?: string }; to?: Array<{ toObjectId?: string | number }>; paging?: { next?: { after?: string } } }> }>({
          method: 'POST',
          url: paths.associationBatch(fromType, toType, 'read'),
          json: { inputs: [{ id: checkObjectId(fromId, `${fromType} id`), ...(after ? { after } : {}) }] },
          idempotent: true,
          label: `read ${fromType}→${toType} associations`,
        });
        // A record without associations is simply absent from `results` (and may be listed under `errors`).
        const result = (res.data?.results ?? []).find((r) => String(r.from?.id) === String(fromId));
        for (const to of result?.to ?? []) ids.push(String(to.toObjectId));
        after = result?.paging?.next?.after;
        if (!after) break;
        if (seen.has(after)) throw new PermanentError(`HubSpot repeated the association paging cursor for ${fromType} ${fromId}`, { errorCode: 'HUBSPOT_PAGING_LOOP', service: 'hubspot' });
        seen.add(after);
      }
      return [...new Set(ids)];
    },
  };
  return client;
}

/**
 * batch/upsert can answer 409 for the whole batch instead of a per-record result, e.g. when a contact's email is
 * already another record's (an additional email of another contact): "Contact already exists. Existing ID: 123".
 * https://developers.hubspot.com/docs/api-reference/error-handling ; the 409 body as reported in
 * github.com/HubSpot/hubspot-api-python/issues/51. For one input we update the record HubSpot named; for several we
 * cannot tell which input clashed, so we stop with a clear error rather than guess (never a silent loss).
 */
async function upsertConflict(client: HubSpotClient, type: string, idProperty: string, inputs: Array<{ id: string; properties: Properties }>, body: HubSpotErrorBody): Promise<CrmObject[]> {
  const existingId = existingIdFromConflict(body);
  const [only] = inputs;
  if (!existingId || inputs.length !== 1 || !only) {
    throw new PermanentError(
      `HubSpot refused the ${type} upsert by ${idProperty} with 409 for the whole batch: ${body?.message ?? 'conflict'}. Nothing was written; resolve the duplicate in HubSpot and re-enroll.`,
      { errorCode: 'HUBSPOT_UPSERT_CONFLICT', status: 409, service: 'hubspot' },
    );
  }
  const updated = await client.updateObject(type, existingId, only.properties);
  return [{ ...updated, id: updated?.id ?? existingId, new: false }];
}
