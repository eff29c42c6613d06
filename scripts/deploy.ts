/**
 * npm run deploy -- <action> --flow <flowId> [--action-id <id>] [--apply] [--verbose]
 *
 * Puts dist/<action>.js (npm run build) into a workflow's custom-code action, with its secrets, input fields and
 * outputs, through HubSpot's flows API (date version 2026-09-beta, lib/hubspot.ts hubspotPaths) — a BETA API (scope `automation`). Dry run by default: shows
 * the diff. `--apply` writes the whole flow back exactly as read with only that action changed, then reads it
 * again to verify. Refuses when no custom-code action matches, when it runs on an older runtime (NODE16X, NODE20X,
 * PYTHON39) or when the flow changed in between. The token (HUBSPOT_ACCESS_TOKEN, .env) is never printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../lib/errors';
import { createToolingClient, parseArgs, readAccessToken, ROOT } from './lib-tooling/common';
import { deployToFlow, FLOW_SCOPES, type DeployResult, type ManifestEntry } from './lib-tooling/flow-deploy';

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
  const args = parseArgs(options.argv, { values: ['flow', 'action-id'], flags: ['apply', 'verbose'] });
  const [name, ...extra] = args.positionals;
  if (!name || extra.length || !args.values.flow) {
    throw new ConfigError('Usage: npm run deploy -- <action> --flow <flowId> [--action-id <id>] [--apply]', { errorCode: 'INVALID_ARGUMENT' });
  }
  const dist = options.distDir ?? path.join(ROOT, 'dist');
  const manifestFile = path.join(dist, 'manifest.json');
  if (!existsSync(manifestFile)) throw new ConfigError('No dist/manifest.json: run `npm run build` first.', { errorCode: 'NOT_BUILT' });
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { actions: Array<ManifestEntry & { file: string }> };
  const entry = manifest.actions.find((a) => a.name === name);
  if (!entry) throw new ConfigError(`dist/manifest.json has no action "${name}" (built: ${manifest.actions.map((a) => a.name).join(', ')}).`, { errorCode: 'UNKNOWN_ACTION' });
  const bundle = readFileSync(path.join(dist, entry.file), 'utf8');
  const token = readAccessToken({ env: options.env, envFile: options.envFile, scopes: FLOW_SCOPES });
  const { client } = createToolingClient({ token, baseUrl: options.baseUrl, scope: 'deploy', logLevel: args.flags.has('verbose') ? 'info' : 'warn' });
  print(`${args.flags.has('apply') ? 'Deploying' : 'Dry run'}: ${name} → flow ${args.values.flow} (HubSpot flows API, beta)`);
  return deployToFlow(client, { flowId: args.values.flow, entry, bundle, actionId: args.values['action-id'], apply: args.flags.has('apply'), print });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  deployCommand({ argv: process.argv.slice(2) }).catch((error: unknown) => {
    console.error(`deploy refused: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
