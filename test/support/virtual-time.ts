import type { DeadlineOptions } from '../../lib/deadline';
import { pacingRuntime } from '../../lib/pacing';
import { VirtualClock } from '../../scripts/bench/virtual-clock';
import type { FakeNetwork } from '../fakes/network';

/**
 * Runs on a virtual clock (scripts/bench/virtual-clock.ts), so a test of a hang, a 429 wait or pacing costs no real
 * time and cannot time out on a loaded machine: the deadline's timers and clock and the pacer's clock
 * (lib/pacing.ts pacingRuntime) read virtual time, which moves only when the run is blocked on a timer.
 *
 * Time moves only while the fake network answers nothing (FakeNetwork.inFlight = 0; a hung request does not count)
 * and after SETTLE_TURNS event-loop turns, so a request's abort timer never fires while its answer is on its way
 * (nock answers in-process: a fixed number of turns, not a duration, however busy the machine).
 */
const SETTLE_TURNS = 12;

export interface VirtualTime {
  clock: VirtualClock;
  /** Deadline options on this clock: pass as RunOptions.deadline (with the budget and reserve the test wants). */
  deadline(options?: Pick<DeadlineOptions, 'budgetMs' | 'reserveMs'>): DeadlineOptions;
  /** Virtual milliseconds since this clock was made. */
  elapsed(): number;
  /** Starts `work`, moving virtual time whenever it waits on a timer, until it settles. */
  drive<T>(net: FakeNetwork, work: () => Promise<T>): Promise<T>;
}

export function virtualTime(): VirtualTime {
  const clock = new VirtualClock();
  return {
    clock,
    deadline: (options = {}) => ({ ...options, clock: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer }),
    elapsed: () => clock.now(),
    async drive(net, work) {
      const realClock = pacingRuntime.clock;
      pacingRuntime.clock = clock.now;
      let settled = false;
      const running = work().finally(() => {
        settled = true;
      });
      try {
        await clock.run(() => settled, { settleTurns: SETTLE_TURNS, canAdvance: () => net.inFlight === 0 });
      } finally {
        pacingRuntime.clock = realClock;
      }
      return running;
    },
  };
}
