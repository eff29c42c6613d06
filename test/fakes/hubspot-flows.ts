import { missingRequired } from './hubspot-request-schemas';
import type { FakeRequest, FakeResponse } from './network';

/**
 * HubSpot's flows API (beta date version, e.g. 2026-09-beta), in memory: GET /automation/{version}-beta/flows/{flowId}
 * returns the stored flow; PUT replaces it whole when the body carries the current revisionId (then the revision goes
 * up by one), and is refused otherwise. Flows are stored as the JSON text they were given, so a test can compare bytes.
 * https://developers.hubspot.com/docs/api/automation/workflows
 *
 * The PUT body is checked against the spec's ApiContactFlowPutRequest / ApiPlatformFlowPutRequest
 * (HubSpot-public-api-spec-collection PublicApiSpecs/Automation/Automation V4/Rollouts/144908/2026-09-beta): a field
 * outside the type's list (read-only ones such as id, createdAt, updatedAt included) or a missing required one is a
 * 400. The exact wording of the real refusal is undocumented; assumed a VALIDATION_ERROR naming the fields. The read
 * returns the read-only fields besides, as the real GET does (ApiContactFlow / ApiPlatformFlow).
 */

const PUT_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  CONTACT_FLOW: {
    required: ['actions', 'blockedDates', 'canEnrollFromSalesforce', 'customProperties', 'isEnabled', 'revisionId', 'suppressionListIds', 'timeWindows', 'type'],
    optional: ['description', 'enrollmentCriteria', 'enrollmentSchedule', 'eventAnchor', 'goalFilterBranch', 'name', 'startActionId', 'unEnrollmentSetting', 'uuid'],
  },
  PLATFORM_FLOW: {
    required: ['actions', 'blockedDates', 'customProperties', 'isEnabled', 'revisionId', 'timeWindows', 'type'],
    optional: ['description', 'enrollmentCriteria', 'enrollmentSchedule', 'name', 'startActionId', 'suppressionFilterBranch', 'uuid'],
  },
};
const READ_ONLY = ['id', 'createdAt', 'updatedAt', 'dataSources', 'flowType', 'objectTypeId', 'nextAvailableActionId', 'crmObjectCreationStatus'];

/**
 * Each CUSTOM_CODE action of a PUT against ApiCustomCodeAction (2026-09-beta): its required fields, and its
 * outputFields, which the spec documents as `oneOf: [ApiEnumerationOutputField]` (name, options, type ENUMERATION)
 * only. An output of another type is accepted only as HubSpot itself returned it for that action (what the GET
 * gave back); one the spec does not document and HubSpot never returned is refused — we cannot know HubSpot takes it.
 */
function invalidCustomCode(actions: unknown, stored: unknown): string | undefined {
  const held = new Map(((stored as Array<Record<string, unknown>>) ?? []).filter((a) => a?.type === 'CUSTOM_CODE').map((a) => [String(a.actionId), a]));
  for (const action of (actions as Array<Record<string, unknown>>) ?? []) {
    if (action?.type !== 'CUSTOM_CODE') continue;
    const missing = missingRequired('ApiCustomCodeAction', { ...action, outputFields: undefined }).filter((f) => f !== 'outputFields');
    if (action.outputFields === undefined) missing.push('outputFields');
    if (missing.length) return `custom-code action ${String(action.actionId)}: missing required field(s) ${missing.join(', ')}`;
    const before = ((held.get(String(action.actionId))?.outputFields as unknown[]) ?? []).map((o) => JSON.stringify(o));
    for (const output of action.outputFields as Array<Record<string, unknown>>) {
      if (output?.type === 'ENUMERATION') {
        const lacking = missingRequired('ApiEnumerationOutputField', output);
        if (lacking.length || !Array.isArray(output.options)) return `custom-code action ${String(action.actionId)}: output ${String(output.name)} lacks ${lacking.join(', ') || 'options'}`;
      } else if (!before.includes(JSON.stringify(output))) {
        return `custom-code action ${String(action.actionId)}: output ${String(output?.name)} has type ${String(output?.type)}, not a documented output field type (ENUMERATION)`;
      }
    }
  }
  return undefined;
}

function error(status: number, category: string, message: string): FakeResponse {
  return { status, body: { status: 'error', message, correlationId: '7d1e0a52-0000-4000-8000-00000000f10e', category } };
}

export class FakeHubSpotFlows {
  /** flowId → JSON text as last written. */
  readonly flows = new Map<string, string>();
  readonly puts: Array<{ flowId: string; body: unknown; rawBody: string }> = [];
  /** Date versions the calls used, e.g. "2026-09-beta". */
  readonly apiVersions = new Set<string>();
  private gets = 0;
  /** Called on every GET with its 1-based number: lets a test edit the flow "in HubSpot" between our calls. */
  onGet: ((n: number, fake: FakeHubSpotFlows) => void) | undefined;
  /** Scopes the token lacks. */
  missingScopes = new Set<string>();

  constructor(readonly token: string) {}

  add(flowJson: string): this {
    const flow = JSON.parse(flowJson) as { id: string };
    this.flows.set(String(flow.id), flowJson);
    return this;
  }

  get(flowId: string): Record<string, unknown> {
    return JSON.parse(this.flows.get(flowId) ?? 'null');
  }

  /** Someone edits the flow in HubSpot: the revision goes up. */
  bumpRevision(flowId: string): void {
    const flow = this.get(flowId);
    flow.revisionId = String(Number(flow.revisionId) + 1);
    this.flows.set(flowId, JSON.stringify(flow));
  }

  handle = (req: FakeRequest): FakeResponse => {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
    }
    if (this.missingScopes.has('automation')) {
      return {
        status: 403,
        body: {
          status: 'error',
          message: "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
          correlationId: '7d1e0a52-0000-4000-8000-00000000f10e',
          errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['automation'] } }],
          category: 'MISSING_SCOPES',
        },
      };
    }
    const match = /^\/automation\/(\d{4}-\d{2}-beta)\/flows\/([^/]+)$/.exec(req.pathname);
    if (!match) return error(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.pathname}`);
    this.apiVersions.add(match[1] as string);
    const flowId = decodeURIComponent(match[2] as string);
    if (!this.flows.has(flowId)) return error(404, 'OBJECT_NOT_FOUND', `Flow ${flowId} not found`);
    if (req.method === 'GET') {
      this.gets += 1;
      this.onGet?.(this.gets, this);
      return { status: 200, body: this.get(flowId) };
    }
    if (req.method !== 'PUT') return error(405, 'VALIDATION_ERROR', `Method ${req.method} not allowed`);
    this.puts.push({ flowId, body: req.body, rawBody: req.rawBody });
    const current = this.get(flowId);
    const body = req.body as Record<string, unknown>;
    const fields = PUT_FIELDS[String(body.type)];
    if (!fields) return error(400, 'VALIDATION_ERROR', `Invalid flow type ${JSON.stringify(body.type)}: expected CONTACT_FLOW or PLATFORM_FLOW`);
    const unknown = Object.keys(body).filter((k) => !fields.required.includes(k) && !fields.optional.includes(k));
    const missing = fields.required.filter((k) => body[k] === undefined);
    if (unknown.length || missing.length) {
      return error(400, 'VALIDATION_ERROR', `Invalid input JSON: ${[unknown.length ? `unrecognized field(s) ${unknown.join(', ')}` : '', missing.length ? `missing required field(s) ${missing.join(', ')}` : ''].filter(Boolean).join('; ')}`);
    }
    const invalidAction = invalidCustomCode(body.actions, current.actions);
    if (invalidAction) return error(400, 'VALIDATION_ERROR', `Invalid input JSON: ${invalidAction}`);
    if (String(body.revisionId) !== String(current.revisionId)) {
      return error(409, 'CONFLICT', `The revisionId ${String(body.revisionId)} is not the latest revision (${String(current.revisionId)}) of flow ${flowId}.`);
    }
    // Read-only fields stay as they were (updatedAt moves on).
    const kept = Object.fromEntries(READ_ONLY.filter((k) => current[k] !== undefined).map((k) => [k, current[k]]));
    const stored = { ...kept, ...body, revisionId: String(Number(current.revisionId) + 1), ...(current.updatedAt !== undefined ? { updatedAt: '2026-12-02T12:00:00.000Z' } : {}) };
    this.flows.set(flowId, JSON.stringify(stored));
    return { status: 200, body: stored };
  };
}
