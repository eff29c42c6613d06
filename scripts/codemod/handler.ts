/**
 * Finds the action's handler: what HubSpot calls is `exports.main` of a CommonJS file
 * (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/custom-code-actions).
 */
import { isCall, isFunction, lineOf, memberPath, walk, type Node } from './ast';

export interface Handler {
  /** The function node HubSpot calls. */
  fn: Node;
  /** Line of the `exports.main = …` (or `module.exports = { main }`) that exposes it. */
  exportLine: number;
  /** Name of the second parameter (the callback) when the handler declares one. */
  callbackName?: string;
}

function topLevelFunctions(program: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const stmt of program.body) {
    if (stmt.type === 'FunctionDeclaration' && stmt.id) out.set(stmt.id.name, stmt);
    if (stmt.type === 'VariableDeclaration') {
      for (const d of stmt.declarations) if (d.id.type === 'Identifier' && isFunction(d.init)) out.set(d.id.name, d.init);
    }
  }
  return out;
}

function resolve(value: Node, functions: Map<string, Node>): Node | undefined {
  if (isFunction(value)) return value;
  if (value?.type === 'Identifier') return functions.get(value.name);
  return undefined;
}

function withCallback(fn: Node, exportLine: number): Handler {
  const second = fn.params[1];
  return { fn, exportLine, ...(second?.type === 'Identifier' ? { callbackName: second.name } : {}) };
}

/** The handler, or undefined when the file exposes no `exports.main` we can see statically. */
export function findHandler(ast: Node): Handler | undefined {
  const program = ast.program ?? ast;
  const functions = topLevelFunctions(program);
  for (const stmt of program.body) {
    if (stmt.type !== 'ExpressionStatement' || stmt.expression.type !== 'AssignmentExpression') continue;
    const { left, right } = stmt.expression;
    const target = memberPath(left);
    if (target === 'exports.main' || target === 'module.exports.main') {
      const fn = resolve(right, functions);
      if (fn) return withCallback(fn, lineOf(stmt));
    }
    if (target === 'module.exports' && right.type === 'ObjectExpression') {
      for (const prop of right.properties) {
        const key = prop.key?.type === 'Identifier' ? prop.key.name : prop.key?.value;
        if (key !== 'main') continue;
        const fn = prop.type === 'ObjectMethod' ? prop : resolve(prop.value, functions);
        if (fn) return withCallback(fn, lineOf(stmt));
      }
    }
  }
  return undefined;
}

/** True when some top-level statement assigns `exports.main` in any form (even one we cannot follow, e.g. bundler output). */
export function exposesMain(source: string): boolean {
  return /\bexports\.main\s*=|module\.exports\s*=\s*\{[^}]*\bmain\b|__export\([^)]*\bmain\s*:/s.test(source);
}

/** Whether `root` contains a node satisfying `test` (not descending into nested functions unless asked). */
export function contains(root: Node, test: (node: Node) => boolean, intoFunctions = false): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return 'skip';
    if (node !== root && !intoFunctions && isFunction(node)) return 'skip';
    if (test(node)) found = true;
  });
  return found;
}

/** Whether control can never fall off the end of `stmt` (it returns or throws on every path). */
export function alwaysExits(stmt: Node): boolean {
  if (!stmt) return false;
  switch (stmt.type) {
    case 'ReturnStatement':
    case 'ThrowStatement':
      return true;
    case 'BlockStatement':
      return stmt.body.some(alwaysExits);
    case 'IfStatement':
      return alwaysExits(stmt.consequent) && alwaysExits(stmt.alternate);
    case 'TryStatement':
      return (alwaysExits(stmt.block) && (!stmt.handler || alwaysExits(stmt.handler.body))) || alwaysExits(stmt.finalizer);
    case 'SwitchStatement': {
      const hasDefault = stmt.cases.some((c: Node) => !c.test);
      return hasDefault && stmt.cases.every((c: Node) => c.consequent.length === 0 || c.consequent.some(alwaysExits));
    }
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'ForStatement':
      return (!stmt.test || (stmt.test.type === 'BooleanLiteral' && stmt.test.value)) && !contains(stmt.body, (n) => n.type === 'BreakStatement' && !n.label);
    default:
      return false;
  }
}

/**
 * How the handler hands HubSpot its outputs. The one place that decides it: `verify` (missing-return) and
 * `upgrade` ("already returns its outputs") both read this, so they cannot disagree.
 *   callback   calls its callback and does not return on every path (the old style: needs the upgrade)
 *   outputs    returns a value on every path (or is an expression-bodied arrow)
 *   partial    returns a value on some paths and falls off the end (or `return;`) on others: those runs get no outputs
 *   none       never returns a value and never calls back: an action that declares no outputs (HubSpot needs none)
 */
export type HandlerShape = { kind: 'callback' } | { kind: 'outputs' } | { kind: 'partial'; bareReturns: number[]; fallsOffAt?: number } | { kind: 'none' };

export function handlerShape(handler: Handler): HandlerShape {
  const fn = handler.fn;
  if (fn.type === 'ArrowFunctionExpression' && fn.body.type !== 'BlockStatement') return { kind: 'outputs' };
  const callsBack = handler.callbackName !== undefined && contains(fn.body, (n) => isCall(n) && n.callee.type === 'Identifier' && n.callee.name === handler.callbackName, true);
  const exitsEverywhere = alwaysExits(fn.body);
  if (callsBack && !exitsEverywhere) return { kind: 'callback' };
  const bareReturns: number[] = [];
  let valueReturns = 0;
  walk(fn.body, (node) => {
    if (isFunction(node)) return 'skip';
    if (node.type === 'ReturnStatement') {
      if (node.argument) valueReturns += 1;
      else bareReturns.push(lineOf(node));
    }
  });
  if (valueReturns === 0 && !callsBack) return { kind: 'none' };
  if (exitsEverywhere && bareReturns.length === 0) return { kind: 'outputs' };
  return { kind: 'partial', bareReturns, ...(exitsEverywhere ? {} : { fallsOffAt: fn.body.loc?.end?.line ?? lineOf(fn) }) };
}
