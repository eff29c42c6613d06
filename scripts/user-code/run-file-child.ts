/**
 * The child side of runActionFile (scripts/user-code/run-file.ts): one process per run, started with
 * --max-old-space-size=128 and only the secrets in its environment. Receives a ChildRequest over IPC, loads the
 * file in the runtime sandbox, calls `main` once, streams log lines and calls back, then a final 'done'.
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import nock from 'nock';
import { interceptFixture, ROOT, type CallLine, type RecordedCall } from '../harness/fixture';
import type { ChildMessage, ChildRequest, FileRunError } from './run-file';
import { findNetworkCode } from '../lib-tooling/network';

const require = createRequire(import.meta.url);
const { loadBundle, defaultRuntimeModules } = require('../sandbox.cjs') as {
  loadBundle(file: string, options: { runtimeModules: Record<string, string>; resolveFrom: string }): { exports: { main?: unknown } };
  defaultRuntimeModules(names: string[], resolveFrom: string): Record<string, string>;
};

const send = (message: ChildMessage) => process.send?.(message);

function captureConsole(): void {
  const line = (...args: unknown[]) => send({ type: 'log', line: args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 4, breakLength: Infinity }))).join(' ') });
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[method] = line;
}

/** Where HubSpot looks for a status on a thrown error: axios's `response.status`, @hubspot/api-client's numeric `code`. */
function statusOf(error: unknown): number | undefined {
  const e = error as { response?: { status?: unknown }; code?: unknown } | undefined;
  for (const candidate of [e?.response?.status, e?.code]) if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate;
  return undefined;
}

function describeThrown(error: unknown, kind: FileRunError['kind']): NonNullable<Extract<ChildMessage, { type: 'done' }>['error']> {
  const e = error as { message?: unknown; name?: unknown } | undefined;
  const status = statusOf(error);
  const networkCode = findNetworkCode(error);
  return {
    kind,
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.name === 'string' ? { name: e.name } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(networkCode ? { networkCode } : {}),
  };
}

type Outcome = { style: 'callback' | 'return'; value: unknown } | { style: 'none'; error: unknown; kind: FileRunError['kind'] };

/** Calls main in both of HubSpot's styles: whichever answers first — the callback or the returned promise — wins. */
function callMain(main: (event: unknown, callback: (result: unknown) => void) => unknown, event: unknown, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ style: 'none', kind: 'timeout', error: new Error(`stopped after ${timeoutMs / 1000} s: HubSpot's time limit`) }), timeoutMs);
    const settle = (outcome: Outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    // Lambda's Node runtime ends the run on an unhandled rejection, as an error.
    process.on('unhandledRejection', (reason) => settle({ style: 'none', kind: 'thrown', error: reason }));
    process.on('uncaughtException', (error) => settle({ style: 'none', kind: 'thrown', error }));
    try {
      const returned = main(event, (result) => settle({ style: 'callback', value: result }));
      Promise.resolve(returned).then(
        (value) => {
          // An async main that only calls the callback resolves undefined: keep waiting for the callback.
          if (value !== undefined || main.length < 2) settle({ style: 'return', value });
        },
        (error: unknown) => settle({ style: 'none', kind: 'thrown', error }),
      );
    } catch (error) {
      settle({ style: 'none', kind: 'thrown', error });
    }
  });
}

async function run(request: ChildRequest): Promise<void> {
  captureConsole();
  const { RUNTIME_MODULES } = (await import('../runtime-modules.mjs')) as { RUNTIME_MODULES: string[] };
  const runtimeModules = defaultRuntimeModules(RUNTIME_MODULES, ROOT);
  // HubSpot documents @hubspot/api-client ^10; the latest is installed as @hubspot/api-client itself.
  runtimeModules['@hubspot/api-client'] = require.resolve(request.client === 'latest' ? '@hubspot/api-client' : 'hubspot-api-client-v10');

  const intercept = request.fixture ? interceptFixture(request.fixture) : undefined;
  if (intercept) {
    // Stream each call as it happens, so a run that is killed (busy loop, out of memory) still shows its calls.
    const push = intercept.calls.push.bind(intercept.calls);
    intercept.calls.push = (...items: CallLine[]) => {
      for (const call of items) send({ type: 'call', call });
      return push(...items);
    };
  } else {
    nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: false });
  }

  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 2);
  let outcome: Outcome;
  const runStarted = performance.now();
  try {
    send({ type: 'started' });
    const loaded = loadBundle(request.file, { runtimeModules, resolveFrom: ROOT });
    const main = loaded.exports.main;
    if (typeof main !== 'function') throw Object.assign(new Error('the file does not export main: HubSpot calls `exports.main = async (event, callback) => { … }`'), { loadError: true });
    outcome = await callMain(main as never, request.event, request.timeoutMs - (performance.now() - runStarted));
  } catch (error) {
    outcome = { style: 'none', kind: 'load', error };
  }
  const ms = performance.now() - runStarted;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);

  let recorded: RecordedCall[] | undefined;
  let pending: string[] | undefined;
  if (intercept) {
    pending = intercept.pending();
    intercept.done();
  } else {
    recorded = nock.recorder.play() as unknown as RecordedCall[];
    nock.restore();
    for (const call of recorded) send({ type: 'call', call: { method: call.method.toUpperCase(), url: new URL(call.path, call.scope).toString(), status: call.status } });
  }

  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const common = { ms: Math.round(ms), memoryMb: mb(peakHeap - baseHeap), heapPeakMb: mb(peakHeap), nodeVersion: process.version, ...(recorded ? { recorded } : {}), ...(pending ? { pending } : {}) };
  if (outcome.style === 'none') {
    send({ type: 'done', style: 'none', error: describeThrown(outcome.error, outcome.kind), ...common });
    return;
  }
  const value = outcome.value as { outputFields?: unknown } | undefined;
  // Outputs cross the process boundary as JSON, as HubSpot stores them.
  const outputs = value && typeof value === 'object' && value.outputFields && typeof value.outputFields === 'object' ? (JSON.parse(JSON.stringify(value.outputFields)) as Record<string, unknown>) : {};
  if (!value || typeof value !== 'object' || !('outputFields' in value)) {
    send({ type: 'log', line: `[harness] main ${outcome.style === 'callback' ? 'called back with' : 'returned'} ${inspect(value)} — HubSpot reads data outputs from { outputFields: { … } }` });
  }
  send({ type: 'done', style: outcome.style, outputs, ...common });
}

process.once('message', (request: ChildRequest) => {
  run(request).catch((error: unknown) => {
    send({ type: 'done', style: 'none', error: describeThrown(error, 'crash'), ms: 0, memoryMb: 0, heapPeakMb: 0, nodeVersion: process.version });
  });
});
