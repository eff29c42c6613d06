/**
 * The dynamic half of `npm run verify`: loads the file in the runtime sandbox (scripts/sandbox.cjs: Node built-ins
 * and HubSpot's pre-installed modules only) and runs `main` once while EVERY HTTP call is answered 503. A file that
 * handles outages the way HubSpot needs throws an error carrying a 429/5xx status, so HubSpot re-runs it; a file that
 * returns outputs instead has swallowed the outage. The run also records which environment variables (secrets) the
 * file reads, how often it called back, and whether a secret value reached the logs.
 *
 * HubSpot reads the status from `error.response.status` (axios) or a numeric `error.code` (@hubspot/api-client):
 * the same rule as the harness's file mode (scripts/user-code/run-file.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import nock from 'nock';
import { RUNTIME_MODULES } from '../runtime-modules.mjs';

const require = createRequire(import.meta.url);
const { loadBundle, defaultRuntimeModules } = require('../sandbox.cjs') as {
  loadBundle(file: string, options: { runtimeModules: Record<string, string>; resolveFrom: string }): { exports: { main?: unknown }; required: string[] };
  defaultRuntimeModules(names: string[], resolveFrom: string): Record<string, string>;
};

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RUNTIME_ENV = /^(NODE_|NPM_|HTTPS?_PROXY$|NO_PROXY$|ALL_PROXY$|DEBUG$|TZ$|LANG$|LC_|FORCE_COLOR$|NO_COLOR$|TERM$|CI$|UNDICI_|AWS_|LAMBDA_|_HANDLER$|READABLE_STREAM$)/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

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
}

export function isRetriedByHubSpot(status: number | undefined): boolean {
  return status !== undefined && (status === 429 || (status >= 500 && status <= 599));
}

function statusOf(thrown: unknown): number | undefined {
  const e = thrown as { response?: { status?: unknown }; code?: unknown } | undefined;
  if (typeof e?.response?.status === 'number') return e.response.status;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

/** A recognisable fake value per secret; URL-like names get a URL so the file gets as far as its HTTP call. */
function fakeSecret(name: string): string {
  const token = `probe-${name.toLowerCase()}-5f3c9a1e7b2d`;
  return /URL|ENDPOINT|HOST/.test(name) ? `https://probe.verify.example/${token}` : token;
}

/** Answers every request on every host with `status`, recording each call. */
function answerEverything(status: number, calls: ProbeCall[]): () => void {
  nock.disableNetConnect();
  for (const method of METHODS) {
    nock(/.*/)
      .persist()
      .intercept(/.*/, method)
      .reply((request: unknown) => {
        const url = typeof request === 'object' && request !== null && 'url' in request ? String((request as { url: string }).url) : String(request);
        calls.push({ method, url, status });
        return [status, JSON.stringify({ status: 'error', message: 'Service Unavailable (verify probe)', category: 'SERVICE_UNAVAILABLE' }), { 'content-type': 'application/json' }];
      });
  }
  return () => {
    nock.cleanAll();
    nock.enableNetConnect();
  };
}

/** Loads and runs the file once with every HTTP call failing; never throws. */
export async function probeFile(file: string, options: ProbeOptions): Promise<ProbeResult> {
  const status = options.status ?? 503;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const calls: ProbeCall[] = [];
  const logs: string[] = [];
  const envRead = new Set<string>();
  const realEnv = process.env;
  const valueOf = (n: string) => options.secretValues?.[n] ?? fakeSecret(n);
  const secrets = Object.fromEntries(options.secretNames.map((n) => [n, valueOf(n)]));
  const saved = { ...realEnv };
  Object.assign(realEnv, secrets);
  process.env = new Proxy(realEnv, {
    get(target, key) {
      // Count only reads made by the file itself: nock, axios and Node read variables of their own.
      if (typeof key === 'string' && !envRead.has(key)) {
        const caller = new Error().stack?.split('\n')[2] ?? '';
        if (!/node_modules|node:internal|\(node:/.test(caller)) envRead.add(key);
      }
      return Reflect.get(target, key);
    },
  });
  const consoleSaved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const capture = (...args: unknown[]) => logs.push(args.map((a) => (typeof a === 'string' ? a : safeInspect(a))).join(' '));
  Object.assign(console, { log: capture, info: capture, warn: capture, error: capture, debug: capture });
  const restoreNet = answerEverything(status, calls);
  const started = performance.now();
  const result: ProbeResult = { mainIsFunction: false, required: [], envRead: [], outcome: 'not-run', callbacks: 0, calls, secretsInLogs: [], logs, ms: 0 };
  try {
    let loaded: { exports: { main?: unknown }; required: string[] };
    try {
      loaded = loadBundle(path.resolve(file), { runtimeModules: defaultRuntimeModules(RUNTIME_MODULES, ROOT), resolveFrom: ROOT });
    } catch (error) {
      result.loadError = error instanceof Error ? error.message : String(error);
      return result;
    }
    result.required = loaded.required;
    const main = loaded.exports.main;
    result.mainIsFunction = typeof main === 'function';
    if (typeof main !== 'function') return result;
    let calledBack: (value: unknown) => void = () => {};
    const callbackPromise = new Promise((resolve) => (calledBack = resolve));
    let callbackValue: unknown;
    const callback = (...args: unknown[]) => {
      result.callbacks += 1;
      callbackValue = args.length > 1 ? (args[0] ?? args[1]) : args[0];
      calledBack(undefined);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    // A callback-style file that rejects a promise nobody awaits fails the Lambda invocation the same way a throw does.
    let rejectUnhandled: (reason: unknown) => void = () => {};
    const unhandled = new Promise<never>((_, reject) => (rejectUnhandled = reject));
    unhandled.catch(() => {});
    const onUnhandled = (reason: unknown) => rejectUnhandled(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const run = Promise.resolve((main as (e: unknown, cb: unknown) => unknown)(structuredClone(options.event), callback));
      const first = await Promise.race([run.then((value) => ({ value })), timeout, unhandled]);
      if (first === 'timeout') {
        result.outcome = 'timeout';
      } else if (first.value === undefined && result.callbacks === 0) {
        // callback style: main resolved at once, the outputs come later through the callback
        const late = await Promise.race([callbackPromise.then(() => 'called' as const), timeout, unhandled]);
        result.outcome = late === 'timeout' ? 'timeout' : 'returned';
      } else {
        result.outcome = 'returned';
      }
      const value = (first !== 'timeout' && first.value !== undefined ? first.value : callbackValue) as { outputFields?: Record<string, unknown> } | Error | undefined;
      if (value instanceof Error) {
        result.outcome = 'threw';
        result.thrownMessage = value.message;
        result.thrownStatus = statusOf(value);
      } else if (value && typeof value === 'object' && value.outputFields) {
        result.outputs = value.outputFields;
      }
    } catch (thrown) {
      result.outcome = 'threw';
      result.thrownMessage = thrown instanceof Error ? thrown.message : String(thrown);
      result.thrownStatus = statusOf(thrown);
    } finally {
      clearTimeout(timer);
      process.off('unhandledRejection', onUnhandled);
    }
    return result;
  } finally {
    result.ms = performance.now() - started;
    restoreNet();
    Object.assign(console, consoleSaved);
    process.env = realEnv;
    for (const key of Object.keys(realEnv)) if (!(key in saved)) delete realEnv[key];
    Object.assign(realEnv, saved);
    // Node and the pre-installed libraries read variables of their own (proxies, debug flags); list only what looks
    // like the file's own configuration.
    const runtimeNoise = new Set(Object.keys(saved).filter((k) => !options.secretNames.includes(k)));
    result.envRead = [...envRead].filter((k) => options.secretNames.includes(k) || (!runtimeNoise.has(k) && /^[A-Z][A-Z0-9_]*$/.test(k) && !RUNTIME_ENV.test(k))).sort();
    result.secretsInLogs = options.secretNames.filter((n) => logs.some((line) => line.includes(valueOf(n))));
  }
}

function safeInspect(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}
