/** Runs an action's `main` like HubSpot's Lambda: secrets as env vars, console captured, time and memory taken. */

export const TIME_LIMIT_MS = 20_000;
export const MEMORY_LIMIT_MB = 128;

/** Our bundles' `exports.main`: the event in, the outputs returned (Node 24 has no callback-style handlers). */
export type Main = (event: unknown) => Promise<{ outputFields: Record<string, unknown> }>;

export interface RunReport {
  outputFields?: Record<string, unknown>;
  thrownStatus?: number;
  thrownMessage?: string;
  logs: string[];
  ms: number;
  peakMb: number;
}

/** Runs `main` with the given secrets as env vars and console captured, like HubSpot's Lambda does. */
export async function invoke(main: Main, event: unknown, secrets: Record<string, string>): Promise<RunReport> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(secrets)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const logs: string[] = [];
  const { log, error, warn } = console;
  console.log = (...args: unknown[]) => logs.push(args.map(String).join(' '));
  console.error = console.log;
  console.warn = console.log;
  const started = performance.now();
  // The harness process itself (tsx, nock) weighs ~100 MB; what the action adds is what counts against 128 MB.
  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 2);
  try {
    const result = await main(event);
    return { outputFields: result.outputFields, logs, ms: performance.now() - started, peakMb: Math.max(peakHeap, process.memoryUsage().heapUsed) / 2 ** 20 - baseHeap / 2 ** 20 };
  } catch (thrown) {
    const e = thrown as { response?: { status?: number }; message?: string };
    return { thrownStatus: e.response?.status, thrownMessage: e.message, logs, ms: performance.now() - started, peakMb: Math.max(peakHeap, process.memoryUsage().heapUsed) / 2 ** 20 - baseHeap / 2 ** 20 };
  } finally {
    clearInterval(sampler);
    Object.assign(console, { log, error, warn });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

