/**
 * Replay of a fixture for a user's file, decided in the parent: the child asks "what answers METHOD url body?" and
 * gets the recorded response, or a refusal that says which recorded call came closest and how it differs.
 *
 * Query strings are compared as sets of values per key, with comma lists split: @hubspot/api-client v10 sends
 * `properties=a,b` where later versions send `properties=a&properties=b`. HubSpot's spec for these parameters
 * (HubSpot-public-api-spec-collection, PublicApiSpecs/CRM/Contacts/Rollouts/107729/v3/contacts.json, GET
 * /crm/v3/objects/contacts/{contactId}, `properties`: an array in form style with explode, described as a comma
 * separated list) admits both, so a fixture recorded with one client replays with the other. The cost: a single
 * value containing a comma matches the same values sent separately, which no fixture here relies on.
 */
import { isDeepStrictEqual } from 'node:util';
import { Redactor } from '../../lib/logger';
import { scrub, type Fixture, type Interaction } from '../harness/fixture';

export interface ReplayAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function queryKey(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (out[key] ??= []).push(...value.split(','));
  for (const key of Object.keys(out)) out[key]!.sort();
  return out;
}

function queryDifference(recorded: URL, sent: URL): string | undefined {
  const a = queryKey(recorded);
  const b = queryKey(sent);
  const parts: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (isDeepStrictEqual(a[key], b[key])) continue;
    parts.push(`${key}: recorded ${a[key] ? JSON.stringify(a[key]!.join(',')) : '(absent)'}, sent ${b[key] ? JSON.stringify(b[key]!.join(',')) : '(absent)'}`);
  }
  return parts.length ? `query differs — ${parts.join('; ')}` : undefined;
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined || body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return /^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(body) ? Object.fromEntries(new URLSearchParams(body)) : body;
  }
}

export class FixtureReplay {
  private readonly used: boolean[];
  private readonly redactor: Redactor;
  readonly misses: string[] = [];

  constructor(private readonly fixture: Fixture) {
    this.used = fixture.interactions.map(() => false);
    // Recorded bodies had credentials replaced; treat the placeholders sent now the same way before comparing.
    this.redactor = new Redactor(Object.values(fixture.secrets ?? {}));
  }

  private differs(interaction: Interaction, method: string, sent: URL, body: unknown): string | undefined {
    const recorded = new URL(interaction.request.url);
    if (interaction.request.method.toUpperCase() !== method) return `method differs — recorded ${interaction.request.method.toUpperCase()}`;
    if (recorded.origin !== sent.origin || recorded.pathname !== sent.pathname) return `path differs — recorded ${recorded.origin}${recorded.pathname}`;
    const query = queryDifference(recorded, sent);
    if (query) return query;
    if (interaction.request.body !== undefined && interaction.request.match !== false && !isDeepStrictEqual(scrub(body, this.redactor), interaction.request.body)) {
      return `body differs — recorded ${JSON.stringify(interaction.request.body).slice(0, 200)}, sent ${JSON.stringify(scrub(body, this.redactor)).slice(0, 200)}`;
    }
    return undefined;
  }

  /** The recorded answer for this call (each interaction answers once), or why there is none. */
  answer(method: string, url: string, rawBody: string | undefined): ReplayAnswer | { refuse: string } {
    const sent = new URL(url);
    const body = parseBody(rawBody);
    const upper = method.toUpperCase();
    const reasons: Array<{ index: number; why: string }> = [];
    for (const [index, interaction] of this.fixture.interactions.entries()) {
      if (this.used[index]) continue;
      const why = this.differs(interaction, upper, sent, body);
      if (!why) {
        this.used[index] = true;
        const response = interaction.response;
        const text = typeof response.body === 'string' || response.body === undefined ? (response.body ?? '') : JSON.stringify(response.body);
        return { status: response.status, headers: { 'content-type': typeof response.body === 'string' ? 'text/html' : 'application/json', ...(response.headers ?? {}) }, body: text };
      }
      reasons.push({ index, why });
    }
    // The closest: same path and method first (then the difference is the query or the body), else the same path.
    const rank = (why: string) => (why.startsWith('query') || why.startsWith('body') ? 0 : why.startsWith('method') ? 1 : 2);
    const closest = reasons.sort((a, b) => rank(a.why) - rank(b.why))[0];
    const detail = closest && rank(closest.why) < 2 ? `; closest recorded: ${this.fixture.interactions[closest.index]!.request.method.toUpperCase()} ${this.fixture.interactions[closest.index]!.request.url} (${closest.why})` : `; the fixture holds ${this.unused().length ? this.unused().join(', ') : 'no unused call'}`;
    const message = `no recorded response matches ${upper} ${url}${detail}`;
    this.misses.push(message);
    return { refuse: message };
  }

  unused(): string[] {
    return this.fixture.interactions.filter((_, i) => !this.used[i]).map((x) => `${x.request.method.toUpperCase()} ${x.request.url}`);
  }
}
