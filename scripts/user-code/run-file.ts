/**
 * The one runner for a user's custom-code file: the harness's `--file`, `verify` (through scripts/codemod/probe.ts)
 * and `upgrade` all run files here, so they agree on what `require` resolves, which secrets a file gets, the time
 * and memory limits and how `callback` and `return` are read. `runActionFile(options) → FileRunReport`.
 *
 * A user's file is untrusted code. It runs in a child process (scripts/user-code/child.cjs) confined as
 * scripts/user-code/isolation.ts describes: Node's permission model (reads: the file, the runner, the runtime
 * modules; no writes, child processes, workers or addons), an environment holding only the secrets the file reads,
 * cwd `/`, no network in replay and verify runs, and — on Linux — its own user, pid and network namespaces. The
 * PARENT keeps the clock (SIGKILL at the limit, whatever the child does), answers every HTTP call from the fixture,
 * and builds the verdict from nonce-tagged messages on a private fd; anything else (a missing, forged or malformed
 * report) is a crash, never a success.
 *
 * The runtime, as HubSpot documents it (https://developers.hubspot.com/docs/api/workflows/custom-code-actions and
 * https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24):
 * - Node.js 24 on AWS Lambda, 20 s and 128 MB ("Limitations"): the child gets `--max-old-space-size=128`.
 * - `require` resolves Node built-ins and the "supported libraries" only (scripts/runtime-modules.mjs), through
 *   scripts/sandbox.cjs. `client: 'latest'` swaps in the newest @hubspot/api-client installed here.
 * - Node 24: "doesn't support callback-style handlers": `main(event)` settles on its return; what is still pending
 *   then is frozen with the Lambda sandbox and lost (reported as `pending`, by line).
 * - The old runtime (a `main(event, callback)`): the answer is the first `callback(...)`, read as HubSpot's
 *   `callback({ outputFields })` or Lambda's Node-style `callback(error, result)`; work still pending then kept
 *   running until the event loop was empty (Lambda's callbackWaitsForEmptyEventLoop, true by default:
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html), within the same time limit.
 * - An error thrown with status 429 or 5xx (error.response.status for axios, a numeric error.code for
 *   @hubspot/api-client) makes HubSpot re-run the whole action, for up to 3 days; any other error does not.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { explainNetworkCode, findNetworkCode } from '../lib-tooling/network';
import { compareOutcome, fixtureFromRecording, type Fixture, type RecordedCall } from '../harness/fixture';
import { childCommand, nockEntry, runtimeModulePaths, SANDBOX_SCRIPT, type RuntimeClient } from './isolation';
import { FixtureReplay } from './replay-match';
import { secretReadsOf, secretNamesReadBy } from './secrets-read';

export { secretNamesReadBy, type RuntimeClient };

export const FILE_TIME_LIMIT_MS = 20_000;
export const FILE_HEAP_LIMIT_MB = 128;

export interface RunActionFileOptions {
  /** The custom-code file: CommonJS with `exports.main`, as pasted into HubSpot. */
  file: string;
  /** The workflow event HubSpot passes to `main` ({ object, inputFields, … }). Defaults to the fixture's event. */
  event?: object;
  /** Secret values, as HubSpot sets them in process.env. Only those the file reads reach it. */
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
  /** Made after main's callback, while the old runtime waited for the empty event loop (lost on Node 24). */
  afterCallback?: true;
}

export interface FileRunError {
  kind: 'thrown' | 'timeout' | 'out-of-memory' | 'load' | 'crash' | 'no-answer';
  message: string;
  name?: string;
  /** HTTP status the error carries where HubSpot looks for it (error.response.status or a numeric error.code). */
  status?: number;
  /** Network code (ENOTFOUND, ECONNREFUSED, …) when the failure was on the wire, with the likely cause. */
  networkCode?: string;
  networkCause?: string;
  /** Where in the user's file: the first of its frames (`file:line:column` for a syntax error or a throw). */
  location?: { line: number; column?: number };
  /** The user's own stack frames, the runner's left out. */
  frames?: string[];
  /** True for 429 and 5xx: HubSpot re-runs the whole action (for up to 3 days). */
  hubspotReruns: boolean;
  /** What HubSpot does next, in words: "HubSpot re-runs the action" / "HubSpot does not re-run the action: …". */
  hubspotAction: string;
}

/** Work the file started and had not finished when its answer was given. */
export interface PendingWork {
  line: number;
  column?: number;
  /** The line of the call that led there, when the work was started inside one of the file's functions. */
  calledFrom?: number;
  /** 'a promise', 'a timer', 'a socket', … */
  kinds: string[];
  /** The source line, trimmed. */
  code: string;
}

export type RuntimeModel = 'node24' | 'callback';

export interface FileRunReport {
  file: string;
  client: RuntimeClient;
  nodeVersion: string;
  /** How `main` answered: called the callback, returned a value, or neither (threw / timed out). */
  style: 'callback' | 'return' | 'none';
  /**
   * Which runtime the verdict models: 'node24' (main(event), settles on return, pending work lost) or 'callback'
   * (the old runtime for a main(event, callback): settles on callback, pending work runs until the loop is empty).
   */
  model?: RuntimeModel;
  modelNote?: string;
  outputs?: Record<string, unknown>;
  error?: FileRunError;
  logs: string[];
  calls: FileRunCall[];
  /** Work still pending when main answered (Node 24: lost; old runtime: kept running until the loop was empty). */
  pending: PendingWork[];
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
  /** How the child was confined (for the README's promise to be checkable in each report). */
  isolation: { permissionModel: boolean; namespaces: boolean; network: string; secretsGiven: string[] };
}

/** HubSpot: "all secret values together" of an account may hold at most 1,000 characters (custom code actions, "Limitations"). */
export const SECRET_BUDGET_CHARS = 1_000;

function secretWarnings(code: string, given: Record<string, string>, withheld: string[]): string[] {
  const warnings: string[] = [];
  const reads = secretReadsOf(code);
  const missing = reads.names.filter((name) => !(name in given));
  if (missing.length) warnings.push(`the file reads ${missing.map((n) => `process.env.${n}`).join(', ')} but no such secret was given: in HubSpot, add it under the action's Secrets`);
  if (reads.computedLines.length) warnings.push(`the file reads process.env with a computed name (line ${reads.computedLines.join(', ')}): only secrets it names literally are handed over`);
  if (withheld.length) warnings.push(`not handed to the file (it never reads them): ${withheld.join(', ')}`);
  const total = Object.values(given).reduce((sum, v) => sum + v.length, 0);
  if (total > SECRET_BUDGET_CHARS) warnings.push(`the secrets total ${total} characters; HubSpot allows ${SECRET_BUDGET_CHARS} for all secret values of an account together`);
  return warnings;
}

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
        : error.kind === 'no-answer'
          ? 'main never answered (no return value, no callback), so the action ends without outputs'
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

/** A user's file, how to answer its HTTP calls, and the limits: everything one child run needs. */
export interface UserCodeRun {
  file: string;
  event: object;
  /** Exactly the variables the child's environment holds. */
  env: Record<string, string>;
  client: RuntimeClient;
  timeoutMs: number;
  /** 'replay': `answer` decides each call; 'probe': same, for verify; 'live': real network, recorded. */
  mode: 'replay' | 'probe' | 'live';
  answer?: (call: { method: string; url: string; body?: string }) => { status: number; headers?: Record<string, string>; body?: string } | { refuse: string };
  /** Tests only: run without namespaces, to prove the in-process floor on its own. */
  namespaces?: boolean;
}

/** What the parent makes of one child run: only from messages that carried the nonce, and from its own clock. */
export interface UserCodeResult {
  model?: RuntimeModel;
  style: FileRunReport['style'];
  outputs?: Record<string, unknown>;
  /** main answered with something other than { outputFields } (printed). */
  answered?: string;
  error?: Omit<FileRunError, 'hubspotReruns' | 'hubspotAction'>;
  /** An error raised after the callback, while the old runtime waited for the event loop to empty. */
  afterCallbackError?: Omit<FileRunError, 'hubspotReruns' | 'hubspotAction'>;
  callbacks: number;
  pending: PendingWork[];
  envRead: string[];
  required: string[];
  logs: string[];
  calls: FileRunCall[];
  recorded?: RecordedCall[];
  ms: number;
  memoryMb: number;
  heapPeakMb: number;
  nodeVersion: string;
  isolation: { permissionModel: boolean; namespaces: boolean; network: string };
}

type ChildError = Omit<FileRunError, 'hubspotReruns' | 'hubspotAction'>;
interface DoneMessage {
  t: 'done';
  how: 'return' | 'callback' | 'callback-error' | 'threw' | 'load-error' | 'no-answer' | 'crash';
  model?: RuntimeModel;
  outputs?: Record<string, unknown>;
  answered?: string;
  error?: ChildError;
  afterSettleError?: ChildError;
  returnedWithoutCallback?: boolean;
  callbacks: number;
  pending?: PendingWork[];
  envRead?: string[];
  required?: string[];
  recorded?: RecordedCall[];
  ms: number;
  memoryMb: number;
  heapPeakMb: number;
}

/** Starting Node with nock takes ~0.3 s, several seconds on a loaded machine; never a minute. */
const CHILD_START_LIMIT_MS = 60_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Runs the file once in a fresh, confined child and reports; never throws for anything the file does. */
export function runUserCode(run: UserCodeRun): Promise<UserCodeResult> {
  const file = realpathSync(path.resolve(run.file));
  const nonce = randomBytes(24).toString('hex');
  const { command, args, isolation } = childCommand({ userFile: file, heapMb: FILE_HEAP_LIMIT_MB, network: run.mode === 'live', ...(run.namespaces === false ? { namespaces: false } : {}) });
  const child = spawn(command, args, { env: run.env, cwd: path.parse(file).root, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const calls: FileRunCall[] = [];
  let stderr = '';
  const lineReader = (onLine: (line: string) => void) => {
    let rest = '';
    return {
      push(chunk: Buffer) {
        rest += chunk.toString('utf8');
        let end: number;
        while ((end = rest.indexOf('\n')) >= 0) {
          onLine(rest.slice(0, end).replace(/\r$/, ''));
          rest = rest.slice(end + 1);
        }
      },
      flush() {
        if (rest) onLine(rest);
        rest = '';
      },
    };
  };
  // The file's own output is log lines, as Lambda sends stdout and stderr to the logs.
  const out = lineReader((line) => line && logs.push(line));
  const err = lineReader((line) => {
    stderr += `${line}\n`;
    // Node's own fatal messages are not the file's log lines.
    if (line && !/^(<--- Last few GCs --->|FATAL ERROR:|\s*\d+: 0x|----- Native stack trace -----|\[\d+:0x[0-9a-f]+\]|Security context:)/.test(line)) logs.push(line);
  });
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  child.stdin!.on('error', () => {});

  return new Promise((resolve) => {
    let done: DoneMessage | undefined;
    let settledModel: RuntimeModel | undefined;
    let settledAt: number | undefined;
    let settledPending: PendingWork[] | undefined;
    let returnedWithoutCallbackAt: number | undefined;
    let tampered: string | undefined;
    let mainCalledAt: number | undefined;
    let killedAtLimit = false;
    const started = performance.now();
    const kill = () => child.kill('SIGKILL');
    let killer = setTimeout(kill, CHILD_START_LIMIT_MS);

    const onMessage = (message: Record<string, unknown>) => {
      switch (message.t) {
        case 'started':
          mainCalledAt = performance.now();
          clearTimeout(killer);
          // The limit counts from the call to main, as in HubSpot; starting the process is ours. The parent's timer
          // is the only one that counts: a busy loop in the child cannot delay it.
          killer = setTimeout(() => {
            killedAtLimit = true;
            kill();
          }, run.timeoutMs);
          return;
        case 'request': {
          const call = { method: String(message.method), url: String(message.url), ...(typeof message.body === 'string' ? { body: message.body } : {}) };
          const answer = run.answer ? run.answer(call) : { refuse: 'no network in this run' };
          calls.push({ method: call.method, url: call.url, status: 'refuse' in answer ? 'NO MATCH' : answer.status, ...(settledAt !== undefined ? { afterCallback: true as const } : {}) });
          child.stdin!.write(`${JSON.stringify({ id: message.id, ...answer })}\n`);
          return;
        }
        case 'returned':
          returnedWithoutCallbackAt = performance.now();
          return;
        case 'settled':
          settledModel = message.model === 'callback' ? 'callback' : 'node24';
          settledAt = performance.now();
          settledPending = Array.isArray(message.pending) ? (message.pending as PendingWork[]) : [];
          return;
        case 'done':
          if (typeof message.how !== 'string' || typeof message.ms !== 'number') {
            tampered = 'a malformed final report';
            return;
          }
          done = message as unknown as DoneMessage;
          // Node 24 freezes the sandbox once main has answered: nothing after that counts, so stop it now.
          kill();
          return;
        default:
          tampered = `an unknown report (${String(message.t)})`;
      }
    };
    const reports = lineReader((line) => {
      if (!line.startsWith(nonce)) {
        // Only the runner knows the nonce: anything else on this fd was written by the file.
        tampered ??= 'bytes on the runner\'s private report channel that did not come from the runner';
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line.slice(nonce.length));
      } catch {
        tampered ??= 'an unreadable report';
        return;
      }
      if (isObject(parsed)) onMessage(parsed);
      else tampered ??= 'a malformed report';
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => reports.push(c));

    child.on('close', (code, signal) => {
      clearTimeout(killer);
      out.flush();
      err.flush();
      reports.flush();
      const now = performance.now();
      const ms = Math.round((done ? (mainCalledAt ?? started) + done.ms : now) - (mainCalledAt ?? started));
      const base: UserCodeResult = {
        style: 'none',
        callbacks: done?.callbacks ?? 0,
        pending: done?.pending ?? settledPending ?? [],
        envRead: done?.envRead ?? [],
        required: done?.required ?? [],
        logs,
        calls,
        ms,
        memoryMb: done?.memoryMb ?? 0,
        heapPeakMb: done?.heapPeakMb ?? 0,
        nodeVersion: process.version,
        isolation,
        ...(done?.model ?? settledModel ? { model: (done?.model ?? settledModel)! } : {}),
        ...(done?.recorded ? { recorded: done.recorded } : {}),
      };
      if (tampered) {
        return resolve({ ...base, error: { kind: 'crash', message: `the run's report cannot be trusted: the file wrote ${tampered}` } });
      }
      if (done) {
        const withNetwork = (e: ChildError): ChildError => {
          const networkCode = e.networkCode ?? findNetworkCode({ message: e.message });
          return { ...e, ...(networkCode && explainNetworkCode(networkCode) ? { networkCode } : {}) };
        };
        if ((done.how === 'return' || done.how === 'callback') && done.afterSettleError) {
          // Lambda's Node runtime fails the invocation on an uncaught error or unhandled rejection; with
          // callbackWaitsForEmptyEventLoop the callback's answer is only sent once the loop is empty, so it is lost.
          const late = withNetwork(done.afterSettleError);
          return resolve({
            ...base,
            style: done.how,
            afterCallbackError: late,
            error: { ...late, message: `after the callback${done.outputs ? ` (with outputs ${JSON.stringify(done.outputs).slice(0, 200)})` : ''}, while the old runtime waited for the event loop to empty: ${late.message} — the invocation fails and those outputs never reach HubSpot` },
          });
        }
        if (done.how === 'return' || done.how === 'callback') {
          return resolve({ ...base, style: done.how, ...(done.outputs ? { outputs: done.outputs } : {}), ...(done.answered ? { answered: done.answered } : {}) });
        }
        if (done.how === 'no-answer') {
          return resolve({ ...base, error: { kind: 'no-answer', message: done.returnedWithoutCallback ? 'main returned without calling callback, and nothing was left to run: no outputs reach HubSpot' : 'main neither returned nor called back, and nothing was left to run: no outputs reach HubSpot' } });
        }
        if (done.error && isObject(done.error)) return resolve({ ...base, error: withNetwork({ ...done.error, kind: done.how === 'load-error' ? 'load' : done.how === 'crash' ? 'crash' : 'thrown' }) });
        return resolve({ ...base, error: { kind: 'crash', message: 'the run\'s report cannot be trusted: a final report without its error' } });
      }
      const oom = /heap out of memory|Reached heap limit|allocation failed/i.test(stderr);
      if (mainCalledAt === undefined && !oom) {
        return resolve({ ...base, error: { kind: 'crash', message: `the runner did not start (exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' ') || `nothing within ${CHILD_START_LIMIT_MS / 1000} s`}` } });
      }
      if (killedAtLimit) {
        const limit = `${run.timeoutMs / 1000} s`;
        const pending = settledPending?.length ? `; still pending: ${settledPending.map((p) => `line ${p.line} (${p.kinds.join(', ')})`).join('; ')}` : '';
        const message =
          settledAt !== undefined && mainCalledAt !== undefined
            ? `called back after ${Math.round(settledAt - mainCalledAt)} ms, but the old runtime waits for the event loop to empty (callbackWaitsForEmptyEventLoop) and it was still busy at ${limit}${pending}: the run timed out`
            : returnedWithoutCallbackAt !== undefined && mainCalledAt !== undefined
              ? `main returned after ${Math.round(returnedWithoutCallbackAt - mainCalledAt)} ms without calling callback, and no callback came within ${limit}: HubSpot's time limit`
              : `stopped after ${limit}: HubSpot's time limit (main had not answered)`;
        return resolve({ ...base, ms: run.timeoutMs, error: { kind: 'timeout', message } });
      }
      if (oom) return resolve({ ...base, error: { kind: 'out-of-memory', message: `ran out of memory: the ${FILE_HEAP_LIMIT_MB} MB heap HubSpot allows was exhausted` } });
      const ended = settledAt !== undefined ? 'the process ended after the callback, before the event loop was empty (the old runtime fails such an invocation)' : 'the process ended before main answered';
      resolve({ ...base, error: { kind: 'crash', message: `${ended} (exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}` } });
    });

    const request = {
      nonce,
      file,
      event: run.event,
      mode: run.mode,
      runtimeModules: runtimeModulePaths(run.client),
      sandbox: SANDBOX_SCRIPT,
      nockUrl: pathToFileURL(nockEntry()).href,
    };
    child.stdin!.write(`${JSON.stringify(request)}\n`);
  });
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
  const code = readFileSync(file, 'utf8');
  // HubSpot's Lambda has the action's secrets in its environment and nothing of ours; here the file gets only the
  // secrets it names, so a `.env` full of keys hands over none it does not read.
  const offered = { ...(fixture?.secrets ?? {}), ...(options.secrets ?? {}) };
  const reads = new Set(secretNamesReadBy(code));
  const env = Object.fromEntries(Object.entries(offered).filter(([k]) => reads.has(k)));
  const withheld = Object.keys(options.secrets ?? {}).filter((k) => !reads.has(k)).sort();
  const replay = fixture ? new FixtureReplay(fixture) : undefined;
  const result = await runUserCode({
    file,
    event,
    env,
    client,
    timeoutMs,
    mode: replay ? 'replay' : 'live',
    ...(replay ? { answer: (call: { method: string; url: string; body?: string }) => replay.answer(call.method, call.url, call.body) } : {}),
  });
  const report: FileRunReport = {
    file,
    client,
    nodeVersion: result.nodeVersion,
    style: result.style,
    ...(result.model ? { model: result.model, modelNote: modelNote(result.model) } : {}),
    ...(result.outputs ? { outputs: result.outputs } : {}),
    logs: result.answered ? [...result.logs, `[harness] main ${result.style === 'callback' ? 'called back with' : 'returned'} ${result.answered} — HubSpot reads data outputs from { outputFields: { … } }`] : result.logs,
    calls: result.calls,
    pending: result.pending,
    ms: result.ms,
    memoryMb: result.memoryMb,
    heapPeakMb: result.heapPeakMb,
    timeLimitMs: timeoutMs,
    heapLimitMb: FILE_HEAP_LIMIT_MB,
    problems: [],
    warnings: secretWarnings(code, env, withheld),
    isolation: { ...result.isolation, secretsGiven: Object.keys(env).sort() },
  };
  if (result.style !== 'none' && !result.outputs && !result.error) report.outputs = {};
  if (result.error) {
    // In a replay nothing leaves the machine: a refused call means the fixture holds no answer for it, which is a
    // problem of the fixture (or of the file), not something HubSpot would see.
    const miss = replay?.misses[0];
    const networkCause = miss ? `the fixture holds no recorded answer for this call (replays never touch the network): ${miss}` : result.error.networkCode ? explainNetworkCode(result.error.networkCode) : undefined;
    const verdict = miss ? { hubspotReruns: false, hubspotAction: `not judged: the run met a call the fixture does not hold — ${miss}` } : hubspotVerdict(result.error);
    report.error = { ...result.error, ...(networkCause ? { networkCause } : {}), ...verdict };
  }
  if (fixture && replay) {
    report.problems = compareOutcome(fixture, { ...(report.outputs ? { outputFields: report.outputs } : {}), ...(report.error?.status !== undefined && !replay.misses.length ? { thrownStatus: report.error.status } : {}) });
    for (const miss of replay.misses) report.problems.push(miss);
    if (report.error && report.error.status === undefined && !replay.misses.length) report.problems.push(`failed: ${report.error.message}`);
    const unused = replay.unused();
    if (unused.length) report.problems.push(`recorded calls never made: ${unused.join(', ')}`);
  }
  if (!fixture && result.recorded) {
    report.calls = result.recorded.map((call) => ({ method: call.method.toUpperCase(), url: new URL(call.path, call.scope).toString(), status: call.status }));
  }
  if (options.record) {
    const recorded = result.recorded ?? [];
    const failure = recordFailure(report, recorded.length);
    if (failure) throw new RecordFailedError(`not recorded: ${failure}; no fixture written`, report);
    const saved = fixtureFromRecording({
      description: `recorded live run of ${path.basename(file)}`,
      event: event as Record<string, unknown>,
      secrets: env,
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

export function describePending(p: PendingWork): string {
  return `line ${p.line}${p.calledFrom ? ` (called from line ${p.calledFrom})` : ''}: ${p.kinds.join(', ')} — ${p.code}`;
}

export function modelNote(model: RuntimeModel): string {
  return model === 'node24'
    ? 'Node 24 runtime: main(event) settles on its return; work still pending then is frozen and lost'
    : 'old callback runtime (main takes a callback): the answer is the first callback(...); pending work ran on until the event loop was empty';
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
