/**
 * Which secrets a user's file reads: `process.env.NAME`, `process.env['NAME']` and `const { NAME } = process.env`,
 * found in the parsed code, so a name that appears only in a comment or a string is not a read. The runner hands a
 * file only the secrets it reads; a computed read (`process.env[name]`) is reported, never answered with everything.
 */
import { parse } from '@babel/parser';

export interface SecretReads {
  names: string[];
  /** Lines of `process.env[expression]` and of `process.env` used whole (spread, passed along): names unknown. */
  computedLines: number[];
  /** True when the file did not parse: nothing can be said, so nothing is handed over. */
  unparsable: boolean;
}

type Node = { type: string; [key: string]: any };

const isProcessEnv = (node: Node | undefined): boolean =>
  node?.type === 'MemberExpression' && !node.computed && node.object?.type === 'Identifier' && node.object.name === 'process' && node.property?.type === 'Identifier' && node.property.name === 'env';

export function secretReadsOf(code: string): SecretReads {
  let ast: Node;
  try {
    ast = parse(code, { sourceType: 'unambiguous', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, errorRecovery: true }) as unknown as Node;
  } catch {
    return { names: [], computedLines: [], unparsable: true };
  }
  const names = new Set<string>();
  const computed = new Set<number>();
  const visit = (node: Node | undefined, parent: Node | undefined): void => {
    if (!node || typeof node.type !== 'string') return;
    if (isProcessEnv(node)) {
      if (parent?.type === 'MemberExpression' && parent.object === node) {
        const key = parent.property;
        if (!parent.computed && key?.type === 'Identifier') names.add(key.name);
        else if (key?.type === 'StringLiteral') names.add(key.value);
        else if (key?.type === 'TemplateLiteral' && key.expressions.length === 0) names.add(key.quasis[0].value.cooked);
        else computed.add(node.loc?.start.line ?? 0);
      } else if (parent?.type === 'VariableDeclarator' && parent.init === node && parent.id?.type === 'ObjectPattern') {
        for (const prop of parent.id.properties) {
          if (prop.type === 'ObjectProperty' && !prop.computed && prop.key?.type === 'Identifier') names.add(prop.key.name);
          else if (prop.type === 'ObjectProperty' && prop.key?.type === 'StringLiteral') names.add(prop.key.value);
          else computed.add(node.loc?.start.line ?? 0);
        }
      } else computed.add(node.loc?.start.line ?? 0);
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments' || key === 'comments' || key === 'extra') continue;
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) visit(child as Node, node);
      else if (value && typeof value === 'object' && typeof (value as Node).type === 'string') visit(value as Node, node);
    }
  };
  visit(ast, undefined);
  return { names: [...names].sort(), computedLines: [...computed].sort((a, b) => a - b), unparsable: false };
}

/** The secrets a custom-code file reads (outside comments and strings). */
export function secretNamesReadBy(code: string): string[] {
  return secretReadsOf(code).names;
}
