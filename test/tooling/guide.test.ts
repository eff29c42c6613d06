import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputType } from '../../lib/outputs';
import { DEPLOY_SCOPES, LOG_LEVEL_NOTE, OUTPUT_TYPE_LABELS, SETUP_SCOPES, installGuide, pasteGuideLines, propertyDisplay, triggerText } from '../../scripts/paste-guide.mjs';
import { FLOW_SCOPES } from '../../scripts/lib-tooling/flow-deploy';
import { typicalLength } from '../../scripts/codemod/secret-lengths';
import { SCHEMA_SCOPES } from '../../scripts/lib-tooling/property-setup';
import { GUIDE_DIR, README_FILE, README_TABLE_END, README_TABLE_START, renderGuide, renderIndex, renderReadmeTable, withReadmeTable, writeGuides, writeSummary } from '../../scripts/guide';
import { loadActions, ROOT } from '../../scripts/lib-tooling/common';
import { orderAction } from './fixtures/actions';

/**
 * The generated guide (docs/actions/<action>.md) and the header comment of the bundle (dist/<action>.js, from
 * scripts/paste-guide.mjs) are two renderings of one declaration. These tests read both back as data and prove
 * they say the same thing — same secrets, same inputs with the same mapping, same outputs with the same types —
 * for every action in dist/manifest.json (npm test builds first).
 */

interface Manifest {
  actions: Array<{
    name: string;
    file: string;
    secrets: Array<{ name: string; required: boolean }>;
    inputs: Array<{ name: string; type: string; fieldType: string; required: boolean; property: string | null }>;
    outputs: Array<{ name: string; type: OutputType; options?: string[] }>;
    properties: string[];
  }>;
}

const manifestFile = path.join(ROOT, 'dist', 'manifest.json');
const manifest: Manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : { actions: [] };

interface Described {
  secrets: string[];
  inputs: string[];
  outputs: string[];
  properties: string[];
}

/** The header comment's install steps, as data. */
function fromBundleHeader(bundle: string): Described {
  const end = bundle.indexOf(' */');
  const lines = bundle.slice(0, end).split('\n').map((l) => l.replace(/^ \* ?/, ''));
  const section = (startsWith: string) => {
    const start = lines.findIndex((l) => l.startsWith(startsWith));
    if (start < 0) return [];
    const out: string[] = [];
    for (const l of lines.slice(start + 1)) {
      if (!/^\s{2,}\S/.test(l)) break;
      out.push(l.trim());
    }
    return out;
  };
  return {
    secrets: section('4. Secrets').map((l) => {
      const m = /^(\S+)( \(optional\))? — /.exec(l);
      return `${m?.[1]}:${m?.[2] ? 'optional' : 'required'}`;
    }),
    inputs: section('5. Properties to include').map((l) => {
      const m = /^(\S+)( \(required\))? → (.+?)(?: \(([A-Z][A-Za-z -]+)\))? — /.exec(l);
      return `${m?.[1]}:${m?.[2] ? 'required' : 'optional'}:${m?.[3]}:${m?.[4] ?? '—'}`;
    }),
    outputs: section('7. Data outputs').map((l) => {
      const m = /^(\S+): ([A-Za-z ]+?)(?: \((.*)\))?$/.exec(l);
      return `${m?.[1]}:${m?.[2]}:${m?.[3] ?? ''}`;
    }),
    properties: section('1. Custom properties')
      .filter((l) => / property · label /.test(l))
      .map((l) => `${OBJECT_BY_LABEL[/^(\w[\w ]*?) property/.exec(l)?.[1] ?? '']}.${/internal name (\S+)/.exec(l)?.[1]}`),
  };
}

const OBJECT_BY_LABEL: Record<string, string> = { Contact: 'contacts', Company: 'companies', Deal: 'deals', 'Line item': 'line_items' };

/** The guide's tables, as the same data. */
function fromGuide(markdown: string): Described {
  const table = (heading: string) => {
    const start = markdown.indexOf(`\n## ${heading}\n`);
    if (start < 0) throw new Error(`guide has no "## ${heading}" section`);
    const body = markdown.slice(start + heading.length + 5).split('\n## ')[0] as string;
    const rows = body.split('\n').filter((l) => l.startsWith('| '));
    return rows.slice(2).map((r) =>
      r
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.replace(/\\\|/g, '|')),
    );
  };
  const bare = (c: string | undefined) => (c ?? '').replace(/^`|`$/g, '');
  return {
    secrets: table('Secrets').map(([name, required]) => `${bare(name)}:${required}`),
    inputs: table('Input fields').map(([name, pick, type, required]) => `${bare(name)}:${required}:${pick}:${type}`),
    outputs: table('Outputs').map(([name, type, values]) => `${bare(name)}:${type}:${values}`),
    properties: table('Custom properties').map(([objectType, name]) => `${objectType}.${bare(name)}`),
  };
}

function fromManifest(entry: Manifest['actions'][number]): Omit<Described, 'inputs'> & { inputs: string[] } {
  return {
    secrets: entry.secrets.map((s) => `${s.name}:${s.required ? 'required' : 'optional'}`),
    inputs: entry.inputs.map((i) => `${i.name}:${i.required ? 'required' : 'optional'}:${i.fieldType || '—'}`),
    outputs: entry.outputs.map((o) => `${o.name}:${OUTPUT_TYPE_LABELS[o.type]}:${o.options?.join(' | ') ?? ''}`),
    properties: entry.properties,
  };
}

/** name:required:type, without the "what to pick" column, to compare with the manifest. */
const withoutPick = (inputs: string[]) => inputs.map((i) => i.split(':')).map((p) => `${p[0]}:${p[1]}:${p.at(-1)}`);

describe('generated setup guides', () => {
  it('the build produced a manifest with at least one action', () => {
    expect(manifest.actions.length).toBeGreaterThan(0);
  });

  describe.each(manifest.actions.map((a) => [a.name, a] as const))('%s', (name, entry) => {
    const guideFile = path.join(GUIDE_DIR, `${name}.md`);

    it('has a guide, and it is what the current declaration renders', async () => {
      expect(existsSync(guideFile)).toBe(true);
      const [action] = await loadActions(name);
      expect(readFileSync(guideFile, 'utf8')).toBe(renderGuide({ definition: action!.definition, outputs: action!.outputs }));
    });

    it('guide and bundle header agree on secrets, inputs with their mapping, outputs with their types, properties', () => {
      const header = fromBundleHeader(readFileSync(path.join(ROOT, 'dist', entry.file), 'utf8'));
      const guide = fromGuide(readFileSync(guideFile, 'utf8'));
      expect(header.secrets.length).toBe(entry.secrets.length);
      expect(guide).toEqual(header);
      expect({ ...guide, inputs: withoutPick(guide.inputs) }).toEqual(fromManifest(entry));
      // Every input mapped to a property names it by its internal name, next to the label HubSpot shows.
      for (const i of entry.inputs) {
        const line = guide.inputs.find((g) => g.startsWith(`${i.name}:`));
        if (i.property) expect(line).toContain(`(\`${i.property}\`)`);
        expect(line).not.toContain('(any property or a fixed value)');
      }
    });

    it('checks the secret budget and lists every output type HubSpot offers by its editor label', () => {
      const text = readFileSync(guideFile, 'utf8');
      expect(text).toMatch(/Secret budget: typical values total \*\*\d+\*\*/);
      for (const o of entry.outputs) expect(Object.values(OUTPUT_TYPE_LABELS)).toContain(OUTPUT_TYPE_LABELS[o.type]);
      expect(text).toContain('`status`');
      expect(text).toContain('`error_code`');
    });
  });

  it('shopify-order-sync (which creates its deal) is installed on a webhook-triggered contact workflow, explained, not "a workflow on deal records"', async () => {
    const [shopify] = await loadActions('shopify-order-sync');
    const text = renderGuide({ definition: shopify!.definition, outputs: shopify!.outputs });
    expect(text).toContain('From scratch → **Contact-based**. Trigger: When a webhook is received');
    expect(text).toContain('a deal-based workflow cannot start it for a new order');
    expect(text).toMatch(/Settings → Notifications → Webhooks → Create webhook, event "Order creation" \(orders\/create\)/);
    expect(text).toContain('map the input shopify_order_id to the webhook\'s "id"');
  });

  describe('in HubSpot\'s words, with nothing internal (issue 23 §5)', () => {
    const all = async () => (await loadActions()).map((a) => ({ name: a.definition.name, definition: a.definition, header: pasteGuideLines(a.definition, { packageName: 'p', version: '1', build: 'b', outputs: a.outputs }).join('\n'), guide: renderGuide({ definition: a.definition, outputs: a.outputs }) }));

    it('trigger lines name properties by the labels the admin created or HubSpot shows, never by internal name', async () => {
      const [clearbit] = await loadActions('clearbit-enrich');
      const [quickbooks] = await loadActions('quickbooks-invoice');
      expect(installGuide(clearbit!.definition).trigger).toBe('Contact is created, or Email is known and Enriched at (Clearbit) is unknown');
      expect(installGuide(quickbooks!.definition).trigger).toBe('Deal Stage is Closed won and QuickBooks invoice ID is unknown');
      for (const a of await all()) {
        const trigger = installGuide(a.definition).trigger;
        expect(trigger, a.name).not.toMatch(/[{}]|\b[a-z]+_[a-z_]+ is (un)?known/);
      }
      expect(() => triggerText({ name: 'x', properties: [] }, { objectType: 'contact', trigger: '{no_such_property} is known' })).toThrow(/no_such_property/);
    });

    it('input field types are HubSpot UI field type names, and an input follows its property\'s type', async () => {
      const uiNames = ['Phone number', 'Single-line text', 'Multi-line text', 'Number', 'Date picker', 'Date and time picker', 'Dropdown select', 'Radio select', 'Single checkbox'];
      for (const a of await all()) {
        for (const i of installGuide(a.definition).inputs) {
          // HubSpot's own properties get none: the admin only picks them (their type is HubSpot's to show).
          const own = (a.definition.properties ?? []).some((p: { name: string }) => p.name === i.property);
          if (i.property && !own) expect(i.fieldType, `${a.name} ${i.name}`).toBe('');
          else expect(uiNames, `${a.name} ${i.name}`).toContain(i.fieldType);
        }
        expect(a.header, a.name).not.toMatch(/\[(string|email|decimal|integer|boolean|datetime|enumeration)\]/);
      }
      const [clearbit] = await loadActions('clearbit-enrich');
      const employees = installGuide(clearbit!.definition).inputs.find((i) => i.name === 'clearbit_company_employees');
      expect(employees).toMatchObject({ type: 'decimal', fieldType: 'Number' });
    });

    it('the pasted header carries no internal research notes', async () => {
      for (const a of await all()) expect(a.header, a.name).not.toMatch(/copies we could read|assumed|TODO/i);
    });

    it('the QuickBooks guide and header say where the tokens are kept, and not to delete that record', async () => {
      const quickbooks = (await all()).find((a) => a.name === 'quickbooks-invoice')!;
      for (const text of [quickbooks.header, quickbooks.guide]) expect(text).toContain('keeps its QuickBooks tokens on the company record "QuickBooks connection (do not delete)" — do not delete or merge it');
    });

    it('only a webhook-triggered workflow is told about webhook fields', async () => {
      for (const a of await all()) {
        const enrolls = a.guide.split('\n## What enrolls\n')[1]!.split('\n## ')[0]!;
        expect(enrolls.includes("trigger's webhook fields"), a.name).toBe(/webhook/i.test(installGuide(a.definition).trigger));
      }
    });

    it('documents LOG_LEVEL, the one optional secret every action reads, in the guide and the header', async () => {
      for (const a of await all()) {
        expect(a.header).toContain(`Troubleshooting: ${LOG_LEVEL_NOTE}`);
        expect(a.guide).toContain('`LOG_LEVEL` = `debug`');
      }
      // npm run verify counts it as the guides say: its 5 characters, not an unknown secret's 40.
      expect(typicalLength('LOG_LEVEL')).toMatchObject({ length: 5 });
      expect(LOG_LEVEL_NOTE).toContain('5 characters');
    });
  });

  it('the index links every action', () => {
    const index = readFileSync(path.join(GUIDE_DIR, 'README.md'), 'utf8');
    for (const a of manifest.actions) expect(index).toContain(`[${a.name}](${a.name}.md)`);
  });
});

describe('renderGuide', () => {
  const source = { definition: orderAction.definition, outputs: orderAction.outputs };

  it('is deterministic and carries no date or commit', () => {
    const text = renderGuide(source);
    expect(renderGuide(source)).toBe(text);
    expect(text).not.toMatch(/commit|\d{4}-\d{2}-\d{2}/);
  });

  it('lists inputs with the property to map (label and internal name), custom properties with uniqueness and options, API calls per path', () => {
    const text = renderGuide(source);
    expect(text).toContain('| `order_id` | Storefront order id (`storefront_order_id`) | Single-line text | required | Order id |');
    expect(text).toContain('| deals | `storefront_order_id` | Storefront order id | Storefront sync (`storefront_sync`) | Single-line text (string / text) | yes: Require unique values |  |');
    expect(text).toContain('| deals | `storefront_order_status` | Storefront order status | Storefront sync (`storefront_sync`) | Dropdown select (enumeration / select) | no | Paid = paid, Refunded = refunded |');
    expect(text).toContain('| new order | 2 |');
    expect(text).toContain('**82** of HubSpot\'s 1,000 characters');
  });

  it('orders the install steps as they must be done: custom properties first, then workflow, action, secrets, inputs, paste, outputs, test', () => {
    const install = renderGuide(source).split('\n## Install\n')[1]!.split('\n## ')[0]!;
    const steps = [...install.matchAll(/^(\d)\. \*\*([^*]+)\*\*/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(steps).toEqual(['1 Custom properties', '2 Workflow', '3 Action', '4 Secrets', '5 Properties to include in code', '6 Paste', '7 Data outputs', '8 Test']);
    const header = pasteGuideLines(orderAction.definition, { packageName: 'p', version: '1', build: 'c', outputs: orderAction.outputs });
    const headerSteps = header.filter((l) => /^\d\. /.test(l)).map((l) => /^(\d)\. ([A-Za-z ]+?):/.exec(l)?.slice(1).join(' '));
    expect(headerSteps).toEqual(['1 Custom properties', '2 Workflow', '3 Action', '4 Secrets', '5 Properties to include in code', '6 Paste', '7 Data outputs', '8 Test']);
  });

  it('names the setup command\'s schema scopes (not the action\'s) and the deploy scope, and says where a Service Key is made', () => {
    const text = renderGuide(source);
    expect(text).toContain('the **schema** scopes `crm.schemas.contacts.read`, `crm.schemas.contacts.write`, `crm.schemas.deals.read`, `crm.schemas.deals.write`');
    expect(text).toContain('Development → Keys → **Service keys**');
    expect(text).toMatch(/needs the scope `automation`/);
    const header = pasteGuideLines(orderAction.definition, { packageName: 'p', version: '1', build: 'c', outputs: orderAction.outputs }).join('\n');
    expect(header).toContain('schema scopes crm.schemas.contacts.read, crm.schemas.contacts.write, crm.schemas.deals.read, crm.schemas.deals.write');
    // The manual way, in HubSpot's words, one line per property, with uniqueness and every option.
    expect(header).toContain('Deal property · label "Storefront order id" · internal name storefront_order_id · group "Storefront sync" · field type Single-line text · Require unique values: on');
    expect(header).toContain('field type Dropdown select · options (label = internal value): Paid = paid, Refunded = refunded');
  });

  it('keeps its copy of the setup scopes equal to what npm run setup asks for, and the deploy scope to the deploy command\'s', () => {
    for (const [objectType, { read, write }] of Object.entries(SCHEMA_SCOPES)) expect(SETUP_SCOPES[objectType as keyof typeof SETUP_SCOPES]).toEqual([read, write]);
    expect(Object.keys(SETUP_SCOPES).sort()).toEqual(Object.keys(SCHEMA_SCOPES).sort());
    expect(DEPLOY_SCOPES).toEqual(FLOW_SCOPES);
  });

  it('shows HubSpot\'s label next to the internal name for default properties, and says what to pick for inputs without a property', () => {
    expect(propertyDisplay(orderAction.definition, 'contacts', 'lastmodifieddate')).toBe('Last Modified Date (`lastmodifieddate`)');
    expect(propertyDisplay(orderAction.definition, 'deals', 'storefront_order_id')).toBe('Storefront order id (`storefront_order_id`)');
    expect(propertyDisplay(orderAction.definition, 'contacts', 'no_such_property')).toBe('`no_such_property`');
    const definition = { ...orderAction.definition, inputs: { note: { type: 'string', required: false, description: 'A free note' } } };
    const [row] = installGuide(definition as unknown as typeof orderAction.definition).inputs;
    expect(row?.pick).toBe('a property or webhook field holding: A free note');
  });

  it('says so when the typical secret values do not fit the 1,000-character budget', () => {
    const definition = { ...orderAction.definition, name: 'fixture-greedy', secrets: { BIG_CERTIFICATE: { description: 'A PEM certificate', typicalLength: 1_200 } } };
    expect(renderGuide({ definition, outputs: orderAction.outputs })).toMatch(/\*\*1200\*\*, more than HubSpot's 1,000 characters .* \*\*does not fit\*\*/);
  });

  it('writeGuides writes one file per action, the index and the README table, and rewrites nothing when unchanged', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guides-'));
    const readme = path.join(dir, 'TOP.md');
    writeFileSync(readme, `# Title\n\n${README_TABLE_START}\nold table\n${README_TABLE_END}\n\nhand-written text\n`);
    const first = writeGuides([source], dir, readme);
    expect(first.files.map((f) => path.basename(f))).toEqual(['fixture-order-sync.md', 'README.md', 'TOP.md']);
    expect(first.written).toEqual(first.files);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe(renderIndex([source]));
    expect(readFileSync(readme, 'utf8')).toBe(`# Title\n\n${README_TABLE_START}\n${renderReadmeTable([source])}\n${README_TABLE_END}\n\nhand-written text\n`);
    expect(writeSummary(first)).toMatch(/^Wrote 3 of 3 files/);
    // Issue 23 §7: a second run changes nothing and says so, instead of "Wrote 3 files".
    const second = writeGuides([source], dir, readme);
    expect(second.written).toEqual([]);
    expect(writeSummary(second)).toMatch(/^3 files up to date/);
  });

  it("README.md's action table lists every action, from the declarations (a new action needs no README edit)", async () => {
    const actions = await loadActions();
    const table = renderReadmeTable(actions.map((a) => ({ definition: a.definition, outputs: a.outputs })));
    for (const a of actions) expect(table).toContain(`[dist/${a.definition.name}.js](dist/${a.definition.name}.js)`);
    const readme = readFileSync(README_FILE, 'utf8');
    expect(readme, 'README.md is out of date: run `npm run guide`').toBe(withReadmeTable(readme, table));
  });

  it('refuses to write the README table when its markers are gone, rather than appending a second table', () => {
    expect(() => withReadmeTable('# no markers\n', 'table')).toThrow(/lacks the markers/);
  });
});
