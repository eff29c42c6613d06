import { DeadlineError } from './errors';

/**
 * HubSpot stops a custom-code action after 20 s (https://developers.hubspot.com/docs/api/workflows/custom-code-actions,
 * "Limitations"). A killed action throws nothing HubSpot can retry on, so we stop ourselves first: every HTTP call
 * is aborted by `budgetMs - reserveMs` and then a DeadlineError (status 504, retryable) is thrown instead.
 * Like middy's `timeoutEarlyInMillis`, the reserve leaves time to log and return.
 */
export const HUBSPOT_TIME_LIMIT_MS = 20_000;
export const DEFAULT_RESERVE_MS = 1_500;

export interface Deadline {
  /** Milliseconds left before we must have stopped working. */
  remaining(): number;
  /** Milliseconds since the action started. */
  elapsed(): number;
  /** Throws a DeadlineError when less than `neededMs` is left. */
  check(step: string, neededMs?: number): void;
  /** An AbortSignal that fires after `timeoutMs` or at the deadline, whichever is first. */
  signal(timeoutMs?: number): { signal: AbortSignal; byDeadline: () => boolean; dispose: () => void };
  /** Sleeps if the budget allows (keeping `keepMs` spare afterwards); returns false without sleeping otherwise. */
  sleep(ms: number, keepMs?: number): Promise<boolean>;
}

export interface DeadlineOptions {
  budgetMs?: number;
  reserveMs?: number;
  clock?: () => number;
  /** Defaults to global setTimeout; tests may pass fake timers. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export function createDeadline(options: DeadlineOptions = {}): Deadline {
  const clock = options.clock ?? Date.now;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const started = clock();
  const stopAt = started + (options.budgetMs ?? HUBSPOT_TIME_LIMIT_MS) - (options.reserveMs ?? DEFAULT_RESERVE_MS);
  const remaining = () => stopAt - clock();

  return {
    remaining,
    elapsed: () => clock() - started,
    check(step, neededMs = 0) {
      if (remaining() <= neededMs) {
        throw new DeadlineError(`stopped before ${step}: the action is about to run out of HubSpot's 20 s budget`);
      }
    },
    signal(timeoutMs = Number.POSITIVE_INFINITY) {
      const controller = new AbortController();
      const left = Math.max(0, remaining());
      const byDeadline = left <= timeoutMs;
      const handle = setTimer(() => controller.abort(), Math.min(left, timeoutMs));
      return { signal: controller.signal, byDeadline: () => controller.signal.aborted && byDeadline, dispose: () => clearTimer(handle) };
    },
    async sleep(ms, keepMs = 0) {
      if (remaining() - ms <= keepMs) return false;
      await new Promise((resolve) => setTimer(() => resolve(undefined), ms));
      return true;
    },
  };
}
