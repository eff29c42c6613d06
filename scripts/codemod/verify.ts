/**
 * `verifyFile`: the core of `npm run verify`. Static checks (scripts/codemod/checks.ts) plus one sandboxed run with
 * every HTTP call failing (scripts/codemod/probe.ts), merged into one report with a line number per finding.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSource, ParseError, walk, memberPath, type Node } from './ast';
import { analyze, type Finding, type OutputField } from './checks';
import { isRetriedByHubSpot, probeFile, ROOT, type ProbeResult } from './probe';
import { declaredLengths, SECRET_BUDGET_CHARS, typicalLength } from './secret-lengths';

export interface VerifyFinding extends Finding {
  /** 'static': read from the code; 'run': seen in the sandboxed run. */
  source: 'static' | 'run';
}

export interface SecretUse {
  name: string;
  lines: number[];
  typicalLength: number;
  basis: string;
  /** Read only at run time (a computed process.env[name]). */
  runOnly?: boolean;
}

export interface VerifyReport {
  file: string;
  ok: boolean;
  counts: { error: number; warning: number; info: number };
  handler?: { line: number; style: 'callback' | 'return'; outputs: 'callback' | 'returned' | 'none' };
  secrets: { uses: SecretUse[]; typicalTotal: number; budget: number; fits: boolean };
  outputs: Array<OutputField & { observed?: string }>;
  run?: {
    event: 'given' | 'synthesized';
    status: number;
    outcome: ProbeResult['outcome'];
    thrownStatus?: number;
    hubspotReruns?: boolean;
    outputs?: Record<string, unknown>;
    callbacks: number;
    calls: Array<{ method: string; url: string; status: number }>;
    ms: number;
  };
  findings: VerifyFinding[];
}

export interface VerifyOptions {
  /** Workflow event for the run; a harness fixture's `event` is taken too. Synthesized from the inputs read when absent. */
  event?: object;
  /** Secret values for the run (e.g. a harness fixture's placeholders); other secrets get recognisable fakes. */
  secrets?: Record<string, string>;
  /** Skip the sandboxed run. */
  staticOnly?: boolean;
  timeoutMs?: number;
  /** @hubspot/api-client behind require in the run: HubSpot's documented ^10 (default, as in the harness) or the latest. */
  client?: 'v10' | 'latest';
}

/** An event with every `event.inputFields.X` the file reads (or its header lists), filled with plausible values. */
export function synthesizeEvent(ast: Node, source = ''): object {
  const names = new Set<string>();
  // Our bundles read their inputs generically; their header lists them ("email (required) → email [email]").
  for (const m of source.matchAll(/^\s*\*\s{3,}([\w-]+)(?: \(required\))? → /gm)) if (m[1]) names.add(m[1]);
  const objectType = /Workflow on (\w+) records/.exec(source)?.[1]?.toUpperCase() ?? 'CONTACT';
  walk(ast, (node) => {
    const p = memberPath(node);
    const m = p ? /^event\.inputFields\.(\w+)$/.exec(p) : null;
    if (m?.[1]) names.add(m[1]);
    if (node.type === 'VariableDeclarator' && node.id.type === 'ObjectPattern' && memberPath(node.init) === 'event.inputFields') {
      for (const prop of node.id.properties) if (prop.key?.type === 'Identifier') names.add(prop.key.name);
    }
  });
  const value = (name: string) => (/email/i.test(name) ? 'probe@verify.example' : /domain|website/i.test(name) ? 'verify.example' : /date/i.test(name) ? '2026-01-15' : /(^|_)id$|Id$/.test(name) ? '101' : /amount|price|total/i.test(name) ? '100' : 'probe');
  return { object: { objectId: '101', objectType }, inputFields: Object.fromEntries([...names].map((n) => [n, value(n)])), callbackId: 'ap-verify-probe', origin: { portalId: 1, actionDefinitionId: 1 } };
}

function readManifest(): { actions?: Array<{ secrets?: Array<{ name: string; typicalLength: number }> }> } | undefined {
  const file = path.join(ROOT, 'dist', 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Outputs a bundle declares in its header (our dist/*.js list them for the person pasting: "name: Type"), used when
 * the handler cannot be followed statically.
 */
export function headerOutputs(source: string): OutputField[] {
  const block = /Data outputs[^\n]*\n((?:\s*\*\s{3,}[\w-]+: [^\n]+\n)+)/.exec(source);
  if (!block?.[1]) return [];
  const start = source.slice(0, block.index).split('\n').length + 1;
  return block[1]
    .trimEnd()
    .split('\n')
    .map((line, i) => {
      const m = /\*\s+([\w-]+): (\w+)/.exec(line);
      return m?.[1] && m[2] ? { name: m[1], types: [m[2].toLowerCase()], lines: [start + i] } : undefined;
    })
    .filter((o): o is OutputField => o !== undefined);
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export function runFindings(probe: ProbeResult, declaresNoOutputs: boolean): VerifyFinding[] {
  const out: VerifyFinding[] = [];
  const add = (f: Finding) => out.push({ ...f, source: 'run' });
  if (probe.loadError) {
    add({ rule: 'load', severity: 'error', line: 0, message: `the file fails to load in HubSpot's runtime: ${probe.loadError}` });
    return out;
  }
  if (!probe.mainIsFunction) {
    add({ rule: 'no-main', severity: 'error', line: 0, message: 'after loading, exports.main is not a function: HubSpot has nothing to call' });
    return out;
  }
  if (probe.callbacks > 1) add({ rule: 'callback-twice', severity: 'error', line: 0, message: `main called its callback ${probe.callbacks} times in one run: only the first counts, the rest of the run's work is lost` });
  for (const name of probe.secretsInLogs) add({ rule: 'secret-logged', severity: 'error', line: 0, message: `the value of ${name} appeared in the run's log lines`, fix: 'never log secret values' });
  const madeCalls = probe.calls.length > 0;
  if (probe.outcome === 'timeout') add({ rule: 'timeout', severity: 'warning', line: 0, message: 'the run did not finish within 20 s (HubSpot stops it there, without a retry)' });
  if (probe.outcome === 'returned' && madeCalls) {
    add({
      rule: 'swallowed-error',
      severity: 'error',
      line: 0,
      message: `every HTTP call was answered 503, yet the run ended with ${probe.outputs ? `outputs ${JSON.stringify(probe.outputs)}` : 'no error'}: HubSpot records that as done and does not re-run the action`,
      fix: 're-throw 429/5xx failures (with their status) instead of returning',
    });
  }
  // A handler that never returns a value declares no outputs: ending without any is what it means (handlerShape()).
  if (probe.outcome === 'returned' && !probe.outputs && !declaresNoOutputs) add({ rule: 'missing-return', severity: 'error', line: 0, message: 'the run ended without outputs (main returned nothing and never called back)' });
  if (probe.outcome === 'threw' && madeCalls && !isRetriedByHubSpot(probe.thrownStatus)) {
    add({
      rule: 'retry-lost',
      severity: 'error',
      line: 0,
      message: `every HTTP call was answered 503 and the run failed with ${probe.thrownStatus !== undefined ? `status ${probe.thrownStatus}` : 'an error that carries no status'} ("${(probe.thrownMessage ?? '').slice(0, 120)}"): HubSpot re-runs only errors with status 429 or 5xx (error.response.status or error.code)`,
      fix: 'let the 503 propagate, or throw an error with { response: { status } } set',
    });
  }
  if (!madeCalls && probe.outcome !== 'timeout') add({ rule: 'run-inconclusive', severity: 'info', line: 0, message: 'the run made no HTTP call with this event, so outage handling was not exercised: pass --event with inputs that reach the API calls' });
  return out;
}

export async function verifyFile(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const source = readFileSync(file, 'utf8');
  let ast: Node;
  try {
    ast = parseSource(source);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const findings: VerifyFinding[] = [{ rule: 'parse', severity: 'error', line: error.line, message: error.message, source: 'static' }];
    return { file, ok: false, counts: { error: 1, warning: 0, info: 0 }, secrets: { uses: [], typicalTotal: 0, budget: SECRET_BUDGET_CHARS, fits: true }, outputs: [], findings };
  }
  const analysis = analyze(ast, source);
  const findings: VerifyFinding[] = analysis.findings.map((f) => ({ ...f, source: 'static' as const }));
  const declared = declaredLengths(readManifest());

  const uses = new Map<string, SecretUse>();
  for (const read of analysis.envReads) {
    const known = uses.get(read.name) ?? { name: read.name, lines: [], ...(({ length, basis }) => ({ typicalLength: length, basis }))(typicalLength(read.name, declared)) };
    if (!known.lines.includes(read.line)) known.lines.push(read.line);
    uses.set(read.name, known);
  }

  let run: VerifyReport['run'];
  if (!options.staticOnly) {
    const event = options.event ?? synthesizeEvent(ast, source);
    const secretNames = [...new Set([...uses.keys(), ...Object.keys(options.secrets ?? {})])];
    const common = { event, ...(options.secrets ? { secretValues: options.secrets } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.client ? { client: options.client } : {}) };
    const probe = await probeFile(file, { ...common, secretNames });
    // A second pass when the run read secrets the code names only dynamically, so they get values too.
    const missing = probe.envRead.filter((n) => !uses.has(n));
    const final = missing.length ? await probeFile(file, { ...common, secretNames: [...secretNames, ...missing] }) : probe;
    for (const name of final.envRead) {
      if (uses.has(name)) continue;
      const { length, basis } = typicalLength(name, declared);
      uses.set(name, { name, lines: [], typicalLength: length, basis, runOnly: true });
    }
    findings.push(...runFindings(final, analysis.handler?.outputs === 'none'));
    run = {
      event: options.event ? 'given' : 'synthesized',
      status: 503,
      outcome: final.outcome,
      ...(final.thrownStatus !== undefined ? { thrownStatus: final.thrownStatus } : {}),
      ...(final.outcome === 'threw' ? { hubspotReruns: isRetriedByHubSpot(final.thrownStatus) } : {}),
      ...(final.outputs ? { outputs: final.outputs } : {}),
      callbacks: final.callbacks,
      calls: final.calls,
      ms: Math.round(final.ms),
    };
  }

  const typicalTotal = [...uses.values()].reduce((sum, u) => sum + u.typicalLength, 0);
  const fits = typicalTotal <= SECRET_BUDGET_CHARS;
  if (!fits) {
    findings.push({ rule: 'secret-budget', severity: 'error', line: [...uses.values()][0]?.lines[0] ?? 0, source: 'static', message: `the secrets this file reads typically total ${typicalTotal} characters, more than HubSpot's ${SECRET_BUDGET_CHARS.toLocaleString('en-US')} for all secret values of the account together`, fix: 'store long values (keys, certificates) elsewhere, or split the work' });
  }
  const outputs = (analysis.outputs.length || analysis.handler ? analysis.outputs : headerOutputs(source)).map((o) => ({ ...o, ...(run?.outputs && o.name in run.outputs ? { observed: typeOf(run.outputs[o.name]) } : {}) }));
  findings.sort((a, c) => (a.line || Infinity) - (c.line || Infinity) || a.rule.localeCompare(c.rule));
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return {
    file,
    ok: counts.error === 0,
    counts,
    ...(analysis.handler ? { handler: analysis.handler } : {}),
    secrets: { uses: [...uses.values()], typicalTotal, budget: SECRET_BUDGET_CHARS, fits },
    outputs,
    ...(run ? { run } : {}),
    findings,
  };
}

export function formatVerify(report: VerifyReport): string[] {
  const out = [`verify ${path.relative(process.env.INIT_CWD ?? process.cwd(), report.file) || report.file}`];
  out.push(report.handler ? `  handler: exports.main (line ${report.handler.line}), ${report.handler.style === 'callback' ? 'callback style' : report.handler.outputs === 'none' ? 'returns no outputs (declares none)' : 'returns its outputs'}` : '  handler: not found statically');
  if (report.secrets.uses.length) {
    out.push('  secrets read (process.env):');
    for (const u of report.secrets.uses) out.push(`    ${u.name.padEnd(28)} ${u.lines.length ? `line ${u.lines.join(', ')}` : 'read at run time'} · ~${u.typicalLength} chars (${u.basis})`);
    out.push(`    total ~${report.secrets.typicalTotal} of HubSpot's ${report.secrets.budget.toLocaleString('en-US')} characters for all secrets of the account: ${report.secrets.fits ? 'fits' : 'DOES NOT FIT'}`);
  } else out.push('  secrets read (process.env): none');
  if (report.outputs.length) {
    out.push('  outputs:');
    for (const o of report.outputs) out.push(`    ${o.name.padEnd(28)} ${o.types.join(' | ')}${o.observed ? ` (run: ${o.observed})` : ''} · line ${o.lines.join(', ')}`);
  } else out.push('  outputs: none found statically');
  if (report.run) {
    const r = report.run;
    const result = r.outcome === 'threw' ? `threw${r.thrownStatus !== undefined ? ` status ${r.thrownStatus}` : ' (no status)'} → ${r.hubspotReruns ? 'HubSpot re-runs it' : 'HubSpot does NOT re-run it'}` : r.outcome === 'returned' ? `returned ${r.outputs ? JSON.stringify(r.outputs) : 'nothing'}` : r.outcome;
    out.push(`  run with every HTTP call answered 503 (${r.event} event): ${r.calls.length} call${r.calls.length === 1 ? '' : 's'}, ${result}, ${r.ms} ms`);
    for (const c of r.calls.slice(0, 5)) out.push(`    ${c.method} ${c.url} → ${c.status}`);
    if (r.calls.length > 5) out.push(`    … ${r.calls.length - 5} more`);
  }
  out.push('');
  for (const f of report.findings) {
    out.push(`  ${f.line ? `line ${f.line}`.padEnd(9) : 'run'.padEnd(9)} ${f.severity.padEnd(7)} ${f.rule}: ${f.message}`);
    if (f.fix) out.push(`  ${''.padEnd(9)} ${''.padEnd(7)} fix: ${f.fix}`);
  }
  out.push(`${report.findings.length ? '\n' : ''}${report.counts.error} error${report.counts.error === 1 ? '' : 's'}, ${report.counts.warning} warning${report.counts.warning === 1 ? '' : 's'} — ${report.ok ? 'OK' : 'FAIL'}`);
  return out;
}
