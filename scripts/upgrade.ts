/**
 * npm run upgrade -- <file.js> [--write] [--event <event.json> --live | --fixture <fixture.json>]
 *
 * Upgrades a user's own custom-code action to HubSpot's Node.js 24 runtime: callback-style handlers become handlers
 * that return `{ outputFields }` ("Node.js 24 doesn't support callback-style handlers":
 * https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24).
 * Prints the diff; --write replaces the file atomically after saving a byte-exact <file>.bak. Lists, with line
 * numbers, what it cannot change safely. With --fixture (replay) or --event --live (two live runs) it then runs the
 * file before and after in the user-code runner (scripts/user-code/run-file.ts).
 */
import { chmodSync, closeSync, copyFileSync, constants as fsConstants, existsSync, fsyncSync, lstatSync, mkdtempSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParseError } from './codemod/ast';
import type { Finding } from './codemod/checks';
import { unifiedDiff } from './codemod/diff';
import { upgradeSource, type UpgradeResult } from './codemod/upgrade';
import { formatFileReport, readSecrets, secretNamesReadBy } from './harness';
import { runActionFile, type FileRunReport, type RuntimeClient } from './user-code/run-file';
import { exitWhenFlushed, parseOrExit, userPath, UsageError, type CommandSpec } from './lib-tooling/cli.mjs';

export const UPGRADE_CLI: CommandSpec = {
  command: 'npm run upgrade --',
  summary: "Upgrades your own custom-code action to HubSpot's Node.js 24 runtime (callback() → returned outputs) and lists what it cannot change safely.",
  usage: ['<file.js> [--write] [--json]', '<file.js> [--write] --event <event.json> --live [--secrets <file>] [--client v10|latest]', '<file.js> [--write] --fixture <fixture.json> [--client v10|latest]'],
  positionals: [{ name: 'file.js', description: 'the action as pasted in HubSpot (CommonJS, exports.main)' }],
  options: [
    { name: 'write', description: 'replace the file with the upgraded code (the original is kept as <file>.bak)' },
    { name: 'event', value: '<event.json>', description: 'then run the file before AND after the upgrade with this workflow event — against the live APIs, so every call (creates, updates, emails) happens twice; needs --live' },
    { name: 'live', description: 'with --event: confirm that both runs may call the real APIs' },
    { name: 'fixture', value: '<fixture.json>', description: 'then run both versions against this recorded fixture instead (no network)' },
    { name: 'secrets', value: '<file>', description: 'KEY=value file with the secrets for --event runs (default: .env)' },
    { name: 'client', value: '<v10|latest>', description: "@hubspot/api-client behind require in those runs: HubSpot's documented ^10 (default) or the latest" },
    { name: 'json', description: 'print the result as JSON' },
  ],
  maxPositionals: 1,
  examples: ['npm run upgrade -- my-action.js', 'npm run upgrade -- my-action.js --fixture my-action.fixture.json', 'npm run upgrade -- my-action.js --write --event event.json --live'],
  notes: ['Exit status: 0 when the file is ready for Node.js 24, 1 when something must be changed by hand, 2 on a wrong command line.'],
};

function formatFinding(f: Finding): string {
  return `  line ${f.line}: ${f.severity}: ${f.message}${f.fix ? `\n      fix: ${f.fix}` : ''}`;
}

export function formatUpgrade(file: string, result: UpgradeResult, diff: string): string[] {
  const out: string[] = [];
  const name = path.basename(file);
  if (result.status === 'no-main') out.push(`${name}: no exports.main found — nothing to upgrade (HubSpot calls exports.main)`);
  if (result.status === 'already') out.push(`${name}: ${result.outputs === 'none' ? 'exports.main returns no outputs (it declares none)' : result.outputs === 'partial' ? 'exports.main returns outputs on some paths only (see below)' : 'exports.main already returns its outputs'} — no callback to rewrite`);
  if (result.status === 'rewritten') out.push(`${name}: rewrote ${result.sites} callback call${result.sites === 1 ? '' : 's'} to returned outputs`, '', diff.trimEnd());
  if (result.notes.length) {
    out.push('', 'Changed behaviour (on purpose; lines of the original file):');
    for (const n of result.notes) out.push(`  line ${n.line}: ${n.reason}`);
  }
  if (result.status === 'blocked') {
    out.push(`${name}: not rewritten — ${result.unsafe.length} place${result.unsafe.length === 1 ? '' : 's'} cannot be changed safely (change ${result.unsafe.length === 1 ? 'it' : 'them'}, then run again):`);
    for (const u of result.unsafe) out.push(`  line ${u.line}: ${u.reason}`);
  }
  if (result.findings.length) {
    out.push('', `Cannot change safely — fix by hand (lines of the ${result.status === 'rewritten' ? 'upgraded ' : ''}file):`);
    for (const f of result.findings) out.push(formatFinding(f));
  }
  return out;
}

function backupPath(file: string): string {
  let candidate = `${file}.bak`;
  for (let i = 2; existsSync(candidate); i++) candidate = `${file}.bak${i}`;
  return candidate;
}

/**
 * Replaces `file` with `code`, keeping the original as a byte-exact `.bak` with the same mode bits. The new content
 * goes to a temporary file in the same directory (same file system), is flushed, gets the original's mode, and is
 * renamed over the original: rename is atomic on POSIX, so a crash leaves either the old file or the new one, never
 * half of one. A symlink is refused: writing through it would change a file elsewhere, and replacing it would turn
 * it into a regular file.
 */
export function writeUpgraded(file: string, code: string): { backup: string } {
  if (lstatSync(file).isSymbolicLink()) throw new Error(`${file} is a symbolic link: run upgrade on the file it points to (${path.resolve(path.dirname(file), readlinkSync(file))})`);
  const mode = statSync(file).mode & 0o7777;
  const backup = backupPath(file);
  // COPYFILE_EXCL: never overwrite an existing backup; copyFileSync keeps the bytes, chmod the mode bits.
  copyFileSync(file, backup, fsConstants.COPYFILE_EXCL);
  chmodSync(backup, mode);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.upgrade-${process.pid}-${Date.now()}.tmp`);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, code);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
  return { backup };
}


async function runBoth(file: string, upgradedFile: string, values: Record<string, string>): Promise<{ before: FileRunReport; after: FileRunReport }> {
  const client = (values.client ?? 'v10') as RuntimeClient;
  const event = values.event ? (JSON.parse(readFileSync(values.event, 'utf8')) as object) : undefined;
  const code = readFileSync(file, 'utf8');
  const secrets = values.fixture ? {} : readSecrets(secretNamesReadBy(code), values.secrets ? { file: values.secrets } : {});
  const common = { client, ...(event ? { event } : {}), ...(values.fixture ? { fixture: values.fixture } : {}), secrets };
  const before = await runActionFile({ file, ...common });
  const after = await runActionFile({ file: upgradedFile, ...common });
  return { before, after };
}

export async function upgradeCommand(argv: string[]): Promise<number> {
  const parsed = parseOrExit(UPGRADE_CLI, argv);
  const { flags } = parsed;
  // npm runs scripts from the package root; paths are meant from where the user typed them.
  const values: Record<string, string> = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, k === 'client' ? v : userPath(v)]));
  const file = parsed.positionals[0] ? userPath(parsed.positionals[0]) : undefined;
  if (!file) throw new UsageError('name the file to upgrade', UPGRADE_CLI);
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`, UPGRADE_CLI);
  if (values.event && values.fixture) throw new UsageError('--event runs live and --fixture replays: pass one of them', UPGRADE_CLI);
  // Two live runs (before and after) make every API call twice: a create creates two records, an email goes twice.
  if (values.event && !flags.has('live')) throw new UsageError('--event runs the file TWICE against the live APIs (before and after the upgrade): every create, update and email happens twice. Add --live to do that, or replay a recording with --fixture <fixture.json> (no network)', UPGRADE_CLI);
  if (flags.has('live') && !values.event) throw new UsageError('--live goes with --event', UPGRADE_CLI);
  if (values.client && values.client !== 'v10' && values.client !== 'latest') throw new UsageError(`--client ${values.client}: use v10 or latest`, UPGRADE_CLI);
  for (const f of [values.event, values.fixture, values.secrets]) if (f && !existsSync(f)) throw new UsageError(`${f}: no such file`, UPGRADE_CLI);
  const source = readFileSync(file, 'utf8');
  let result: UpgradeResult;
  try {
    result = upgradeSource(source);
  } catch (error) {
    if (error instanceof ParseError) {
      console.error(`${file}:${error.line}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const diff = unifiedDiff(source, result.code, `a/${path.basename(file)}`, `b/${path.basename(file)}`);
  let written: string | undefined;
  let backup: string | undefined;
  if (flags.has('write') && result.status === 'rewritten') {
    try {
      backup = writeUpgraded(file, result.code).backup;
    } catch (error) {
      console.error(`upgrade: not written: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    written = file;
  }
  let runs: { before: FileRunReport; after: FileRunReport } | undefined;
  if (values.event || values.fixture) {
    let upgradedFile = written ?? file;
    let scratch: string | undefined;
    if (!written && result.status === 'rewritten') {
      scratch = mkdtempSync(path.join(tmpdir(), 'upgrade-'));
      upgradedFile = path.join(scratch, path.basename(file));
      writeFileSync(upgradedFile, result.code);
    }
    try {
      runs = await runBoth(written ? backup! : file, upgradedFile, values);
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  }
  const afterFailed = runs ? Boolean(runs.after.error) || runs.after.problems.length > 0 || runs.after.style === 'none' : false;
  const needsHands = result.status === 'blocked' || result.status === 'no-main' || result.findings.some((f) => f.severity === 'error');
  if (flags.has('json')) {
    console.log(JSON.stringify({ file, status: result.status, sites: result.sites, diff, unsafe: result.unsafe, notes: result.notes, findings: result.findings, ...(written ? { written, backup } : {}), ...(runs ? { runs } : {}) }, null, 2));
  } else {
    for (const line of formatUpgrade(file, result, diff)) console.log(line);
    if (written) console.log(`\nwrote ${file} (the original is in ${backup})`);
    else if (flags.has('write') && result.status !== 'rewritten') console.log('\nnothing written');
    if (runs) {
      console.log(`\n── before the upgrade (${path.basename(file)}) ──`);
      for (const line of formatFileReport(runs.before, values.fixture ? { fixture: values.fixture } : {})) console.log(line);
      console.log(`\n── after the upgrade ──`);
      for (const line of formatFileReport(runs.after, values.fixture ? { fixture: values.fixture } : {})) console.log(line);
    }
  }
  return needsHands || afterFailed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  upgradeCommand(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n(npm run upgrade -- --help lists every option)` : `upgrade: ${error instanceof Error ? error.message : String(error)}`);
    exitWhenFlushed(error instanceof UsageError ? 2 : 1);
  });
}
