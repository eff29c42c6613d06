/**
 * How the child that runs a user's file is confined. Two layers:
 *
 * 1. Node's permission model (Node 24: https://nodejs.org/docs/latest-v24.x/api/permissions.html): `--permission`
 *    with `--allow-fs-read` for exactly the files the run needs — the user's file, the runner, nock and the runtime
 *    modules with their dependencies — and nothing else: no `--allow-fs-write`, `--allow-child-process`,
 *    `--allow-worker`, `--allow-addons`, `--allow-wasi`. Node 24 has no network permission (`--allow-net` is not in
 *    `node --help` of 24.x), hence layer 2.
 * 2. On Linux, where unprivileged user namespaces are allowed, `unshare --user --map-root-user --pid --fork
 *    --kill-child` (and `--net` when the run must not reach the network): the child then has a network namespace with
 *    no interface up (every connect fails, whatever API user code finds), cannot see or signal the parent's
 *    processes (`process.kill(process.ppid)` → ESRCH), and dies with `unshare` when the parent kills it.
 *    Where namespaces are not available (macOS, locked-down kernels) the in-process socket refusal in child.cjs is
 *    the only network barrier, and the report says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RUNTIME_MODULES } from '../runtime-modules.mjs';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CHILD_SCRIPT = path.join(import.meta.dirname, 'child.cjs');
export const SANDBOX_SCRIPT = path.join(ROOT, 'scripts', 'sandbox.cjs');

/** The directory of package `name` as Node would find it from `fromDir` (node_modules lookup upwards). */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The package directories `names` need at run time: themselves and every installed (optional/peer) dependency. */
export function packageClosure(names: readonly string[], fromDir = ROOT): string[] {
  const found = new Set<string>();
  const queue: Array<[string, string]> = names.map((n) => [n, fromDir]);
  while (queue.length) {
    const [name, from] = queue.shift()!;
    const dir = packageDir(name, from);
    if (!dir || found.has(dir)) continue;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) for (const dep of Object.keys(manifest[field] ?? {})) queue.push([dep, dir]);
  }
  return [...found].sort();
}

export type RuntimeClient = 'v10' | 'latest';

/** name → the file `require(name)` loads in the child, as HubSpot pre-installs them (the ones not installed here are not offered). */
export function runtimeModulePaths(client: RuntimeClient): Record<string, string> {
  const req = createRequire(path.join(ROOT, 'noop.js'));
  const out: Record<string, string> = {};
  for (const name of RUNTIME_MODULES) {
    try {
      out[name] = req.resolve(name);
    } catch {
      /* not installed locally: a file requiring it fails to load, which is what we want */
    }
  }
  // HubSpot documents @hubspot/api-client ^10; the latest is installed as @hubspot/api-client itself.
  out['@hubspot/api-client'] = req.resolve(client === 'latest' ? '@hubspot/api-client' : 'hubspot-api-client-v10');
  return out;
}

let readable: string[] | undefined;
/** Everything the child may read besides the user's file. */
export function runnerReadPaths(): string[] {
  readable ??= [CHILD_SCRIPT, SANDBOX_SCRIPT, ...packageClosure(['nock', ...RUNTIME_MODULES, 'hubspot-api-client-v10'])];
  return readable;
}

export function nockEntry(): string {
  return createRequire(path.join(ROOT, 'noop.js')).resolve('nock');
}

let unshareAvailable: string | null | undefined;
/** The absolute path of a working `unshare` (Linux, user namespaces allowed), or null. Probed once. */
export function namespaceLauncher(): string | null {
  if (unshareAvailable !== undefined) return unshareAvailable;
  unshareAvailable = null;
  if (process.platform !== 'linux') return null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/bin'])) {
    const candidate = path.join(dir, 'unshare');
    if (!dir || !existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['--user', '--map-root-user', '--net', '--pid', '--fork', '--kill-child', process.execPath, '-e', '0'], { stdio: 'ignore', timeout: 10_000 });
    if (probe.status === 0) unshareAvailable = candidate;
    break;
  }
  return unshareAvailable;
}

export interface ChildCommand {
  command: string;
  args: string[];
  /** What confines the child, for the report. */
  isolation: { permissionModel: true; namespaces: boolean; network: 'none (own network namespace)' | 'refused in-process' | 'live' };
}

export function childCommand(options: { userFile: string; heapMb: number; network: boolean; namespaces?: boolean }): ChildCommand {
  const node = [
    `--max-old-space-size=${options.heapMb}`,
    '--permission',
    ...[...runnerReadPaths(), options.userFile].map((p) => `--allow-fs-read=${p}`),
    '--disable-warning=ExperimentalWarning',
    CHILD_SCRIPT,
  ];
  const launcher = options.namespaces === false ? null : namespaceLauncher();
  const network = options.network ? 'live' : launcher ? 'none (own network namespace)' : 'refused in-process';
  if (!launcher) return { command: process.execPath, args: node, isolation: { permissionModel: true, namespaces: false, network } };
  return {
    command: launcher,
    args: ['--user', '--map-root-user', ...(options.network ? [] : ['--net']), '--pid', '--fork', '--kill-child', process.execPath, ...node],
    isolation: { permissionModel: true, namespaces: true, network },
  };
}
