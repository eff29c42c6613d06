/**
 * The paste guide written at the top of every bundle. Built from the action's own declaration, so the file a
 * user pastes always says exactly which secrets, inputs and outputs it expects.
 */

/** The label HubSpot's editor shows in its "Data type" menu for each output type (lib/outputs.ts OutputType). */
export const OUTPUT_TYPE_LABELS = {
  string: 'String',
  number: 'Number',
  boolean: 'Boolean',
  datetime: 'Datetime',
  date: 'Date',
  enumeration: 'Enumeration',
  phone_number: 'Phone number',
};

const STANDARD_OUTPUT_NAMES = ['status', 'error_code', 'error_message'];

/** The guide as plain lines (no comment markers), shared by the bundle banner and tests. */
export function pasteGuideLines(definition, meta) {
  const lines = [];
  lines.push(`${definition.name} — ${definition.title}`);
  lines.push(`${meta.packageName} ${meta.version} · commit ${meta.commit} · HubSpot custom code, Node.js 24`);
  lines.push('');
  lines.push(definition.description);
  lines.push('');
  lines.push('HOW TO INSTALL');
  lines.push(`1. Workflow on ${definition.enrollment.objectType} records. Suggested trigger: ${definition.enrollment.trigger}.`);
  lines.push('2. Add action "Custom code"; language Node.js 24.x.');
  lines.push('3. Secrets: create and select each of these:');
  for (const [name, secret] of Object.entries(definition.secrets)) {
    lines.push(`     ${name}${secret.required === false ? ' (optional)' : ''} — ${secret.description}`);
  }
  lines.push('4. Properties to include in code (input fields), name → property to map:');
  for (const [name, input] of Object.entries(definition.inputs)) {
    const mapTo = input.property ? `→ ${input.property}` : '→ (any property or a fixed value)';
    lines.push(`     ${name}${input.required ? ' (required)' : ''} ${mapTo} [${input.type}]`);
  }
  lines.push('5. Replace the code in the editor with this whole file.');
  lines.push('6. Data outputs: add each with its type:');
  const outputs = { ...definition.outputs };
  for (const name of STANDARD_OUTPUT_NAMES) if (meta.outputs?.[name]) outputs[name] = meta.outputs[name];
  for (const [name, out] of Object.entries(outputs)) {
    lines.push(`     ${name}: ${OUTPUT_TYPE_LABELS[out.type] ?? out.type}${out.options ? ` (${out.options.join(' | ')})` : ''}`);
  }
  lines.push('7. Test on a test record, then branch on "status" (ok | error) and "error_code".');
  if (definition.properties?.length) {
    lines.push('');
    lines.push('Custom properties it needs (create them with `npm run setup -- --apply`):');
    for (const p of definition.properties) {
      lines.push(`     ${p.objectType}.${p.name} (${p.type}${p.hasUniqueValue ? ', unique' : ''})`);
    }
  }
  lines.push('');
  lines.push('Retries: on 429/5xx/timeouts it throws so HubSpot re-runs it; every step is safe to repeat.');
  return lines;
}

export function pasteGuideComment(definition, meta) {
  // A "*/" inside a description would end the comment early.
  const body = pasteGuideLines(definition, meta).map((l) => (l ? ` * ${l.replaceAll('*/', '* /')}` : ' *'));
  return ['/*', ...body, ' */'].join('\n');
}
