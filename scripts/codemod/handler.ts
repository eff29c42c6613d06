/**
 * Finds the action's handler: what HubSpot calls is `exports.main` of a CommonJS file
 * (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/custom-code-actions).
 */
import { isFunction, lineOf, memberPath, type Node } from './ast';

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
