/**
 * The dynamic half of `npm run verify`: one run of the file in the user-code runner (scripts/user-code/run-file.ts:
 * a confined child process, the same one the harness's `--file` and `upgrade` use) while EVERY HTTP call is answered
 * 503. A file that handles outages the way HubSpot needs throws an error carrying a 429/5xx status, so HubSpot
 * re-runs it; a file that returns outputs instead has swallowed the outage. The run also records which environment
 * variables (secrets) the file reads, how often it called back, and whether a secret value reached the logs.
 *
 * verify's own process never loads the file: a file that patches process.stdout or process.exit, or never yields,
 * changes nothing here (the runner's parent keeps the clock and reads the verdict from its private channel).
 */
import path from 'node:path';
import { runUserCode, isRetriedByHubSpot, type PendingWork, type RuntimeClient, type RuntimeModel } from '../user-code/run-file';

export { isRetriedByHubSpot };
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RUNTIME_ENV = /^(NODE_|NPM_|HTTPS?_PROXY$|NO_PROXY$|ALL_PROXY$|DEBUG$|TZ$|LANG$|LC_|FORCE_COLOR$|NO_COLOR$|TERM$|CI$|UNDICI_|AWS_|LAMBDA_|_HANDLER$|READABLE_STREAM$)/;

export interface ProbeCall {
  method: string;
  url: string;
  status: number;
}

export interface ProbeResult {
  loadError?: string;
  mainIsFunction: boolean;
  required: string[];
  /** Environment variables the file read while loading and running. */
  envRead: string[];
  outcome: 'returned' | 'threw' | 'timeout' | 'not-run';
  outputs?: Record<string, unknown>;
  thrownStatus?: number;
  thrownMessage?: string;
  /** How often `main` called the callback it was given. */
  callbacks: number;
  calls: ProbeCall[];
  /** Names of secrets whose (fake) value appeared in a log line. */
  secretsInLogs: string[];
  logs: string[];
  ms: number;
  /** Which runtime the run modelled: Node 24 (settles on return) or the old callback runtime. */
  model?: RuntimeModel;
  /** Work still pending when main answered, by line of the file. */
  pending?: PendingWork[];
  /** main ended without an answer (returned without calling back, nothing left to run). */
  noAnswer?: string;
}

export interface ProbeOptions {
  event: object;
  /** Secret names to fill with recognisable fake values. */
  secretNames: string[];
  /** Values to use instead for some of them (a harness fixture's placeholders, shaped the way the file expects). */
  secretValues?: Record<string, string>;
  /** Status every HTTP call gets. */
  status?: number;
  timeoutMs?: number;
  /** @hubspot/api-client behind require: HubSpot's documented ^10 (default, as in the harness) or the latest. */
  client?: RuntimeClient;
}

/** A recognisable fake value per secret; URL-like names get a URL so the file gets as far as its HTTP call. */
function fakeSecret(name: string): string {
  const token = `probe-${name.toLowerCase()}-5f3c9a1e7b2d`;
  return /URL|ENDPOINT|HOST/.test(name) ? `https://probe.verify.example/${token}` : token;
}

const NO_MAIN = /does not export main/;

/** Loads and runs the file once, in the runner's child, with every HTTP call failing; never throws. */
export async function probeFile(file: string, options: ProbeOptions): Promise<ProbeResult> {
  const status = options.status ?? 503;
  const valueOf = (n: string) => options.secretValues?.[n] ?? fakeSecret(n);
  const env = Object.fromEntries(options.secretNames.map((n) => [n, valueOf(n)]));
  const body = JSON.stringify({ status: 'error', message: 'Service Unavailable (verify probe)', category: 'SERVICE_UNAVAILABLE' });
  const result = await runUserCode({
    file,
    event: options.event,
    env,
    client: options.client ?? 'v10',
    timeoutMs: options.timeoutMs ?? 20_000,
    mode: 'probe',
    answer: () => ({ status, headers: { 'content-type': 'application/json' }, body }),
  });
  const error = result.error;
  const noMain = error?.kind === 'load' && NO_MAIN.test(error.message);
  const where = error?.location ? `${path.basename(file)}:${error.location.line}${error.location.column ? `:${error.location.column}` : ''}: ` : '';
  const outcome: ProbeResult['outcome'] = !error ? 'returned' : error.kind === 'timeout' ? 'timeout' : error.kind === 'load' ? 'not-run' : error.kind === 'no-answer' ? 'returned' : 'threw';
  return {
    ...(error?.kind === 'load' && !noMain ? { loadError: `${where}${error.message}` } : {}),
    mainIsFunction: !(error?.kind === 'load'),
    required: result.required,
    envRead: result.envRead.filter((k) => options.secretNames.includes(k) || (/^[A-Z][A-Z0-9_]*$/.test(k) && !RUNTIME_ENV.test(k))).sort(),
    outcome,
    ...(result.outputs ? { outputs: result.outputs } : {}),
    ...(outcome === 'threw' && error?.status !== undefined ? { thrownStatus: error.status } : {}),
    ...(outcome === 'threw' ? { thrownMessage: error!.message } : {}),
    ...(error?.kind === 'no-answer' ? { noAnswer: error.message } : {}),
    callbacks: result.callbacks,
    calls: result.calls.map((c) => ({ method: c.method, url: c.url, status: typeof c.status === 'number' ? c.status : status })),
    secretsInLogs: options.secretNames.filter((n) => result.logs.some((line) => line.includes(valueOf(n)))),
    logs: result.logs,
    ms: result.ms,
    ...(result.model ? { model: result.model } : {}),
    pending: result.pending,
  };
}
