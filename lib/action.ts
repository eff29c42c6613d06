import { classifyFailure } from './classify';
import { createDeadline, type Deadline, type DeadlineOptions } from './deadline';
import { ActionError, ConfigError, PermanentError, RetryableError, ValidationError, describeError, redactErrorChain } from './errors';
import { createServiceClient, type ServiceClient, type ServiceOptions } from './http';
import { createHubSpotClient, type HubSpotClient } from './hubspot';
import { parseInputs, MAX_INPUT_FIELDS, type InputSpecs, type InputValues } from './inputs';
import { createLogger, type LogSink, type Logger, type LogLevel } from './logger';
import { STANDARD_OUTPUTS, checkOutputs, type OutputSpecs, type OutputValue, type OutputValues } from './outputs';
import type { PropertyDeclaration, PropertyGroupDeclaration } from './properties';

/**
 * The runtime adapter: one way to declare a HubSpot custom-code action, and the `exports.main` it becomes.
 * It owns HubSpot's conventions so that an action file only tells its integration's story:
 * - `main(event)` takes one parameter and returns `{ outputFields }`: "Node.js 24 doesn't support callback-style
 *   handlers, so you'll need to update your code to return its outputs instead of calling callback()"
 *   (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24).
 *   The Lambda runtime under it dropped callback handlers too (aws-lambda-nodejs-runtime-interface-client 4.0.0:
 *   "Removed callback-based handler support (promise-based only)"), so `main` declares one parameter
 *   (`main.length === 1`) and never looks for a callback.
 * - Inputs arrive as strings ("" = not set) and are parsed against the declaration before any HTTP call.
 * - Secrets are env vars; every missing one is named at once, before any HTTP call.
 * - Retryable failures are re-thrown with a 429/5xx status (HubSpot re-runs the action only on those);
 *   permanent ones become outputs `status = "error"`, `error_code`, `error_message` for the workflow to branch on.
 * https://developers.hubspot.com/docs/api/workflows/custom-code-actions
 */

export interface HubSpotEvent {
  origin?: { portalId?: number | string; actionDefinitionId?: number | string; [k: string]: unknown };
  object?: { objectType?: string; objectId?: number | string };
  inputFields?: Record<string, unknown>;
  callbackId?: string;
}

export interface ActionResult {
  outputFields: Record<string, OutputValue>;
}

export interface SecretSpec {
  description: string;
  /** Default true. Optional secrets are for alternatives the flow checks itself (token or client credentials). */
  required?: boolean;
  /** Length of a typical value, to check HubSpot's 1,000-character budget for all secret values together. */
  typicalLength: number;
  /** Where to find the value, for the setup guide. */
  where?: string;
}
export type SecretSpecs = Record<string, SecretSpec>;

/** HubSpot: all secret values of an account's custom-code actions together may hold at most 1,000 characters. */
export const SECRET_BUDGET_CHARS = 1_000;

export interface ActionContext<I, S extends SecretSpecs, C> {
  inputs: I;
  secrets: { [K in keyof S]: S[K]['required'] extends false ? string | undefined : string };
  event: HubSpotEvent;
  /** The enrolled record. `id` is undefined when the event named none (e.g. a harness case without one). */
  object: { type: string | undefined; id: string | undefined };
  log: Logger;
  deadline: Deadline;
  config: C;
  now(): number;
  /** The HubSpot client, authenticated with the HUBSPOT_ACCESS_TOKEN secret. */
  hubspot(): HubSpotClient;
  /** A client for another vendor that shares the logger, deadline and error classification. */
  service(options: Omit<ServiceOptions, 'log' | 'deadline'>): ServiceClient;
}

export interface ActionDefinition<IS extends InputSpecs, OS extends OutputSpecs, S extends SecretSpecs, C> {
  name: string;
  title: string;
  description: string;
  /** Suggested enrolled object and trigger, for the guide. */
  enrollment: { objectType: 'contact' | 'company' | 'deal' | 'ticket'; trigger: string };
  secrets: S;
  inputs: IS;
  outputs: OS;
  /** Custom properties read or written; the setup tooling creates them. */
  properties?: readonly PropertyDeclaration[];
  propertyGroups?: readonly PropertyGroupDeclaration[];
  /** API calls per run on each path, for the guide (e.g. { 'new contact': 3 }). */
  apiCalls?: Record<string, number | string>;
  /** Further sections of the guide, title → text (what concurrent runs can and cannot do, …). */
  notes?: Record<string, string>;
  /** Build-time settings with their defaults; a config file can override them when building. */
  config?: C;
  /** Outputs added to the error outputs of a permanent failure (e.g. an action's own status enum set to "error"). */
  errorOutputs?: OutputValues<OS>;
  run(ctx: ActionContext<InputValues<IS>, S, C>): Promise<OutputValues<OS>>;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  sink?: LogSink;
  logLevel?: LogLevel;
  deadline?: DeadlineOptions;
  now?: () => number;
  /** Overrides of build-time config (tests). */
  config?: Record<string, unknown>;
}

export interface Action<IS extends InputSpecs = InputSpecs, OS extends OutputSpecs = OutputSpecs, S extends SecretSpecs = SecretSpecs, C = unknown> {
  definition: ActionDefinition<IS, OS, S, C>;
  /** Every output, the standard status/error_code/error_message included. */
  outputs: OS & typeof STANDARD_OUTPUTS;
  /** What HubSpot calls: one parameter, returns the outputs (Node 24 has no callback-style handlers). */
  main(event: HubSpotEvent): Promise<ActionResult>;
  /** The same, with the environment and clock injectable (harness, tests). */
  execute(event: HubSpotEvent, options?: RunOptions): Promise<ActionResult>;
}

// Replaced by the build with this one action's settings from the user's config file (scripts/build.mjs embeds no
// other action's); absent in tests.
declare const __ACTION_CONFIG__: { name: string; settings: Record<string, unknown> } | undefined;

function buildConfigFor(name: string): Record<string, unknown> {
  if (typeof __ACTION_CONFIG__ === 'undefined' || __ACTION_CONFIG__.name !== name) return {};
  return __ACTION_CONFIG__.settings;
}

/** Turns anything thrown into one of our error types. Flows should not need it; it catches what slipped by. */
export function toActionError(error: unknown): ActionError {
  if (error instanceof ActionError) return error;
  const e = error as { response?: { status?: unknown }; code?: unknown; status?: unknown; message?: unknown };
  const status = [e?.response?.status, e?.status, e?.code].find((s): s is number => typeof s === 'number' && s >= 400 && s < 600);
  const name = error instanceof Error ? error.name : 'Error';
  if (status !== undefined) {
    const verdict = classifyFailure({ service: 'unknown', status });
    const message = `${name}: ${typeof e.message === 'string' ? e.message : `HTTP ${status}`}`;
    return verdict.verdict === 'retryable'
      ? new RetryableError(message, { errorCode: verdict.errorCode, status: verdict.retryStatus ?? status, cause: error })
      : new PermanentError(message, { errorCode: verdict.errorCode, status, cause: error });
  }
  return new PermanentError(`Unexpected error: ${describeError(error)}`, { errorCode: 'INTERNAL_ERROR', cause: error });
}

/**
 * Why a secret's value cannot work, without quoting it: a zero-width space, a line break or another character an HTTP
 * header cannot carry (fetch throws a TypeError before sending: "Cannot convert argument to a ByteString"). API keys,
 * tokens, ids and URLs are visible ASCII; anything else inside one was pasted by accident.
 */
export function secretProblem(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? '';
  const at = trimmed.search(/[^\x20-\x7e]/);
  if (at < 0) return undefined;
  const code = trimmed.codePointAt(at) ?? 0;
  return `holds an invisible or non-ASCII character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) at position ${at + 1}`;
}

/**
 * Credentials (keys, secrets, tokens) as opposed to identifiers (a client id, a realm id, a shop domain, a login URL).
 * By name, so every action's declaration is covered without a flag to forget.
 */
export function isCredentialSecret(name: string): boolean {
  // Encryption key material (…_TOKEN_KEY) is judged by lib/token-store.ts deriveKey, whose WEAK_TOKEN_KEY error
  // also says how to make a good one; it is never sent anywhere, so never echoed.
  return /(SECRET|TOKEN|_KEY|PASSWORD)(_|$)/.test(name) && !/_TOKEN_KEY$/.test(name);
}

/**
 * Every vendor credential we use is 20+ characters (HubSpot pat-… 44, Shopify shpat_ 38, Intuit secrets 40); a
 * shorter one is a paste accident, and a value of a few characters cannot be redacted from logs without shredding
 * every line that happens to contain those characters.
 */
export const MIN_CREDENTIAL_LENGTH = 16;

function credentialLengthProblem(value: string | undefined): string | undefined {
  const length = value?.trim().length ?? 0;
  return length > 0 && length < MIN_CREDENTIAL_LENGTH ? `is only ${length} characters long; a real key, secret or token is at least ${MIN_CREDENTIAL_LENGTH} (check that it was pasted whole)` : undefined;
}

export function secretBudget(secrets: SecretSpecs): { typical: number; budget: number; fits: boolean } {
  const typical = Object.values(secrets).reduce((sum, s) => sum + s.typicalLength, 0);
  return { typical, budget: SECRET_BUDGET_CHARS, fits: typical <= SECRET_BUDGET_CHARS };
}

export function defineAction<IS extends InputSpecs, OS extends OutputSpecs, S extends SecretSpecs, C = Record<string, never>>(
  definition: ActionDefinition<IS, OS, S, C>,
): Action<IS, OS, S, C> {
  if (Object.keys(definition.inputs).length > MAX_INPUT_FIELDS) {
    throw new Error(`${definition.name}: HubSpot allows at most ${MAX_INPUT_FIELDS} input fields`);
  }
  const outputs = { ...definition.outputs, ...STANDARD_OUTPUTS };

  async function execute(event: HubSpotEvent, options: RunOptions = {}): Promise<ActionResult> {
    const env = options.env ?? process.env;
    const secretValues = Object.keys(definition.secrets).map((k) => env[k]);
    const log = createLogger({ scope: definition.name, secrets: secretValues, level: options.logLevel ?? (env.LOG_LEVEL as LogLevel | undefined) ?? 'info', ...(options.sink ? { sink: options.sink } : {}) });
    const deadline = createDeadline(options.deadline);
    const now = options.now ?? Date.now;
    log.info('start', {
      portal: event?.origin?.portalId,
      object: event?.object?.objectType ? `${event.object.objectType}:${event.object.objectId ?? ''}` : undefined,
      callbackId: event?.callbackId,
    });

    try {
      if (!event || typeof event !== 'object') throw new ValidationError('The action received no event', { errorCode: 'INVALID_EVENT' });
      const missing = Object.entries(definition.secrets)
        .filter(([k, s]) => s.required !== false && (env[k] === undefined || env[k]?.trim() === ''))
        .map(([k]) => k);
      if (missing.length) {
        throw new ConfigError(
          `Missing secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} under the action's "Secrets" and select ${missing.length > 1 ? 'them' : 'it'} in this action`,
          { errorCode: 'MISSING_SECRET' },
        );
      }
      const unusable = Object.keys(definition.secrets).flatMap((k) => {
        const problem = secretProblem(env[k]) ?? (isCredentialSecret(k) ? credentialLengthProblem(env[k]) : undefined);
        return problem ? [`${k} ${problem}`] : [];
      });
      if (unusable.length) {
        // Named, never quoted: a configuration mistake that no re-run can fix, so not a 5xx that HubSpot retries for 3 days.
        throw new ConfigError(`Unusable secret value: ${unusable.join('; ')}. Paste the value again (copy it from the vendor as plain text)`, { errorCode: 'INVALID_SECRET' });
      }
      const inputs = parseInputs(definition.inputs, event.inputFields);
      const secrets = Object.fromEntries(Object.keys(definition.secrets).map((k) => [k, env[k]?.trim() || undefined])) as ActionContext<InputValues<IS>, S, C>['secrets'];
      const config = { ...(definition.config ?? {}), ...buildConfigFor(definition.name), ...(options.config ?? {}) } as C;
      let hubspot: HubSpotClient | undefined;
      const ctx: ActionContext<InputValues<IS>, S, C> = {
        inputs,
        secrets,
        event,
        object: { type: event.object?.objectType, id: event.object?.objectId === undefined || event.object.objectId === '' ? undefined : String(event.object.objectId) },
        log,
        deadline,
        config,
        now,
        hubspot() {
          const accessToken = env.HUBSPOT_ACCESS_TOKEN?.trim();
          if (!accessToken) throw new ConfigError('Missing secret HUBSPOT_ACCESS_TOKEN', { errorCode: 'MISSING_SECRET' });
          hubspot ??= createHubSpotClient({ accessToken, log, deadline });
          return hubspot;
        },
        service: (serviceOptions) => createServiceClient({ ...serviceOptions, log, deadline }),
      };

      const values = await definition.run(ctx);
      const checked = checkOutputs(outputs, { ...values, status: 'ok', error_code: '', error_message: '' });
      if (checked.problems.length) {
        throw new PermanentError(`The action produced outputs that do not match its declaration: ${checked.problems.join('; ')}`, { errorCode: 'INVALID_OUTPUT' });
      }
      if (checked.truncated.length) log.warn('output.truncated', { fields: checked.truncated.join(','), limit: 65_000 });
      log.info('done', { status: 'ok', ms: deadline.elapsed() });
      return { outputFields: checked.outputFields };
    } catch (thrown) {
      // The message, the stack and every link of the cause chain: util.inspect(error) prints them all.
      const error = redactErrorChain(toActionError(thrown), log.redact);
      if (error instanceof RetryableError) {
        log.warn('retry', { error_code: error.errorCode, status: error.status, message: error.message, ms: deadline.elapsed() });
        // Thrown with its 429/5xx status: HubSpot re-runs the whole action later (idempotent by design).
        throw error;
      }
      log.error('failed', {
        error_code: error.errorCode,
        message: error.message,
        ms: deadline.elapsed(),
        ...(error.errorCode === 'INTERNAL_ERROR' && thrown instanceof Error ? { stack: error.cause instanceof Error ? error.cause.stack : undefined } : {}),
      });
      return {
        outputFields: checkOutputs(outputs, { ...(definition.errorOutputs ?? {}), status: 'error', error_code: error.errorCode, error_message: error.message }).outputFields,
      };
    }
  }

  return {
    definition,
    outputs,
    execute,
    // One declared parameter, whatever a caller passes after the event: nothing here waits on or calls a callback.
    main: (event: HubSpotEvent) => execute(event),
  };
}

