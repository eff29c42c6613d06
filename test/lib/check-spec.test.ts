import { describe, expect, it } from 'vitest';
import { ASSOCIATION_ANY_OF, CRM_OBJECT_TYPES, FLOW_SCOPES, OBJECT_SCOPES, SCHEMA_SCOPES } from '../../lib/hubspot-scopes';
import { checkSpecs, SPEC_FILES, type Spec } from '../../scripts/check-spec';
import { REQUEST_SCHEMAS } from '../fakes/hubspot-request-schemas';

/**
 * HubSpot's specs are not in the repository (proprietary), so CI cannot run scripts/check-spec.ts on them. This
 * holds the script's logic instead: specs built in the shape of the real ones (security requirements, component
 * schemas) from our own tables pass, and each kind of change HubSpot could make is reported.
 */

const both = (scopes: readonly string[]) => [{ oauth2: [...scopes] }, { private_apps: [...scopes] }];
const anyOf = (scopes: readonly string[]) => scopes.map((s) => ({ private_apps: [s] }));

function specsFromTables(): Record<string, Spec> {
  const schemas = {
    ...Object.fromEntries(Object.entries(REQUEST_SCHEMAS).map(([name, s]) => [name, { required: [...s.required] }])),
    ApiCustomCodeAction: { required: [...(REQUEST_SCHEMAS.ApiCustomCodeAction?.required ?? [])], properties: { outputFields: { items: { oneOf: [{ $ref: '#/components/schemas/ApiEnumerationOutputField' }] } } } },
    ApiEnumerationOutputField: { title: 'ENUMERATION', required: ['name', 'options', 'type'] },
  };
  const objectSpec = (type: (typeof CRM_OBJECT_TYPES)[number]) => ({
    paths: {
      '/crm/objects/2026-09/{objectType}/{objectId}': { get: { security: both(OBJECT_SCOPES[`${type}.read`]) }, patch: { security: both(OBJECT_SCOPES[`${type}.write`]) } },
      '/crm/objects/2026-09/{objectType}/batch/read': { post: { security: both(OBJECT_SCOPES[`${type}.read`]) } },
      '/crm/objects/2026-09/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}': { put: { security: anyOf(ASSOCIATION_ANY_OF) } },
    },
    components: { schemas },
  });
  const files: Record<string, Spec> = {};
  for (const type of CRM_OBJECT_TYPES) files[SPEC_FILES[type]] = objectSpec(type) as unknown as Spec;
  files[SPEC_FILES.associations] = { paths: { '/crm/associations/2026-09/{fromObjectType}/{toObjectType}/batch/read': { post: { security: anyOf(ASSOCIATION_ANY_OF) } } }, components: { schemas } } as unknown as Spec;
  const types = Object.values(SCHEMA_SCOPES);
  files[SPEC_FILES.properties] = {
    paths: { '/crm/properties/2026-09/{objectType}': { get: { security: anyOf(types.flatMap((t) => t.read)) }, post: { security: anyOf(types.flatMap((t) => t.write)) } } },
    components: { schemas },
  } as unknown as Spec;
  files[SPEC_FILES.flows] = { paths: { '/automation/2026-09-beta/flows/{flowId}': { get: { security: [{ oauth2: [...FLOW_SCOPES] }] } } }, components: { schemas } } as unknown as Spec;
  return files;
}

const check = (files: Record<string, Spec>) => checkSpecs((file) => files[file] as Spec);

describe('scripts/check-spec.ts', () => {
  it('finds no difference between specs that say what the tables say', () => {
    expect(check(specsFromTables())).toEqual([]);
  });

  it('reports a line-item requirement that changed (e-commerce added or dropped)', () => {
    const files = specsFromTables();
    const spec = files[SPEC_FILES.line_items] as unknown as { paths: Record<string, Record<string, { security: unknown }>> };
    spec.paths['/crm/objects/2026-09/{objectType}/{objectId}']!.get!.security = both(['crm.objects.line_items.read']);
    expect(check(files)).toEqual(expect.arrayContaining([expect.stringMatching(/^line_items GET .* table says crm\.objects\.line_items\.read\+e-commerce/)]));
  });

  it('reports a request schema whose required fields changed, a flows API that starts listing private apps, and a new output type', () => {
    const files = specsFromTables();
    const schemas = (files[SPEC_FILES.line_items] as unknown as { components: { schemas: Record<string, { required: string[] }> } }).components.schemas;
    schemas.BatchReadInputSimplePublicObjectId = { required: ['inputs', 'properties'] };
    const flows = files[SPEC_FILES.flows] as unknown as { paths: Record<string, Record<string, { security: unknown }>>; components: { schemas: Record<string, unknown> } };
    flows.paths['/automation/2026-09-beta/flows/{flowId}']!.get!.security = [{ oauth2: ['automation'] }, { private_apps: ['automation'] }];
    flows.components = { schemas: { ...flows.components.schemas, ApiCustomCodeAction: { required: [], properties: { outputFields: { items: { oneOf: [{ $ref: '#/components/schemas/ApiEnumerationOutputField' }, { $ref: '#/components/schemas/ApiStringOutputField' }] } } } }, ApiStringOutputField: { title: 'STRING' } } };
    const problems = check(files);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^schema BatchReadInputSimplePublicObjectId: spec requires inputs\+properties, table says inputs\+properties\+propertiesWithHistory/),
        expect.stringMatching(/^flows GET .*private_apps:automation/),
        expect.stringMatching(/documents \["ENUMERATION","STRING"\]/),
      ]),
    );
  });
});
