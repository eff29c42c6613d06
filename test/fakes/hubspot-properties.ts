import { SCHEMA_SCOPES } from '../../lib/hubspot-scopes';
import { refuseIncomplete } from './hubspot-request-schemas';
import type { FakeRequest, FakeResponse } from './network';

/**
 * HubSpot's CRM properties API (date version, e.g. 2026-09), in memory, answering with the documented shapes and
 * error bodies (spec: HubSpot-public-api-spec-collection PublicApiSpecs/CRM/Properties/Rollouts/145899/2026-09):
 *   GET  /crm/properties/{version}/{objectType}          → 200 { results: Property[] }
 *   GET  /crm/properties/{version}/{objectType}/groups   → 200 { results: PropertyGroup[] }
 *   POST /crm/properties/{version}/{objectType}/groups   → 201 PropertyGroup | 409 CONFLICT
 *   POST /crm/properties/{version}/{objectType}          → 201 Property | 409 OBJECT_ALREADY_EXISTS | 400 unknown group
 *                                                          | 400 unique value on an object type that has none
 * Bad token → 401 INVALID_AUTHENTICATION; missing scope → 403 MISSING_SCOPES with requiredGranularScopes.
 * https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide
 */

/**
 * "Unique identifier properties" exist for contacts, companies, deals, tickets and custom objects (properties guide
 * above). The refusal body for other types is undocumented; assumed a 400 VALIDATION_ERROR like other bad definitions.
 */
const UNIQUE_CAPABLE = new Set(['contacts', 'companies', 'deals', 'tickets']);

export interface FakeProperty {
  name: string;
  label: string;
  description?: string;
  type: string;
  fieldType: string;
  groupName: string;
  options: Array<{ label: string; value: string; displayOrder?: number; hidden?: boolean }>;
  hasUniqueValue: boolean;
  formField?: boolean;
  hubspotDefined?: boolean;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

export interface FakePropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

const OBJECT_TYPES = ['contacts', 'companies', 'deals', 'line_items'] as const;
const STAMP = '2025-01-01T00:00:00.000Z';

function error(status: number, category: string, message: string, extra: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { status: 'error', message, correlationId: '3f1b2c4d-0000-4000-8000-00000000c0de', category, ...extra } };
}

export class FakeHubSpotProperties {
  readonly properties = new Map<string, Map<string, FakeProperty>>();
  readonly groups = new Map<string, Map<string, FakePropertyGroup>>();
  /** Write requests received (POST bodies), to assert that nothing was changed. */
  readonly writes: Array<{ method: string; path: string; body: unknown }> = [];
  /** Date versions the calls used. */
  readonly apiVersions = new Set<string>();
  /** Scopes the token lacks: any call needing one answers 403. */
  missingScopes = new Set<string>();

  constructor(readonly token: string) {
    for (const t of OBJECT_TYPES) {
      this.properties.set(t, new Map());
      this.groups.set(t, new Map());
    }
    // A few HubSpot-defined ones, so "all properties" is not just ours.
    this.addGroup('contacts', { name: 'contactinformation', label: 'Contact information' });
    this.addProperty('contacts', { name: 'email', label: 'Email', type: 'string', fieldType: 'text', groupName: 'contactinformation', hubspotDefined: true });
    this.addGroup('companies', { name: 'companyinformation', label: 'Company information' });
    this.addProperty('companies', { name: 'domain', label: 'Company Domain Name', type: 'string', fieldType: 'text', groupName: 'companyinformation', hubspotDefined: true });
    this.addGroup('deals', { name: 'dealinformation', label: 'Deal information' });
    this.addProperty('deals', { name: 'dealname', label: 'Deal Name', type: 'string', fieldType: 'text', groupName: 'dealinformation', hubspotDefined: true });
  }

  addGroup(objectType: string, group: { name: string; label: string }): FakePropertyGroup {
    const g = { name: group.name, label: group.label, displayOrder: -1, archived: false };
    this.groups.get(objectType)?.set(g.name, g);
    return g;
  }

  addProperty(objectType: string, p: Partial<FakeProperty> & Pick<FakeProperty, 'name' | 'type' | 'fieldType' | 'groupName'>): FakeProperty {
    const property: FakeProperty = { label: p.name, options: [], hasUniqueValue: false, createdAt: STAMP, updatedAt: STAMP, archived: false, formField: false, ...p };
    this.properties.get(objectType)?.set(property.name, property);
    return property;
  }

  handle = (req: FakeRequest): FakeResponse => {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
    }
    const match = /^\/crm\/properties\/(\d{4}-\d{2})\/([a-z_]+)(\/groups)?\/?$/.exec(req.pathname);
    if (!match) return error(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.pathname}`);
    this.apiVersions.add(match[1] as string);
    const objectType = match[2] as string;
    const isGroups = match[3] !== undefined;
    const props = this.properties.get(objectType);
    const groups = this.groups.get(objectType);
    if (!props || !groups) return error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${objectType}`);

    // One accepted requirement per type and access (2026-09 properties spec): line-item creates take e-commerce.
    const scope = SCHEMA_SCOPES[objectType as keyof typeof SCHEMA_SCOPES][req.method === 'GET' ? 'read' : 'write'].join(' ');
    if (this.missingScopes.has(scope)) {
      return error(403, 'MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.", {
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [scope] } }],
      });
    }

    if (req.method === 'GET') {
      return { status: 200, body: { results: isGroups ? [...groups.values()] : [...props.values()] } };
    }
    if (req.method !== 'POST') return error(405, 'VALIDATION_ERROR', `Method ${req.method} not allowed`);
    this.writes.push({ method: req.method, path: req.pathname, body: req.body });
    const incomplete = refuseIncomplete(isGroups ? 'PropertyGroupCreate' : 'PropertyCreate', req.body);
    if (incomplete) return incomplete;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (isGroups) {
      const name = String(body.name ?? '');
      if (groups.has(name)) return error(409, 'CONFLICT', `A property group named '${name}' already exists.`);
      return { status: 201, body: this.addGroup(objectType, { name, label: String(body.label ?? name) }) };
    }
    const name = String(body.name ?? '');
    if (props.has(name)) return error(409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`);
    const groupName = String(body.groupName ?? '');
    if (!groups.has(groupName)) return error(400, 'VALIDATION_ERROR', `Property group ${groupName} does not exist.`);
    if (body.hasUniqueValue === true && !UNIQUE_CAPABLE.has(objectType)) {
      return error(400, 'VALIDATION_ERROR', `Unique value properties are not supported for object type ${objectType}.`);
    }
    const created = this.addProperty(objectType, {
      name,
      label: String(body.label ?? name),
      description: String(body.description ?? ''),
      type: String(body.type),
      fieldType: String(body.fieldType),
      groupName,
      options: (body.options as FakeProperty['options']) ?? [],
      hasUniqueValue: body.hasUniqueValue === true,
      formField: body.formField === true,
    });
    return { status: 201, body: created };
  };
}
