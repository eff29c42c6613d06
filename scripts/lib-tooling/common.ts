import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action } from '../../lib/action';
import { createDeadline } from '../../lib/deadline';
import { ConfigError } from '../../lib/errors';
import { checkHubSpotApiVersion, hubspotApiVersion } from '../../lib/hubspot';
import { createServiceClient, type ServiceClient, type VendorErrorDetails } from '../../lib/http';
import { createLogger, Redactor, type LogLevel, type Logger } from '../../lib/logger';
import { UsageError, type CommandSpec } from './cli.mjs';

/**
 * What setup, guide and deploy share: the repository root, the list of actions (whatever actions/*\/index.ts
 * export an `action` — never a hard-coded list), the access token from a git-ignored .env, and a HubSpot client
 * built on the same request function the actions use (lib/http.ts), so failures are classified the same way.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HUBSPOT_API = 'https://api.hubapi.com';

export type AnyAction = Action<any, any, any, any>;

/**
 * The HubSpot date version `npm run setup` and `npm run deploy` call: the same pin the bundles are built with
 * (`"hubspot": { "apiVersion": … }` in actions.config.json, scripts/build.mjs), else the default.
 */
export function configuredHubSpotApiVersion(configFile = path.join(ROOT, 'actions.config.json')): string {
  if (!existsSync(configFile)) return hubspotApiVersion();
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { hubspot?: { apiVersion?: unknown } };
  const pinned = config.hubspot?.apiVersion;
  return pinned === undefined || pinned === '' ? hubspotApiVersion() : checkHubSpotApiVersion(pinned, `hubspot.apiVersion in ${path.basename(configFile)}`);
}

interface BuildModule {
  listActions(): string[];
}

/** scripts/build.mjs is plain JavaScript without type declarations; import it by URL and give it its one type. */
export async function listActionNames(): Promise<string[]> {
  const build = (await import(new URL('../build.mjs', import.meta.url).href)) as BuildModule;
  return build.listActions();
}

/** Imports every action's TypeScript source (tsx) and returns its declaration, sorted by name. */
export async function loadActions(only?: string): Promise<AnyAction[]> {
  const names = await listActionNames();
  if (only !== undefined && !names.includes(only)) {
    throw new ConfigError(`No action named "${only}". Known actions: ${names.join(', ') || '(none)'}`, { errorCode: 'UNKNOWN_ACTION' });
  }
  const actions: AnyAction[] = [];
  for (const name of only === undefined ? names : [only]) {
    const mod = (await import(new URL(`../../actions/${name}/index.ts`, import.meta.url).href)) as { action?: AnyAction };
    if (!mod.action?.definition) throw new ConfigError(`actions/${name}/index.ts does not export an \`action\``, { errorCode: 'INVALID_ACTION' });
    actions.push(mod.action);
  }
  return actions;
}

/** Parses KEY=value lines of a .env file (no dotenv dependency): comments, `export`, single or double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1] as string;
    let value = (match[2] as string).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[key] = value;
  }
  return out;
}

/** "the scope automation", "the scopes a, b". */
/** "1 call", "2 calls": a count with its noun in the right number. */
export const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const scopeList = (scopes: readonly string[]) => `${scopes.length === 1 ? 'the scope' : 'the scopes'} ${scopes.join(', ')}`;

/**
 * The token from the first of `names` (default HUBSPOT_ACCESS_TOKEN) set in the environment, else in .env at the
 * repository root (.gitignore lists .env). Throws a ConfigError naming the scopes to grant when there is none (plus
 * `hint`, e.g. the offline alternative); the token itself is never printed.
 */
export function readAccessToken(options: { env?: Record<string, string | undefined>; envFile?: string; scopes: readonly string[]; names?: readonly string[]; placeholder?: string; missing?: string; hint?: string }): string {
  const env = options.env ?? process.env;
  const file = options.envFile ?? path.join(ROOT, '.env');
  const names = options.names ?? ['HUBSPOT_ACCESS_TOKEN'];
  const dotEnv = existsSync(file) ? parseDotEnv(readFileSync(file, 'utf8')) : {};
  const token = names.map((n) => env[n]?.trim()).find(Boolean) ?? names.map((n) => dotEnv[n]?.trim()).find(Boolean);
  if (!token) {
    throw new ConfigError(
      `No ${names.join(' or ')}: put ${names[0]}=${options.placeholder ?? '<service key>'} in ${path.relative(ROOT, file) || file} (git-ignored) or the environment. ` +
        (options.missing ?? `Create the key in HubSpot → Development → Keys → Service keys with ${scopeList(options.scopes)} (an existing legacy private-app token with ${options.scopes.length === 1 ? 'that scope' : 'those scopes'} works too).`) +
        (options.hint ? ` ${options.hint}` : ''),
      { errorCode: 'MISSING_TOKEN' },
    );
  }
  return token;
}

/**
 * The redactor the actions use (lib/logger.ts), loaded with every credential the tooling may hold: the token
 * variables of the environment and every value of .env. Vendor and proxy messages are printed through it, since a
 * proxy may echo the request ("… you sent authorization=Bearer pat-na1-…"), in any encoding the redactor knows.
 */
export function toolingRedactor(options: { env?: Record<string, string | undefined>; envFile?: string } = {}): (text: string) => string {
  const env = options.env ?? process.env;
  const file = options.envFile ?? path.join(ROOT, '.env');
  const fromEnv = Object.entries(env).filter(([k]) => /^HUBSPOT_.*(TOKEN|KEY)$/.test(k)).map(([, v]) => v);
  const fromFile = existsSync(file) ? Object.values(parseDotEnv(readFileSync(file, 'utf8'))) : [];
  const redactor = new Redactor([...fromEnv, ...fromFile]);
  return (text) => redactor.redact(text);
}

/** HubSpot's error body: { status: "error", message, correlationId, category, errors?: [{ context: { requiredGranularScopes } }] }. */
export function describeHubSpotError(_status: number, data: unknown): VendorErrorDetails {
  if (!data || typeof data !== 'object') return {};
  const body = data as { message?: unknown; category?: unknown; errors?: Array<{ context?: { requiredGranularScopes?: unknown } }> };
  const scopes = (body.errors ?? []).flatMap((e) => (Array.isArray(e?.context?.requiredGranularScopes) ? e.context.requiredGranularScopes : [])).filter((s): s is string => typeof s === 'string');
  const message = typeof body.message === 'string' ? body.message : undefined;
  return {
    ...(message || scopes.length ? { message: `${message ?? ''}${scopes.length ? ` (required scopes: ${[...new Set(scopes)].join(', ')})` : ''}`.trim() } : {}),
    ...(typeof body.category === 'string' ? { code: body.category } : {}),
  };
}

export interface ToolingClientOptions {
  token: string;
  /** Defaults to https://api.hubapi.com (tests point it at the fake). */
  baseUrl?: string;
  logLevel?: LogLevel;
  logSink?: (line: string) => void;
  scope: string;
  /** Per-call limit (default 15 s): HubSpot answers these reads in well under a second, and a silent proxy must not stall the command for long. */
  timeoutMs?: number;
}

export const TOOLING_TIMEOUT_MS = 15_000;

/** `--timeout <seconds>` → milliseconds (undefined when not given); a non-positive or non-numeric value is a usage error. */
export function timeoutFromArgs(value: string | undefined, spec: CommandSpec): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout ${value}: give a number of seconds, e.g. --timeout 30`, spec);
  return seconds * 1000;
}

/** A HubSpot client for the tooling: the action's request function, a 120 s budget, 15 s per call, the token redacted. */
export function createToolingClient(options: ToolingClientOptions): { client: ServiceClient; log: Logger } {
  const log = createLogger({
    scope: options.scope,
    secrets: [options.token],
    level: options.logLevel ?? 'warn',
    sink: options.logSink ?? ((line) => console.error(line)),
  });
  const deadline = createDeadline({ budgetMs: 120_000 });
  const client = createServiceClient({
    service: 'hubspot',
    baseUrl: options.baseUrl ?? HUBSPOT_API,
    log,
    deadline,
    auth: () => ({ authorization: `Bearer ${options.token}` }),
    describeError: describeHubSpotError,
    defaultTimeoutMs: options.timeoutMs ?? TOOLING_TIMEOUT_MS,
    // Not the actions' caps (lib/response-caps.ts, sized for HubSpot's 128 MB): the tooling runs on a developer's
    // machine, and a portal's property list (options included) or a flow holding pasted custom code runs to megabytes.
    maxResponseBytes: 64 * 1024 * 1024,
  });
  return { client, log };
}

/** Command-line flags: `--name value`, `--flag`, and positionals. Unknown flags are rejected (typos). */
export function parseArgs(argv: string[], known: { values: string[]; flags: string[] }): { values: Record<string, string>; flags: Set<string>; positionals: string[] } {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (known.flags.includes(name)) flags.add(name);
    else if (known.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`--${name} needs a value`, { errorCode: 'INVALID_ARGUMENT' });
      values[name] = value;
    } else {
      throw new ConfigError(`Unknown option --${name} (known: ${[...known.flags, ...known.values].map((k) => `--${k}`).join(', ')})`, { errorCode: 'INVALID_ARGUMENT' });
    }
  }
  return { values, flags, positionals };
}
