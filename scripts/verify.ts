/**
 * npm run verify -- <file.js> [--json] [--event <event.json>] [--client v10|latest] [--static]
 *
 * Checks any custom-code action file before it is pasted into HubSpot: static checks with a line number each, and a
 * run in the user-code runner (a confined child process, scripts/user-code/run-file.ts) with every HTTP call answered 503 (does an outage make HubSpot re-run the action?).
 * Exits 1 when there is an error, 0 otherwise; --json prints the report for CI.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatVerify, verifyFile, type VerifyReport } from './codemod/verify';
import { exitWhenFlushed, parseOrExit, userPath, UsageError, type CommandSpec } from './lib-tooling/cli.mjs';

export const VERIFY_CLI: CommandSpec = {
  command: 'npm run verify --',
  summary: 'Checks a HubSpot custom-code action file (yours or ours) before it is pasted: static checks with line numbers, then a run with every HTTP call failing.',
  usage: ['<file.js> [<file.js> …] [--json] [--event <event.json>] [--client v10|latest] [--static]'],
  positionals: [{ name: 'file.js', description: 'a custom-code file (CommonJS, exports.main); several may be given' }],
  options: [
    { name: 'json', description: 'print the report as JSON (for CI)' },
    { name: 'event', value: '<event.json>', description: 'the workflow event for the run (a harness fixture works too: its "event" is used); default: one built from the inputs the file reads' },
    { name: 'client', value: '<v10|latest>', description: "@hubspot/api-client behind require in the run: HubSpot's documented ^10 (default, as in the harness) or the latest" },
    { name: 'static', description: 'only the static checks, no run' },
  ],
  examples: ['npm run verify -- my-action.js', 'npm run verify -- dist/*.js --json', 'npm run verify -- my-action.js --event event.json'],
  notes: ['Exit status: 0 when no check reports an error (warnings allowed), 1 otherwise, 2 on a wrong command line.'],
};

/** An event file, or a harness fixture (its event, and its placeholder secrets so values have the right shape). */
function readEvent(file: string): { event: object; secrets?: Record<string, string> } {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { event?: object; interactions?: unknown; secrets?: Record<string, string> };
  return parsed.interactions !== undefined && parsed.event ? { event: parsed.event, ...(parsed.secrets ? { secrets: parsed.secrets } : {}) } : { event: parsed };
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const parsed = parseOrExit(VERIFY_CLI, argv);
  const { flags } = parsed;
  // npm runs scripts from the package root; paths are meant from where the user typed them.
  const positionals = parsed.positionals.map((p) => userPath(p));
  const values = { ...(parsed.values.event ? { event: userPath(parsed.values.event) } : {}) };
  if (!positionals.length) throw new UsageError('name the file(s) to verify', VERIFY_CLI);
  for (const f of positionals) if (!existsSync(f)) throw new UsageError(`${f}: no such file`, VERIFY_CLI);
  if (values.event && !existsSync(values.event)) throw new UsageError(`--event ${values.event}: no such file`, VERIFY_CLI);
  const client = parsed.values.client ?? 'v10';
  if (client !== 'v10' && client !== 'latest') throw new UsageError(`--client ${client}: use v10 (HubSpot's documented version) or latest`, VERIFY_CLI);
  const given = values.event ? readEvent(values.event) : undefined;
  const reports: VerifyReport[] = [];
  for (const file of positionals) {
    // Each file runs in its own confined child (scripts/user-code/run-file.ts): one file cannot change another's report.
    reports.push(await verifyFile(file, { ...(given ?? {}), staticOnly: flags.has('static'), client }));
  }
  if (flags.has('json')) console.log(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  else for (const r of reports) console.log(`${formatVerify(r).join('\n')}\n`);
  return reports.every((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  verifyCommand(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n(npm run verify -- --help lists every option)` : `verify: ${error instanceof Error ? error.message : String(error)}`);
    exitWhenFlushed(error instanceof UsageError ? 2 : 1);
  });
}
