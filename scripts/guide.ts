/**
 * npm run guide — writes docs/actions/<action>.md for every action, docs/actions/README.md as the index, and the
 * action table at the top of README.md (between markers).
 * `npm run build` writes them too (scripts/build.mjs calls writeGuides at the end of buildAll).
 *
 * Everything comes from the action's declaration — the same one the bundle's header comment is made from
 * (scripts/paste-guide.mjs) — so the guide and the pasted file cannot disagree (test/tooling/guide.test.ts).
 * Deterministic: no dates, no commit, sorted by action name; rebuilding unchanged sources changes no byte.
 */
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { secretBudget, SECRET_BUDGET_CHARS, type ActionDefinition } from '../lib/action';
import type { OutputSpecs } from '../lib/outputs';
import { DEPLOY_SCOPES, LOG_LEVEL_NOTE, OUTPUT_TYPE_LABELS, installGuide, setupScopesFor } from './paste-guide.mjs';
import { exitWhenFlushed, parseOrExit, type CommandSpec } from './lib-tooling/cli.mjs';
import { loadActions, ROOT } from './lib-tooling/common';

export const GUIDE_DIR = path.join(ROOT, 'docs', 'actions');

/** What a guide is made of: the declaration and every output (standard ones included). */
export interface GuideSource {
  definition: ActionDefinition<any, any, any, any>;
  outputs: OutputSpecs;
}

/** Markdown table cells: no line breaks, no unescaped pipes. */
const cell = (text: unknown) => String(text ?? '').replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
const row = (cells: unknown[]) => `| ${cells.map(cell).join(' | ')} |`;
const code = (text: string) => `\`${text}\``;

export function outputTypeLabel(type: string): string {
  return (OUTPUT_TYPE_LABELS as Record<string, string>)[type] ?? type;
}

export function renderGuide({ definition: def, outputs }: GuideSource): string {
  const g = installGuide(def, { outputs });
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(`# ${def.name} — ${def.title}`, '');
  push(`<!-- Generated from actions/${def.name}/index.ts by \`npm run guide\` (and \`npm run build\`). Do not edit by hand. -->`, '');
  push(def.description, '');

  push('## Install', '');
  push('Do these in order; the header of `dist/' + def.name + '.js` repeats them. Custom code actions need **Data Hub** Professional or Enterprise (formerly Operations Hub).', '');
  push(`1. **Custom properties** first (below): until they exist HubSpot rejects the action's writes with \`PROPERTY_DOESNT_EXIST\`.${g.properties.length ? '' : ' This action needs none.'}`);
  push(`2. **Workflow**: Automations → Workflows → Create workflow → From scratch → **${capitalize(g.objectType)}-based**. Trigger: ${g.trigger}. See [What enrolls](#what-enrolls).`);
  push('3. **Action**: + → Data ops → **Custom code**, language **Node.js 24.x**.');
  push('4. **Secrets**: create each secret below (Secrets → Add secret) and select it in the action.');
  push('5. **Properties to include in code**: add each input field below with the name shown, mapped to what the table says.');
  // dist/ is committed: an admin copies the file from the repository (GitHub: open it, Raw), no Node needed.
  push(`6. **Paste** the whole of [${code(`dist/${def.name}.js`)}](../../dist/${def.name}.js) (it is in the repository: on GitHub open it and use **Raw**, or build it with \`npm run build\`) over the code in the editor, or use \`npm run deploy\` (below).`);
  push('7. **Data outputs**: add each output below with its type.');
  push('8. **Test** the action on a test record, then branch on `status` and `error_code` (below).', '');

  push('## Custom properties', '');
  if (g.properties.length) {
    push('**With the command**: put `HUBSPOT_ACCESS_TOKEN=<service key>` in `.env` (git-ignored), run `npm run setup` (dry run: lists what is missing), then `npm run setup -- --apply`. It only creates; it never changes an existing property.', '');
    push(`That key needs the **schema** scopes ${g.setupScopes.map(code).join(', ')} — not the action's scopes (below). Create it in HubSpot → Development → Keys → **Service keys** → Create service key (an existing legacy private-app token with these scopes works too).`, '');
    push('**By hand**: HubSpot → Settings → Data Management → Properties → select the object → **Create property**, one per row. Turn "Show in forms" off (the actions write these values; a form must not). Create the group first (Groups tab) if it does not exist.', '');
    push(row(['Object', 'Internal name', 'Label', 'Group', 'Field type', 'Unique', 'Options (label = internal value)']), row(['---', '---', '---', '---', '---', '---', '---']));
    for (const p of g.properties) {
      push(row([p.objectType, code(p.name), p.label, `${p.groupLabel} (${code(p.group)})`, `${p.fieldType} (${p.type} / ${p.apiFieldType})`, p.unique ? 'yes: Require unique values' : 'no', p.options.map((o: { label: string; value: string }) => `${o.label} = ${o.value}`).join(', ')]));
    }
  } else push('None.');
  push('');

  push('## What enrolls', '');
  // Only a webhook-triggered workflow has webhook fields to read (a deal reaching a stage has none).
  push(`A **${g.objectType}**-based workflow: each enrolled ${g.objectType} runs the action once, with the input fields read from that record${g.webhookTrigger ? " (or from the trigger's webhook fields)" : ''}. Suggested trigger: ${g.trigger}.`);
  for (const note of g.enrollmentNotes) push('', note);
  push('');

  push('## Secrets', '');
  if (g.secrets.length) {
    push(row(['Secret', 'Required', 'Typical length', 'What it is', 'Where to find it']), row(['---', '---', '---:', '---', '---']));
    for (const s of g.secrets) push(row([code(s.name), s.required ? 'required' : 'optional', s.typicalLength, s.description, s.where]));
    const budget = secretBudget(def.secrets);
    push('');
    push(
      budget.fits
        ? `Secret budget: typical values total **${budget.typical}** of HubSpot's ${SECRET_BUDGET_CHARS.toLocaleString('en-US')} characters for all secret values of the account together — fits, leaving ${budget.budget - budget.typical} for other actions' secrets.`
        : `Secret budget: typical values total **${budget.typical}**, more than HubSpot's ${SECRET_BUDGET_CHARS.toLocaleString('en-US')} characters for all secret values of the account together — **does not fit**.`,
    );
    push('', `Optional, for troubleshooting, in every action: ${LOG_LEVEL_NOTE.replace('LOG_LEVEL = debug', '`LOG_LEVEL` = `debug`')}`);
    if (def.secrets.HUBSPOT_ACCESS_TOKEN) {
      push('', `The HubSpot token is counted at ${def.secrets.HUBSPOT_ACCESS_TOKEN.typicalLength} characters: HubSpot does not document a Service Key's length, so this is a conservative assumption (a legacy private-app token has 44). One key can serve every action of the account: give it the union of their scopes and count it once.`);
    }
  } else push('None.');
  push('');

  push('## Input fields', '');
  if (g.inputs.length) {
    push(row(['Field', 'Map to', 'Field type', 'Required', 'Why']), row(['---', '---', '---', '---', '---']));
    for (const i of g.inputs) push(row([code(i.name), i.pick, i.fieldType || '—', i.required ? 'required' : 'optional', `${i.why}${i.options ? ` (one of: ${i.options.join(', ')})` : ''}`]));
    push('', 'HubSpot\'s property picker shows the label; searching the internal name (in backticks) finds it too. Field type: of the property created in step 1, or of the value to send when no property is named; "—" for HubSpot\'s own properties. Values arrive as text; an empty value means "not set".');
  } else push('None.');
  push('');

  push('## Outputs', '');
  push(row(['Output', 'Type', 'Values', 'Description']), row(['---', '---', '---', '---']));
  for (const o of g.outputs) push(row([code(o.name), o.label, o.options ? o.options.join(' | ') : '', o.description]));
  push('');

  push('## API calls per run', '');
  const calls = Object.entries(def.apiCalls ?? {});
  if (calls.length) {
    push(row(['Path', 'Calls']), row(['---', '---']));
    for (const [pathName, n] of calls) push(row([pathName, n]));
  } else push('Not declared.');
  push('');

  for (const [title, text] of Object.entries(def.notes ?? {})) push(`## ${title}`, '', text, '');

  push('## Branch on the result', '');
  push('- `status` = `ok`: the action did its job.');
  push('- `status` = `error`: it could not; `error_code` says why (e.g. `MISSING_SECRET`, `INVALID_INPUT`, `UNAUTHORIZED`, `FORBIDDEN`, or a vendor code such as `HUBSPOT_VALIDATION_ERROR`; `HUBSPOT_VALIDATION_RULE` when a rule of your portal refused a write (HubSpot API 2026-09 enforces required and conditionally required properties and association permissions: the message names the property and where the rule is set); `HUBSPOT_CURRENCY_NOT_ENABLED` when a currency is not enabled under Settings → Account defaults → Currencies) and `error_message` explains it. Branch on `error_code` to notify someone or stop.');
  push('- Rate limits, outages and timeouts are not outputs: the action throws with status 429/5xx and HubSpot re-runs it (for up to 3 days). Every step is safe to repeat.');
  push('');

  push('## Deploy without pasting (beta API)', '');
  push(`\`npm run deploy -- ${def.name} --flow <flowId>\` shows what would change in the workflow's custom-code action; add \`--apply\` to write it. It relies on HubSpot's flows API (date version \`2026-09-beta\`, or the pinned version with \`-beta\`), which is in beta: its token (\`HUBSPOT_DEPLOY_TOKEN\` in \`.env\`: the access token of an app with static auth installed in your account — the flows spec lists no Service Key access; see the README) needs the scope ${DEPLOY_SCOPES.map(code).join(', ')} — again not the action's scopes.`);
  push('');
  return lines.join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function renderIndex(sources: readonly GuideSource[]): string {
  const lines = ['# Action setup guides', '', '<!-- Generated by `npm run guide` (and `npm run build`). Do not edit by hand. -->', ''];
  lines.push(row(['Action', 'What it does', 'Enrolled object', 'Secrets', 'Custom properties']), row(['---', '---', '---', '---', '---']));
  for (const { definition: d } of sources) {
    lines.push(row([`[${d.name}](${d.name}.md)`, d.title, installGuide(d).objectType, Object.keys(d.secrets).length, (d.properties ?? []).length]));
  }
  const objectTypes = [...new Set(sources.flatMap(({ definition: d }) => (d.properties ?? []).map((p) => p.objectType)))];
  lines.push('', 'Create the custom properties of every action with `npm run setup -- --apply` (dry run without `--apply`).');
  lines.push(`Its token, a HubSpot Service Key (Development → Keys → Service keys; a legacy private-app token also works), needs the schema scopes ${setupScopesFor(objectTypes.map((objectType) => ({ objectType }))).map((s) => `\`${s}\``).join(', ')}; \`npm run deploy\` needs ${DEPLOY_SCOPES.map((s) => `\`${s}\``).join(', ')}. Each action's own token scopes are in its guide.`, '');
  return lines.join('\n');
}

/** README.md's action table sits between these markers; everything else in the README is written by hand. */
export const README_FILE = path.join(ROOT, 'README.md');
export const README_TABLE_START = '<!-- actions:start (generated by `npm run guide` / `npm run build` from the declarations; do not edit) -->';
export const README_TABLE_END = '<!-- actions:end -->';

/** One row per action (a sixth action appears without anyone editing the README): what it does, the file, the guide. */
export function renderReadmeTable(sources: readonly GuideSource[]): string {
  const lines = [row(['action', 'what it does', 'file to paste', 'guide']), row(['---', '---', '---', '---'])];
  for (const { definition: d } of sources) {
    lines.push(row([code(d.name), d.title, `[dist/${d.name}.js](dist/${d.name}.js)`, `[docs/actions/${d.name}.md](docs/actions/${d.name}.md)`]));
  }
  return lines.join('\n');
}

/** The README with its generated table replaced; throws when the markers are missing (someone deleted them). */
export function withReadmeTable(readme: string, table: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${README_TABLE_START} … ${README_TABLE_END} around the action table`);
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** Every file the guides consist of, [absolute path, content]: one guide per action, the index, README.md's table. */
export function renderGuideFiles(sources: readonly GuideSource[], dir = GUIDE_DIR, readmeFile = README_FILE): Array<[string, string]> {
  const sorted = [...sources].sort((a, b) => a.definition.name.localeCompare(b.definition.name));
  const files: Array<[string, string]> = sorted.map((s) => [path.join(dir, `${s.definition.name}.md`), renderGuide(s)]);
  files.push([path.join(dir, 'README.md'), renderIndex(sorted)]);
  if (existsSync(readmeFile)) files.push([readmeFile, withReadmeTable(readFileSync(readmeFile, 'utf8'), renderReadmeTable(sorted))]);
  return files;
}

/**
 * Writes one guide per action, the index and README.md's action table; only files whose content changed are
 * rewritten. Returns every file and the ones written.
 */
export function writeGuides(sources: readonly GuideSource[], dir = GUIDE_DIR, readmeFile = README_FILE): { files: string[]; written: string[] } {
  mkdirSync(dir, { recursive: true });
  const files = renderGuideFiles(sources, dir, readmeFile);
  const written: string[] = [];
  for (const [file, text] of files) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      writeFileSync(file, text);
      written.push(file);
    }
  }
  return { files: files.map(([file]) => file), written };
}

/** "7 files up to date" or "wrote 2 of 7 files: a.md, README.md" — never "wrote" for a file left alone. */
export function writeSummary({ files, written }: { files: string[]; written: string[] }): string {
  const where = `${path.relative(ROOT, GUIDE_DIR)}/ and README.md`;
  if (!written.length) return `${files.length} files up to date (${where}).`;
  return `Wrote ${written.length} of ${files.length} files (${where}): ${written.map((f) => path.relative(ROOT, f)).join(', ')}.`;
}

export const GUIDE_CLI: CommandSpec = {
  command: 'npm run guide --',
  summary: "Writes docs/actions/<action>.md (the setup guide an admin follows), docs/actions/README.md and README.md's action table from the actions' declarations.",
  usage: [''],
  options: [],
  notes: ['`npm run build` writes the same files; this command only skips the bundling. Files whose content is unchanged are left alone.'],
  maxPositionals: 0,
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  parseOrExit(GUIDE_CLI, process.argv.slice(2));
  loadActions()
    .then((actions) => {
      console.log(writeSummary(writeGuides(actions.map((a) => ({ definition: a.definition, outputs: a.outputs })))));
      exitWhenFlushed(0);
    })
    .catch((error: unknown) => {
      console.error(`guide failed: ${error instanceof Error ? error.message : String(error)}`);
      exitWhenFlushed(1);
    });
}
