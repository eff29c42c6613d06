import { onTestFinished, vi } from 'vitest';
import { createDeadline, type Deadline, type DeadlineOptions } from '../../lib/deadline';
import { pacingRuntime } from '../../lib/pacing';
import { VirtualClock } from '../../scripts/bench/virtual-clock';
import type { FakeRequest } from '../fakes/network';

/**
 * lib/http.ts on a virtual clock, with no socket: Node's global fetch is replaced by one that answers from a handler
 * after `latencyMs` of virtual time, the deadline sleeps and aborts on the same clock, and so does the pacer. A test
 * then covers seconds or minutes of a run in a few milliseconds of real time, and nothing it asserts depends on how
 * fast the machine is (issue 23 §2: a pacing test timed out under load).
 */

export interface VirtualAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface VirtualSend {
  at: number;
  method: string;
  url: URL;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string | undefined;
}

export type VirtualHandler = (req: VirtualSend) => VirtualAnswer | Promise<VirtualAnswer>;

export interface VirtualNet {
  clock: VirtualClock;
  sends: VirtualSend[];
  deadline(options?: DeadlineOptions): Deadline;
  /** Runs `work` to its end, advancing virtual time whenever nothing else can move. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** The pacer's real clock and random, put back when the test ends. */
const REAL_PACING = { clock: pacingRuntime.clock, random: pacingRuntime.random };

/**
 * Installs the fake fetch and points the pacer at the clock, for the current test only: both are undone when it
 * finishes. Call inside a test (vitest's onTestFinished).
 */
export function virtualNet(handler: VirtualHandler, { latencyMs = 100, random = (): number => 0.5 }: { latencyMs?: number; random?: () => number } = {}): VirtualNet {
  const clock = new VirtualClock();
  const sends: VirtualSend[] = [];
  Object.assign(pacingRuntime, { clock: clock.now, random });
  onTestFinished(() => {
    vi.unstubAllGlobals();
    Object.assign(pacingRuntime, REAL_PACING);
  });
  vi.stubGlobal('fetch', async (input: string | URL, init: RequestInit = {}) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const send: VirtualSend = { at: clock.now(), method: init.method ?? 'GET', url: new URL(String(input)), headers, body: typeof init.body === 'string' ? init.body : undefined };
    sends.push(send);
    const signal = init.signal ?? undefined;
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
      if (signal?.aborted) return abort();
      const timer = clock.setTimer(() => (signal?.removeEventListener('abort', abort), resolve()), latencyMs);
      signal?.addEventListener('abort', () => (clock.clearTimer(timer), abort()), { once: true });
    });
    const answer = await handler(send);
    const text = answer.body === undefined ? null : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(text, { status: answer.status, headers: { 'content-type': 'application/json', ...(answer.headers ?? {}) } });
  });
  return {
    clock,
    sends,
    deadline: (options = {}) => createDeadline({ clock: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, ...options }),
    async run(work) {
      let done = false;
      const running = work().finally(() => (done = true));
      running.catch(() => {});
      await clock.run(() => done, { settleTurns: 1 });
      return running;
    },
  };
}

/** The request as the vendor fakes in test/fakes/ read it (their `handle(req)`), for routing a virtual send to one. */
export function asFakeRequest(send: VirtualSend): FakeRequest {
  const raw = send.body ?? '';
  let body: unknown;
  if (raw && /x-www-form-urlencoded/.test(send.headers['content-type'] ?? '')) body = Object.fromEntries(new URLSearchParams(raw));
  else if (raw) {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
  }
  return { method: send.method, origin: send.url.origin, path: `${send.url.pathname}${send.url.search}`, pathname: send.url.pathname, query: send.url.searchParams, headers: send.headers, body, rawBody: raw };
}
