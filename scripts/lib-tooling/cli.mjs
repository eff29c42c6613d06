/**
 * One small command-line helper for every npm script (build, harness, setup, deploy, bench, fixtures, guide):
 * a command declares its arguments once, and `--help`, the usage line and the error for an unknown option come
 * from that declaration, so the help can never list a flag the parser does not take (or miss one it does).
 * Unknown options are rejected, as middy rejects unknown options: a typo (`--aply`) must not run a dry run that
 * looks like success. Plain JavaScript with JSDoc types because scripts/build.mjs runs on plain Node.
 */

/**
 * @typedef {object} OptionSpec
 * @property {string} name        without the dashes: 'config' for --config
 * @property {string} [value]     placeholder when the option takes a value ('<file>'); absent for a flag
 * @property {string} description
 * @property {string} [short]     one-letter alias without the dash ('h')
 *
 * @typedef {object} CommandSpec
 * @property {string} command     how a user types it: 'npm run build --'
 * @property {string} summary     one line: what it does
 * @property {string[]} usage     argument synopses after the command ('<action> [case] [--bundle]')
 * @property {Array<{ name: string, description: string }>} [positionals]
 * @property {OptionSpec[]} options
 * @property {string[]} [examples]
 * @property {string[]} [notes]
 * @property {number} [maxPositionals]  more than this is an error (default: unlimited)
 *
 * @typedef {object} ParsedArgs
 * @property {boolean} help
 * @property {Record<string, string>} values
 * @property {Set<string>} flags
 * @property {string[]} positionals
 */

import path from 'node:path';

const HELP = /** @type {OptionSpec} */ ({ name: 'help', short: 'h', description: 'show this help and exit' });

/** A wrong command line: the message, then the usage; exit code 2 (as with most Unix tools). */
export class UsageError extends Error {
  /** @param {string} message @param {CommandSpec} spec */
  constructor(message, spec) {
    super(message);
    this.name = 'UsageError';
    this.spec = spec;
    this.errorCode = 'INVALID_ARGUMENT';
    this.exitCode = 2;
  }
}

/** @param {CommandSpec} spec @returns {string} */
export function usageLines(spec) {
  return spec.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}${spec.command} ${u}`.trimEnd()).join('\n');
}

/** @param {CommandSpec} spec @returns {string} */
export function formatHelp(spec) {
  const lines = [spec.summary, '', usageLines(spec)];
  if (spec.positionals?.length) {
    lines.push('', 'arguments:');
    const width = Math.max(...spec.positionals.map((p) => p.name.length));
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}  ${p.description}`);
  }
  const options = [...spec.options, HELP];
  const label = (/** @type {OptionSpec} */ o) => `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...options.map((o) => label(o).length));
  lines.push('', 'options:');
  for (const o of options) lines.push(`  ${label(o).padEnd(width)}  ${o.description}`);
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/**
 * `--name value`, `--name=value`, `--flag`, `-h`, positionals; `--` ends the options.
 * @param {CommandSpec} spec
 * @param {string[]} argv
 * @returns {ParsedArgs}
 */
export function parseCommandLine(spec, argv) {
  /** @type {Record<string, string>} */
  const values = {};
  const flags = new Set();
  /** @type {string[]} */
  const positionals = [];
  let help = false;
  const known = new Map(spec.options.map((o) => [o.name, o]));
  const byShort = new Map(spec.options.filter((o) => o.short).map((o) => [o.short, o]));
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const eq = arg.indexOf('=');
    const name = long ? arg.slice(2, eq > 0 ? eq : undefined) : arg.slice(1);
    const inline = long && eq > 0 ? arg.slice(eq + 1) : undefined;
    const option = long ? known.get(name) : byShort.get(name);
    if (!option) {
      const close = closest(name, [...known.keys()]);
      throw new UsageError(`unknown option ${arg}${close ? ` (did you mean --${close}?)` : ''}`, spec);
    }
    if (!option.value) {
      if (inline !== undefined) throw new UsageError(`--${option.name} takes no value`, spec);
      flags.add(option.name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${option.name} needs a value: --${option.name} ${option.value}`, spec);
    values[option.name] = value;
  }
  if (!help && spec.maxPositionals !== undefined && positionals.length > spec.maxPositionals) {
    throw new UsageError(`unexpected argument ${positionals[spec.maxPositionals]}`, spec);
  }
  return { help, values, flags, positionals };
}

/** The known name a typo is most likely meant to be (edit distance ≤ 2), if any. */
export function closest(/** @type {string} */ name, /** @type {string[]} */ names) {
  let best;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function distance(/** @type {string} */ a, /** @type {string} */ b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/**
 * Parses argv for a command's entry point: `--help` prints the help and exits 0; a wrong command line prints
 * the problem and the usage and exits 2. Returns the parsed arguments otherwise.
 * @param {CommandSpec} spec
 * @param {string[]} argv
 * @returns {ParsedArgs}
 */
export function parseOrExit(spec, argv) {
  try {
    const args = parseCommandLine(spec, argv);
    if (args.help) {
      process.stdout.write(`${formatHelp(spec)}\n`);
      process.exit(0);
    }
    return args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${usageLines(spec)}\n(${spec.command} --help lists every option)\n`);
    process.exit(2);
  }
}

/**
 * A path the user typed, resolved where they typed it: `npm run` starts scripts in the package root and keeps
 * the caller's directory in INIT_CWD (https://docs.npmjs.com/cli/commands/npm-run-script).
 * @param {string} typed
 * @returns {string}
 */
export function userPath(typed) {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), typed);
}

/**
 * Ends a command with an explicit exit once its output is written. A failed HTTP call can leave work behind
 * (a socket a silent proxy never closes, a keep-alive connection, a timer); the command's answer is final, so
 * nothing left over may keep the process — and the user's terminal — waiting.
 * @param {number} code
 */
export function exitWhenFlushed(code) {
  process.exitCode = code;
  // If a stream never drains (a closed pipe), exit anyway; unref'd, so it never delays a clean exit.
  setTimeout(() => process.exit(code), 1_000).unref();
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
