import type { FakeRequest, FakeResponse } from './network';

/**
 * HubSpot's automation v4 flows API (beta), in memory: GET /automation/v4/flows/{flowId} returns the stored flow;
 * PUT replaces it whole when the body carries the current revisionId (then the revision goes up by one), and is
 * refused otherwise. Flows are stored as the JSON text they were given, so a test can compare bytes.
 * https://developers.hubspot.com/docs/api/automation/workflows
 */

function error(status: number, category: string, message: string): FakeResponse {
  return { status, body: { status: 'error', message, correlationId: '7d1e0a52-0000-4000-8000-00000000f10e', category } };
}

export class FakeHubSpotFlows {
  /** flowId → JSON text as last written. */
  readonly flows = new Map<string, string>();
  readonly puts: Array<{ flowId: string; body: unknown; rawBody: string }> = [];
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
    const match = /^\/automation\/v4\/flows\/([^/]+)$/.exec(req.pathname);
    if (!match) return error(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.pathname}`);
    const flowId = decodeURIComponent(match[1] as string);
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
    if (String(body.revisionId) !== String(current.revisionId)) {
      return error(409, 'CONFLICT', `The revisionId ${String(body.revisionId)} is not the latest revision (${String(current.revisionId)}) of flow ${flowId}.`);
    }
    const stored = { ...body, revisionId: String(Number(current.revisionId) + 1) };
    this.flows.set(flowId, JSON.stringify(stored));
    return { status: 200, body: stored };
  };
}
