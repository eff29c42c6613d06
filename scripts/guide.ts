/**
 * npm run guide — writes docs/actions/<action>.md for every action, and docs/actions/README.md as the index.
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
import { OUTPUT_TYPE_LABELS } from './paste-guide.mjs';
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
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(`# ${def.name} — ${def.title}`, '');
  push(`<!-- Generated from actions/${def.name}/index.ts by \`npm run guide\` (and \`npm run build\`). Do not edit by hand. -->`, '');
  push(def.description, '');

  push('## Install', '');
  push(`1. Create a workflow on **${def.enrollment.objectType}** records. Suggested trigger: ${def.enrollment.trigger}.`);
  push('2. Add the action **Custom code**, language **Node.js 24.x**.');
  push('3. Select the secrets below (create them first under the action\'s **Secrets**).');
  push('4. Add the input fields below under **Properties to include in code**, each mapped to the property shown.');
  push(`5. Replace the code with the whole of ${code(`dist/${def.name}.js`)} (\`npm run build\`), or use \`npm run deploy\` (below).`);
  push('6. Add the data outputs below, each with its type.');
  push('7. Test on a test record, then branch on `status` and `error_code` (below).', '');

  push('## Secrets', '');
  const secrets = Object.entries(def.secrets) as Array<[string, { description: string; required?: boolean; typicalLength: number; where?: string }]>;
  if (secrets.length) {
    push(row(['Secret', 'Required', 'Typical length', 'What it is', 'Where to find it']), row(['---', '---', '---:', '---', '---']));
    for (const [name, s] of secrets) push(row([code(name), s.required === false ? 'optional' : 'required', s.typicalLength, s.description, s.where ?? '']));
    const budget = secretBudget(def.secrets);
    push('');
    push(
      budget.fits
        ? `Secret budget: typical values total **${budget.typical}** of HubSpot's ${SECRET_BUDGET_CHARS.toLocaleString('en-US')} characters for all secret values of the account together — fits, leaving ${budget.budget - budget.typical} for other actions' secrets.`
        : `Secret budget: typical values total **${budget.typical}**, more than HubSpot's ${SECRET_BUDGET_CHARS.toLocaleString('en-US')} characters for all secret values of the account together — **does not fit**.`,
    );
  } else push('None.');
  push('');

  push('## Input fields', '');
  const inputs = Object.entries(def.inputs) as Array<[string, { type: string; required: boolean; description: string; property?: string; options?: readonly string[] }]>;
  if (inputs.length) {
    push(row(['Field', 'Map to property', 'Type', 'Required', 'Description']), row(['---', '---', '---', '---', '---']));
    for (const [name, i] of inputs) {
      push(row([code(name), i.property ? code(i.property) : '(any property or a fixed value)', i.type, i.required ? 'required' : 'optional', `${i.description}${i.options ? ` (one of: ${i.options.join(', ')})` : ''}`]));
    }
    push('', 'Values arrive as text; an empty value means "not set".');
  } else push('None.');
  push('');

  push('## Outputs', '');
  push(row(['Output', 'Type', 'Values', 'Description']), row(['---', '---', '---', '---']));
  for (const [name, o] of Object.entries(outputs)) push(row([code(name), outputTypeLabel(o.type), o.options ? o.options.join(' | ') : '', o.description]));
  push('');

  push('## Custom properties', '');
  const properties = def.properties ?? [];
  if (properties.length) {
    push('Create them with `npm run setup -- --apply` (dry run without `--apply`); until they exist HubSpot rejects the writes with `PROPERTY_DOESNT_EXIST`.', '');
    push(row(['Object', 'Internal name', 'Label', 'Type / field type', 'Group', 'Unique']), row(['---', '---', '---', '---', '---', '---']));
    for (const p of properties) {
      push(row([p.objectType, code(p.name), p.label, `${p.type} / ${p.fieldType}${p.options ? ` (${p.options.map((o) => o.value).join(', ')})` : ''}`, code(p.groupName), p.hasUniqueValue ? 'yes' : 'no']));
    }
  } else push('None.');
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
  push(`\`npm run deploy -- ${def.name} --flow <flowId>\` shows what would change in the workflow's custom-code action; add \`--apply\` to write it. It relies on HubSpot's flows API (date version \`2026-09-beta\`, or the pinned version with \`-beta\`), which is in beta (scope \`automation\`).`);
  push('');
  return lines.join('\n');
}

export function renderIndex(sources: readonly GuideSource[]): string {
  const lines = ['# Action setup guides', '', '<!-- Generated by `npm run guide` (and `npm run build`). Do not edit by hand. -->', ''];
  lines.push(row(['Action', 'What it does', 'Enrolled object', 'Secrets', 'Custom properties']), row(['---', '---', '---', '---', '---']));
  for (const { definition: d } of sources) {
    lines.push(row([`[${d.name}](${d.name}.md)`, d.title, d.enrollment.objectType, Object.keys(d.secrets).length, (d.properties ?? []).length]));
  }
  lines.push('', 'Create the custom properties of every action with `npm run setup -- --apply` (dry run without `--apply`).', '');
  return lines.join('\n');
}

/** Writes one guide per action and the index; only files whose content changed are rewritten. Returns the paths. */
export function writeGuides(sources: readonly GuideSource[], dir = GUIDE_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const sorted = [...sources].sort((a, b) => a.definition.name.localeCompare(b.definition.name));
  const files: Array<[string, string]> = sorted.map((s) => [path.join(dir, `${s.definition.name}.md`), renderGuide(s)]);
  files.push([path.join(dir, 'README.md'), renderIndex(sorted)]);
  for (const [file, text] of files) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  return files.map(([file]) => file);
}

export const GUIDE_CLI: CommandSpec = {
  command: 'npm run guide --',
  summary: "Writes docs/actions/<action>.md (the setup guide an admin follows) and docs/actions/README.md from the actions' declarations.",
  usage: [''],
  options: [],
  notes: ['`npm run build` writes the same files; this command only skips the bundling. Files whose content is unchanged are left alone.'],
  maxPositionals: 0,
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  parseOrExit(GUIDE_CLI, process.argv.slice(2));
  loadActions()
    .then((actions) => {
      const written = writeGuides(actions.map((a) => ({ definition: a.definition, outputs: a.outputs })));
      console.log(`Wrote ${written.length} files in ${path.relative(ROOT, GUIDE_DIR)}/: ${written.map((f) => path.basename(f)).join(', ')}`);
      exitWhenFlushed(0);
    })
    .catch((error: unknown) => {
      console.error(`guide failed: ${error instanceof Error ? error.message : String(error)}`);
      exitWhenFlushed(1);
    });
}
