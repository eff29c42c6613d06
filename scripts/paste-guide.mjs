/**
 * The install guide of an action, built from its declaration: the header comment of dist/<action>.js (plain text,
 * here) and docs/actions/<action>.md (markdown, scripts/guide.ts) are two renderings of the data `installGuide`
 * returns, so the file an admin pastes and the guide cannot disagree (test/tooling/guide.test.ts).
 *
 * The header must be followable with nothing but the file: steps in the order HubSpot needs them (custom properties
 * first — writes to a missing property fail with PROPERTY_DOESNT_EXIST), every property both by `npm run setup` and
 * by hand in HubSpot's UI, and every input field named the way HubSpot's property picker shows it.
 *
 * Plain JavaScript: scripts/build.mjs runs on plain Node and imports it; the per-property and per-input knowledge
 * lives here, keyed by property name, so the action declarations stay free of presentation.
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

/**
 * Scopes `npm run setup` needs: the CRM *schema* scopes (properties API), not the actions' object scopes. Mirrors
 * SCHEMA_SCOPES in scripts/lib-tooling/property-setup.ts, which the setup command checks against (a test keeps the
 * two equal). Line items have no crm.schemas.line_items.write: creating their properties is covered by `e-commerce`.
 * https://developers.hubspot.com/docs/api/crm/properties
 */
export const SETUP_SCOPES = {
  contacts: ['crm.schemas.contacts.read', 'crm.schemas.contacts.write'],
  companies: ['crm.schemas.companies.read', 'crm.schemas.companies.write'],
  deals: ['crm.schemas.deals.read', 'crm.schemas.deals.write'],
  line_items: ['crm.schemas.line_items.read', 'e-commerce'],
};

/** Scope of `npm run deploy` (automation v4 flows API, beta); equal to FLOW_SCOPES in scripts/lib-tooling/flow-deploy.ts. */
export const DEPLOY_SCOPES = ['automation'];

/** Where the token comes from now that legacy private apps can no longer be created (lib/hubspot.ts HUBSPOT_TOKEN_WHERE). */
/**
 * LOG_LEVEL: the only way to set the logger's level in HubSpot is a secret of that name (custom code sees secrets as
 * its only environment variables), so it is documented as one, and `npm run verify` counts its 5 characters
 * (scripts/codemod/secret-lengths.ts). Read by lib/action.ts (createLogger level).
 */
export const LOG_LEVEL_NOTE = 'a secret LOG_LEVEL = debug logs more detail in the action\'s logs (never secret values); it counts its 5 characters in the budget. Leave it out normally.';

export const SERVICE_KEY_STEPS = 'HubSpot → Development → Keys → Service keys → Create service key → add the scopes → Create → Show → copy';

/**
 * HubSpot's default properties our actions read, with the label HubSpot's property picker shows. From HubSpot's
 * default property lists (https://knowledge.hubspot.com/properties/hubspots-default-contact-properties,
 * .../hubspots-default-deal-properties); those pages are not in the copies we could read, so the labels are the
 * ones the properties API returns as `label` as we know them — the guide also gives the internal name, which
 * HubSpot's picker finds as well.
 */
export const HUBSPOT_PROPERTY_LABELS = {
  contacts: {
    email: 'Email',
    firstname: 'First Name',
    lastname: 'Last Name',
    company: 'Company Name',
    phone: 'Phone Number',
    website: 'Website URL',
    jobtitle: 'Job Title',
    industry: 'Industry',
    city: 'City',
    state: 'State/Region',
    country: 'Country/Region',
    lifecyclestage: 'Lifecycle Stage',
    hs_lead_status: 'Lead Status',
    hubspot_owner_id: 'Contact owner',
    lastmodifieddate: 'Last Modified Date',
  },
  deals: {
    dealname: 'Deal Name',
    dealstage: 'Deal Stage',
    amount: 'Amount',
    closedate: 'Close Date',
    deal_currency_code: 'Currency',
  },
  companies: {
    domain: 'Company Domain Name',
    name: 'Company name',
  },
  line_items: {},
};

/**
 * What to pick for an input field and why, where "map it to the property of the same name" is not the whole story.
 * Keyed by action, then input name. `pick` replaces the old "(any property or a fixed value)".
 */
export const INPUT_GUIDANCE = {
  'signup-onboarding': {
    domain: {
      pick: 'leave it out, or map a contact property that holds the company\'s domain (e.g. your own "Company domain" property); in a webhook-triggered workflow, the webhook\'s "domain" field',
      why: 'without it the action takes the domain from Website URL, else from the email — never from gmail.com and other personal mail, so those signups get no company',
    },
  },
  'salesforce-lead-sync': {
    lastmodifieddate: { why: 'decides which side is newer; the action compares it with the lead\'s LastModifiedDate' },
    salesforce_lead_id: { why: 'stored by the previous run; lets the action find the lead by id instead of by email' },
    salesforce_lead_status: { why: 'stored by the previous run; with salesforce_sync_status, lets a run with nothing new write nothing (no re-enrollment loop)' },
    salesforce_sync_status: { why: 'stored by the previous run; see above' },
  },
  'shopify-order-sync': {
    shopify_order_id: {
      pick: 'in the webhook-triggered workflow of step 2, the webhook\'s "id" field (Shopify\'s numeric order id); in a deal-based workflow, Shopify order ID (unique) (`shopify_order_id`) of a deal that already carries it',
      why: 'the action reads the order from Shopify by this id and creates the deal itself, so no HubSpot property holds the id before the first run',
    },
  },
  'quickbooks-invoice': {
    quickbooks_invoice_id: { why: 'when the deal already has an invoice the action stops before any QuickBooks call' },
    amount: { why: 'invoiced when the deal has no line items' },
    closedate: { why: 'becomes the invoice date (today when empty)' },
  },
  'clearbit-enrich': {
    email: { why: 'the address Clearbit looks up' },
  },
};

/** Current-value inputs (clearbit-enrich) have their own pattern: the property of the same name, so blanks are known. */
const CURRENT_VALUE_WHY = 'its current value tells the action whether the property is empty (only empty ones are filled by default)';

/**
 * What enrolls, per action, where the declaration's one-line trigger needs explaining. HubSpot can trigger a
 * workflow from an incoming webhook ("When a webhook is received"; Data Hub Professional+, like custom code) and
 * enrolls the record whose identifier matches a field of the webhook (contacts: Email).
 */
export const ENROLLMENT_NOTES = {
  'signup-onboarding': [
    'Enrolls one contact per signup. Either a contact-based workflow triggered when a contact is created (by a form, an import or your app), or — when your identity provider calls HubSpot after a registration — a contact-based workflow triggered by a webhook, with the contact matched by the webhook\'s "email" field (Ory recipe: integrations/ory/README.md).',
    'Map the inputs from the contact\'s properties, or from the webhook\'s fields of the same names when the trigger is a webhook.',
  ],
  'shopify-order-sync': [
    'This action creates the order\'s deal itself, so a deal-based workflow cannot start it for a new order (there is no deal to enroll yet); a deal-based workflow only fits re-syncing orders already recorded (deals with Shopify order ID set).',
    'So: a contact-based workflow triggered by a webhook. In Shopify: Settings → Notifications → Webhooks → Create webhook, event "Order creation" (orders/create), format JSON, URL = the webhook URL HubSpot shows for the trigger. HubSpot enrolls the contact whose Email matches the order\'s "email" field; map the input shopify_order_id to the webhook\'s "id". The deal, line items and totals are written by the action, not by the enrollment.',
    // Assumed for webhook triggers too (HubSpot's webhook-trigger article was not in the copies we could read): a
    // research note for maintainers, kept out of the text an admin pastes into HubSpot.
    'A workflow enrolls records, it does not create them, so a first-time buyer with no contact yet is not enrolled until the contact exists (HubSpot\'s Shopify app, a checkout form or an import may create it). The action upserts the contact by email itself, so enrolling any existing contact of the order is enough.',
  ],
  'salesforce-lead-sync': [
    'Enrolls each contact whose synced properties change; turn re-enrollment on for those properties so every later change syncs again. A run with nothing different writes nothing, so the action\'s own writes do not loop.',
  ],
  'quickbooks-invoice': [
    'Enrolls each deal when it reaches Closed won; the filter "QuickBooks invoice ID is unknown" keeps invoiced deals out (the action also checks).',
    // lib/token-store.ts: Intuit rotates the refresh token, so the action stores the current one in HubSpot.
    'The action keeps its QuickBooks tokens on the company record "QuickBooks connection (do not delete)" — do not delete or merge it.',
  ],
  'clearbit-enrich': [
    'Enrolls each contact once it has an email; "Enriched at (Clearbit) is unknown" keeps enriched contacts out. A queued lookup (enrichment_status = queued) can be retried with a delay and re-enrollment.',
  ],
};

/**
 * Where the guide recommends another workflow than the declaration's one-line suggestion (actions/<name>/index.ts
 * `enrollment`), because the declared object cannot enroll before the action has run. Kept here so the action
 * declarations stay untouched; the coordinator may move it into the declaration.
 */
export const ENROLLMENT_OVERRIDES = {
  'shopify-order-sync': {
    objectType: 'contact',
    trigger: 'When a webhook is received — Shopify\'s orders/create webhook — with the contact matched by Email = the order\'s "email" field',
  },
};

/** HubSpot UI names for the property field types (Settings → Properties → Create property → Field type). */
const FIELD_TYPE_LABELS = {
  'string/text': 'Single-line text',
  'string/textarea': 'Multi-line text',
  'number/number': 'Number',
  'datetime/date': 'Date and time picker',
  'date/date': 'Date picker',
  'enumeration/select': 'Dropdown select',
  'enumeration/radio': 'Radio select',
  'bool/booleancheckbox': 'Single checkbox',
};

/** The object as HubSpot's "Select an object" menu in Settings → Properties names it. */
const OBJECT_LABELS = { contacts: 'Contact', companies: 'Company', deals: 'Deal', line_items: 'Line item' };
const ENROLLED_OBJECT = { contact: 'contacts', company: 'companies', deal: 'deals', ticket: 'tickets' };

/**
 * What to send for an input that names no property (a webhook field, a fixed value), in the words of HubSpot's
 * field types, not ours ("[email]", "[decimal]" are not in its UI).
 * https://knowledge.hubspot.com/properties/property-field-types-in-hubspot
 */
const INPUT_FIELD_TYPE_LABELS = {
  string: 'Single-line text',
  email: 'Single-line text',
  decimal: 'Number',
  integer: 'Number',
  boolean: 'Single checkbox',
  datetime: 'Date picker',
  enumeration: 'Dropdown select',
};

/**
 * The declared one-line trigger with each `{property}` replaced by the label HubSpot's trigger filter shows: the
 * action's own property declaration first (the label the admin just created), else HubSpot's default label. An
 * unknown name fails the build rather than reaching an admin as "{name}".
 */
export function triggerText(definition, enrollment = ENROLLMENT_OVERRIDES[definition.name] ?? definition.enrollment) {
  const objects = ENROLLED_OBJECT[enrollment.objectType];
  return enrollment.trigger.replace(/\{([a-z0-9_]+)\}/g, (_, name) => {
    const own = (definition.properties ?? []).find((p) => p.name === name && p.objectType === objects);
    const label = own?.label ?? HUBSPOT_PROPERTY_LABELS[objects]?.[name];
    if (!label) throw new Error(`${definition.name}: the trigger names {${name}}, which is neither a declared ${objects} property nor in HUBSPOT_PROPERTY_LABELS`);
    return label;
  });
}

export function fieldTypeLabel(p) {
  return FIELD_TYPE_LABELS[`${p.type}/${p.fieldType}`] ?? `${p.type} / ${p.fieldType}`;
}

/** Setup scopes for the object types an action's properties live on: read to list, write to create. */
export function setupScopesFor(properties) {
  const scopes = new Set();
  for (const p of properties ?? []) for (const s of SETUP_SCOPES[p.objectType] ?? []) scopes.add(s);
  return [...scopes].sort();
}

/** The scopes the action's HubSpot token needs, read back from its declared secret description. */
export function actionScopes(definition) {
  const description = definition.secrets?.HUBSPOT_ACCESS_TOKEN?.description ?? '';
  return [...description.matchAll(/\b(?:crm\.[a-z_.]+|e-commerce|automation)\b/g)].map((m) => m[0]);
}

/** "Last Modified Date (`lastmodifieddate`)": the label HubSpot shows, then the internal name. */
export function propertyDisplay(definition, objectType, name) {
  const own = (definition.properties ?? []).find((p) => p.name === name && (!objectType || p.objectType === objectType));
  const label = own?.label ?? HUBSPOT_PROPERTY_LABELS[objectType]?.[name];
  return label ? `${label} (\`${name}\`)` : `\`${name}\``;
}

function inputRows(definition) {
  const objectType = ENROLLED_OBJECT[(ENROLLMENT_OVERRIDES[definition.name] ?? definition.enrollment).objectType];
  const guidance = INPUT_GUIDANCE[definition.name] ?? {};
  return Object.entries(definition.inputs).map(([name, input]) => {
    const note = guidance[name] ?? {};
    const isCurrentValue = /^Current value of /.test(input.description);
    const pick = note.pick ?? (input.property ? propertyDisplay(definition, objectType, input.property) : `a property or webhook field holding: ${input.description}`);
    const why = note.why ?? (isCurrentValue ? CURRENT_VALUE_WHY : input.description);
    const own = input.property ? (definition.properties ?? []).find((p) => p.name === input.property && p.objectType === objectType) : undefined;
    // The field type of a property the admin creates (step 1), or of what to send when no property is named; none
    // for HubSpot's own properties: the admin only picks those, and their field type is HubSpot's to show.
    const fieldType = own ? fieldTypeLabel(own) : input.property ? '' : (INPUT_FIELD_TYPE_LABELS[input.type] ?? input.type);
    return { name, required: input.required === true, type: input.type, fieldType, property: input.property ?? null, pick, why, options: input.options };
  });
}

function propertyRows(definition) {
  const groups = new Map((definition.propertyGroups ?? []).map((g) => [g.name, g.label]));
  return (definition.properties ?? []).map((p) => ({
    objectType: p.objectType,
    object: OBJECT_LABELS[p.objectType] ?? p.objectType,
    name: p.name,
    label: p.label,
    group: p.groupName,
    groupLabel: groups.get(p.groupName) ?? p.groupName,
    fieldType: fieldTypeLabel(p),
    type: p.type,
    apiFieldType: p.fieldType,
    unique: p.hasUniqueValue === true,
    options: p.options ?? [],
  }));
}

/** Everything a guide says, as data; both renderings below and in scripts/guide.ts read only this. */
export function installGuide(definition, meta = {}) {
  const outputs = { ...definition.outputs };
  for (const name of STANDARD_OUTPUT_NAMES) if (meta.outputs?.[name]) outputs[name] = meta.outputs[name];
  return {
    name: definition.name,
    objectType: (ENROLLMENT_OVERRIDES[definition.name] ?? definition.enrollment).objectType,
    trigger: triggerText(definition),
    webhookTrigger: /webhook/i.test((ENROLLMENT_OVERRIDES[definition.name] ?? definition.enrollment).trigger),
    enrollmentNotes: ENROLLMENT_NOTES[definition.name] ?? [],
    properties: propertyRows(definition),
    setupScopes: setupScopesFor(definition.properties),
    actionScopes: actionScopes(definition),
    secrets: Object.entries(definition.secrets).map(([name, s]) => ({ name, required: s.required !== false, description: s.description, where: s.where ?? '', typicalLength: s.typicalLength })),
    inputs: inputRows(definition),
    outputs: Object.entries(outputs).map(([name, o]) => ({ name, type: o.type, label: OUTPUT_TYPE_LABELS[o.type] ?? o.type, options: o.options ?? null, description: o.description })),
  };
}

/** One line per property for the manual way, in HubSpot's own words. */
export function manualPropertyLine(p) {
  const parts = [`${p.object} property`, `label "${p.label}"`, `internal name ${p.name}`, `group "${p.groupLabel}"`, `field type ${p.fieldType}`];
  if (p.unique) parts.push('Require unique values: on');
  if (p.options.length) parts.push(`options (label = internal value): ${p.options.map((o) => `${o.label} = ${o.value}`).join(', ')}`);
  return parts.join(' · ');
}

/** The guide as plain lines (no comment markers), shared by the bundle banner and tests. */
export function pasteGuideLines(definition, meta) {
  const g = installGuide(definition, meta);
  const lines = [];
  const wrap = (text, indent = '   ') => lines.push(`${indent}${text}`);
  lines.push(`${definition.name} — ${definition.title}`);
  lines.push(`${meta.packageName} ${meta.version} · build ${meta.build} · HubSpot custom code, Node.js 24`);
  lines.push('');
  lines.push(definition.description);
  lines.push('');
  lines.push('HOW TO INSTALL — in this order. Custom code needs Data Hub Professional or Enterprise (formerly Operations Hub).');
  if (g.properties.length) {
    lines.push('1. Custom properties: create them first (until they exist HubSpot rejects the writes: PROPERTY_DOESNT_EXIST).');
    wrap('Either: put HUBSPOT_ACCESS_TOKEN=<service key> in .env, run `npm run setup` (dry run), then `npm run setup -- --apply`.');
    wrap(`That key needs the schema scopes ${g.setupScopes.join(', ')} — not the action's scopes of step 4.`);
    wrap(`(${SERVICE_KEY_STEPS}.)`);
    wrap('Or by hand: HubSpot → Settings → Data Management → Properties → select the object → Create property, for each ("Show in forms" off):');
    for (const p of g.properties) wrap(manualPropertyLine(p), '     ');
  } else {
    lines.push('1. Custom properties: none needed.');
  }
  lines.push(`2. Workflow: Automations → Workflows → Create workflow → From scratch → ${capitalize(g.objectType)}-based.`);
  wrap(`Trigger: ${g.trigger}.`);
  for (const note of g.enrollmentNotes) wrap(note);
  lines.push('3. Action: + → Data ops → Custom code; Language: Node.js 24.x.');
  lines.push('4. Secrets: create each (Secrets → Add secret) and select it in the action:');
  for (const s of g.secrets) lines.push(`     ${s.name}${s.required ? '' : ' (optional)'} — ${s.description}${s.where ? ` [where: ${s.where}]` : ''}`);
  lines.push('5. Properties to include in code: one row each, name → what to pick — why:');
  for (const i of g.inputs) lines.push(`     ${i.name}${i.required ? ' (required)' : ''} → ${i.pick}${i.fieldType ? ` (${i.fieldType})` : ''} — ${i.why}`);
  lines.push('6. Paste: replace the code in the editor with this whole file.');
  lines.push('7. Data outputs: add each with its type:');
  for (const o of g.outputs) lines.push(`     ${o.name}: ${o.label}${o.options ? ` (${o.options.join(' | ')})` : ''}`);
  lines.push('8. Test: "Test action" on a test record, then add an if/then branch on "status" (ok | error) and "error_code".');
  lines.push('');
  lines.push('Retries: on 429/5xx/timeouts it throws so HubSpot re-runs it; every step is safe to repeat.');
  lines.push(`Troubleshooting: ${LOG_LEVEL_NOTE}`);
  return lines;
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function pasteGuideComment(definition, meta) {
  // A "*/" inside a description would end the comment early.
  const body = pasteGuideLines(definition, meta).map((l) => (l ? ` * ${l.replaceAll('*/', '* /')}` : ' *'));
  return ['/*', ...body, ' */'].join('\n');
}
