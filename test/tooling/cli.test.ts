import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHelp, parseCommandLine, UsageError, type CommandSpec } from '../../scripts/lib-tooling/cli.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

const SPEC: CommandSpec = {
  command: 'npm run demo --',
  summary: 'A demo command.',
  usage: ['<thing> [--apply] [--only <action>]'],
  positionals: [{ name: 'thing', description: 'the thing' }],
  options: [
    { name: 'apply', description: 'do it' },
    { name: 'only', value: '<action>', description: 'only this one' },
  ],
  maxPositionals: 1,
};

describe('parseCommandLine', () => {
  it('reads flags, values (both spellings) and positionals', () => {
    const args = parseCommandLine(SPEC, ['x', '--apply', '--only', 'a']);
    expect(args).toEqual({ help: false, values: { only: 'a' }, flags: new Set(['apply']), positionals: ['x'] });
    expect(parseCommandLine(SPEC, ['--only=b']).values).toEqual({ only: 'b' });
    expect(parseCommandLine(SPEC, ['-h']).help).toBe(true);
    expect(parseCommandLine(SPEC, ['--', '--apply']).positionals).toEqual(['--apply']);
  });

  it.each([
    [['--aply'], /unknown option --aply \(did you mean --apply\?\)/],
    [['--frobnicate'], /^unknown option --frobnicate$/],
    [['--only'], /--only needs a value: --only <action>/],
    [['--only', '--apply'], /--only needs a value/],
    [['--apply=yes'], /--apply takes no value/],
    [['a', 'b'], /unexpected argument b/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommandLine(SPEC, argv)).toThrow(message);
    expect(() => parseCommandLine(SPEC, argv)).toThrow(UsageError);
  });

  it('the help lists every option of the declaration, and --help', () => {
    const help = formatHelp(SPEC);
    expect(help).toContain('usage: npm run demo -- <thing> [--apply] [--only <action>]');
    expect(help).toMatch(/--apply\s+do it/);
    expect(help).toMatch(/--only <action>\s+only this one/);
    expect(help).toMatch(/-h, --help\s+show this help and exit/);
  });
});

/**
 * Every npm script, run as npm runs it (node + tsx), answers --help with exit 0 and the flags it really takes
 * (the parser and the help come from one declaration), and rejects a typo with exit 2 and the usage.
 */
const COMMANDS: Array<{ name: string; args: string[]; flags: string[] }> = [
  { name: 'build', args: ['scripts/build.mjs'], flags: ['--config <file>', '--minify', '--quiet', '--check'] },
  { name: 'harness', args: ['--import', 'tsx', 'scripts/harness.ts'], flags: ['--all', '--bundle', '--verbose', '--record', '--event <event.json>', '--secrets <file>', '--file <action.js>', '--fixture <fixture.json>', '--out <fixture.json>', '--client <v10|latest>', '--json'] },
  { name: 'setup', args: ['--import', 'tsx', 'scripts/setup.ts'], flags: ['--apply', '--plan', '--only <action>', '--verbose', '--timeout <seconds>'] },
  { name: 'deploy', args: ['--import', 'tsx', 'scripts/deploy.ts'], flags: ['--flow <flowId>', '--action-id <id>', '--apply', '--verbose', '--timeout <seconds>'] },
  { name: 'bench', args: ['--import', 'tsx', 'scripts/bench.ts'], flags: ['--update', '--only <a,b>', '--cold-samples <n>', '--enrollments <n>', '--burst <190|100>', '--no-pacing', '--no-scale', '--debug'] },
  { name: 'fixtures', args: ['--import', 'tsx', 'scripts/harness/fixtures-from-scenarios.ts'], flags: [] },
  { name: 'guide', args: ['--import', 'tsx', 'scripts/guide.ts'], flags: [] },
];

/** One child process per command line; asynchronous, so the commands' start-ups (tsx) overlap instead of queueing. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      resolve({ status: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
    });
  });
}

describe.concurrent.each(COMMANDS)('npm run $name', ({ name, args, flags }) => {
  it('--help prints the usage and every flag, and exits 0 without doing anything', async ({ expect }) => {
    const result = await run([...args, '--help']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`usage: npm run ${name} --`);
    for (const flag of [...flags, '-h, --help']) expect(result.stdout).toContain(flag);
  });

  it('an unknown option exits 2 with the usage', async ({ expect }) => {
    const result = await run([...args, '--no-such-flag']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown option --no-such-flag');
    expect(result.stderr).toContain(`usage: npm run ${name} --`);
  });
});
