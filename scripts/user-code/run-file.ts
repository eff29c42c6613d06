/**
 * Runs ANY custom-code file (ours or one written by hand / by HubSpot's AI) the way HubSpot's runtime would, and
 * reports what happened: outputs, the thrown error and what HubSpot does with it, log lines, every HTTP call, time
 * and memory. The stable API other tools build on (the harness's `--file`, the codemod verifier) is
 * `runActionFile(options) → FileRunReport`.
 *
 * The runtime, as HubSpot documents it (https://developers.hubspot.com/docs/api/workflows/custom-code-actions):
 * - Node.js 24 on AWS Lambda, 20 s and 128 MB ("Limitations"); we run the file in a child process started with
 *   `--max-old-space-size=128`, so a file that needs more heap fails here as it would there.
 * - `require` resolves Node built-ins and the "supported libraries" only (@hubspot/api-client ^10, axios ^1.2,
 *   lodash ^4.17 … see scripts/runtime-modules.mjs), through the same sandbox the bundles are checked in
 *   (scripts/sandbox.cjs). `client: 'latest'` swaps in the newest @hubspot/api-client we have installed.
 * - Secrets are environment variables; the child gets the secrets and PATH, nothing else from our environment.
 * - `exports.main = async (event, callback) => …`: both styles work (call `callback({ outputFields })`, or return it).
 * - An error thrown with status 429 or 5xx — read where axios (`error.response.status`) and @hubspot/api-client
 *   (`error.code`) put it — makes HubSpot re-run the whole action, for up to 3 days; any other error does not.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { explainNetworkCode } from '../lib-tooling/network';
import { compareOutcome, fixtureFromRecording, type CallLine, type Fixture, type RecordedCall } from '../harness/fixture';

export const FILE_TIME_LIMIT_MS = 20_000;
export const FILE_HEAP_LIMIT_MB = 128;

export type RuntimeClient = 'v10' | 'latest';

export interface RunActionFileOptions {
  /** The custom-code file: CommonJS with `exports.main`, as pasted into HubSpot. */
  file: string;
  /** The workflow event HubSpot passes to `main` ({ object, inputFields, … }). Defaults to the fixture's event. */
  event?: object;
  /** Secret values, as HubSpot sets them in process.env. With a fixture, its placeholders fill in what is missing. */
  secrets?: Record<string, string>;
  /** Replay: path of a fixture (same format as test/actions/<action>/fixtures/*.json); no network is touched. */
  fixture?: string;
  /** Record: run live and write a redacted fixture to this path. Fails (throws) when the live run fails. */
  record?: string;
  /** @hubspot/api-client version behind `require('@hubspot/api-client')`: HubSpot's documented ^10 (default) or the latest. */
  client?: RuntimeClient;
  /** Defaults to HubSpot's 20 s. */
  timeoutMs?: number;
}

export interface FileRunCall {
  method: string;
  url: string;
  /** HTTP status, or 'NO MATCH' when a replay met a call the fixture does not hold. */
  status: number | 'NO MATCH';
}

export interface FileRunError {
  kind: 'thrown' | 'timeout' | 'out-of-memory' | 'load' | 'crash';
  message: string;
  name?: string;
  /** HTTP status the error carries where HubSpot looks for it (error.response.status or a numeric error.code). */
  status?: number;
  /** Network code (ENOTFOUND, ECONNREFUSED, …) when the failure was on the wire, with the likely cause. */
  networkCode?: string;
  networkCause?: string;
  /** True for 429 and 5xx: HubSpot re-runs the whole action (for up to 3 days). */
  hubspotReruns: boolean;
  /** What HubSpot does next, in words: "HubSpot re-runs the action" / "HubSpot does not re-run the action: …". */
  hubspotAction: string;
}

export interface FileRunReport {
  file: string;
  client: RuntimeClient;
  nodeVersion: string;
  /** How `main` answered: called the callback, returned a value, or neither (threw / timed out). */
  style: 'callback' | 'return' | 'none';
  outputs?: Record<string, unknown>;
  error?: FileRunError;
  logs: string[];
  calls: FileRunCall[];
  ms: number;
  /** Peak heap the run added on top of what the process held before `main` was called, in MB. */
  memoryMb: number;
  /** Peak heap of the whole child process (what --max-old-space-size=128 limits), in MB. */
  heapPeakMb: number;
  timeLimitMs: number;
  heapLimitMb: number;
  /** Replay only: how the run differs from the fixture's expectation (empty = as recorded). */
  problems: string[];
  /** Record only: where the fixture went and how many calls it holds. */
  recorded?: { file: string; calls: number };
  /** What would differ in HubSpot although the run went through (a secret the file reads but was not given, …). */
  warnings: string[];
}

/** HubSpot: "all secret values together" of an account may hold at most 1,000 characters (custom code actions, "Limitations"). */
export const SECRET_BUDGET_CHARS = 1_000;

/** The secrets a custom-code file reads: process.env.NAME and process.env['NAME']. */
export function secretNamesReadBy(code: string): string[] {
  return [...new Set([...code.matchAll(/process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"`]([A-Za-z_][A-Za-z0-9_]*)['"`]\s*\])/g)].map((m) => (m[1] ?? m[2]) as string))].sort();
}

function secretWarnings(code: string, secrets: Record<string, string>): string[] {
  const warnings: string[] = [];
  const missing = secretNamesReadBy(code).filter((name) => !(name in secrets));
  if (missing.length) warnings.push(`the file reads ${missing.map((n) => `process.env.${n}`).join(', ')} but no such secret was given: in HubSpot, add it under the action's Secrets`);
  const total = Object.values(secrets).reduce((sum, v) => sum + v.length, 0);
  if (total > SECRET_BUDGET_CHARS) warnings.push(`the secrets total ${total} characters; HubSpot allows ${SECRET_BUDGET_CHARS} for all secret values of an account together`);
  return warnings;
}

/** What the child process sends back (scripts/user-code/run-file-child.ts). */
export type ChildMessage =
  | { type: 'started' }
  | { type: 'log'; line: string }
  | { type: 'call'; call: CallLine }
  | {
      type: 'done';
      style: FileRunReport['style'];
      outputs?: Record<string, unknown>;
      error?: Omit<FileRunError, 'hubspotReruns' | 'hubspotAction' | 'networkCause'>;
      ms: number;
      memoryMb: number;
      heapPeakMb: number;
      recorded?: RecordedCall[];
      pending?: string[];
      nodeVersion: string;
    };

export interface ChildRequest {
  file: string;
  event: object;
  secrets: Record<string, string>;
  fixture?: Fixture;
  live: boolean;
  client: RuntimeClient;
  timeoutMs: number;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-file-child.ts');

export function isRetriedByHubSpot(status: number | undefined): boolean {
  return status !== undefined && (status === 429 || (status >= 500 && status <= 599));
}

/**
 * HubSpot's documented rule is the status alone. What it does after a Lambda timeout or an out-of-memory kill is
 * undocumented; assumed "not re-run" because neither leaves an error with a 429/5xx status behind.
 */
export function hubspotVerdict(error: Pick<FileRunError, 'kind' | 'status'>): Pick<FileRunError, 'hubspotReruns' | 'hubspotAction'> {
  if (isRetriedByHubSpot(error.status)) return { hubspotReruns: true, hubspotAction: `HubSpot re-runs the action (status ${error.status}; for up to 3 days)` };
  const why =
    error.kind === 'timeout'
      ? 'the run was stopped at the time limit and carries no 429/5xx status'
      : error.kind === 'out-of-memory'
        ? 'the run ran out of memory'
        : error.status !== undefined
          ? `status ${error.status} is neither 429 nor 5xx`
          : 'the error carries no HTTP status (429/5xx) where HubSpot looks for it';
  return { hubspotReruns: false, hubspotAction: `HubSpot does not re-run the action: ${why}` };
}

export class RecordFailedError extends Error {
  constructor(
    message: string,
    readonly report: FileRunReport,
  ) {
    super(message);
    this.name = 'RecordFailedError';
  }
}

/**
 * Runs the file once in a fresh child process (Node 24, 128 MB heap, HubSpot's modules only) and reports.
 * Replays `fixture` when given; otherwise runs live (and writes a fixture when `record` is given — throwing a
 * RecordFailedError, with the report, when the live run failed, so no fixture of a failure is saved as a success).
 */
export async function runActionFile(options: RunActionFileOptions): Promise<FileRunReport> {
  const file = path.resolve(options.file);
  if (!existsSync(file)) throw new Error(`${options.file}: no such file`);
  if (options.fixture && options.record) throw new Error('--fixture replays a recording and --record makes one: pass one of them');
  const fixture = options.fixture ? readFixtureFile(options.fixture) : undefined;
  const event = options.event ?? fixture?.event;
  if (!event) throw new Error('no event: pass one (the workflow event HubSpot sends: { object: { objectId, objectType }, inputFields: { … } })');
  const client = options.client ?? 'v10';
  const timeoutMs = options.timeoutMs ?? FILE_TIME_LIMIT_MS;
  const request: ChildRequest = {
    file,
    event,
    secrets: { ...(fixture?.secrets ?? {}), ...(options.secrets ?? {}) },
    ...(fixture ? { fixture } : {}),
    live: !fixture,
    client,
    timeoutMs,
  };
  const result = await runChild(request);
  const report: FileRunReport = {
    file,
    client,
    nodeVersion: result.done?.nodeVersion ?? process.version,
    style: result.done?.style ?? 'none',
    ...(result.done?.outputs ? { outputs: result.done.outputs } : {}),
    logs: result.logs,
    calls: result.calls,
    ms: result.done?.ms ?? result.ms,
    memoryMb: result.done?.memoryMb ?? 0,
    heapPeakMb: result.done?.heapPeakMb ?? 0,
    timeLimitMs: timeoutMs,
    heapLimitMb: FILE_HEAP_LIMIT_MB,
    problems: [],
    warnings: secretWarnings(readFileSync(file, 'utf8'), request.secrets),
  };
  const error = result.done?.error ?? result.crash;
  if (error) {
    // In a replay nothing leaves the machine: a refused connection means the fixture holds no answer for the call.
    const replayMiss = fixture && result.calls.some((c) => c.status === 'NO MATCH');
    const networkCause = replayMiss ? 'the fixture holds no recorded answer for this call (replays never touch the network)' : error.networkCode ? explainNetworkCode(error.networkCode) : undefined;
    report.error = { ...error, ...(networkCause ? { networkCause } : {}), ...hubspotVerdict(error) };
  }
  if (fixture) {
    report.problems = compareOutcome(fixture, { ...(report.outputs ? { outputFields: report.outputs } : {}), ...(report.error?.status !== undefined ? { thrownStatus: report.error.status } : {}) });
    if (report.error && report.error.status === undefined) report.problems.push(`failed: ${report.error.message}`);
    const pending = result.done?.pending ?? [];
    if (pending.length) report.problems.push(`recorded calls never made: ${pending.join(', ')}`);
    const unmatched = report.calls.filter((c) => c.status === 'NO MATCH');
    if (unmatched.length) report.problems.push(`calls the fixture does not hold: ${unmatched.map((c) => `${c.method} ${c.url}`).join(', ')}`);
  }
  if (options.record) {
    const recorded = result.done?.recorded ?? [];
    const failure = recordFailure(report, recorded.length);
    if (failure) throw new RecordFailedError(`not recorded: ${failure}; no fixture written`, report);
    const saved = fixtureFromRecording({
      description: `recorded live run of ${path.basename(file)}`,
      event: event as Record<string, unknown>,
      secrets: options.secrets ?? {},
      recorded,
      outcome: report.error?.status !== undefined ? { throws: { status: report.error.status } } : { outputFields: report.outputs ?? {} },
    });
    const target = path.resolve(options.record);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(saved, null, 2)}\n`);
    report.recorded = { file: target, calls: saved.interactions.length };
  }
  return report;
}

/** Why a live run is not worth saving as a fixture, or undefined when it is. */
export function recordFailure(report: Pick<FileRunReport, 'error' | 'outputs'>, calls: number): string | undefined {
  if (report.error) {
    const cause = report.error.networkCause ? ` (${report.error.networkCode}: ${report.error.networkCause})` : '';
    return `the live run failed: ${report.error.message}${cause}`;
  }
  if (report.outputs?.status === 'error') return `the live run ended with status=error, error_code=${String(report.outputs.error_code ?? '?')}: ${String(report.outputs.error_message ?? '')}`;
  if (calls === 0) return 'the live run made no HTTP call, so there is nothing to replay';
  return undefined;
}

export function readFixtureFile(file: string): Fixture {
  if (!existsSync(file)) throw new Error(`${file}: no such fixture`);
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as Fixture;
  if (!Array.isArray(fixture.interactions) || !fixture.expect) throw new Error(`${file} is not a harness fixture (needs "interactions" and "expect")`);
  return fixture;
}

interface ChildResult {
  done?: Extract<ChildMessage, { type: 'done' }>;
  crash?: Omit<FileRunError, 'hubspotReruns' | 'hubspotAction'>;
  logs: string[];
  calls: FileRunCall[];
  ms: number;
}

/** Backstop past the child's own timer: a file that blocks the event loop (a busy loop) cannot report itself. */
const killGraceMs = (timeoutMs: number) => Math.min(3_000, Math.max(500, timeoutMs / 4));
/** Starting Node with tsx and nock takes ~0.5 s, several seconds on a loaded machine; never a minute. */
const CHILD_START_LIMIT_MS = 60_000;

function runChild(request: ChildRequest): Promise<ChildResult> {
  const started = performance.now();
  const logs: string[] = [];
  const calls: FileRunCall[] = [];
  const tsx = import.meta.resolve('tsx');
  // HubSpot's Lambda has the secrets in its environment and nothing of ours: no token from this shell leaks in.
  const env: Record<string, string> = { ...(process.env.PATH ? { PATH: process.env.PATH } : {}), ...request.secrets };
  const child = fork(CHILD, [], {
    execPath: process.execPath,
    execArgv: [`--max-old-space-size=${FILE_HEAP_LIMIT_MB}`, '--import', tsx],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split(/\r?\n/).filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    let done: ChildResult['done'];
    let timedOut = false;
    let mainCalledAt: number | undefined;
    const kill = () => {
      timedOut = mainCalledAt !== undefined;
      child.kill('SIGKILL');
    };
    // The time limit counts from the call to main, as in HubSpot; starting the process (tsx, nock) is ours.
    let killer = setTimeout(kill, CHILD_START_LIMIT_MS);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'started') {
        mainCalledAt = performance.now();
        clearTimeout(killer);
        killer = setTimeout(kill, request.timeoutMs + killGraceMs(request.timeoutMs));
      } else if (message.type === 'log') logs.push(message.line);
      else if (message.type === 'call') calls.push(message.call);
      else if (message.type === 'done') {
        done = message;
        child.kill();
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const ms = performance.now() - (mainCalledAt ?? started);
      if (done) return resolve({ done, logs, calls, ms });
      const oom = /heap out of memory|Reached heap limit|allocation failed/i.test(stderr);
      if (mainCalledAt === undefined && !oom) {
        return resolve({ crash: { kind: 'crash', message: `the runner did not start (exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' ') || `nothing within ${CHILD_START_LIMIT_MS / 1000} s`}` }, logs, calls, ms });
      }
      const crash: ChildResult['crash'] = timedOut
        ? { kind: 'timeout', message: `stopped after ${request.timeoutMs / 1000} s: HubSpot's time limit (the file kept the event loop busy)` }
        : oom
          ? { kind: 'out-of-memory', message: `ran out of memory: the ${FILE_HEAP_LIMIT_MB} MB heap HubSpot allows was exhausted` }
          : { kind: 'crash', message: `the run crashed (exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}` };
      resolve({ crash, logs, calls, ms });
    });
    child.send(request);
  });
}
