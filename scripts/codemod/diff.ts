/** A unified diff (3 lines of context), like `diff -u`, for showing what the codemod changes. */

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/** Longest-common-subsequence edit script; files here are small (a custom-code action), O(n·m) is fine. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++]!, a: i, b: ++j });
    else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', line: a[i++]!, a: i, b: j });
    else ops.push({ kind: '+', line: b[j++]!, a: i, b: j });
  }
  return ops;
}

export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = 3): string {
  if (before === after) return '';
  const ops = editScript(lines(before), lines(after));
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === ' ') k++;
    if (k >= ops.length) break;
    let start = Math.max(0, k - context);
    let end = k;
    // extend the hunk while changes are within 2·context lines of each other
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.kind === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk.find((o) => o.kind !== '+');
    const bStart = hunk.find((o) => o.kind !== '-');
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aLine = aStart ? aStart.a : (hunk[0]?.a ?? 0);
    const bLine = bStart ? bStart.b : (hunk[0]?.b ?? 0);
    out.push(`@@ -${aLine},${aCount} +${bLine},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    k = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}
