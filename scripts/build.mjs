/**
 * Builds one paste-ready file per action: dist/<action>.js, CommonJS for Node 24, runtime-provided modules left
 * as `require`, everything else inlined, a paste guide on top. Then proves each file loads and exports `main`
 * where only Node built-ins and HubSpot's pre-installed modules resolve, and writes dist/manifest.json.
 *
 *   node scripts/build.mjs [--config actions.config.json] [--quiet] [--minify] [--today YYYY-MM-DD]     (--help lists the options)
 *
 * Bundles are readable by default (users debug them in HubSpot's editor); --minify trades that for ~40% fewer bytes.
 *
 * Same source → same bytes: no timestamps, sorted inputs, the commit taken from git.
 *
 * Warns, by name, about every pinned vendor API version within 60 days of its end of support or past it.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrExit, userPath } from './lib-tooling/cli.mjs';
import { pasteGuideComment } from './paste-guide.mjs';
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

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/** Build-time settings per action, from a config file the user keeps (never edit the pasted bundle). */
export function readBuildConfig(file) {
  const candidate = file ?? path.join(ROOT, 'actions.config.json');
  if (!existsSync(candidate)) return {};
  return JSON.parse(readFileSync(candidate, 'utf8'));
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

export async function buildAll({ configFile, quiet = false, minify = false, now = Date.now() } = {}) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const meta = { packageName: pkg.name, version: pkg.version, commit: gitCommit() };
  const config = readBuildConfig(configFile);
  const runtimeModules = defaultRuntimeModules(RUNTIME_MODULES, ROOT);
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const manifest = { package: pkg.name, version: pkg.version, commit: meta.commit, runtime: 'Node.js 24', actions: [] };

  const guideSources = [];
  for (const name of listActions()) {
    const { text, externals } = await bundleAction(name, { config, minify });
    // Load the bare bundle once to read the declaration it carries; this is also the sandbox check.
    const tmp = path.join(DIST, `.${name}.tmp.js`);
    writeFileSync(tmp, text);
    let loaded;
    try {
      loaded = loadBundle(tmp, { runtimeModules, resolveFrom: ROOT });
    } catch (error) {
      throw new Error(`${name}: the bundle does not load where only built-ins and HubSpot's runtime modules resolve: ${error.message}`);
    } finally {
      rmSync(tmp, { force: true });
    }
    if (typeof loaded.exports.main !== 'function') throw new Error(`${name}: the bundle does not export main`);
    const action = loaded.exports.action;
    guideSources.push({ definition: action.definition, outputs: action.outputs });
    const definition = action.definition;
    const file = `${pasteGuideComment(definition, { ...meta, outputs: action.outputs })}\n${text}`;
    const bytes = Buffer.byteLength(file);
    writeFileSync(path.join(DIST, `${name}.js`), file);
    manifest.actions.push({
      name,
      title: definition.title,
      file: `${name}.js`,
      bytes,
      sha256: createHash('sha256').update(file).digest('hex'),
      enrollment: definition.enrollment,
      secrets: Object.entries(definition.secrets).map(([n, s]) => ({ name: n, required: s.required !== false, typicalLength: s.typicalLength })),
      inputs: Object.entries(definition.inputs).map(([n, i]) => ({ name: n, type: i.type, required: i.required === true, property: i.property ?? null })),
      outputs: Object.entries(action.outputs).map(([n, o]) => ({ name: n, type: o.type, ...(o.options ? { options: o.options } : {}) })),
      properties: (definition.properties ?? []).map((p) => `${p.objectType}.${p.name}`),
      externals,
    });
  }
  writeFileSync(path.join(DIST, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeSetupGuides(guideSources);
  if (!quiet) printTable(manifest);
  // Printed even with --quiet: an expiring vendor API version is worth a line in every build and test run.
  for (const warning of await apiVersionWarnings({ now })) console.warn(`warning: ${warning}`);
  return manifest;
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
 * docs/actions/<action>.md from the same declarations the bundle headers were made from (scripts/guide.ts, in
 * TypeScript, loaded through tsx's API since this script runs on plain node). No dates or commit: same bytes.
 */
async function writeSetupGuides(sources) {
  const { tsImport } = await import('tsx/esm/api');
  const { writeGuides } = await tsImport('./guide.ts', import.meta.url);
  writeGuides(sources);
}

function printTable(manifest) {
  const rows = manifest.actions.map((a) => [a.name, `${(a.bytes / 1024).toFixed(1)} KB`, String(a.secrets.length), String(a.inputs.length), String(a.outputs.length), a.externals.join(' ') || '-']);
  const head = ['action', 'size', 'secrets', 'inputs', 'outputs', 'requires (runtime)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
  console.log(`\n${manifest.actions.length} bundles in dist/ (commit ${manifest.commit}). Paste dist/<action>.js into a HubSpot custom-code action.`);
}

/** @type {import('./lib-tooling/cli.mjs').CommandSpec} */
export const BUILD_CLI = {
  command: 'npm run build --',
  summary: 'Builds dist/<action>.js (paste-ready, Node 24) for every action, checks each loads in the runtime sandbox, writes dist/manifest.json and docs/actions/.',
  usage: ['[--config <file>] [--minify] [--quiet] [--today <YYYY-MM-DD>]'],
  options: [
    { name: 'config', value: '<file>', description: 'build-time settings per action (default: actions.config.json, if present)' },
    { name: 'minify', description: 'minify the bundles (~40% fewer bytes, harder to debug in HubSpot\'s editor)' },
    { name: 'quiet', description: 'print nothing on success (no table of bundles)' },
    { name: 'today', value: '<YYYY-MM-DD>', description: 'judge the pinned vendor API versions as on that day (warnings within 60 days of an end of support)' },
  ],
  examples: ['npm run build', 'npm run build -- --config other.json'],
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
  buildAll({ configFile, quiet: flags.has('quiet'), minify: flags.has('minify'), now }).catch((error) => {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  });
}
