/**
 * Builds one paste-ready file per action: dist/<action>.js, CommonJS for Node 24, runtime-provided modules left
 * as `require`, everything else inlined, a paste guide on top. Then proves each file loads and exports `main`
 * where only Node built-ins and HubSpot's pre-installed modules resolve, and writes dist/manifest.json.
 *
 *   node scripts/build.mjs [--config actions.config.json] [--quiet] [--minify] [--today YYYY-MM-DD] [--check]     (--help lists the options)
 *
 * Bundles are readable by default (users debug them in HubSpot's editor); --minify trades that for ~40% fewer bytes.
 *
 * dist/ is committed (admins copy a bundle from the repository without Node, as GitHub Actions ship their dist/), so
 * same source → same bytes: no timestamps, no commit hash (it changes on every commit, so a committed bundle could
 * never match its own commit), sorted inputs; the header names a content hash of the bundled code instead.
 * `--check` builds in memory and fails (exit 1, naming the files) when dist/, docs/actions/ or README.md's action
 * table differ from what is committed: CI runs it so a change to the sources cannot land without its bundles.
 *
 * Warns, by name, about every pinned vendor API version within 60 days of its end of support or past it.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, parseOrExit, userPath } from './lib-tooling/cli.mjs';
import { installGuide, pasteGuideComment, triggerText } from './paste-guide.mjs';
import { RUNTIME_MODULES } from './runtime-modules.mjs';

const require = createRequire(import.meta.url);
const { loadBundle, defaultRuntimeModules } = require('./sandbox.cjs');

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');

/** The options every bundle shares (octokit/webhooks.js style: one object, explicit externals). */
export const SHARED_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  external: RUNTIME_MODULES,
  // Users debug the pasted file in HubSpot's editor: keep our code readable.
  minify: false,
  legalComments: 'none',
  charset: 'utf8',
  treeShaking: true,
  logLevel: 'silent',
};

export function listActions() {
  return readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'actions', d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** Build-time settings per action, from a config file the user keeps (never edit the pasted bundle). */
export function readBuildConfig(file) {
  const candidate = file ?? path.join(ROOT, 'actions.config.json');
  if (!existsSync(candidate)) return {};
  try {
    return JSON.parse(readFileSync(candidate, 'utf8'));
  } catch (error) {
    throw new BuildConfigError(`${shownPath(candidate)} is not valid JSON: ${error.message}`);
  }
}

/**
 * The HubSpot date version to pin, from `"hubspot": { "apiVersion": "2026-03" }` in the config file; '' = the default
 * in lib/api-versions.ts. Checked here so a typo fails the build, not every call (lib/hubspot.ts HUBSPOT_DATE_VERSION).
 */
export function hubspotApiVersionOf(config) {
  const version = config?.hubspot?.apiVersion;
  if (version === undefined || version === '') return '';
  if (typeof version !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(version)) {
    throw new Error(`hubspot.apiVersion in the build config must be a HubSpot date version such as "2026-09", not ${JSON.stringify(version)}`);
  }
  return version;
}

export async function bundleAction(name, { config = {}, extra = {}, minify = false } = {}) {
  const result = await build({
    ...SHARED_OPTIONS,
    entryPoints: [path.join(ROOT, 'actions', name, 'index.ts')],
    write: false,
    metafile: true,
    define: {
      // Only this action's own settings: the pasted file is readable by every admin of the portal, and another action's
      // settings (owner tables, pipelines) are none of its business.
      __ACTION_CONFIG__: JSON.stringify({ name, settings: config[name] ?? {} }),
      // Every action's HubSpot paths use this version (lib/hubspot.ts hubspotApiVersion).
      __HUBSPOT_API_VERSION__: JSON.stringify(hubspotApiVersionOf(config)),
    },
    minify,
    ...extra,
  });
  const text = result.outputFiles[0].text;
  const externals = [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)))]
    .filter((p) => !p.startsWith('node:') && RUNTIME_MODULES.includes(p))
    .sort();
  return { text, externals };
}

/** A mistake in the build config file: exit 2, like a usage error, since no build can fix it. */
export class BuildConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BuildConfigError';
    this.exitCode = 2;
  }
}

/** A path as the user would type it: relative when under the working directory. */
function shownPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

/** Top-level keys of the config file that are not actions (hubspotApiVersionOf). */
const GLOBAL_CONFIG_KEYS = { hubspot: ['apiVersion'] };

const kindOf = (value) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Problems with the build config, one line each, checked against each action's declared `config` defaults: a key no
 * action declares (`"pipline"`) would otherwise be baked into the bundle and silently ignored, the default winning.
 * Typos get the CLI's did-you-mean (scripts/lib-tooling/cli.mjs closest).
 * @param {Record<string, unknown>} config
 * @param {Record<string, Record<string, unknown> | undefined>} declared action name → its declared config defaults
 */
export function buildConfigProblems(config, declared) {
  if (kindOf(config) !== 'object') return [`the build config must be a JSON object keyed by action name, not ${kindOf(config)}`];
  const problems = [];
  const topLevel = [...Object.keys(declared), ...Object.keys(GLOBAL_CONFIG_KEYS)];
  for (const [key, value] of Object.entries(config)) {
    const known = declared[key] ?? (GLOBAL_CONFIG_KEYS[key] ? Object.fromEntries(GLOBAL_CONFIG_KEYS[key].map((k) => [k, undefined])) : undefined);
    if (!known) {
      const close = closest(key, topLevel);
      problems.push(`"${key}" is not an action${close ? ` (did you mean "${close}"?)` : ''}; known: ${topLevel.join(', ')}`);
      continue;
    }
    if (kindOf(value) !== 'object') {
      problems.push(`"${key}" must be an object of settings, not ${kindOf(value)}`);
      continue;
    }
    const names = Object.keys(known);
    for (const [name, setting] of Object.entries(value)) {
      if (!(name in known)) {
        const close = closest(name, names);
        problems.push(`"${key}"."${name}" is not a setting of ${key}${close ? ` (did you mean "${close}"?)` : ''}; its settings: ${names.join(', ') || 'none'}`);
        continue;
      }
      const expected = kindOf(known[name]);
      if (known[name] !== undefined && kindOf(setting) !== expected) problems.push(`"${key}"."${name}" must be ${expected === 'object' ? 'an object' : `a ${expected}`} (like its default ${JSON.stringify(known[name])}), not ${JSON.stringify(setting)}`);
    }
  }
  return problems;
}

/**
 * Every generated file in memory, keyed by path relative to the repository: dist/<action>.js, dist/manifest.json,
 * docs/actions/*.md and README.md (its generated action table). Nothing is written; buildAll writes, --check compares.
 */
export async function renderAll({ configFile, minify = false } = {}) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const config = readBuildConfig(configFile);
  const runtimeModules = defaultRuntimeModules(RUNTIME_MODULES, ROOT);
  const scratch = mkdtempSync(path.join(tmpdir(), 'build-'));
  const bundles = [];
  try {
    for (const name of listActions()) {
      const { text, externals } = await bundleAction(name, { config, minify });
      // Load the bare bundle once to read the declaration it carries; this is also the sandbox check.
      const tmp = path.join(scratch, `${name}.js`);
      writeFileSync(tmp, text);
      let loaded;
      try {
        loaded = loadBundle(tmp, { runtimeModules, resolveFrom: ROOT });
      } catch (error) {
        throw new Error(`${name}: the bundle does not load where only built-ins and HubSpot's runtime modules resolve: ${error.message}`);
      }
      if (typeof loaded.exports.main !== 'function') throw new Error(`${name}: the bundle does not export main`);
      bundles.push({ name, text, externals, action: loaded.exports.action });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const problems = buildConfigProblems(config, Object.fromEntries(bundles.map((b) => [b.name, b.action.definition.config ?? {}])));
  if (problems.length) {
    throw new BuildConfigError(`${shownPath(configFile ?? path.join(ROOT, 'actions.config.json'))}:\n  ${problems.join('\n  ')}`);
  }

  // A content hash of everything bundled (not a commit: see the top of this file).
  const build = createHash('sha256').update(bundles.map((b) => b.text).join('\0')).digest('hex').slice(0, 12);
  const manifest = { package: pkg.name, version: pkg.version, build, runtime: 'Node.js 24', actions: [] };
  const files = new Map();
  for (const { name, text, externals, action } of bundles) {
    const definition = action.definition;
    // Per bundle, so a change to one action leaves the other bundles' bytes alone.
    const meta = { packageName: pkg.name, version: pkg.version, build: createHash('sha256').update(text).digest('hex').slice(0, 12) };
    const file = `${pasteGuideComment(definition, { ...meta, outputs: action.outputs })}\n${text}`;
    files.set(`dist/${name}.js`, file);
    manifest.actions.push({
      name,
      title: definition.title,
      file: `${name}.js`,
      bytes: Buffer.byteLength(file),
      sha256: createHash('sha256').update(file).digest('hex'),
      // The trigger as the guide shows it: {property} placeholders replaced by the labels HubSpot shows.
      enrollment: { ...definition.enrollment, trigger: triggerText(definition, definition.enrollment) },
      secrets: Object.entries(definition.secrets).map(([n, s]) => ({ name: n, required: s.required !== false, typicalLength: s.typicalLength })),
      inputs: installGuide(definition).inputs.map((i) => ({ name: i.name, type: i.type, fieldType: i.fieldType, required: i.required, property: i.property })),
      outputs: Object.entries(action.outputs).map(([n, o]) => ({ name: n, type: o.type, ...(o.options ? { options: o.options } : {}) })),
      properties: (definition.properties ?? []).map((p) => `${p.objectType}.${p.name}`),
      externals,
    });
  }
  files.set('dist/manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [file, text] of await renderSetupGuides(bundles.map((b) => ({ definition: b.action.definition, outputs: b.action.outputs })))) files.set(file, text);
  return { files, manifest };
}

/** Writes what renderAll made; dist/ is emptied first so a removed action leaves no stale bundle behind. */
export async function buildAll({ configFile, quiet = false, minify = false, now = Date.now() } = {}) {
  const { files, manifest } = await renderAll({ configFile, minify });
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  for (const [file, text] of files) {
    const target = path.join(ROOT, file);
    mkdirSync(path.dirname(target), { recursive: true });
    if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
  }
  if (!quiet) printTable(manifest);
  // Printed even with --quiet: an expiring vendor API version is worth a line in every build and test run.
  for (const warning of await apiVersionWarnings({ now })) console.warn(`warning: ${warning}`);
  return manifest;
}

/**
 * The committed generated files that differ from a fresh build, one line each ("dist/x.js differs", "dist/y.js is
 * missing", "dist/z.js is not built any more"), or [] when everything is up to date.
 */
export async function checkAll({ configFile, minify = false, against = ROOT } = {}) {
  const { files } = await renderAll({ configFile, minify });
  return differingFiles(files, against);
}

/** Compares rendered files with the ones under `against` (the repository; tests pass a copy). */
export function differingFiles(files, against = ROOT) {
  const problems = [];
  for (const [file, text] of files) {
    const target = path.join(against, file);
    if (!existsSync(target)) problems.push(`${file} is missing`);
    else if (readFileSync(target, 'utf8') !== text) problems.push(`${file} differs from a fresh build`);
  }
  const built = new Set(files.keys());
  for (const dir of ['dist', 'docs/actions']) {
    if (!existsSync(path.join(against, dir))) continue;
    for (const entry of readdirSync(path.join(against, dir))) {
      const file = `${dir}/${entry}`;
      if (!built.has(file)) problems.push(`${file} is not built any more (delete it)`);
    }
  }
  return problems.sort();
}

/**
 * Pinned vendor API versions that reach their end of support within 60 days of `now`, or have reached it, one
 * line each naming the API and version. The versions and their dates are data in lib/api-versions.ts (the same
 * constants the actions use: one source of truth), read through tsx since this script runs on plain node.
 */
export async function apiVersionWarnings({ now = Date.now() } = {}) {
  const { tsImport } = await import('tsx/esm/api');
  const { pinnedApiVersions, versionWarnings } = await tsImport('../lib/api-versions.ts', import.meta.url);
  return versionWarnings(pinnedApiVersions(), now);
}

/**
 * docs/actions/<action>.md and README.md's action table from the same declarations the bundle headers were made from
 * (scripts/guide.ts, in TypeScript, loaded through tsx's API since this script runs on plain node). No dates or
 * commit: same bytes.
 */
async function renderSetupGuides(sources) {
  const { tsImport } = await import('tsx/esm/api');
  const { renderGuideFiles } = await tsImport('./guide.ts', import.meta.url);
  return renderGuideFiles(sources).map(([file, text]) => [path.relative(ROOT, file).split(path.sep).join('/'), text]);
}

function printTable(manifest) {
  const rows = manifest.actions.map((a) => [a.name, `${(a.bytes / 1024).toFixed(1)} KB`, String(a.secrets.length), String(a.inputs.length), String(a.outputs.length), a.externals.join(' ') || '-']);
  const head = ['action', 'size', 'secrets', 'inputs', 'outputs', 'requires (runtime)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
  console.log(`\n${manifest.actions.length} bundles in dist/ (build ${manifest.build}). Paste dist/<action>.js into a HubSpot custom-code action; commit dist/ with the sources.`);
}

/** @type {import('./lib-tooling/cli.mjs').CommandSpec} */
export const BUILD_CLI = {
  command: 'npm run build --',
  summary: "Builds dist/<action>.js (paste-ready, Node 24) for every action, checks each loads in the runtime sandbox, writes dist/manifest.json, docs/actions/ and README.md's action table (all committed).",
  usage: ['[--config <file>] [--minify] [--quiet] [--today <YYYY-MM-DD>]', '--check [--config <file>]'],
  options: [
    { name: 'config', value: '<file>', description: 'build-time settings per action (default: actions.config.json, if present)' },
    { name: 'minify', description: 'minify the bundles (~40% fewer bytes, harder to debug in HubSpot\'s editor; the committed dist/ is not minified)' },
    { name: 'quiet', description: 'print nothing on success (no table of bundles)' },
    { name: 'check', description: 'write nothing: exit 1, naming the files, when dist/, docs/actions/ or README.md\'s action table differ from a fresh build (CI)' },
    { name: 'today', value: '<YYYY-MM-DD>', description: 'judge the pinned vendor API versions as on that day (warnings within 60 days of an end of support)' },
  ],
  examples: ['npm run build', 'npm run build -- --config other.json', 'node scripts/build.mjs --check'],
  maxPositionals: 0,
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, flags } = parseOrExit(BUILD_CLI, process.argv.slice(2));
  const configFile = values.config === undefined ? undefined : userPath(values.config);
  if (configFile && !existsSync(configFile)) {
    console.error(`build failed: --config ${values.config}: no such file`);
    process.exit(1);
  }
  // --today YYYY-MM-DD: judge the pinned API versions as on that day (see apiVersionWarnings).
  const now = values.today === undefined ? Date.now() : Date.parse(`${values.today}T00:00:00Z`);
  if (Number.isNaN(now)) {
    console.error('build failed: --today needs a date like 2027-09-01');
    process.exit(1);
  }
  const fail = (error) => {
    console.error(`build failed: ${error.message}`);
    process.exit(error.exitCode ?? 1);
  };
  if (flags.has('check')) {
    checkAll({ configFile, minify: flags.has('minify') })
      .then((problems) => {
        if (!problems.length) {
          if (!flags.has('quiet')) console.log('dist/, docs/actions/ and README.md are up to date with the sources.');
          return;
        }
        console.error(`build check failed: the committed generated files differ from a fresh build:\n  ${problems.join('\n  ')}\nRun \`npm run build\` and commit the result.`);
        process.exit(1);
      })
      .catch(fail);
  } else {
    buildAll({ configFile, quiet: flags.has('quiet'), minify: flags.has('minify'), now }).catch(fail);
  }
}
