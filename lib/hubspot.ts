import { createServiceClient, type HttpRequest, type HttpResponse, type ServiceClient, type VendorErrorDetails } from './http';
import type { Deadline } from './deadline';
import type { Logger } from './logger';

/**
 * A small HubSpot CRM client over our own request function, not @hubspot/api-client: the generated classes throw
 * a parse error without a status on a 5xx HTML page, `apiRequest()` resolves on 4xx/5xx without throwing, and the
 * client's retry decorator sleeps 10 s × attempt on 429 — past our 20 s budget. Here every failure is classified
 * (lib/classify.ts) and every call is bounded by the deadline. The endpoints are the stable v3/v4 CRM ones.
 */

export const HUBSPOT_API = 'https://api.hubapi.com';

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

/** The HUBSPOT_ACCESS_TOKEN secret every action declares, with the scopes that action needs. */
export function hubspotTokenSecret(scopes: readonly string[]) {
  return {
    description: `HubSpot Service Key (or an existing legacy private-app token) with scopes ${scopes.join(', ')}`,
    typicalLength: HUBSPOT_TOKEN_TYPICAL_LENGTH,
    where: HUBSPOT_TOKEN_WHERE,
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
  associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
}

export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  subCategory?: string;
  errorType?: string;
  /** On 429: which limit was hit (TEN_SECONDLY_ROLLING, SECONDLY, DAILY). */
  policyName?: string;
  correlationId?: string;
  errors?: Array<{ message?: string; code?: string }>;
}

/** Pulls HubSpot's own message and category out of an error body (documented shape: status/message/category). */
export function describeHubSpotError(_status: number, data: unknown): VendorErrorDetails {
  if (!data || typeof data !== 'object') return {};
  const body = data as HubSpotErrorBody;
  const detail = body.errors?.find((e) => e.message)?.message;
  const message = [body.message, detail && detail !== body.message ? detail : undefined].filter(Boolean).join(' | ');
  // The daily limit resets at midnight (portal time): waiting seconds in-process is pointless, a re-run later is not.
  // https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
  const daily = body.policyName === 'DAILY';
  return { message: message || undefined, code: body.category ?? body.errorType, ...(daily ? { retryAfterSeconds: 3_600 } : {}) };
}

/** HubSpot answers a duplicate create with 409 and "Contact already exists. Existing ID: 123". */
export function existingIdFromConflict(data: unknown): string | undefined {
  const message = data && typeof data === 'object' ? (data as HubSpotErrorBody).message : undefined;
  const match = typeof message === 'string' ? /Existing ID:\s*(\d+)/i.exec(message) : null;
  return match?.[1];
}

export interface AssociationSpec {
  toId: string;
  /** HubSpot-defined association type id, e.g. 279 contact→company, 3 deal→contact, 20 line item→deal. */
  typeId: number;
}

export interface HubSpotClient extends ServiceClient {
  getObject(type: CrmObjectType, id: string, options?: { properties?: string[]; associations?: string[]; idProperty?: string; accept404?: boolean }): Promise<CrmObject | undefined>;
  createObject(type: CrmObjectType, properties: Properties, associations?: AssociationSpec[], options?: { acceptConflict?: boolean }): Promise<HttpResponse<CrmObject | HubSpotErrorBody>>;
  updateObject(type: CrmObjectType, id: string, properties: Properties, options?: { idProperty?: string }): Promise<CrmObject>;
  /** Creates or updates records by a unique property in one atomic call (no search lag, no race). */
  upsertObjects(type: CrmObjectType, idProperty: string, inputs: Array<{ id: string; properties: Properties }>): Promise<CrmObject[]>;
  searchObjects(type: CrmObjectType, body: SearchRequest): Promise<CrmObject[]>;
  /** v4 "default" association: HubSpot-defined, idempotent (PUT). */
  associateDefault(fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string): Promise<void>;
}

export interface SearchRequest {
  filterGroups: Array<{ filters: Array<{ propertyName: string; operator: string; value?: string; values?: string[] }> }>;
  properties?: string[];
  sorts?: Array<{ propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }>;
  limit?: number;
}

export function createHubSpotClient(options: { accessToken: string; log: Logger; deadline: Deadline; baseUrl?: string }): HubSpotClient {
  const http = createServiceClient({
    service: 'hubspot',
    baseUrl: options.baseUrl ?? HUBSPOT_API,
    log: options.log,
    deadline: options.deadline,
    auth: () => ({ authorization: `Bearer ${options.accessToken}` }),
    describeError: describeHubSpotError,
  });
  const request = <T>(req: HttpRequest) => http.request<T>(req);
  const path = (type: string, ...rest: string[]) => ['/crm/v3/objects', encodeURIComponent(type), ...rest.map(encodeURIComponent)].join('/');

  return {
    service: 'hubspot',
    request,

    async getObject(type, id, opts = {}) {
      const res = await request<CrmObject>({
        method: 'GET',
        url: path(type, id),
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
        url: path(type),
        json: {
          properties,
          ...(associations.length
            ? { associations: associations.map((a) => ({ to: { id: a.toId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: a.typeId }] })) }
            : {}),
        },
        accept: opts.acceptConflict ? [409] : [],
        // With 409 accepted, sending the create again is safe: a second copy is refused and names the first.
        idempotent: opts.acceptConflict === true,
        label: `create ${type}`,
      });
    },

    async updateObject(type, id, properties, opts = {}) {
      const res = await request<CrmObject>({
        method: 'PATCH',
        url: path(type, id),
        query: { idProperty: opts.idProperty },
        json: { properties },
        idempotent: true,
        label: `update ${type}`,
      });
      return res.data;
    },

    async upsertObjects(type, idProperty, inputs) {
      // Batch upsert is the only create-or-update keyed by a unique property; @hubspot/api-client v10 lacks it.
      const res = await request<{ results?: CrmObject[] }>({
        method: 'POST',
        url: `${path(type)}/batch/upsert`,
        json: { inputs: inputs.map((i) => ({ idProperty, id: i.id, properties: i.properties })) },
        idempotent: true,
        label: `upsert ${type}`,
      });
      return res.data.results ?? [];
    },

    async searchObjects(type, body) {
      const res = await request<{ results?: CrmObject[] }>({
        method: 'POST',
        url: `${path(type)}/search`,
        json: body,
        idempotent: true,
        label: `search ${type}`,
      });
      return res.data.results ?? [];
    },

    async associateDefault(fromType, fromId, toType, toId) {
      await request({
        method: 'PUT',
        url: ['/crm/v4/objects', fromType, fromId, 'associations/default', toType, toId].map((p, i) => (i === 0 || i === 3 ? p : encodeURIComponent(p))).join('/'),
        idempotent: true,
        label: `associate ${fromType}→${toType}`,
      });
    },
  };
}
