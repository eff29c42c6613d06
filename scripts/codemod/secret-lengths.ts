/**
 * Typical lengths of secret values, to check a file against HubSpot's 1,000-character budget for all secret values
 * of an account together (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/custom-code-actions,
 * "Secrets"). The real values are never seen here; these are what such secrets usually measure.
 */
import { SECRET_BUDGET_CHARS } from '../../lib/action';
import { hubspotTokenSecret } from '../../lib/hubspot';

export { SECRET_BUDGET_CHARS };

export interface SecretLength {
  length: number;
  /** Where the number comes from. */
  basis: string;
}

/** Unknown names are counted at this length. */
export const DEFAULT_SECRET_LENGTH = 40;

const KNOWN: Array<{ pattern: RegExp; length: number; basis: string }> = [
  // Our actions' logger level (lib/action.ts): in HubSpot only a secret can set it; every guide documents it (scripts/paste-guide.mjs LOG_LEVEL_NOTE).
  { pattern: /^LOG_LEVEL$/, length: 'debug'.length, basis: 'optional log level (debug), documented in every guide' },
  { pattern: /HUBSPOT|HAPI|PRIVATE_APP|SERVICE_KEY/, length: hubspotTokenSecret([]).typicalLength, basis: 'HubSpot token, as our actions declare it (lib/hubspot.ts)' },
  { pattern: /SLACK.*(WEBHOOK|URL)/, length: 80, basis: 'Slack incoming-webhook URL (https://hooks.slack.com/services/T…/B…/…)' },
  { pattern: /OPENAI/, length: 164, basis: 'OpenAI project key (sk-proj-…)' },
  { pattern: /STRIPE/, length: 107, basis: 'Stripe secret key (sk_live_…)' },
  { pattern: /GITHUB/, length: 40, basis: 'GitHub token (ghp_…)' },
  { pattern: /PRIVATE_KEY|PEM/, length: 1700, basis: 'PEM private key (RSA 2048)' },
  { pattern: /_URL$/, length: 80, basis: 'a URL with a token in it' },
];

/** The lengths our own actions declare for their secrets, by name (one source of truth: each action's declaration). */
export function declaredLengths(manifest: { actions?: Array<{ secrets?: Array<{ name: string; typicalLength: number }> }> } | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const action of manifest?.actions ?? []) for (const s of action.secrets ?? []) out.set(s.name, s.typicalLength);
  return out;
}

export function typicalLength(name: string, declared: Map<string, number> = new Map()): SecretLength {
  const own = declared.get(name);
  if (own !== undefined) return { length: own, basis: "our actions' declaration" };
  const known = KNOWN.find((k) => k.pattern.test(name));
  if (known) return { length: known.length, basis: known.basis };
  return { length: DEFAULT_SECRET_LENGTH, basis: 'default for an unknown secret' };
}
