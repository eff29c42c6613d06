/**
 * A virtual clock for simulations that must cover minutes of HubSpot time in seconds of real time.
 *
 * Everything time-dependent in a run is driven from here: the FakeNetwork latency hook sleeps on it, the rate
 * limiter reads it, and the action's deadline gets its `clock`, `setTimer` and `clearTimer` (see RunOptions and
 * DeadlineOptions in lib/). Time only moves when the process is idle: `run()` lets real I/O (nock, axios) settle
 * for a few event-loop turns, then jumps to the earliest pending virtual timer.
 */
export class VirtualClock {
  private current = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now = (): number => this.current;

  setTimer = (fn: () => void, ms: number): number => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn });
    return id;
  };

  clearTimer = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  pending(): number {
    return this.timers.size;
  }

  /**
   * Advances virtual time until `done()` holds. Throws if nothing can move any more (a simulated deadlock).
   * `canAdvance`: time moves only while it holds, e.g. while no fake request is being answered (test/support/
   * virtual-time.ts), so a timer (a request's abort) never fires while real I/O is still on its way.
   */
  async run(done: () => boolean, { settleTurns = 3, canAdvance = () => true, maxWaitTurns = 100_000 }: { settleTurns?: number; canAdvance?: () => boolean; maxWaitTurns?: number } = {}): Promise<void> {
    for (let waited = 0; ; ) {
      await settle(settleTurns);
      if (done()) return;
      if (!canAdvance()) {
        waited += settleTurns;
        if (waited > maxWaitTurns) throw new Error('virtual clock: real I/O never settled');
        continue;
      }
      waited = 0;
      const next = this.earliest();
      if (!next) {
        await settle(settleTurns * 8); // slow real I/O: give it longer before calling it a deadlock
        if (done()) return;
        if (!this.earliest()) throw new Error('virtual clock: nothing left to run but the simulation is not done');
        continue;
      }
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
  }

  private earliest(): { id: number; at: number; fn: () => void } | undefined {
    let best: { id: number; at: number; fn: () => void } | undefined;
    for (const [id, t] of this.timers) if (!best || t.at < best.at || (t.at === best.at && id < best.id)) best = { id, ...t };
    return best;
  }
}

/** Lets pending real I/O callbacks and promise chains run. */
async function settle(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A seeded PRNG (mulberry32): the simulations' jitter (lib/pacing.ts, lib/http.ts) is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
