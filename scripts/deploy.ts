/**
 * npm run deploy -- <action> --flow <flowId> [--action-id <id>] [--apply] [--verbose] [--timeout <seconds>]
 *
 * Puts dist/<action>.js (npm run build) into a workflow's custom-code action, with its secrets, input fields and
 * outputs, through HubSpot's flows API (date version 2026-09-beta, lib/hubspot.ts hubspotPaths) — a BETA API (scope `automation`). Dry run by default: shows
 * the diff. `--apply` writes the whole flow back exactly as read with only that action changed, then reads it
 * again to verify. Refuses when no custom-code action matches, when it runs on an older runtime (NODE16X, NODE20X,
 * PYTHON39), when dist/<action>.js is not the file the build wrote (sha256 in dist/manifest.json) or when the flow
 * changed in between. The token (HUBSPOT_DEPLOY_TOKEN or HUBSPOT_ACCESS_TOKEN, .env) is never printed, and every
 * message HubSpot (or a proxy) sends back is printed through the actions' redactor.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActionError, ConfigError } from '../lib/errors';
import { exitWhenFlushed, formatHelp, parseCommandLine, UsageError, usageLines, type CommandSpec } from './lib-tooling/cli.mjs';
import { createToolingClient, readAccessToken, ROOT, scopeList, timeoutFromArgs, toolingRedactor } from './lib-tooling/common';
import { DEPLOY_TOKEN_NAMES, DEPLOY_TOKEN_WHERE, deployToFlow, FLOW_SCOPES, type DeployResult, type ManifestEntry } from './lib-tooling/flow-deploy';
import { describeFailure } from './lib-tooling/network';

export const DEPLOY_CLI: CommandSpec = {
  command: 'npm run deploy --',
  summary: "Puts dist/<action>.js into a workflow's custom-code action (HubSpot flows API, date version 2026-09-beta). Dry run unless --apply.",
  usage: ['<action> --flow <flowId> [--action-id <id>] [--apply] [--verbose] [--timeout <seconds>]'],
  positionals: [{ name: 'action', description: 'an action built into dist/ (npm run build)' }],
  options: [
    { name: 'flow', value: '<flowId>', description: "the workflow's id (the number in its HubSpot URL)" },
    { name: 'action-id', value: '<id>', description: 'which custom-code action of the flow, when it has several' },
    { name: 'apply', description: 'write the change (then read the flow again to verify); without it: show the diff only' },
    { name: 'verbose', description: 'log every HubSpot call' },
    { name: 'timeout', value: '<seconds>', description: 'give up on a HubSpot call after this long (default 15)' },
  ],
  examples: ['npm run deploy -- signup-onboarding --flow 123456789', 'npm run deploy -- signup-onboarding --flow 123456789 --apply'],
  notes: [
    `Token: ${DEPLOY_TOKEN_NAMES.join(' (else ')}) in the environment or in .env (git-ignored), with ${scopeList(FLOW_SCOPES)}. ${DEPLOY_TOKEN_WHERE}`,
    'Deploys only the dist/<action>.js that `npm run build` wrote: a file whose sha256 differs from dist/manifest.json is refused.',
  ],
  maxPositionals: 1,
};

export interface DeployCommandOptions {
  argv: string[];
  env?: Record<string, string | undefined>;
  envFile?: string;
  baseUrl?: string;
  distDir?: string;
  print?: (line: string) => void;
}

export async function deployCommand(options: DeployCommandOptions): Promise<DeployResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const args = parseCommandLine(DEPLOY_CLI, options.argv);
  const [name] = args.positionals;
  const flowId = args.values.flow;
  if (!name || !flowId) throw new UsageError(`${name ? '--flow <flowId> is missing' : 'name the action to deploy'}`, DEPLOY_CLI);
  // A flow id is the number in the workflow's URL: anything else is a usage error, found before any token or call.
  if (!/^\d{1,20}$/.test(flowId)) throw new UsageError(`--flow ${flowId}: give the workflow's numeric id (the number in its HubSpot URL), e.g. --flow 585051946`, DEPLOY_CLI);
  const timeoutMs = timeoutFromArgs(args.values.timeout, DEPLOY_CLI);
  const dist = options.distDir ?? path.join(ROOT, 'dist');
  const manifestFile = path.join(dist, 'manifest.json');
  if (!existsSync(manifestFile)) throw new ConfigError('No dist/manifest.json: run `npm run build` first.', { errorCode: 'NOT_BUILT' });
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { actions: Array<ManifestEntry & { file: string; sha256?: string }> };
  const entry = manifest.actions.find((a) => a.name === name);
  if (!entry) throw new UsageError(`dist/manifest.json has no action "${name}" (built: ${manifest.actions.map((a) => a.name).join(', ')}).`, DEPLOY_CLI);
  const bundle = readBuiltBundle(dist, entry);
  const token = readAccessToken({
    env: options.env,
    envFile: options.envFile,
    scopes: FLOW_SCOPES,
    names: DEPLOY_TOKEN_NAMES,
    placeholder: '<app access token>',
    missing: `It needs ${scopeList(FLOW_SCOPES)}. ${DEPLOY_TOKEN_WHERE}`,
  });
  const { client } = createToolingClient({ token, baseUrl: options.baseUrl, scope: 'deploy', logLevel: args.flags.has('verbose') ? 'info' : 'warn', ...(timeoutMs ? { timeoutMs } : {}) });
  print(`${args.flags.has('apply') ? 'Deploying' : 'Dry run'}: ${name} → flow ${flowId} (HubSpot flows API, beta)`);
  return deployToFlow(client, { flowId: flowId, entry, bundle, actionId: args.values['action-id'], apply: args.flags.has('apply'), print });
}

/**
 * dist/<action>.js exactly as `npm run build` wrote it: its sha256 must be the manifest's. Anything run in the
 * repository (a user's file under the harness, verify or upgrade) could otherwise change what gets deployed.
 */
export function readBuiltBundle(dist: string, entry: { name: string; file: string; sha256?: string }): string {
  const file = path.join(dist, entry.file);
  if (!existsSync(file)) throw new ConfigError(`dist/${entry.file} is missing: run \`npm run build\` again.`, { errorCode: 'NOT_BUILT' });
  const bytes = readFileSync(file);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (!entry.sha256 || actual !== entry.sha256) {
    throw new ConfigError(
      `dist/${entry.file} is not the file the build wrote (sha256 ${actual.slice(0, 12)}…, dist/manifest.json says ${entry.sha256 ? `${entry.sha256.slice(0, 12)}…` : 'nothing'}): it changed after \`npm run build\`. Nothing was deployed; run \`npm run build\` and deploy again.`,
      { errorCode: 'BUNDLE_MODIFIED' },
    );
  }
  return bytes.toString('utf8');
}

/** Failures found before HubSpot was contacted: nothing was asked, so nothing was "refused". */
const LOCAL_FAILURES = new Set(['MISSING_TOKEN', 'NOT_BUILT', 'BUNDLE_MODIFIED', 'UNKNOWN_ACTION']);

/**
 * How a failed deploy is worded: "stopped before contacting HubSpot" for a local precondition (no token, no build,
 * a modified bundle); "refused" only when we (after reading the flow) or HubSpot (with a 4xx) said no; a network
 * failure or a 429/5xx is "failed", with the likely cause — nothing was decided about the deploy itself.
 */
export function deployFailureLine(error: unknown): string {
  const { message, network } = describeFailure(error);
  if (network) return `deploy failed — could not reach HubSpot: ${message}`;
  const status = error instanceof ActionError ? error.httpStatus : undefined;
  if (error instanceof ActionError && error.kind === 'retryable') return `deploy failed — HubSpot did not answer normally${status ? ` (${status})` : ''}; nothing was changed, try again later: ${message}`;
  if (error instanceof ActionError && status === undefined && LOCAL_FAILURES.has(error.errorCode ?? '')) return `deploy stopped before contacting HubSpot: ${message}`;
  if (error instanceof ActionError) return `deploy refused: ${message}`;
  return `deploy failed: ${message}`;
}

/** The command as the npm script runs it: prints the outcome and returns the exit code (0 ok, 1 failed, 2 usage). */
export async function deployMain(argv: string[], overrides: Partial<Omit<DeployCommandOptions, 'argv'>> = {}): Promise<number> {
  // What HubSpot or a proxy sends back is printed through the actions' redactor, loaded with every token we hold.
  const redact = toolingRedactor({ env: overrides.env, envFile: overrides.envFile });
  const print = overrides.print ?? ((line: string) => console.log(line));
  const printError = (line: string) => console.error(redact(line));
  try {
    if (parseCommandLine(DEPLOY_CLI, argv).help) {
      console.log(formatHelp(DEPLOY_CLI));
      return 0;
    }
    await deployCommand({ argv, ...overrides, print: (line) => print(redact(line)) });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      printError(`${error.message}\n${usageLines(DEPLOY_CLI)}\n(npm run deploy -- --help lists every option)`);
      return 2;
    }
    printError(deployFailureLine(error));
    return 1;
  }
}

/** Runs deployMain and exits as soon as the output is written (a hung socket must not keep the terminal waiting). */
export function runDeployCli(argv: string[], overrides: Partial<Omit<DeployCommandOptions, 'argv'>> = {}): void {
  void deployMain(argv, overrides).then(exitWhenFlushed);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runDeployCli(process.argv.slice(2));
