import { createHash } from 'node:crypto';
import { ConfigError, type ActionError } from '../../lib/errors';
import type { ServiceClient } from '../../lib/http';
import { hubspotPaths, type HubSpotPaths } from '../../lib/hubspot';
import { FLOW_SCOPES as SPEC_FLOW_SCOPES } from '../../lib/hubspot-scopes';
import { configuredHubSpotApiVersion } from './common';

/**
 * Deploys a built bundle into an existing workflow's custom-code action with HubSpot's flows API, date version
 * `{version}-beta` (2026-09-beta by default: the flows API exists only as a beta date version; paths from
 * lib/hubspot.ts hubspotPaths). BETA API (https://developers.hubspot.com/docs/api/automation/workflows — "currently in
 * beta and subject to change"; scope `automation`):
 *   GET /automation/{version}-beta/flows/{flowId}   the whole flow, custom-code actions included as
 *       { type: "CUSTOM_CODE", actionId, runtime, secretNames, sourceCode,
 *         inputFields: [{ name, value: { type: "OBJECT_PROPERTY", propertyName } }], outputFields: [{ name, type }] }
 *   PUT /automation/{version}-beta/flows/{flowId}   REPLACES the whole flow: it needs the current revisionId, and an
 *       action left out is deleted. So we send back what we read, with only the one action's four fields changed —
 *       and only the fields the PUT accepts (FLOW_PUT_FIELDS): the read carries read-only ones (id, createdAt, …).
 */

/** The flows spec's only requirement (lib/hubspot-scopes.ts). */
export const FLOW_SCOPES: string[] = [...SPEC_FLOW_SCOPES];

/**
 * Which token deploy uses, first found wins. The 2026-09-beta flows spec lists one security requirement, OAuth
 * `automation` — no private-app (or Service Key) requirement — and HubSpot's workflows guide says "your app will
 * need to be authorized to use the automation scope" (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflows/guide).
 * Service Keys are documented for REST calls "scoped like a private app"; for anything else HubSpot says to "create
 * an app and use its static access token or OAuth access token"
 * (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/account-service-keys), and
 * an app on the developer platform installed in a single account gets a static-auth access token
 * (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/overview). So deploy takes
 * HUBSPOT_DEPLOY_TOKEN, that app token, first; HUBSPOT_ACCESS_TOKEN (a Service Key or legacy private-app token,
 * which the spec does not list for this API) is only the fallback, and a 401/403 says why.
 */
export const DEPLOY_TOKEN_NAMES: readonly string[] = ['HUBSPOT_DEPLOY_TOKEN', 'HUBSPOT_ACCESS_TOKEN'];
export const DEPLOY_TOKEN_WHERE =
  "HubSpot's flows API (2026-09-beta spec) lists OAuth app tokens with `automation` only: create an app on HubSpot's developer platform with static auth and the automation scope, install it in this account, and copy its access token (Development → Projects → your project → your app → Auth tab) into HUBSPOT_DEPLOY_TOKEN. A Service Key or legacy private-app token in HUBSPOT_ACCESS_TOKEN is tried otherwise, but the spec does not list it for this API.";

/**
 * The fields the flows PUT accepts, per flow type: spec HubSpot-public-api-spec-collection
 * PublicApiSpecs/Automation/Automation V4/Rollouts/144908/2026-09-beta/automationV4.json, schemas
 * ApiContactFlowPutRequest and ApiPlatformFlowPutRequest (ApiFlowPutRequest is oneOf the two). Everything else the
 * GET returns (id, createdAt, updatedAt, dataSources, flowType, objectTypeId, nextAvailableActionId,
 * crmObjectCreationStatus, …) is read-only and left out of the PUT.
 */
export const FLOW_PUT_FIELDS: Record<string, { required: readonly string[]; optional: readonly string[] }> = {
  CONTACT_FLOW: {
    required: ['type', 'revisionId', 'isEnabled', 'actions', 'blockedDates', 'canEnrollFromSalesforce', 'customProperties', 'suppressionListIds', 'timeWindows'],
    optional: ['name', 'description', 'enrollmentCriteria', 'enrollmentSchedule', 'eventAnchor', 'goalFilterBranch', 'startActionId', 'unEnrollmentSetting', 'uuid'],
  },
  PLATFORM_FLOW: {
    required: ['type', 'revisionId', 'isEnabled', 'actions', 'blockedDates', 'customProperties', 'timeWindows'],
    optional: ['name', 'description', 'enrollmentCriteria', 'enrollmentSchedule', 'startActionId', 'suppressionFilterBranch', 'uuid'],
  },
};

/** The PUT body for a flow as read: only the accepted fields, in the order read; a required one missing is an error. */
export function flowPutBody(flow: Flow): Record<string, unknown> {
  const type = String(flow.type ?? '');
  const fields = FLOW_PUT_FIELDS[type];
  if (!fields) {
    throw new ConfigError(`Flow ${flow.id ?? ''} has type ${JSON.stringify(flow.type)}; deploy knows how to update ${Object.keys(FLOW_PUT_FIELDS).join(' and ')} flows only`, { errorCode: 'UNEXPECTED_FLOW' });
  }
  const allowed = new Set([...fields.required, ...fields.optional]);
  const missing = fields.required.filter((k) => flow[k] === undefined);
  if (missing.length) {
    throw new ConfigError(`Flow ${flow.id ?? ''} as read lacks ${missing.join(', ')}, which the flows PUT requires: nothing was written`, { errorCode: 'UNEXPECTED_FLOW' });
  }
  return Object.fromEntries(Object.entries(flow).filter(([k]) => allowed.has(k)));
}

/** Runtimes the bundles do not target (documented older values). Node 24's value is not documented yet. */
export const REFUSED_RUNTIMES = ['NODE16X', 'NODE20X', 'PYTHON39'];

/**
 * Our output types → the v4 API's outputFields[].type. The 2026-09-beta spec documents one output field shape for a
 * CUSTOM_CODE action: ApiCustomCodeAction.outputFields[] is `oneOf: [ApiEnumerationOutputField]`, which requires
 * name, options and type ENUMERATION. So deploy sends ENUMERATION outputs with their options, keeps other outputs
 * exactly as HubSpot returned them, and never creates an output of a type the spec does not document (STRING,
 * NUMBER, …): it lists those for HubSpot's editor instead. Spec: PublicApiSpecs/Automation/Automation V4/Rollouts/
 * 144908/2026-09-beta/automationV4.json (HubSpot-public-api-spec-collection).
 */
export const SPEC_OUTPUT_TYPES: readonly string[] = ['ENUMERATION'];

/** Our output types → the flows API's outputFields[].type names. */
export const FLOW_OUTPUT_TYPES: Record<string, string> = {
  string: 'STRING',
  number: 'NUMBER',
  boolean: 'BOOLEAN',
  datetime: 'DATETIME',
  date: 'DATE',
  enumeration: 'ENUMERATION',
  phone_number: 'PHONE_NUMBER',
};

export interface FlowInputField {
  name: string;
  value: { type: string; propertyName?: string; [k: string]: unknown };
}

export interface CustomCodeAction {
  type: 'CUSTOM_CODE';
  actionId: string;
  runtime?: string;
  secretNames?: string[];
  sourceCode?: string;
  inputFields?: FlowInputField[];
  outputFields?: FlowOutputField[];
  [k: string]: unknown;
}

/** An output field as the flows API holds it (ApiEnumerationOutputField: name, options, type). */
export interface FlowOutputField {
  name: string;
  type: string;
  options?: string[];
  [k: string]: unknown;
}

export interface Flow {
  id?: string;
  revisionId: string;
  actions: Array<{ type: string; actionId: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** The parts of dist/manifest.json deploy reads. */
export interface ManifestEntry {
  name: string;
  secrets: Array<{ name: string; required: boolean }>;
  inputs: Array<{ name: string; type: string; required: boolean; property: string | null }>;
  outputs: Array<{ name: string; type: string; options?: readonly string[] }>;
}

export interface DeployFields {
  sourceCode: string;
  secretNames: string[];
  inputFields: FlowInputField[];
  outputFields: FlowOutputField[];
}

export interface DeployResult {
  actionId: string;
  runtime: string;
  changes: string[];
  /** Inputs with no suggested property and no mapping in HubSpot yet: map them in the editor. */
  unmapped: string[];
  /** Declared outputs of a type the flows spec does not document and the action does not hold yet: add them in the editor. */
  outputsForEditor: string[];
  applied: boolean;
  revisionBefore: string;
  revisionAfter?: string;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

function customCodeActions(flow: Flow): CustomCodeAction[] {
  return (flow.actions ?? []).filter((a): a is CustomCodeAction => a?.type === 'CUSTOM_CODE');
}

const describeAction = (a: CustomCodeAction) => `${a.actionId} (secrets: ${(a.secretNames ?? []).join(', ') || 'none'}; runtime ${a.runtime ?? '?'})`;

/** By --action-id, or else the only custom-code action whose secrets are the action's secrets. */
export function findTargetAction(flow: Flow, entry: ManifestEntry, actionId?: string): CustomCodeAction {
  const candidates = customCodeActions(flow);
  const list = candidates.map(describeAction).join('; ') || 'none';
  if (actionId !== undefined) {
    const found = candidates.find((a) => String(a.actionId) === actionId);
    if (!found) throw new ConfigError(`Flow ${flow.id ?? ''} has no custom-code action ${actionId}. Its custom-code actions: ${list}`, { errorCode: 'NO_MATCHING_ACTION' });
    return found;
  }
  const wanted = entry.secrets.map((s) => s.name);
  const matching = candidates.filter((a) => sameSet(a.secretNames ?? [], wanted));
  if (matching.length === 1) return matching[0] as CustomCodeAction;
  if (!matching.length) {
    throw new ConfigError(
      `No custom-code action in flow ${flow.id ?? ''} has the secrets of ${entry.name} (${wanted.join(', ')}). Its custom-code actions: ${list}. ` +
        'Add the action in HubSpot first (or name it with --action-id).',
      { errorCode: 'NO_MATCHING_ACTION' },
    );
  }
  throw new ConfigError(`Several custom-code actions have the secrets of ${entry.name}: ${matching.map(describeAction).join('; ')}. Choose one with --action-id.`, { errorCode: 'AMBIGUOUS_ACTION' });
}

/** Refuses the documented older runtimes and anything not Node; any other Node value is accepted (and printed). */
export function checkRuntime(action: CustomCodeAction): string {
  const runtime = String(action.runtime ?? '');
  if (REFUSED_RUNTIMES.includes(runtime.toUpperCase()) || !/^NODE/i.test(runtime)) {
    throw new ConfigError(
      `Custom-code action ${action.actionId} runs on ${runtime || 'an unknown runtime'}; the bundles target Node.js 24. Switch the action's language to Node.js 24.x in HubSpot's editor, then deploy again.`,
      { errorCode: 'UNSUPPORTED_RUNTIME' },
    );
  }
  return runtime;
}

/** What the action should hold: the bundle, the declared secrets, inputs (a mapping set in HubSpot wins) and outputs. */
export function desiredFields(entry: ManifestEntry, bundle: string, current: CustomCodeAction): { fields: DeployFields; unmapped: string[]; outputsForEditor: string[] } {
  const existing = new Map((current.inputFields ?? []).map((f) => [f.name, f]));
  const inputFields: FlowInputField[] = [];
  const unmapped: string[] = [];
  for (const input of entry.inputs) {
    const mapped = existing.get(input.name);
    if (mapped) inputFields.push(mapped);
    else if (input.property) inputFields.push({ name: input.name, value: { type: 'OBJECT_PROPERTY', propertyName: input.property } });
    else unmapped.push(input.name);
  }
  const heldOutputs = current.outputFields ?? [];
  const outputFields: FlowOutputField[] = [];
  const outputsForEditor: string[] = [];
  for (const o of entry.outputs) {
    const type = FLOW_OUTPUT_TYPES[o.type] ?? o.type.toUpperCase();
    if (SPEC_OUTPUT_TYPES.includes(type)) {
      if (!o.options?.length) throw new ConfigError(`Output ${o.name} of ${entry.name} is an enumeration without options in dist/manifest.json: run \`npm run build\` again`, { errorCode: 'NOT_BUILT' });
      outputFields.push({ name: o.name, type, options: [...o.options] });
      continue;
    }
    // Not a documented shape: keep what HubSpot itself returned for this output, or leave it to the editor.
    const held = heldOutputs.find((h) => h.name === o.name && h.type === type);
    if (held) outputFields.push(held);
    else outputsForEditor.push(`${o.name} (${type})`);
  }
  return {
    fields: { sourceCode: bundle, secretNames: entry.secrets.map((s) => s.name), inputFields, outputFields },
    unmapped,
    outputsForEditor,
  };
}

const inputText = (f: FlowInputField) => (f.value?.type === 'OBJECT_PROPERTY' ? `→ ${f.value.propertyName}` : `= ${JSON.stringify(f.value)}`);

/** A readable diff of the four fields, one line per change; empty when nothing changes. */
export function diffFields(current: CustomCodeAction, desired: DeployFields): string[] {
  const lines: string[] = [];
  const source = current.sourceCode ?? '';
  if (source !== desired.sourceCode) {
    lines.push(`~ sourceCode: ${Buffer.byteLength(source)} bytes (sha256 ${sha(source)}) → ${Buffer.byteLength(desired.sourceCode)} bytes (sha256 ${sha(desired.sourceCode)})`);
  }
  const haveSecrets = current.secretNames ?? [];
  for (const s of desired.secretNames) if (!haveSecrets.includes(s)) lines.push(`+ secret ${s}`);
  for (const s of haveSecrets) if (!desired.secretNames.includes(s)) lines.push(`- secret ${s}`);
  const haveInputs = new Map((current.inputFields ?? []).map((f) => [f.name, f]));
  for (const f of desired.inputFields) {
    const had = haveInputs.get(f.name);
    if (!had) lines.push(`+ input ${f.name} ${inputText(f)}`);
    else if (JSON.stringify(had) !== JSON.stringify(f)) lines.push(`~ input ${f.name} ${inputText(had)} ⇒ ${inputText(f)}`);
  }
  for (const name of haveInputs.keys()) if (!desired.inputFields.some((f) => f.name === name)) lines.push(`- input ${name}`);
  const haveOutputs = new Map((current.outputFields ?? []).map((o) => [o.name, o]));
  const optionsText = (o: FlowOutputField) => (o.options ? ` [${o.options.join(', ')}]` : '');
  for (const o of desired.outputFields) {
    const had = haveOutputs.get(o.name);
    if (had === undefined) lines.push(`+ output ${o.name}: ${o.type}${optionsText(o)}`);
    else if (had.type !== o.type || JSON.stringify(had.options ?? null) !== JSON.stringify(o.options ?? null)) lines.push(`~ output ${o.name}: ${had.type}${optionsText(had)} → ${o.type}${optionsText(o)}`);
  }
  for (const name of haveOutputs.keys()) if (!desired.outputFields.some((o) => o.name === name)) lines.push(`- output ${name}`);
  // Same members in another order still changes what HubSpot stores; say so rather than hide it.
  if (!lines.length && JSON.stringify(pick(current)) !== JSON.stringify(desired)) lines.push('~ order of secrets, inputs or outputs');
  return lines;
}

function pick(a: CustomCodeAction): DeployFields {
  return { sourceCode: a.sourceCode ?? '', secretNames: a.secretNames ?? [], inputFields: a.inputFields ?? [], outputFields: a.outputFields ?? [] };
}

/** The flow exactly as read, with only the target action's four fields replaced (its key order kept). */
export function withActionFields(flow: Flow, actionId: string, fields: DeployFields): Flow {
  return {
    ...flow,
    actions: flow.actions.map((a) => {
      if (a.type !== 'CUSTOM_CODE' || String(a.actionId) !== actionId) return a;
      const updated: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(a)) updated[k] = k in fields ? fields[k as keyof DeployFields] : v;
      for (const [k, v] of Object.entries(fields)) if (!(k in updated)) updated[k] = v;
      return updated as Flow['actions'][number];
    }),
  };
}

function explainAuthFailure(error: unknown): never {
  const status = (error as ActionError)?.httpStatus;
  if (status === 401 || status === 403) {
    throw new ConfigError(
      `HubSpot refused the flows API call (${status}: ${(error as Error).message}). The token needs the scope ${FLOW_SCOPES.join(', ')} (plus the sensitive-data scopes if the workflow uses sensitive properties). ${DEPLOY_TOKEN_WHERE}`,
      { errorCode: status === 401 ? 'UNAUTHORIZED' : 'MISSING_SCOPES', status, cause: error },
    );
  }
  throw error;
}

async function getFlow(client: ServiceClient, paths: HubSpotPaths, flowId: string, label: string): Promise<Flow> {
  try {
    const res = await client.request<Flow>({ method: 'GET', url: paths.flow(flowId), idempotent: true, expectJson: true, label });
    if (!res.data || !Array.isArray(res.data.actions) || res.data.revisionId === undefined) {
      throw new ConfigError(`GET flow ${flowId} returned no actions or revisionId: is it a workflow id from the v4 API?`, { errorCode: 'UNEXPECTED_FLOW' });
    }
    return res.data;
  } catch (error) {
    return explainAuthFailure(error);
  }
}

export async function deployToFlow(
  client: ServiceClient,
  options: { flowId: string; entry: ManifestEntry; bundle: string; actionId?: string; apply: boolean; print: (line: string) => void; apiVersion?: string },
): Promise<DeployResult> {
  const { flowId, entry, bundle, print } = options;
  const paths = hubspotPaths(options.apiVersion ?? configuredHubSpotApiVersion());
  const flow = await getFlow(client, paths, flowId, 'get flow');
  const target = findTargetAction(flow, entry, options.actionId);
  const runtime = checkRuntime(target);
  const { fields, unmapped, outputsForEditor } = desiredFields(entry, bundle, target);
  const changes = diffFields(target, fields);
  print(`Flow ${flowId} (revision ${flow.revisionId}), custom-code action ${target.actionId}, runtime ${runtime}.`);
  for (const line of changes) print(`  ${line}`);
  for (const name of unmapped) print(`  ! input ${name} has no property to map to: map it in HubSpot's editor`);
  for (const output of outputsForEditor) {
    print(`  ! output ${output}: the flows API (${paths.version}-beta spec) documents only ENUMERATION outputs, so deploy does not create it: add it in HubSpot's editor (Data outputs), then deploy again`);
  }
  const result: DeployResult = { actionId: String(target.actionId), runtime, changes, unmapped, outputsForEditor, applied: false, revisionBefore: String(flow.revisionId) };
  if (!changes.length) {
    print('Already up to date: nothing to deploy.');
    return result;
  }
  if (!options.apply) {
    print(`Dry run: add --apply to write these changes (HubSpot flows API ${paths.version}-beta).`);
    return result;
  }

  // Read again right before writing: the PUT replaces the whole flow, so an edit made since would be lost.
  const latest = await getFlow(client, paths, flowId, 'get flow before update');
  if (String(latest.revisionId) !== String(flow.revisionId)) {
    throw new ConfigError(`Flow ${flowId} changed while deploying (revision ${flow.revisionId} → ${latest.revisionId}); nothing was written. Run the deploy again.`, { errorCode: 'REVISION_CHANGED' });
  }
  const body = flowPutBody(withActionFields(latest, String(target.actionId), fields));
  try {
    await client.request({ method: 'PUT', url: paths.flow(flowId), json: body, label: 'update flow' });
  } catch (error) {
    const e = error as ActionError;
    if (e?.httpStatus === 409 || /revision/i.test(e?.message ?? '')) {
      throw new ConfigError(`HubSpot refused the update: the flow's revision changed (${e.message}). Nothing was written; run the deploy again.`, { errorCode: 'REVISION_CHANGED', cause: error });
    }
    explainAuthFailure(error);
  }

  const after = await getFlow(client, paths, flowId, 'verify flow');
  const deployed = customCodeActions(after).find((a) => String(a.actionId) === String(target.actionId));
  const left = deployed ? diffFields(deployed, fields) : ['action missing'];
  if (left.length) {
    throw new ConfigError(`Flow ${flowId} was updated but does not hold what was sent: ${left.join('; ')}`, { errorCode: 'VERIFY_FAILED' });
  }
  print(`Deployed ${entry.name} to flow ${flowId}, action ${target.actionId} (revision ${flow.revisionId} → ${after.revisionId}); verified.`);
  return { ...result, applied: true, revisionAfter: String(after.revisionId) };
}
