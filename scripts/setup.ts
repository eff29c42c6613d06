/**
 * npm run setup [-- --apply | --plan] [--only <action>] [--verbose] [--timeout <seconds>]   (--help lists it)
 *
 * Creates the custom HubSpot properties (and one property group per integration) that the actions declare.
 * Dry run by default: lists what is missing and what exists with another definition. `--apply` creates the
 * missing ones and never changes existing ones; a second `--apply` changes nothing. `--plan` needs no token and
 * no network: it lists everything the declarations ask for, and the scopes `--apply` needs.
 * The token is HUBSPOT_ACCESS_TOKEN from the environment or the git-ignored .env; it is never printed.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { PropertyObjectType } from '../lib/properties';
import { exitWhenFlushed, formatHelp, parseCommandLine, UsageError, usageLines, type CommandSpec } from './lib-tooling/cli.mjs';
import type { ActionError } from '../lib/errors';
import { count, createToolingClient, loadActions, readAccessToken, timeoutFromArgs, toolingRedactor, type AnyAction } from './lib-tooling/common';
import { describeFailure } from './lib-tooling/network';
import { collectDeclarations, formatSetupReport, runPropertySetup, scopesFor, type SetupResult } from './lib-tooling/property-setup';
import { setupTokenStores, type TokenStoreSetup } from './lib-tooling/token-store-setup';

export const SETUP_CLI: CommandSpec = {
  command: 'npm run setup --',
  summary: 'Creates the custom HubSpot properties (and property groups) the actions write. Dry run unless --apply.',
  usage: ['[--apply] [--only <action>] [--verbose] [--timeout <seconds>]', '--plan [--only <action>]'],
  options: [
    { name: 'apply', description: 'create what is missing (never changes an existing property); without it: a dry run that only reads' },
    { name: 'plan', description: 'offline, no token: list every group and property the declarations ask for, and the scopes --apply needs' },
    { name: 'only', value: '<action>', description: 'only the properties this action declares' },
    { name: 'verbose', description: 'log every HubSpot call' },
    { name: 'timeout', value: '<seconds>', description: 'give up on a HubSpot call after this long (default 15)' },
  ],
  examples: ['npm run setup -- --plan', 'npm run setup', 'npm run setup -- --apply', 'npm run setup -- --apply --only shopify-order-sync'],
  notes: ['Token: HUBSPOT_ACCESS_TOKEN in the environment or in .env (git-ignored) — a Service Key (or an existing legacy private-app token) with the crm.schemas.* scopes --plan lists.'],
};

export interface SetupCommandOptions {
  argv: string[];
  env?: Record<string, string | undefined>;
  envFile?: string;
  baseUrl?: string;
  print?: (line: string) => void;
  actions?: AnyAction[];
}

export async function setupCommand(options: SetupCommandOptions): Promise<SetupResult & { tokenStores?: TokenStoreSetup }> {
  const print = options.print ?? ((line: string) => console.log(line));
  const args = parseCommandLine(SETUP_CLI, options.argv);
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]} (did you mean --only ${args.positionals[0]}?)`, SETUP_CLI);
  if (args.flags.has('plan') && args.flags.has('apply')) throw new UsageError('--plan only lists; --apply creates: pass one of them', SETUP_CLI);
  const apply = args.flags.has('apply');
  const actions = options.actions ?? (await loadActionsOrUsage(args.values.only));
  if (args.flags.has('plan')) {
    for (const line of formatOfflinePlan(actions)) print(line);
    return offlineResult(actions);
  }
  const objectTypes = [...new Set(collectDeclarations(actions).declared.map((d) => d.property.objectType))] as PropertyObjectType[];
  const timeoutMs = timeoutFromArgs(args.values.timeout, SETUP_CLI);
  const token = readAccessToken({
    env: options.env,
    envFile: options.envFile,
    scopes: scopesFor(objectTypes, true),
    hint: 'To see what setup would create without a token or a network, run `npm run setup -- --plan`.',
  });
  const { client } = createToolingClient({ token, baseUrl: options.baseUrl, scope: 'setup', logLevel: args.flags.has('verbose') ? 'info' : 'warn', ...(timeoutMs ? { timeoutMs } : {}) });
  print(`${apply ? 'Applying' : 'Dry run'}: custom properties for ${actions.map((a) => a.definition.name).join(', ')}`);
  const result = await runPropertySetup(client, actions, { apply });
  for (const line of formatSetupReport(result)) print(line);
  // The token store records (quickbooks-invoice): created here, never by an action (issue 21 §4).
  const tokenStores = await setupTokenStores(client, actions, result);
  for (const line of tokenStores.lines) print(line);
  return { ...result, tokenStores };
}

/** `--only nosuch` is a usage error (exit 2), like any other wrong argument. */
async function loadActionsOrUsage(only: string | undefined): Promise<AnyAction[]> {
  try {
    return await loadActions(only);
  } catch (error) {
    if ((error as ActionError)?.errorCode === 'UNKNOWN_ACTION') throw new UsageError(`--only ${only}: ${(error as Error).message}`, SETUP_CLI);
    throw error;
  }
}

function offlineResult(actions: readonly AnyAction[]): SetupResult {
  const { declared, groups, inconsistent } = collectDeclarations(actions);
  const objectTypes = [...new Set(declared.map((d) => d.property.objectType))].sort() as PropertyObjectType[];
  const planGroups = objectTypes.flatMap((objectType) =>
    [...new Set(declared.filter((d) => d.property.objectType === objectType).map((d) => d.property.groupName))].sort().map((name) => ({ objectType, group: groups.get(name) ?? { name, label: name }, exists: false })),
  );
  return { plan: { objectTypes, groups: planGroups, missing: declared, matching: [], different: [], inconsistent }, applied: false, createdGroups: [], createdProperties: [], alreadyExisted: [] };
}

/** "1 property", "3 properties". */
export { count };

/** What the declarations ask HubSpot for, read from the source alone: no token, no network. */
export function formatOfflinePlan(actions: readonly AnyAction[]): string[] {
  const { plan } = offlineResult(actions);
  if (!plan.missing.length) return ['No action declares custom properties: nothing to create.'];
  const lines = [`Plan (offline, from the declarations of ${actions.map((a) => a.definition.name).join(', ')}): what \`npm run setup -- --apply\` creates when it is missing.`, ''];
  for (const objectType of plan.objectTypes) {
    lines.push(`${objectType}:`);
    for (const g of plan.groups.filter((x) => x.objectType === objectType)) lines.push(`  group     ${g.group.name} ("${g.group.label}")`);
    for (const d of plan.missing.filter((x) => x.property.objectType === objectType)) {
      const p = d.property;
      const extras = [`${p.type}/${p.fieldType}`, `group ${p.groupName}`, ...(p.hasUniqueValue ? ['require unique values'] : []), ...(p.options?.length ? [`options ${p.options.map((o) => o.value).join(' | ')}`] : [])];
      lines.push(`  property  ${p.name} — "${p.label}" (${extras.join(', ')}) for ${d.actions.join(', ')}`);
    }
  }
  for (const problem of plan.inconsistent) lines.push(`INCONSISTENT declarations: ${problem}`);
  lines.push('', `${count(plan.missing.length, 'property', 'properties')} in ${count(plan.groups.length, 'group', 'groups')}. Scopes the Service Key needs for --apply: ${scopesFor(plan.objectTypes, true).join(', ')}`);
  lines.push('(a dry run, `npm run setup`, needs only the .read ones and shows which of these already exist)');
  // The actions' own token (the HUBSPOT_ACCESS_TOKEN secret in each custom-code action) is another key: its scopes
  // are derived from the CRM operations each action declares (lib/hubspot-scopes.ts, HubSpot's 2026-09 specs).
  const tokenScopes = actions.flatMap((a) => {
    const scopes = (a.definition.secrets?.HUBSPOT_ACCESS_TOKEN as { hubspotScopes?: string[] } | undefined)?.hubspotScopes;
    return scopes?.length ? [`  ${a.definition.name}: ${scopes.join(', ')}`] : [];
  });
  if (tokenScopes.length) lines.push('', "Scopes of each action's own HUBSPOT_ACCESS_TOKEN secret (not needed by setup):", ...tokenScopes);
  return lines;
}

/** The command as the npm script runs it: prints the outcome and says how to exit (0 ok, 1 failed, 2 wrong usage or a difference). */
export async function setupMain(argv: string[], overrides: Partial<Omit<SetupCommandOptions, 'argv'>> = {}): Promise<number> {
  // What HubSpot or a proxy sends back is printed through the actions' redactor, loaded with every token we hold.
  const redact = toolingRedactor({ env: overrides.env, envFile: overrides.envFile });
  const print = overrides.print ?? ((line: string) => console.log(line));
  const printError = (line: string) => console.error(redact(line));
  try {
    if (parseCommandLine(SETUP_CLI, argv).help) {
      console.log(formatHelp(SETUP_CLI));
      return 0;
    }
    const result = await setupCommand({ argv, ...overrides, print: (line) => print(redact(line)) });
    return result.plan.different.length || result.plan.inconsistent.length || result.tokenStores?.refused ? 2 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      printError(`${error.message}\n${usageLines(SETUP_CLI)}\n(npm run setup -- --help lists every option)`);
      return 2;
    }
    const { message, network } = describeFailure(error);
    printError(`setup failed${network ? ' — could not reach HubSpot' : ''}: ${message}`);
    return 1;
  }
}

/** Runs setupMain and exits as soon as the output is written (a hung socket must not keep the terminal waiting). */
export function runSetupCli(argv: string[], overrides: Partial<Omit<SetupCommandOptions, 'argv'>> = {}): void {
  void setupMain(argv, overrides).then(exitWhenFlushed);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runSetupCli(process.argv.slice(2));
