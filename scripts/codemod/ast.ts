/**
 * Parsing of users' action files, and edits made as exact text splices at the parser's offsets.
 *
 * @babel/parser reads any syntax Node 24 accepts and gives every node its start/end offset. The codemod changes
 * only the characters a rewrite needs (`callback(x);` → `return x;`), so formatting, comments and blank lines of
 * everything else stay byte for byte. (recast's reprinting, tried first, re-indented the untouched bodies of a
 * promise chain it had to wrap in `return` and dropped the parentheses of `(event) =>`.)
 */
import { parse } from '@babel/parser';

export type Node = any;

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

/** Parses a custom-code file (a CommonJS script; `import` syntax parses too, so it can be reported). */
export function parseSource(source: string): Node {
  try {
    return parse(source, { sourceType: 'unambiguous', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, errorRecovery: false });
  } catch (error) {
    const e = error as { message?: string; loc?: { line?: number } };
    throw new ParseError(`cannot parse the file: ${e.message ?? String(error)}`, e.loc?.line ?? 0);
  }
}

export function lineOf(node: Node): number {
  return node?.loc?.start?.line ?? 0;
}

const SKIP_KEYS = new Set(['loc', 'start', 'end', 'comments', 'leadingComments', 'trailingComments', 'innerComments', 'extra', 'tokens', 'range']);

/** Calls `fn(node, parents)` for every node, depth first; `parents` runs from the root to the direct parent. */
export function walk(root: Node, fn: (node: Node, parents: Node[]) => void | 'skip'): void {
  const parents: Node[] = [];
  const visitNode = (node: Node): void => {
    if (!node || typeof node.type !== 'string') return;
    if (fn(node, parents) === 'skip') return;
    parents.push(node);
    for (const key of Object.keys(node)) {
      if (SKIP_KEYS.has(key)) continue;
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) visitNode(child);
      else if (value && typeof value === 'object' && typeof value.type === 'string') visitNode(value);
    }
    parents.pop();
  };
  visitNode(root);
}

export function isFunction(node: Node): boolean {
  return node?.type === 'FunctionExpression' || node?.type === 'ArrowFunctionExpression' || node?.type === 'FunctionDeclaration' || node?.type === 'ObjectMethod' || node?.type === 'ClassMethod';
}

/** `a.b.c` → "a.b.c"; computed string keys count too (`a['b']`); anything else → undefined. */
export function memberPath(node: Node): string | undefined {
  if (node?.type === 'Identifier') return node.name;
  if (node?.type === 'ThisExpression') return 'this';
  if (node?.type === 'MemberExpression' || node?.type === 'OptionalMemberExpression') {
    const object = memberPath(node.object);
    if (object === undefined) return undefined;
    if (!node.computed && node.property.type === 'Identifier') return `${object}.${node.property.name}`;
    const key = stringValue(node.property);
    if (node.computed && key !== undefined) return `${object}.${key}`;
  }
  return undefined;
}

export function isCall(node: Node): boolean {
  return node?.type === 'CallExpression' || node?.type === 'OptionalCallExpression';
}

export function stringValue(node: Node): string | undefined {
  if (node?.type === 'StringLiteral') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value?.cooked;
  return undefined;
}

/** The source text of a node. */
export function textOf(source: string, node: Node): string {
  return source.slice(node.start, node.end);
}

/** Text splices applied together, last first, so offsets from the parse stay valid. Overlaps are a bug. */
export class TextEdits {
  private readonly edits: Array<{ start: number; end: number; text: string }> = [];

  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text });
  }

  insert(at: number, text: string): void {
    this.edits.push({ start: at, end: at, text });
  }

  get size(): number {
    return this.edits.length;
  }

  apply(source: string): string {
    const sorted = [...this.edits].sort((a, c) => c.start - a.start || c.end - a.end);
    let out = source;
    let limit = Infinity;
    for (const e of sorted) {
      if (e.end > limit) throw new Error(`overlapping edits at offset ${e.start}`);
      out = out.slice(0, e.start) + e.text + out.slice(e.end);
      limit = e.start;
    }
    return out;
  }
}
