/**
 * `upgradeSource`: the pure core of `npm run upgrade`. Source in; the upgraded source, what was rewritten, what could
 * not be rewritten safely, and the findings a user must fix by hand out.
 */
import { parseSource } from './ast';
import { rewriteCallbackHandler, type Unsafe } from './callback-to-return';
import { analyze, pendingWork, UPGRADE_RULES, type Finding } from './checks';
import { findHandler, handlerShape, type HandlerShape } from './handler';

export interface UpgradeResult {
  /** 'rewritten': callback style → returned outputs; 'already': nothing to rewrite; 'blocked': unsafe sites; 'no-main': no handler found. */
  status: 'rewritten' | 'already' | 'blocked' | 'no-main';
  code: string;
  /** Callback call sites rewritten. */
  sites: number;
  /** Call sites left alone, with why (lines of the original file). */
  unsafe: Unsafe[];
  /** Rewritten sites that now behave differently on purpose (lines of the original file). */
  notes: Unsafe[];
  /** What the codemod cannot change safely, with lines of the upgraded file. */
  findings: Finding[];
  /** How the (upgraded) handler hands back outputs: the same verdict `verify` reports (handlerShape()). */
  outputs?: HandlerShape['kind'];
}

export function upgradeSource(source: string): UpgradeResult {
  const original = parseSource(source);
  const handler = findHandler(original);
  let status: UpgradeResult['status'] = 'no-main';
  let code = source;
  let sites = 0;
  let unsafe: Unsafe[] = [];
  let notes: Unsafe[] = [];
  if (handler) {
    const result = rewriteCallbackHandler(handler, source, handler.callbackName ? pendingWork(original, handler) : []);
    status = result.rewritten ? 'rewritten' : result.unsafe.length ? 'blocked' : 'already';
    code = result.code;
    sites = result.sites;
    unsafe = result.unsafe;
    notes = result.notes;
  }
  const ast = parseSource(code);
  const findings = analyze(ast, code).findings.filter((f) => UPGRADE_RULES.has(f.rule));
  const after = status === 'blocked' ? handler : findHandler(ast);
  return { status, code, sites, unsafe, notes, findings, ...(after ? { outputs: handlerShape(after).kind } : {}) };
}
