import { checkObjectId, hubspotTokenSecret } from '../../lib/hubspot';
import { defineAction, type ActionContext } from '../../lib/action';
import { clearbitServiceOptions, createClearbitProvider, type EnrichmentProvider } from '../../lib/clearbit';
import { ConfigError, PermanentError } from '../../lib/errors';
import { input, type InputSpec } from '../../lib/inputs';
import { output } from '../../lib/outputs';
import { textProperty, type PropertyDeclaration } from '../../lib/properties';
import { ENRICHED_AT_PROPERTY, ENRICHMENT_FIELDS, OVERWRITE_POLICIES, contactUpdateFrom, headlineFrom, type OverwritePolicy } from './map';

/**
 * Who can use it (issue 21 §6, from Clearbit's help center): Clearbit's API keys belong to Clearbit accounts created in
 * 2023 or earlier — its legacy articles apply "only … to users who signed up with Clearbit in 2023 or earlier"
 * (https://help.clearbit.com/hc/en-us/articles/16764226936471-Legacy-Understanding-Credits-and-Usage) — and its free
 * platform "was sunset April 30, 2025. Please see Breeze Intelligence for similar features"
 * (https://help.clearbit.com/hc/en-us/articles/19677786369687-Sales-Intelligence-Understanding-Credits-Usage). Nobody
 * can get a new key, so the action stays for existing key holders. Everyone else enriches with HubSpot's own Breeze
 * Intelligence, which runs inside HubSpot (its own enrichment and workflow steps, paid with HubSpot credits) and offers
 * no API a custom-code action could call instead of Clearbit's (as issue 21 states; our search of HubSpot's developer
 * docs found no Breeze Intelligence enrichment endpoint either).
 *
 * Clearbit enrichment: look the enrolled contact's email up in Clearbit (person + company in one call) and copy
 * what it knows — title, seniority, social profiles, employer domain, industry, size, revenue, founded year,
 * location — into the contact, marking when.
 *
 * - Every documented answer is an outcome, not a crash: 200 enriched; 202 queued (Clearbit is still looking; the
 *   workflow can delay and enroll again); 404 not found; 422 invalid or role address (info@…). 402 (quota) and
 *   401 (key) are permanent errors; 429/5xx are thrown with their status so HubSpot re-runs the action.
 * - By default only empty properties are filled, so what sales typed in stays; the current values arrive as
 *   inputs, so no extra read is needed. `overwritePolicy: "overwrite"` in actions.config.json replaces values.
 * - Nothing new → no HubSpot call. The update goes to the enrolled record's id (never the email as an id).
 * - Idempotent: a re-run writes the same values to the same record; nothing is created.
 */

const GROUP = 'clearbit';

/** One input per fillable property, carrying its current value ("" when empty) so blanks are known without a read. */
const currentValueInputs = Object.fromEntries(
  ENRICHMENT_FIELDS.map((f) => {
    const description = `Current value of "${f.label}" (map the contact property ${f.name}); left as is unless empty`;
    // The input's type follows the property's (a Number property arrives as a number string, e.g. "250").
    return [f.name, f.type === 'number' ? input.decimal(description, { property: f.name }) : input.string(description, { property: f.name })];
  }),
) as Record<string, InputSpec<'string' | 'decimal', false>>;

const customProperties: PropertyDeclaration[] = [
  ...ENRICHMENT_FIELDS.filter((f) => f.custom).map((f) =>
    textProperty('contacts', GROUP, f.name, f.label, f.description, f.type === 'number' ? { type: 'number', fieldType: 'number' } : {}),
  ),
  textProperty('contacts', GROUP, ENRICHED_AT_PROPERTY, 'Enriched at (Clearbit)', 'When the clearbit-enrich action last wrote Clearbit data to this contact', { type: 'datetime', fieldType: 'date' }),
];

export const action = defineAction({
  name: 'clearbit-enrich',
  title: 'Clearbit enrichment: fill a contact’s job, company and social facts',
  description:
    'Only for Clearbit accounts created in 2023 or earlier that still hold an API key: Clearbit issues no keys to newer accounts, and its free platform ended on 2025-04-30. ' +
    'Without such a key, use HubSpot’s own enrichment, Breeze Intelligence, instead (it runs inside HubSpot, in its own enrichment settings and workflow steps, and has no API this custom-code action could call). ' +
    'Looks the contact’s email up in Clearbit’s combined Enrichment API and fills empty contact properties with the person and company facts it returns. Authenticates with HTTP Basic (the API key as user name), as Clearbit documents.',
  // {name}: rendered as the property's label in the guides (scripts/paste-guide.mjs triggerText), as HubSpot's filter shows it.
  enrollment: { objectType: 'contact', trigger: 'Contact is created, or {email} is known and {clearbit_enriched_at} is unknown' },
  secrets: {
    CLEARBIT_API_KEY: {
      description: 'Clearbit secret API key (sk_…) of a Clearbit account created in 2023 or earlier that still has Enrichment API access (newer accounts get no key)',
      typicalLength: 35,
      where: 'Clearbit dashboard → API (accounts created in 2023 or earlier only; Clearbit’s free platform ended on 2025-04-30)',
    },
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(['contacts.write']),
  },
  inputs: {
    email: input.email('Email address to look up', { required: true, property: 'email' }),
    ...currentValueInputs,
  },
  outputs: {
    enrichment_status: output.enumeration('enriched, queued (Clearbit is still looking: delay and re-enroll), not_found, invalid_email (malformed or a role address such as info@), error', [
      'enriched',
      'queued',
      'not_found',
      'invalid_email',
      'error',
    ]),
    fields_updated: output.number('How many contact properties this run filled (0 when nothing was new)'),
    jobtitle: output.string('Job title according to Clearbit; empty when unknown'),
    seniority: output.string('Seniority according to Clearbit (executive, director, manager, …); empty when unknown'),
    company_domain: output.string('Employer domain according to Clearbit; empty when unknown'),
    company_employees: output.number('Employer’s estimated employee count; not set when unknown'),
    company_industry: output.string('Employer’s industry according to Clearbit; empty when unknown'),
  },
  // A permanent failure (over quota, bad key, bad input) also says so in the action's own status output.
  errorOutputs: { enrichment_status: 'error' },
  propertyGroups: [{ name: GROUP, label: 'Clearbit' }],
  properties: customProperties,
  apiCalls: {
    'enriched, new values': 2,
    'enriched, nothing new': 1,
    'queued / not found / invalid email': 1,
  },
  config: {
    /** fill_blanks: never replace a value someone entered. overwrite: replace values that differ from Clearbit's. */
    overwritePolicy: 'fill_blanks' as OverwritePolicy,
  },

  async run(ctx) {
    const { inputs, config, log } = ctx;
    const policy = overwritePolicyFrom(config.overwritePolicy);
    const contactId = enrolledContactId(ctx.object);

    const lookup = await enrichmentProvider(ctx).findByEmail(inputs.email);
    if (lookup.outcome !== 'found') {
      log.info('enrichment', { outcome: lookup.outcome, ...(lookup.outcome === 'invalid_email' ? { reason: lookup.reason } : {}) });
      return { enrichment_status: lookup.outcome, fields_updated: 0, ...headlineFrom({}) };
    }

    const update = contactUpdateFrom(lookup.facts, inputs, { policy, now: ctx.now() });
    if (update.filled.length) {
      await ctx.hubspot().updateObject('contacts', contactId, update.properties);
      log.info('contact.enriched', { contact: contactId, fields: update.filled.join(',') });
    } else {
      log.info('contact.unchanged', { contact: contactId, reason: policy === 'fill_blanks' ? 'no empty property Clearbit could fill' : 'Clearbit had nothing different' });
    }
    return { enrichment_status: 'enriched', fields_updated: update.filled.length, ...headlineFrom(lookup.facts) };
  },
});

type Ctx = ActionContext<unknown, { CLEARBIT_API_KEY: { description: string; typicalLength: number } }, unknown>;

/** The one place that picks the provider; another API implementing EnrichmentProvider plugs in here. */
function enrichmentProvider(ctx: Pick<Ctx, 'service' | 'secrets'>): EnrichmentProvider {
  return createClearbitProvider(ctx.service(clearbitServiceOptions(ctx.secrets.CLEARBIT_API_KEY)));
}

function overwritePolicyFrom(value: unknown): OverwritePolicy {
  if ((OVERWRITE_POLICIES as readonly unknown[]).includes(value)) return value as OverwritePolicy;
  throw new ConfigError(`Build setting clearbit-enrich.overwritePolicy must be one of ${OVERWRITE_POLICIES.join(', ')} (got ${JSON.stringify(value)?.slice(0, 50)})`, { errorCode: 'INVALID_CONFIG' });
}

/** The contact to update is the enrolled one; a workflow on another object type would update the wrong record. */
function enrolledContactId(object: { type: string | undefined; id: string | undefined }): string {
  if (object.type !== undefined && !['contact', 'contacts', '0-1'].includes(object.type.toLowerCase())) {
    throw new PermanentError(`This action enriches contacts, but the workflow enrolled a ${object.type}: use it in a contact-based workflow`, { errorCode: 'WRONG_OBJECT_TYPE' });
  }
  if (object.id === undefined) {
    throw new PermanentError('The event names no enrolled contact id, so there is no record to update: run the action from a contact-based workflow', { errorCode: 'MISSING_OBJECT_ID' });
  }
  // Checked before any call: an id such as ".." would otherwise reach the URL path (see lib/hubspot.ts pathSegment).
  return checkObjectId(object.id, 'The enrolled contact id');
}

export const main = action.main;
