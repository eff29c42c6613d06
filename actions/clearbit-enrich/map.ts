/**
 * Pure mapping for clearbit-enrich: enrichment facts + the contact's current values → the properties to write.
 * No I/O, no clock (`now` is passed in), total on any facts.
 */
import type { EnrichmentFacts } from '../../lib/clearbit';

/** Build-time choice: fill only empty properties (default, sales' own edits win) or replace differing values. */
export const OVERWRITE_POLICIES = ['fill_blanks', 'overwrite'] as const;
export type OverwritePolicy = (typeof OVERWRITE_POLICIES)[number];

export interface EnrichmentField {
  /** HubSpot contact property (internal name). */
  name: string;
  label: string;
  /** Only custom ones are declared for the setup tooling; standard contact properties exist in every portal. */
  custom: boolean;
  type: 'text' | 'number';
  description: string;
  pick(facts: EnrichmentFacts): string | number | undefined;
}

/**
 * Every contact property the action may fill, in one table: the action's inputs (current values), its custom
 * property declarations and the mapping all come from here.
 */
export const ENRICHMENT_FIELDS: readonly EnrichmentField[] = [
  { name: 'jobtitle', label: 'Job title', custom: false, type: 'text', description: 'Job title', pick: (f) => f.person?.title },
  { name: 'company', label: 'Company name', custom: false, type: 'text', description: 'Company name', pick: (f) => f.company?.name ?? f.person?.employerName },
  { name: 'industry', label: 'Industry', custom: false, type: 'text', description: 'Industry', pick: (f) => f.company?.industry },
  // The person's own location: a company's headquarters says little about where one employee sits.
  { name: 'city', label: 'City', custom: false, type: 'text', description: 'City', pick: (f) => f.person?.city },
  { name: 'state', label: 'State/Region', custom: false, type: 'text', description: 'State or region', pick: (f) => f.person?.state },
  { name: 'country', label: 'Country/Region', custom: false, type: 'text', description: 'Country', pick: (f) => f.person?.country },
  { name: 'clearbit_seniority', label: 'Seniority (Clearbit)', custom: true, type: 'text', description: 'Seniority of the person’s role, e.g. executive, director, manager', pick: (f) => f.person?.seniority },
  { name: 'clearbit_role', label: 'Role (Clearbit)', custom: true, type: 'text', description: 'Job function, e.g. engineering, sales, marketing', pick: (f) => f.person?.role },
  { name: 'clearbit_linkedin_url', label: 'LinkedIn profile (Clearbit)', custom: true, type: 'text', description: 'The person’s LinkedIn profile URL', pick: (f) => f.person?.linkedinUrl },
  { name: 'clearbit_twitter_url', label: 'Twitter/X profile (Clearbit)', custom: true, type: 'text', description: 'The person’s Twitter/X profile URL', pick: (f) => f.person?.twitterUrl },
  { name: 'clearbit_company_domain', label: 'Company domain (Clearbit)', custom: true, type: 'text', description: 'Domain of the person’s employer', pick: (f) => f.company?.domain ?? f.person?.employerDomain },
  { name: 'clearbit_company_sector', label: 'Company sector (Clearbit)', custom: true, type: 'text', description: 'Broad sector of the employer, e.g. Information Technology', pick: (f) => f.company?.sector },
  { name: 'clearbit_company_employees', label: 'Company employees (Clearbit)', custom: true, type: 'number', description: 'Estimated number of employees of the employer', pick: (f) => f.company?.employees },
  { name: 'clearbit_company_revenue', label: 'Company est. annual revenue (Clearbit)', custom: true, type: 'text', description: 'Estimated annual revenue range, e.g. $10M-$50M', pick: (f) => f.company?.estimatedAnnualRevenue },
  { name: 'clearbit_company_founded_year', label: 'Company founded year (Clearbit)', custom: true, type: 'number', description: 'Year the employer was founded', pick: (f) => f.company?.foundedYear },
  { name: 'clearbit_company_linkedin_url', label: 'Company LinkedIn page (Clearbit)', custom: true, type: 'text', description: 'The employer’s LinkedIn page URL', pick: (f) => f.company?.linkedinUrl },
];

/** Written alongside any new value; never on its own (a write with nothing new is skipped entirely). */
export const ENRICHED_AT_PROPERTY = 'clearbit_enriched_at';

/** HubSpot string properties hold at most 65,536 characters. */
export const MAX_PROPERTY_CHARS = 65_536;

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function same(field: EnrichmentField, current: string, next: string): boolean {
  if (field.type === 'number') return Number(current.trim()) === Number(next);
  return current.trim() === next;
}

export interface ContactUpdate {
  /** The properties to PATCH; empty when there is nothing new (then no HubSpot call is made). */
  properties: Record<string, string>;
  /** Names of the enriched properties written (the timestamp not counted). */
  filled: string[];
}

/**
 * Which properties to write. `fill_blanks` writes a value only where the contact's current value is empty;
 * `overwrite` also replaces a differing one. Values equal to what the contact holds are never written.
 */
export function contactUpdateFrom(
  facts: EnrichmentFacts,
  current: Readonly<Record<string, string | undefined>>,
  options: { policy: OverwritePolicy; now: number },
): ContactUpdate {
  const properties: Record<string, string> = {};
  const filled: string[] = [];
  for (const field of ENRICHMENT_FIELDS) {
    const picked = field.pick(facts);
    if (picked === undefined) continue;
    const next = String(picked).slice(0, MAX_PROPERTY_CHARS);
    if (next.trim() === '') continue;
    const existing = current[field.name];
    if (!blank(existing)) {
      if (options.policy === 'fill_blanks' || same(field, existing as string, next)) continue;
    }
    properties[field.name] = next;
    filled.push(field.name);
  }
  if (filled.length) properties[ENRICHED_AT_PROPERTY] = enrichedAt(options.now);
  return { properties, filled };
}

/** ISO 8601, which HubSpot accepts for datetime properties; an unusable clock falls back to the epoch, never throws. */
function enrichedAt(now: number): string {
  const date = new Date(now);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

/** The values later workflow steps branch on, as the provider stated them (empty when it did not). */
export function headlineFrom(facts: EnrichmentFacts): { jobtitle: string; seniority: string; company_domain: string; company_employees?: number; company_industry: string } {
  const employees = facts.company?.employees;
  return {
    jobtitle: facts.person?.title ?? '',
    seniority: facts.person?.seniority ?? '',
    company_domain: facts.company?.domain ?? facts.person?.employerDomain ?? '',
    ...(employees !== undefined ? { company_employees: employees } : {}),
    company_industry: facts.company?.industry ?? '',
  };
}
