import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputType } from '../../lib/outputs';
import { OUTPUT_TYPE_LABELS } from '../../scripts/paste-guide.mjs';
import { GUIDE_DIR, renderGuide, renderIndex, writeGuides } from '../../scripts/guide';
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
    inputs: Array<{ name: string; type: string; required: boolean; property: string | null }>;
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
    const out: string[] = [];
    for (const l of lines.slice(start + 1)) {
      if (!/^\s{2,}\S/.test(l)) break;
      out.push(l.trim());
    }
    return out;
  };
  return {
    secrets: section('3. Secrets').map((l) => {
      const m = /^(\S+)( \(optional\))? — /.exec(l);
      return `${m?.[1]}:${m?.[2] ? 'optional' : 'required'}`;
    }),
    inputs: section('4. Properties to include').map((l) => {
      const m = /^(\S+)( \(required\))? → (.+) \[(\w+)\]$/.exec(l);
      return `${m?.[1]}:${m?.[2] ? 'required' : 'optional'}:${m?.[3] === '(any property or a fixed value)' ? '-' : m?.[3]}:${m?.[4]}`;
    }),
    outputs: section('6. Data outputs').map((l) => {
      const m = /^(\S+): ([A-Za-z ]+?)(?: \((.*)\))?$/.exec(l);
      return `${m?.[1]}:${m?.[2]}:${m?.[3] ?? ''}`;
    }),
    properties: section('Custom properties it needs').map((l) => /^(\S+) \(/.exec(l)?.[1] ?? l),
  };
}

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
        .map((c) => c.replace(/\\\|/g, '|').replace(/^`|`$/g, '')),
    );
  };
  return {
    secrets: table('Secrets').map(([name, required]) => `${name}:${required}`),
    inputs: table('Input fields').map(([name, property, type, required]) => `${name}:${required}:${property === '(any property or a fixed value)' ? '-' : property}:${type}`),
    outputs: table('Outputs').map(([name, type, values]) => `${name}:${type}:${values}`),
    properties: table('Custom properties').map(([objectType, name]) => `${objectType}.${name}`),
  };
}

function fromManifest(entry: Manifest['actions'][number]): Described {
  return {
    secrets: entry.secrets.map((s) => `${s.name}:${s.required ? 'required' : 'optional'}`),
    inputs: entry.inputs.map((i) => `${i.name}:${i.required ? 'required' : 'optional'}:${i.property ?? '-'}:${i.type}`),
    outputs: entry.outputs.map((o) => `${o.name}:${OUTPUT_TYPE_LABELS[o.type]}:${o.options?.join(' | ') ?? ''}`),
    properties: entry.properties,
  };
}

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
      expect(guide).toEqual(fromManifest(entry));
    });

    it('checks the secret budget and lists every output type HubSpot offers by its editor label', () => {
      const text = readFileSync(guideFile, 'utf8');
      expect(text).toMatch(/Secret budget: typical values total \*\*\d+\*\*/);
      for (const o of entry.outputs) expect(Object.values(OUTPUT_TYPE_LABELS)).toContain(OUTPUT_TYPE_LABELS[o.type]);
      expect(text).toContain('`status`');
      expect(text).toContain('`error_code`');
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

  it('lists inputs with the property to map, custom properties with uniqueness, API calls per path', () => {
    const text = renderGuide(source);
    expect(text).toContain('| `order_id` | `storefront_order_id` | string | required | Order id |');
    expect(text).toContain('| deals | `storefront_order_id` | Storefront order id | string / text | `storefront_sync` | yes |');
    expect(text).toContain('| deals | `storefront_order_status` | Storefront order status | enumeration / select (paid, refunded) | `storefront_sync` | no |');
    expect(text).toContain('| new order | 2 |');
    expect(text).toContain('**82** of HubSpot\'s 1,000 characters');
  });

  it('says so when the typical secret values do not fit the 1,000-character budget', () => {
    const definition = { ...orderAction.definition, name: 'fixture-greedy', secrets: { BIG_CERTIFICATE: { description: 'A PEM certificate', typicalLength: 1_200 } } };
    expect(renderGuide({ definition, outputs: orderAction.outputs })).toMatch(/\*\*1200\*\*, more than HubSpot's 1,000 characters .* \*\*does not fit\*\*/);
  });

  it('writeGuides writes one file per action plus the index, and rewrites nothing when unchanged', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guides-'));
    const files = writeGuides([source], dir);
    expect(files.map((f) => path.basename(f))).toEqual(['fixture-order-sync.md', 'README.md']);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe(renderIndex([source]));
    expect(writeGuides([source], dir)).toEqual(files);
  });
});
