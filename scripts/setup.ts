/**
 * npm run setup [-- --apply] [--only <action>] [--verbose]
 *
 * Creates the custom HubSpot properties (and one property group per integration) that the actions declare.
 * Dry run by default: lists what is missing and what exists with another definition. `--apply` creates the
 * missing ones and never changes existing ones; a second `--apply` changes nothing.
 * The token is HUBSPOT_ACCESS_TOKEN from the environment or the git-ignored .env; it is never printed.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ActionError } from '../lib/errors';
import { createToolingClient, loadActions, parseArgs, readAccessToken, type AnyAction } from './lib-tooling/common';
import { collectDeclarations, formatSetupReport, runPropertySetup, scopesFor, type SetupResult } from './lib-tooling/property-setup';
import type { PropertyObjectType } from '../lib/properties';

export interface SetupCommandOptions {
  argv: string[];
  env?: Record<string, string | undefined>;
  envFile?: string;
  baseUrl?: string;
  print?: (line: string) => void;
  actions?: AnyAction[];
}

export async function setupCommand(options: SetupCommandOptions): Promise<SetupResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const args = parseArgs(options.argv, { values: ['only'], flags: ['apply', 'verbose'] });
  if (args.positionals.length) throw new Error(`Unexpected argument ${args.positionals[0]} (did you mean --only ${args.positionals[0]}?)`);
  const apply = args.flags.has('apply');
  const actions = options.actions ?? (await loadActions(args.values.only));
  const objectTypes = [...new Set(collectDeclarations(actions).declared.map((d) => d.property.objectType))] as PropertyObjectType[];
  const token = readAccessToken({ env: options.env, envFile: options.envFile, scopes: scopesFor(objectTypes, true) });
  const { client } = createToolingClient({ token, baseUrl: options.baseUrl, scope: 'setup', logLevel: args.flags.has('verbose') ? 'info' : 'warn' });
  print(`${apply ? 'Applying' : 'Dry run'}: custom properties for ${actions.map((a) => a.definition.name).join(', ')}`);
  const result = await runPropertySetup(client, actions, { apply });
  for (const line of formatSetupReport(result)) print(line);
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  setupCommand({ argv: process.argv.slice(2) }).then(
    (result) => {
      if (result.plan.different.length || result.plan.inconsistent.length) process.exitCode = 2;
    },
    (error: unknown) => {
      console.error(`setup failed: ${error instanceof ActionError || error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
