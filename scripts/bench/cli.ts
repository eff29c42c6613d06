/**
 * `npm run bench` arguments. Imported first by scripts/bench.ts: each flag sets the BENCH_* environment variable of
 * the same name, and scripts/bench/scale.ts reads those when it loads.
 */
import { parseOrExit, usageLines, type CommandSpec } from '../lib-tooling/cli.mjs';

export const BENCH_CLI: CommandSpec = {
  command: 'npm run bench --',
  summary: 'Measures every action (bundle bytes, cold load, API calls per path, a rate-limit simulation) next to the original snippets it replaces. Writes bench/out/ (git-ignored): results.md, results.json, charts/<action>.svg.',
  usage: ['[--update] [--only <a,b>] [--cold-samples <n>] [--enrollments <n>] [--burst <190|100>] [--no-pacing] [--no-scale] [--debug]'],
  options: [
    { name: 'update', description: 'also write the committed copies: bench/README.md (between the RESULTS markers), bench/results.json, bench/charts/' },
    { name: 'only', value: '<a,b>', description: 'only these actions (comma-separated); same as BENCH_ONLY=a,b' },
    { name: 'cold-samples', value: '<n>', description: 'interleaved cold-load rounds, one fresh Node process per bundle and baseline each (default 15; BENCH_COLD_SAMPLES)' },
    { name: 'enrollments', value: '<n>', description: 'enrollments in the rate-limit simulation (default 1000; BENCH_ENROLLMENTS)' },
    { name: 'burst', value: '<190|100>', description: "HubSpot's per-app limit per 10 s: 190 (Professional/Enterprise, default) or 100 (Starter); BENCH_BURST" },
    { name: 'no-pacing', description: 'simulate without lib/pacing.ts (what the code did before pacing); BENCH_PACING=0' },
    { name: 'no-scale', description: 'skip the rate-limit simulation (BENCH_SCALE=0)' },
    { name: 'debug', description: "print the log of every simulated run HubSpot would re-run, with why it threw (BENCH_DEBUG=1)" },
  ],
  notes: [`Builds dist/ first and installs bench/package.json (the original snippets' SDKs) into bench/node_modules — only when it does not match bench/package-lock.json; --help installs nothing. Takes about 2½ minutes on 2 cores. Exit status 1 when a shipped bundle's cold load is over 0.1× @hubspot/api-client's or 50× an empty bundle's (medians of per-round ratios, interleaved in one run).`],
  maxPositionals: 0,
};

// The flags are the environment variables' long names: set them before the settings below are read.
const { values: BENCH_VALUES, flags: BENCH_FLAGS } = parseOrExit(BENCH_CLI, process.argv.slice(2));
{
  const count = (name: string, value: string) => {
    if (!/^\d+$/.test(value)) {
      process.stderr.write(`--${name} ${value}: give a whole number\n${usageLines(BENCH_CLI)}\n`);
      process.exit(2);
    }
    return value;
  };
  if (BENCH_VALUES.only) process.env.BENCH_ONLY = BENCH_VALUES.only;
  if (BENCH_VALUES['cold-samples']) process.env.BENCH_COLD_SAMPLES = count('cold-samples', BENCH_VALUES['cold-samples']);
  if (BENCH_VALUES.enrollments) process.env.BENCH_ENROLLMENTS = count('enrollments', BENCH_VALUES.enrollments);
  if (BENCH_VALUES.burst) process.env.BENCH_BURST = count('burst', BENCH_VALUES.burst);
  if (BENCH_FLAGS.has('no-pacing')) process.env.BENCH_PACING = '0';
  if (BENCH_FLAGS.has('no-scale')) process.env.BENCH_SCALE = '0';
  if (BENCH_FLAGS.has('debug')) process.env.BENCH_DEBUG = '1';
}
export const UPDATE = BENCH_FLAGS.has('update');