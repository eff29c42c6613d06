/**
 * Runs an action locally against a recorded fixture, the way HubSpot would run it — or any custom-code file
 * (`--file`, one written by hand or by HubSpot's AI) in the same sandbox. `npm run harness -- --help` lists it all.
 *
 * Prints outputs, log lines, each HTTP call, the duration against HubSpot's 20 s and the memory against 128 MB.
 * Exits 1 when an outcome differs from the fixture's expectation or a run fails, 2 on a wrong command line.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { clearModuleCaches } from '../lib/module-cache';
import { invoke, MEMORY_LIMIT_MB, TIME_LIMIT_MS, type Main, type RunReport } from './harness/invoke';
import { compareOutcome, fixtureDir, fixtureFromRecording, interceptFixture, listFixtures, readFixture, ROOT, type Fixture, type RecordedCall } from './harness/fixture';
import { describePending, RecordFailedError, recordFailure, runActionFile, secretNamesReadBy, type FileRunReport, type RuntimeClient } from './user-code/run-file';

export { secretNamesReadBy };
import { exitWhenFlushed, parseOrExit, UsageError, userPath, type CommandSpec } from './lib-tooling/cli.mjs';
import { count, parseDotEnv } from './lib-tooling/common';
import { describeFailure } from './lib-tooling/network';

const require = createRequire(import.meta.url);
const { loadBundle, defaultRuntimeModules } = require('./sandbox.cjs');

export const HARNESS_CLI: CommandSpec = {
  command: 'npm run harness --',
  summary: 'Runs an action — or any HubSpot custom-code file — locally the way HubSpot would, against recorded fixtures.',
  usage: [
    '<action> [case] [--bundle]',
    '--all [--bundle] [--verbose]',
    '<action> <new-case> --record --event <event.json> [--secrets <file>]',
    '--file <action.js> --event <event.json> [--secrets <file>] [--client v10|latest] [--json]',
    '--file <action.js> --fixture <fixture.json> [--event <event.json>] [--client v10|latest] [--json]',
    '--file <action.js> --event <event.json> --record [--out <fixture.json>] [--secrets <file>]',
  ],
  positionals: [
    { name: 'action', description: 'an action in actions/ (npm run harness -- --all runs them all)' },
    { name: 'case', description: 'one fixture of the action (test/actions/<action>/fixtures/<case>.json); all of them when left out' },
  ],
  options: [
    { name: 'all', description: 'replay every fixture of every action' },
    { name: 'bundle', description: 'run the built dist/<action>.js in the runtime sandbox instead of the TypeScript source' },
    { name: 'verbose', description: 'print outputs and logs of passing cases too (one action prints them anyway)' },
    { name: 'record', description: 'run live against the real APIs and save a redacted fixture; fails, writing nothing, when the live run fails' },
    { name: 'event', value: '<event.json>', description: 'the workflow event to run with ({ object: { objectId, objectType }, inputFields: { … } })' },
    { name: 'secrets', value: '<file>', description: 'KEY=value file with the secrets (default: .env); variables set in the environment win over the file' },
    { name: 'file', value: '<action.js>', description: 'run this custom-code file (exports.main, CommonJS) instead of one of our actions' },
    { name: 'fixture', value: '<fixture.json>', description: 'with --file: replay this fixture (no network); its event is used unless --event is given' },
    { name: 'out', value: '<fixture.json>', description: 'with --file --record: where to write the fixture (default: <action>.fixture.json next to the file)' },
    { name: 'client', value: '<v10|latest>', description: "with --file: the @hubspot/api-client behind require — HubSpot's documented ^10 (default) or the latest" },
    { name: 'json', description: 'with --file: print the report as JSON' },
  ],
  examples: [
    'npm run harness -- signup-onboarding',
    'npm run harness -- signup-onboarding new-contact-new-company --bundle',
    'npm run harness -- --all',
    'npm run harness -- quickbooks-invoice live-check --record --event event.json',
    'npm run harness -- --file my-action.js --fixture my-action.fixture.json',
    'npm run harness -- --file my-action.js --event event.json --record --secrets .env',
  ],
  notes: [
    '--file runs the file in a confined child process like HubSpot\'s runtime: Node 24, a 128 MB heap, a 20 s limit,',
    'only Node built-ins and the pre-installed modules (@hubspot/api-client, axios, lodash, …), no file access but its own,',
    'no child processes; --fixture replays with no network at all. Secrets: only the names the file reads (process.env.NAME,',
    'outside comments), from --secrets <file> or, without it, the environment or .env. Nothing else of your shell is passed.',
  ],
  maxPositionals: 2,
};

async function loadMain(action: string, bundle: boolean): Promise<Main> {
  if (bundle) {
    const file = path.join(ROOT, 'dist', `${action}.js`);
    if (!existsSync(file)) throw new Error(`dist/${action}.js not found: run \`npm run build\` first`);
    const { RUNTIME_MODULES } = await import('./runtime-modules.mjs');
    return loadBundle(file, { runtimeModules: defaultRuntimeModules(RUNTIME_MODULES, ROOT), resolveFrom: ROOT }).exports.main;
  }
  clearModuleCaches();
  const mod = await import(path.join(ROOT, 'actions', action, 'index.ts'));
  return mod.main as Main;
}

async function replay(action: string, name: string, bundle: boolean, verbose: boolean): Promise<boolean> {
  const fixture = readFixture(action, name);
  const main = await loadMain(action, bundle);
  const intercept = interceptFixture(fixture);
  let report: RunReport;
  try {
    report = await invoke(main, fixture.event, fixture.secrets);
  } finally {
    intercept.done();
  }
  const problems = compareOutcome(fixture, report);
  const unused = intercept.pending();
  if (unused.length) problems.push(`recorded calls never made: ${unused.join(', ')}`);
  const ok = problems.length === 0;
  console.log(`\n${ok ? 'PASS' : 'FAIL'} ${action}/${name}${bundle ? ' (bundle)' : ''} — ${fixture.description}`);
  if (verbose || !ok) {
    console.log('  outputs:', report.outputFields ? JSON.stringify(report.outputFields) : `threw (status ${report.thrownStatus}): ${report.thrownMessage}`);
    console.log('  logs:');
    for (const line of report.logs) console.log(`    ${line}`);
  }
  console.log('  http:');
  for (const c of intercept.calls) console.log(`    ${c.method} ${c.url} → ${c.status}`);
  console.log(`  time: ${report.ms.toFixed(0)} ms of ${TIME_LIMIT_MS / 1000} s · peak heap added by the run: ${report.peakMb.toFixed(1)} MB of ${MEMORY_LIMIT_MB} MB`);
  for (const p of problems) console.log(`  ✗ ${p}`);
  return ok;
}

/** Secrets for a live run: the file's KEY=value lines, overridden by the same names in the environment. */
export function readSecrets(names: readonly string[] | 'all', options: { file?: string; env?: Record<string, string | undefined> } = {}): Record<string, string> {
  const env = options.env ?? process.env;
  const file = options.file ?? path.join(ROOT, '.env');
  if (options.file && !existsSync(options.file)) throw new UsageError(`--secrets ${options.file}: no such file`, HARNESS_CLI);
  const fromFile = existsSync(file) ? parseDotEnv(readFileSync(file, 'utf8')) : {};
  const wanted = names === 'all' ? Object.keys(fromFile) : names;
  const out: Record<string, string> = {};
  for (const name of wanted) {
    const value = env[name]?.trim() || fromFile[name];
    if (value) out[name] = value;
  }
  return out;
}

function readEvent(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new UsageError(`--event ${file}: no such file`, HARNESS_CLI);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--event ${file} is not JSON: ${(error as Error).message}`, HARNESS_CLI);
  }
}

async function record(action: string, name: string, eventFile: string, secretsFile: string | undefined): Promise<boolean> {
  const mod = await import(path.join(ROOT, 'actions', action, 'index.ts'));
  const secrets = readSecrets(Object.keys(mod.action.definition.secrets), { file: secretsFile });
  const event = readEvent(eventFile);
  nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: false });
  let report: RunReport;
  try {
    report = await invoke(mod.main, event, secrets);
  } finally {
    nock.restore();
  }
  const recorded = nock.recorder.play() as unknown as RecordedCall[];
  nock.recorder.clear();
  const thrown = report.thrownMessage !== undefined ? describeFailure(new Error(report.thrownMessage)) : undefined;
  const failure = recordFailure({ ...(report.outputFields ? { outputs: report.outputFields } : {}), ...(thrown ? { error: { kind: 'thrown', message: thrown.message, hubspotReruns: false, hubspotAction: '' } } : {}) }, recorded.length);
  if (failure) {
    console.error(`not recorded: ${failure}`);
    const missing = Object.keys(mod.action.definition.secrets).filter((k) => !secrets[k]);
    if (missing.length) console.error(`  secrets not found in the environment or ${secretsFile ?? '.env'}: ${missing.join(', ')}`);
    for (const line of report.logs) console.error(`    ${line}`);
    console.error('No fixture written.');
    return false;
  }
  const fixture: Fixture = fixtureFromRecording({
    description: `recorded live run of ${action}`,
    event,
    secrets,
    recorded,
    outcome: report.thrownStatus !== undefined ? { throws: { status: report.thrownStatus } } : { outputFields: report.outputFields ?? {} },
  });
  mkdirSync(fixtureDir(action), { recursive: true });
  const file = path.join(fixtureDir(action), `${name}.json`);
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`recorded ${count(recorded.length, 'call', 'calls')} into ${path.relative(ROOT, file)} (secrets and tokens redacted)`);
  return true;
}

/** A path as the user would type it: relative to where they ran the command. */
const shown = (file: string) => path.relative(process.env.INIT_CWD ?? process.cwd(), file) || file;

export function formatFileReport(report: FileRunReport, mode: { fixture?: string }): string[] {
  const ok = report.problems.length === 0 && (mode.fixture ? true : !report.error);
  const verdict = mode.fixture ? (ok ? 'PASS' : 'FAIL') : report.error ? 'FAILED' : 'RAN';
  const lines = [`${verdict} ${shown(report.file)}${mode.fixture ? ` — replay of ${shown(mode.fixture)}` : ' — live run'} (@hubspot/api-client ${report.client}, Node ${report.nodeVersion})`];
  if (report.modelNote) lines.push(`  runtime: ${report.modelNote}`);
  if (report.outputs) lines.push(`  outputs (${report.style === 'callback' ? 'via callback' : 'returned'}): ${JSON.stringify(report.outputs)}`);
  if (report.error) {
    const at = report.error.location ? `${shown(report.file)}:${report.error.location.line}${report.error.location.column ? `:${report.error.location.column}` : ''}: ` : '';
    lines.push(`  error: ${at}${report.error.status !== undefined ? `status ${report.error.status} — ` : ''}${report.error.message.split('\n')[0]}`);
    for (const frame of (report.error.frames ?? []).slice(0, 5)) lines.push(`    ${frame}`);
    if (report.error.networkCode) lines.push(`  likely cause (${report.error.networkCode}): ${report.error.networkCause ?? 'network failure'}`);
    lines.push(`  → ${report.error.hubspotAction}`);
  }
  lines.push('  logs:', ...(report.logs.length ? report.logs.flatMap((l) => l.split('\n')).map((l) => `    ${l}`) : ['    (none)']));
  lines.push('  http:', ...(report.calls.length ? report.calls.map((c) => `    ${c.method} ${c.url} → ${c.status}${c.afterCallback ? ' (after the callback: the old runtime waited for it; lost on Node 24)' : ''}`) : ['    (none)']));
  if (report.pending.length) lines.push(`  pending when main answered (${report.model === 'callback' && report.style === 'callback' ? 'kept running on the old runtime; lost on Node 24' : 'frozen and lost on Node 24'}):`, ...report.pending.map((p) => `    ${describePending(p)}`));
  lines.push(`  time: ${report.ms} ms of ${report.timeLimitMs / 1000} s · heap added by the run: ${report.memoryMb.toFixed(1)} MB (process peak ${report.heapPeakMb.toFixed(1)} MB of ${report.heapLimitMb} MB)`);
  for (const p of report.problems) lines.push(`  ✗ ${p}`);
  for (const w of report.warnings) lines.push(`  ! ${w}`);
  if (report.recorded) lines.push(`recorded ${count(report.recorded.calls, 'call', 'calls')} into ${shown(report.recorded.file)} (secrets and tokens redacted)`);
  return lines;
}

async function runFile(file: string, args: { values: Record<string, string>; flags: Set<string> }): Promise<number> {
  const { values, flags } = args;
  if (!existsSync(file)) throw new UsageError(`--file ${file}: no such file`, HARNESS_CLI);
  const client = (values.client ?? 'v10') as RuntimeClient;
  if (client !== 'v10' && client !== 'latest') throw new UsageError(`--client ${values.client}: use v10 (HubSpot's documented version) or latest`, HARNESS_CLI);
  if (flags.has('record') && values.fixture) throw new UsageError('--record makes a fixture and --fixture replays one: pass one of them', HARNESS_CLI);
  if (!values.event && !values.fixture) throw new UsageError('--file needs --event <event.json> (or --fixture <fixture.json>, which holds one)', HARNESS_CLI);
  if (values.out && !flags.has('record')) throw new UsageError('--out names the fixture --record writes: add --record', HARNESS_CLI);
  for (const flag of ['all', 'bundle'] as const) if (flags.has(flag)) throw new UsageError(`--${flag} is for our actions, not --file`, HARNESS_CLI);
  // Only the secrets the file reads (outside comments) are even read from --secrets / .env: a deploy key sitting in
  // .env never reaches a file that does not name it.
  const secrets = values.fixture && !values.secrets ? {} : readSecrets(secretNamesReadBy(readFileSync(file, 'utf8')), { file: values.secrets });
  const out = flags.has('record') ? (values.out ?? file.replace(/(\.[cm]?js)?$/, '.fixture.json')) : undefined;
  let report: FileRunReport;
  try {
    report = await runActionFile({ file, ...(values.event ? { event: readEvent(values.event) } : {}), secrets, ...(values.fixture ? { fixture: values.fixture } : {}), ...(out ? { record: out } : {}), client });
  } catch (error) {
    if (!(error instanceof RecordFailedError)) throw error;
    if (flags.has('json')) console.log(JSON.stringify(error.report, null, 2));
    else for (const line of formatFileReport(error.report, {})) console.log(line);
    console.error(`\n${error.message}`);
    return 1;
  }
  if (flags.has('json')) console.log(JSON.stringify(report, null, 2));
  else for (const line of formatFileReport(report, { ...(values.fixture ? { fixture: values.fixture } : {}) })) console.log(line);
  return report.problems.length || (!values.fixture && report.error) ? 1 : 0;
}

/** Where the actions and their fixtures come from (tests swap them for an action without fixtures). */
export interface HarnessSources {
  listActions(): string[];
  listFixtures(action: string): string[];
}

export async function harnessCommand(argv: string[], sources?: HarnessSources): Promise<number> {
  const args = parseOrExit(HARNESS_CLI, argv);
  const { flags, positionals } = args;
  const values = Object.fromEntries(Object.entries(args.values).map(([k, v]) => [k, ['file', 'event', 'fixture', 'out', 'secrets'].includes(k) ? userPath(v) : v]));
  if (values.file) {
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]} with --file${flags.has('record') ? ` (to name the recording: --out ${positionals[0]})` : ''}`, HARNESS_CLI);
    return runFile(values.file, { values, flags });
  }
  for (const name of ['fixture', 'out', 'client'] as const) if (values[name]) throw new UsageError(`--${name} goes with --file`, HARNESS_CLI);
  if (flags.has('json')) throw new UsageError('--json goes with --file', HARNESS_CLI);
  const { listActions: listBuilt } = await import('./build.mjs');
  const { listActions, listFixtures: fixturesOf } = sources ?? { listActions: listBuilt as () => string[], listFixtures };
  const known: string[] = listActions();
  const bundle = flags.has('bundle');
  if (flags.has('record')) {
    const [action, name] = positionals;
    if (!action || !name || !values.event) throw new UsageError('--record needs <action> <new-case> --event <event.json>', HARNESS_CLI);
    if (bundle || flags.has('all')) throw new UsageError('--record runs one action from source: leave out --bundle and --all', HARNESS_CLI);
    if (!known.includes(action)) throw new UsageError(`unknown action "${action}"; actions: ${known.join(', ')}`, HARNESS_CLI);
    return (await record(action, name, values.event, values.secrets)) ? 0 : 1;
  }
  if (values.event || values.secrets) throw new UsageError(`--${values.event ? 'event' : 'secrets'} goes with --record or --file`, HARNESS_CLI);
  if (flags.has('all') && positionals.length) throw new UsageError('--all runs every action: leave out the action name', HARNESS_CLI);
  const actions: string[] = flags.has('all') ? known : positionals.slice(0, 1);
  if (!actions.length) throw new UsageError(`name an action (${known.join(', ')}), or --all`, HARNESS_CLI);
  for (const action of actions) if (!known.includes(action)) throw new UsageError(`unknown action "${action}"; actions: ${known.join(', ')}`, HARNESS_CLI);
  let failed = 0;
  let total = 0;
  for (const action of actions) {
    const cases = fixturesOf(action);
    const relDir = path.relative(ROOT, fixtureDir(action));
    if (!cases.length) {
      console.error(`\n${action} has no fixtures in ${relDir}/: make them with \`npm run fixtures -- ${action}\` or record one (--record)`);
      failed += 1;
      total += 1;
      continue;
    }
    const wanted = positionals[1];
    if (wanted && !cases.includes(wanted)) {
      console.error(`${action} has no fixture "${wanted}" (${relDir}/${wanted}.json). Its cases:\n${cases.map((c) => `  ${c}`).join('\n')}`);
      return 2;
    }
    for (const name of wanted ? [wanted] : cases) {
      total += 1;
      if (!(await replay(action, name, bundle, flags.has('verbose') || !flags.has('all')))) failed += 1;
    }
  }
  console.log(`\n${total - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  harnessCommand(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n(npm run harness -- --help lists every option)`);
      exitWhenFlushed(2);
      return;
    }
    console.error(`harness: ${describeFailure(error).message}`);
    exitWhenFlushed(1);
  });
}
