import type { FakeResponse } from './network';

/**
 * The required fields of every HubSpot request schema our code sends a body for, derived from HubSpot's 2026-09
 * OpenAPI specs (github.com/HubSpot/HubSpot-public-api-spec-collection; `components.schemas.<name>.required`, and
 * the schema of each array item / object field that has required fields of its own). Re-derived and compared by
 * `node --import tsx scripts/check-spec.ts <spec checkout>`.
 *   objects (any type): PublicApiSpecs/CRM/{Contacts,Companies,Deals,Line Items}/Rollouts/424/2026-09/*.json
 *   associations:       PublicApiSpecs/CRM/Associations/Rollouts/130902/2026-09/associations.json
 *   properties:         PublicApiSpecs/CRM/Properties/Rollouts/145899/2026-09/properties.json
 *   flows (custom code): PublicApiSpecs/Automation/Automation V4/Rollouts/144908/2026-09-beta/automationV4.json
 * The fakes (hubspot.ts, hubspot-properties.ts, hubspot-flows.ts) refuse a body missing one, so every action and
 * tooling test holds what we send against the published schemas.
 */

export interface RequestSchema {
  required: readonly string[];
  /** Fields whose value (an object, or each item of an array) has a schema of its own. */
  fields?: Readonly<Record<string, string>>;
}

export const REQUEST_SCHEMAS: Readonly<Record<string, RequestSchema>> = {
  // POST /crm/objects/{v}/{type}: `associations` is required even when empty.
  SimplePublicObjectInputForCreate: { required: ['associations', 'properties'], fields: { associations: 'PublicAssociationsForObject' } },
  PublicAssociationsForObject: { required: ['to', 'types'], fields: { to: 'PublicObjectId', types: 'AssociationSpec' } },
  PublicObjectId: { required: ['id'] },
  AssociationSpec: { required: ['associationCategory', 'associationTypeId'] },
  // POST …/batch/create
  BatchInputSimplePublicObjectBatchInputForCreate: { required: ['inputs'], fields: { inputs: 'SimplePublicObjectBatchInputForCreate' } },
  SimplePublicObjectBatchInputForCreate: { required: ['associations', 'properties'], fields: { associations: 'PublicAssociationsForObject' } },
  // POST …/batch/read: `propertiesWithHistory` is required (send []).
  BatchReadInputSimplePublicObjectId: { required: ['inputs', 'properties', 'propertiesWithHistory'], fields: { inputs: 'SimplePublicObjectId' } },
  SimplePublicObjectId: { required: ['id'] },
  // POST …/batch/update
  BatchInputSimplePublicObjectBatchInput: { required: ['inputs'], fields: { inputs: 'SimplePublicObjectBatchInput' } },
  SimplePublicObjectBatchInput: { required: ['id', 'properties'] },
  // POST …/batch/upsert
  BatchInputSimplePublicObjectBatchInputUpsert: { required: ['inputs'], fields: { inputs: 'SimplePublicObjectBatchInputUpsert' } },
  SimplePublicObjectBatchInputUpsert: { required: ['id', 'properties'] },
  // PATCH …/{id}
  SimplePublicObjectInput: { required: ['properties'] },
  // POST …/search: every paging/sorting field is required by the schema.
  PublicObjectSearchRequest: { required: ['after', 'filterGroups', 'limit', 'properties', 'sorts'], fields: { filterGroups: 'FilterGroup' } },
  FilterGroup: { required: ['filters'], fields: { filters: 'Filter' } },
  Filter: { required: ['operator', 'propertyName'] },
  // POST /crm/associations/{v}/{from}/{to}/batch/read and …/batch/associate/default
  BatchInputPublicFetchAssociationsBatchRequest: { required: ['inputs'], fields: { inputs: 'PublicFetchAssociationsBatchRequest' } },
  PublicFetchAssociationsBatchRequest: { required: ['id'] },
  BatchInputPublicDefaultAssociationMultiPost: { required: ['inputs'], fields: { inputs: 'PublicDefaultAssociationMultiPost' } },
  PublicDefaultAssociationMultiPost: { required: ['from', 'to'], fields: { from: 'PublicObjectId', to: 'PublicObjectId' } },
  // POST /crm/properties/{v}/{type} and …/groups
  PropertyCreate: { required: ['fieldType', 'groupName', 'label', 'name', 'type'], fields: { options: 'OptionInput' } },
  OptionInput: { required: ['displayOrder', 'hidden', 'label', 'value'] },
  PropertyGroupCreate: { required: ['label', 'name'] },
  // A CUSTOM_CODE action inside the flows PUT (ApiFlowPutRequest.actions[]).
  ApiCustomCodeAction: { required: ['actionId', 'inputFields', 'outputFields', 'runtime', 'secretNames', 'sourceCode', 'type'], fields: { inputFields: 'ApiInputVariable', outputFields: 'ApiEnumerationOutputField' } },
  ApiInputVariable: { required: ['name', 'value'] },
  // outputFields[] is `oneOf: [ApiEnumerationOutputField]`: the only output type the spec documents.
  ApiEnumerationOutputField: { required: ['name', 'options', 'type'] },
};

/** The fields of `body` (per `schema`) that are required and absent, as paths: `propertiesWithHistory`, `inputs[0].id`. */
export function missingRequired(schema: string, body: unknown, at = ''): string[] {
  const spec = REQUEST_SCHEMAS[schema];
  if (!spec) throw new Error(`No request schema ${schema}`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [at || '(body)'];
  const record = body as Record<string, unknown>;
  const missing = spec.required.filter((k) => record[k] === undefined || record[k] === null).map((k) => `${at}${k}`);
  for (const [field, inner] of Object.entries(spec.fields ?? {})) {
    const value = record[field];
    if (Array.isArray(value)) value.forEach((item, i) => missing.push(...missingRequired(inner, item, `${at}${field}[${i}].`)));
    else if (value !== undefined && value !== null) missing.push(...missingRequired(inner, value, `${at}${field}.`));
  }
  return missing;
}

/**
 * HubSpot's answer to a body that lacks required fields: 400 VALIDATION_ERROR. The "Invalid input JSON on line 1…"
 * prefix is how HubSpot reports a body it cannot bind (github.com/HubSpot/hubspot-api-php/issues/91); the wording
 * after it is not documented for missing fields: assumed, naming the fields.
 */
export function requiredFieldsError(schema: string, missing: readonly string[]): FakeResponse {
  return {
    status: 400,
    body: {
      status: 'error',
      message: `Invalid input JSON on line 1, column 1: Some required fields were not set: [${missing.join(', ')}] (${schema})`,
      correlationId: '5c0e4a11-0000-4000-8000-0000000005c4',
      category: 'VALIDATION_ERROR',
    },
  };
}

/** Checks `body` against `schema`: undefined when complete, HubSpot's 400 otherwise. */
export function refuseIncomplete(schema: string, body: unknown): FakeResponse | undefined {
  const missing = missingRequired(schema, body);
  return missing.length ? requiredFieldsError(schema, missing) : undefined;
}
