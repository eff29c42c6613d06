/**
 * The error types every action throws or returns. Which kind an error is decides what HubSpot does next:
 *
 * - RetryableError: HubSpot re-runs the whole action (for up to 3 days) — but only when the thrown error
 *   carries an HTTP status of 429 or 5xx the way axios (`error.response.status`) and @hubspot/api-client
 *   (`error.code`) errors do. So a retryable error always carries such a status, even when the real cause
 *   was a socket reset or our own deadline (we use 503/504 for those).
 *   https://developers.hubspot.com/docs/api/workflows/custom-code-actions (see "Retries")
 * - PermanentError: retrying cannot help (bad input, 4xx, missing configuration). The runtime adapter turns it
 *   into outputs `status = "error"`, `error_code`, `error_message`, so the workflow can branch on it.
 */

export type ErrorKind = 'retryable' | 'permanent';

export interface ActionErrorOptions {
  /** Machine-readable code for the `error_code` output, UPPER_SNAKE_CASE. */
  errorCode: string;
  /** HTTP status of the failed call, when there was one. */
  status?: number;
  /** Which vendor the failure came from (hubspot, salesforce, …), for logs. */
  service?: string;
  cause?: unknown;
}

export abstract class ActionError extends Error {
  abstract readonly kind: ErrorKind;
  readonly errorCode: string;
  readonly httpStatus: number | undefined;
  readonly service: string | undefined;

  constructor(message: string, options: ActionErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errorCode = options.errorCode;
    this.httpStatus = options.status;
    this.service = options.service;
  }
}

/** A failure worth re-running the whole action for: 429, 5xx, network reset, timeout, deadline. */
export class RetryableError extends ActionError {
  readonly kind = 'retryable' as const;
  /** HubSpot's retry check reads these two, as on an axios / @hubspot/api-client error. */
  readonly response: { status: number; headers: Record<string, string> };
  readonly code: number;
  /** Seconds the vendor asked us to wait (Retry-After), if it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: ActionErrorOptions & { status: number; retryAfterSeconds?: number }) {
    super(message, options);
    this.response = { status: options.status, headers: {} };
    this.code = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return this.response.status;
  }
}

/** HubSpot's 20 s budget is nearly spent; a re-run starts with a fresh one. Status 504 so HubSpot retries. */
export class DeadlineError extends RetryableError {
  constructor(message: string, options: Omit<ActionErrorOptions, 'errorCode'> & { errorCode?: string } = {}) {
    super(message, { ...options, errorCode: options.errorCode ?? 'DEADLINE_EXCEEDED', status: 504 });
  }
}

/** Retrying will not help: the input, the data or the vendor's answer is wrong. */
export class PermanentError extends ActionError {
  readonly kind = 'permanent' as const;
}

/** An input field is missing or malformed. Raised before any HTTP call. */
export class ValidationError extends PermanentError {
  readonly field: string | undefined;
  constructor(message: string, options: Partial<ActionErrorOptions> & { field?: string } = {}) {
    super(message, { errorCode: options.errorCode ?? 'INVALID_INPUT', ...options });
    this.field = options.field;
  }
}

/** The action is not set up right: missing secret, bad credentials, token without the needed scopes. */
export class ConfigError extends PermanentError {
  constructor(message: string, options: Partial<ActionErrorOptions> = {}) {
    super(message, { errorCode: options.errorCode ?? 'CONFIGURATION', ...options });
  }
}

/** A short, safe description of anything thrown, for logs. Never `undefined`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message || '(no message)'}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** How deep a cause chain is kept; deeper links are dropped (a cycle or a library's own chain is not our story). */
const MAX_CAUSE_DEPTH = 5;

/**
 * Redacts an error's message and stack and replaces its `cause` chain with redacted copies that keep only name,
 * message and stack. util.inspect (and HubSpot's own logging of a thrown error) prints every link of the chain with
 * all its properties — a vendor error that echoes a client secret, an HTTP library's request config with an
 * Authorization header — so a raw cause must never leave the action.
 */
export function redactErrorChain<E extends Error>(error: E, redact: (text: string) => string): E {
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  const safeCause = (cause: unknown, depth: number): Error | undefined => {
    if (cause === undefined || cause === null || depth > MAX_CAUSE_DEPTH) return undefined;
    const source = cause instanceof Error ? cause : undefined;
    const copy = new Error(redact(source ? source.message : describeError(cause)));
    copy.name = source?.name ?? 'Error';
    copy.stack = source?.stack ? redact(source.stack) : `${copy.name}: ${copy.message}`;
    const next = safeCause(source?.cause, depth + 1);
    if (next) Object.defineProperty(copy, 'cause', { value: next, enumerable: false, writable: true, configurable: true });
    return copy;
  };
  const cause = safeCause(error.cause, 1);
  if (cause) Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  else if ('cause' in error) delete (error as { cause?: unknown }).cause;
  return error;
}
