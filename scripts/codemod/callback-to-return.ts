/**
 * Rewrites a callback-style handler into the Node.js 24 style: "Node.js 24 doesn't support callback-style
 * handlers, so you'll need to update your code to return its outputs instead of calling callback()"
 * (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24).
 *
 * A call site is rewritten only when the new code does exactly what the old code did:
 *   callback(result)                 → return result        (last thing the function does, or followed by `return;`)
 *   return callback(result)          → return result        (early return)
 *   callback(null, result)           → return result        (Lambda's error-first form; HubSpot's callback takes the
 *                                                            result as its FIRST argument, so the old code handed
 *                                                            HubSpot null: reported as a behaviour change)
 *   callback(err) / callback(err, x) → throw err            (err: a catch parameter or `new …Error(…)`)
 *   p.then(r => callback(result))    → return p.then(r => result)   (the chain is returned so HubSpot awaits it)
 * Anything else (code that runs after the callback, a callback inside setTimeout or an event listener, a callback
 * handed to another function) is left untouched and reported with its line: then the handler is not rewritten at
 * all, because half a rewrite would leave a `callback` that no longer exists.
 *
 * Work still pending at callback() (a promise nobody awaits, a timer): the old runtime let it finish before ending
 * the run (Lambda waits for the event loop to drain after a callback, `callbackWaitsForEmptyEventLoop`:
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html); a Node.js 24 handler is frozen once it returns.
 * A promise started in the handler's own body is awaited where it starts (reported as a note: the outputs now come
 * after it, and its failure fails the run); one started inside a nested function, a timer or a forEach(async …)
 * blocks the rewrite with its line.
 */
import { isFunction, lineOf, textOf, TextEdits, type Node } from './ast';
import type { PendingWork } from './checks';
import type { Handler } from './handler';

export interface Unsafe {
  line: number;
  reason: string;
}

export interface RewriteResult {
  rewritten: boolean;
  /** Call sites rewritten. */
  sites: number;
  unsafe: Unsafe[];
  /** Rewritten sites whose behaviour changes on purpose (see `callback(null, result)`). */
  notes: Unsafe[];
}

interface Slot {
  container: Node;
  key: string;
  index?: number;
}

interface Edit {
  apply(edits: TextEdits, source: string): void;
}

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

function isNullish(node: Node): boolean {
  return node?.type === 'NullLiteral' || (node?.type === 'Literal' && node.value === null) || (node?.type === 'Identifier' && node.name === 'undefined');
}

/** Parameter names that hold a caught error: `catch (err)` and `.catch((err) => …)` around the call. */
function caughtErrorNames(parents: Node[]): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i];
    if (p.type === 'CatchClause' && p.param?.type === 'Identifier') names.add(p.param.name);
    if (isFunction(p) && p.params[0]?.type === 'Identifier') {
      const call = parents[i - 1];
      if (call?.type === 'CallExpression' && call.callee.type === 'MemberExpression' && call.callee.property.name === 'catch') names.add(p.params[0].name);
      if (call?.type === 'CallExpression' && call.callee.type === 'MemberExpression' && call.callee.property.name === 'then' && call.arguments[1] === p) names.add(p.params[0].name);
    }
  }
  return names;
}

function isErrorValue(node: Node, caught: Set<string>): boolean {
  if (node?.type === 'Identifier') return caught.has(node.name);
  if (node?.type === 'NewExpression' && node.callee.type === 'Identifier') return /Error$/.test(node.callee.name);
  return false;
}

type Outcome = { kind: 'return'; value: Node } | { kind: 'throw'; value: Node };

function outcomeOf(call: Node, parents: Node[]): Outcome | Unsafe {
  const args = call.arguments;
  const caught = caughtErrorNames(parents);
  if (args.length === 1 && args[0].type !== 'SpreadElement') {
    return isErrorValue(args[0], caught) ? { kind: 'throw', value: args[0] } : { kind: 'return', value: args[0] };
  }
  if (args.length === 2) {
    if (isNullish(args[0])) return { kind: 'return', value: args[1] };
    if (isErrorValue(args[0], caught)) return { kind: 'throw', value: args[0] };
  }
  return { line: lineOf(call), reason: `callback called with ${args.length} argument(s) in a form we cannot map to a return value or a thrown error` };
}

function slotOf(node: Node, parent: Node): Slot | undefined {
  for (const key of Object.keys(parent)) {
    const value = parent[key];
    if (value === node) return { container: parent, key };
    if (Array.isArray(value)) {
      const index = value.indexOf(node);
      if (index >= 0) return { container: parent, key, index };
    }
  }
  return undefined;
}

function isBareReturn(stmt: Node): boolean {
  return stmt?.type === 'ReturnStatement' && !stmt.argument;
}

/**
 * Whether `stmt` (at parents[depth]'s child) is the last thing `fn` does: every statement after it, up to the end of
 * the function, is absent. Walks out through blocks, if/else branches and try blocks; loops and switches stop it.
 */
function isTerminal(stmt: Node, parents: Node[], fn: Node): boolean {
  let current = stmt;
  for (let i = parents.length - 1; i >= 0; i--) {
    const parent = parents[i];
    if (parent === fn) return true;
    if (parent.type === 'BlockStatement' || parent.type === 'Program') {
      const body = parent.body;
      if (body.indexOf(current) !== body.length - 1) return false;
    } else if (parent.type === 'IfStatement' || parent.type === 'TryStatement' || parent.type === 'CatchClause' || parent.type === 'LabeledStatement') {
      if (parent.type === 'TryStatement' && parent.finalizer === current) return false;
    } else {
      return false;
    }
    current = parent;
  }
  return false;
}

/** Replaces the statement `stmt` by `return value;` (or `throw value;`), dropping a `return;` right after it. */
function replaceStatement(stmt: Node, parents: Node[], fn: Node, outcome: Outcome | { kind: 'prefix' }): Edit | Unsafe {
  const parent = parents[parents.length - 1];
  const slot = slotOf(stmt, parent);
  if (!slot) return { line: lineOf(stmt), reason: 'internal: statement not found in its parent' };
  const next = slot.index !== undefined ? parent[slot.key][slot.index + 1] : undefined;
  const dropNext = isBareReturn(next);
  if (!dropNext && outcome.kind !== 'throw' && !isTerminal(stmt, parents, fn)) {
    return { line: lineOf(stmt), reason: 'code after this callback() keeps running in the old handler; a `return` here would skip it (move the callback to the end, or add `return;` after it if nothing should run)' };
  }
  return {
    apply(edits, source) {
      if (outcome.kind === 'prefix') edits.insert(stmt.start, 'return ');
      else edits.replace(stmt.start, stmt.end, `${outcome.kind} ${textOf(source, outcome.value)};`);
      if (dropNext) edits.replace(stmt.end, next.end, '');
    },
  };
}

/**
 * The call `p.then(f)` (f being the function that calls back) must be what its own enclosing function returns.
 * Returns the edit that makes it so (or nothing when it already is), or why it cannot be done safely.
 */
function returnChain(fnNode: Node, parents: Node[]): { edit?: Edit; statement?: Node; outer: Node; outerParents: Node[] } | Unsafe {
  const idx = parents.length - 1;
  const call = parents[idx];
  if (call?.type !== 'CallExpression' || call.callee.type !== 'MemberExpression' || !PROMISE_METHODS.has(call.callee.property?.name) || !call.arguments.includes(fnNode)) {
    const where = call?.type === 'CallExpression' ? `passed to ${call.callee.type === 'MemberExpression' ? `.${call.callee.property?.name ?? '?'}()` : `${call.callee.name ?? 'a function'}()`}` : 'defined';
    return { line: lineOf(fnNode), reason: `callback() is called inside a function ${where} here; only promise chains (.then/.catch/.finally) can be rewritten safely — wrap the asynchronous part in a Promise and await it` };
  }
  // Climb the chain: p.then(f).catch(g) — the whole chain is what must be returned.
  let top = call;
  let i = idx - 1;
  while (i >= 1 && parents[i].type === 'MemberExpression' && parents[i].object === top && parents[i - 1].type === 'CallExpression' && parents[i - 1].callee === parents[i]) {
    top = parents[i - 1];
    i -= 2;
  }
  let holder = parents[i];
  let expr = top;
  if (holder?.type === 'AwaitExpression') {
    expr = holder;
    i -= 1;
    holder = parents[i];
  }
  let fnIndex = i;
  while (fnIndex >= 0 && !isFunction(parents[fnIndex])) fnIndex--;
  const outer = parents[fnIndex];
  const outerParents = parents.slice(0, fnIndex);
  if (holder?.type === 'ReturnStatement') return { outer, outerParents };
  if (isFunction(holder) && holder.body === expr) return { outer, outerParents };
  if (holder?.type === 'ExpressionStatement') {
    const stmtParents = parents.slice(0, i);
    const replaced = replaceStatement(holder, stmtParents, outer, { kind: 'prefix' });
    if ('line' in replaced) return { line: lineOf(holder), reason: `the promise chain that calls back (line ${lineOf(fnNode)}) is followed by code that runs before it settles; returning the chain would skip that code` };
    return { edit: replaced, statement: holder, outer, outerParents };
  }
  return { line: lineOf(top), reason: 'the promise chain that calls back is used as a value here (assigned or passed on); return or await it yourself' };
}

function collectSites(handler: Handler): Array<{ call: Node; parents: Node[] }> {
  const sites: Array<{ call: Node; parents: Node[] }> = [];
  const name = handler.callbackName;
  const parents: Node[] = [];
  const visit = (node: Node): void => {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === name) sites.push({ call: node, parents: [...parents] });
    parents.push(node);
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'comments' || key === 'original' || key === 'tokens') continue;
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) visit(child);
      else if (value && typeof value === 'object' && typeof value.type === 'string') visit(value);
    }
    parents.pop();
  };
  visit(handler.fn.body);
  // parents above the handler body: the handler itself
  for (const site of sites) site.parents.unshift(handler.fn);
  return sites;
}

/** Other uses of the callback (passed on, stored): a rewrite would leave them dangling. */
function strayReferences(handler: Handler, sites: Array<{ call: Node }>): Unsafe[] {
  const callees = new Set(sites.map((s) => s.call.callee));
  const out: Unsafe[] = [];
  // `if (callback)`, `callback && …`, `!callback`, `typeof callback === 'function'`, `callback ? a : b`: a test, not a hand-off.
  const testedHere = new Set<Node>();
  const isName = (n: Node) => n?.type === 'Identifier' && n.name === handler.callbackName;
  const visit = (node: Node): void => {
    if (!node || typeof node.type !== 'string') return;
    if ((node.type === 'IfStatement' || node.type === 'ConditionalExpression' || node.type === 'WhileStatement') && isName(node.test)) testedHere.add(node.test);
    if (node.type === 'LogicalExpression' && isName(node.left)) testedHere.add(node.left);
    if (node.type === 'UnaryExpression' && (node.operator === '!' || node.operator === 'typeof') && isName(node.argument)) testedHere.add(node.argument);
    if (node.type === 'BinaryExpression' && (isName(node.left) || isName(node.right)) && ['===', '!==', '==', '!='].includes(node.operator)) testedHere.add(isName(node.left) ? node.left : node.right);
    if (node.type === 'Identifier' && node.name === handler.callbackName && !callees.has(node)) {
      out.push({ line: lineOf(node), reason: testedHere.has(node) ? `\`${handler.callbackName}\` is tested here (as in \`if (${handler.callbackName})\`), not passed on: HubSpot always passed a callback, so the old code always took the branch where it is set; keep only that branch (drop the test), then run the upgrade again` : `\`${handler.callbackName}\` is passed on or stored here, not called; change that code to return its result` });
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'comments' || key === 'original' || key === 'tokens') continue;
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) visit(child);
      else if (value && typeof value === 'object' && typeof value.type === 'string') visit(value);
    }
  };
  visit(handler.fn.body);
  return out;
}

/** Plans every call site; returns the rewritten source only when all of them are safe. */
export function rewriteCallbackHandler(handler: Handler, source: string, pending: PendingWork[] = []): RewriteResult & { code: string } {
  if (!handler.callbackName) return { rewritten: false, sites: 0, unsafe: [], notes: [], code: source };
  const sites = collectSites(handler);
  const unsafe: Unsafe[] = strayReferences(handler, sites);
  const edits: Edit[] = [];
  const notes: Unsafe[] = [];
  for (const work of pending) {
    const line = lineOf(work.statement);
    const ownBody = work.kind === 'promise' && innermostFunction(handler.fn, work.statement) === handler.fn;
    // Awaiting inside a loop would run the requests one after another instead of together: longer, maybe past 20 s.
    const inLoop = ownBody && insideLoop(handler.fn, work.statement);
    if (!ownBody || inLoop) {
      const [what, fix] =
        work.kind === 'timer'
          ? [`${work.started} schedules work`, 'if that work must happen, wait for it in main (await new Promise((resolve) => setTimeout(resolve, ms)), then do it); otherwise remove it']
          : work.kind === 'forEach'
            ? ['.forEach(async …) starts promises it drops', 'use for (const item of items) { await … } (or await Promise.all(items.map(async (item) => …)))']
            : inLoop
              ? [`${work.started} is started in a loop and not awaited`, 'collect the promises and await Promise.all(them) after the loop (awaiting each in the loop would run them one after another)']
              : [`${work.started} is started inside a nested function and not returned`, 'await it in that function (make the function async) or return it, so the chain main returns waits for it'];
      unsafe.push({ line, reason: `${what}: the old runtime kept it running after callback() until it finished; on Node.js 24 the run is frozen once main returns, so it would be lost — ${fix}, then run the upgrade again` });
      continue;
    }
    const expr = work.statement.expression;
    edits.push({ apply: (e) => (expr.type === 'UnaryExpression' && expr.operator === 'void' ? e.replace(expr.start, expr.argument.start, 'await ') : e.insert(expr.start, 'await ')) });
    notes.push({ line, reason: `${work.started} was left running at callback() (the old runtime finished it before ending the run); Node.js 24 would freeze it once main returns, so it is now awaited here: the outputs come after it, and its failure now fails the run (a 429/5xx makes HubSpot re-run the action)` });
  }
  const chainsDone = new Set<Node>();
  for (const { call, parents } of sites) {
    const outcome = outcomeOf(call, parents);
    if ('line' in outcome) {
      unsafe.push(outcome);
      continue;
    }
    if (call.arguments.length === 2 && isNullish(call.arguments[0])) {
      notes.push({ line: lineOf(call), reason: `${handler.callbackName}(null, result) handed HubSpot null (its callback takes the result as the first argument), so this path produced no outputs before; it now returns the result — check the outputs` });
    }
    const parent = parents[parents.length - 1];
    let fnIndex = parents.length - 1;
    while (fnIndex >= 0 && !isFunction(parents[fnIndex])) fnIndex--;
    const fn = parents[fnIndex];
    if (parent.type === 'ExpressionStatement') {
      const edit = replaceStatement(parent, parents.slice(0, -1), fn, outcome);
      if ('line' in edit) {
        unsafe.push(edit);
        continue;
      }
      edits.push(edit);
    } else if (parent.type === 'ReturnStatement') {
      edits.push({
        apply: (e, source) => (outcome.kind === 'return' ? e.replace(call.start, call.end, textOf(source, outcome.value)) : e.replace(parent.start, parent.end, `throw ${textOf(source, outcome.value)};`)),
      });
    } else if (isFunction(parent) && parent.body === call) {
      edits.push({
        apply: (e, source) => {
          const value = textOf(source, outcome.value);
          if (outcome.kind === 'throw') e.replace(call.start, call.end, `{ throw ${value}; }`);
          else e.replace(call.start, call.end, outcome.value.type === 'ObjectExpression' ? `(${value})` : value);
        },
      });
    } else {
      unsafe.push({ line: lineOf(call), reason: 'callback() is used inside an expression (e.g. `a && callback(x)` or `x ? callback(a) : callback(b)`); rewrite it as statements' });
      continue;
    }
    // Every function between the call and the handler must hand its promise back up.
    let inner = fn;
    let innerParents = parents.slice(0, fnIndex);
    let ok = true;
    while (inner !== handler.fn) {
      const step = returnChain(inner, innerParents);
      if ('line' in step) {
        unsafe.push(step);
        ok = false;
        break;
      }
      if (step.edit && !chainsDone.has(step.statement)) {
        chainsDone.add(step.statement);
        edits.push(step.edit);
      }
      inner = step.outer;
      innerParents = step.outerParents;
      if (!inner) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
  }
  if (unsafe.length) return { rewritten: false, sites: 0, unsafe: dedupe(unsafe), notes: [], code: source };
  const textEdits = new TextEdits();
  for (const edit of edits) edit.apply(textEdits, source);
  const [first, second] = handler.fn.params;
  textEdits.replace(first.end, second.end, '');
  if (!handler.fn.async) textEdits.insert(handler.fn.start, 'async ');
  return { rewritten: true, sites: sites.length, unsafe: [], notes, code: textEdits.apply(source) };
}

/** The innermost function around `target` inside `root` (root itself when none is nested in between). */
function innermostFunction(root: Node, target: Node): Node | undefined {
  let found: Node | undefined;
  const visit = (node: Node, fn: Node): void => {
    if (found || !node || typeof node.type !== 'string') return;
    if (node === target) {
      found = fn;
      return;
    }
    const inner = node !== root && isFunction(node) ? node : fn;
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'comments' || key === 'tokens') continue;
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) visit(child, inner);
      else if (value && typeof value === 'object' && typeof value.type === 'string') visit(value, inner);
    }
  };
  visit(root, root);
  return found;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

/** Whether `target` sits inside a loop of `root` (not counting loops inside nested functions). */
function insideLoop(root: Node, target: Node): boolean {
  let found = false;
  const visit = (node: Node, loops: number): void => {
    if (found || !node || typeof node.type !== 'string') return;
    if (node === target) {
      found = loops > 0;
      return;
    }
    const depth = node !== root && isFunction(node) ? 0 : loops + (LOOPS.has(node.type) ? 1 : 0);
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'comments' || key === 'tokens') continue;
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) visit(child, depth);
      else if (value && typeof value === 'object' && typeof value.type === 'string') visit(value, depth);
    }
  };
  visit(root, 0);
  return found;
}

function dedupe(list: Unsafe[]): Unsafe[] {
  const seen = new Set<string>();
  return list.filter((u) => (seen.has(`${u.line}:${u.reason}`) ? false : (seen.add(`${u.line}:${u.reason}`), true))).sort((a, c) => a.line - c.line);
}
