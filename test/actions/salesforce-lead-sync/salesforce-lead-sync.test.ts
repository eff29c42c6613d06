import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/salesforce-lead-sync/index';
import { DEFAULT_CONFIG, leadForCreate, leadStatusFor } from '../../../actions/salesforce-lead-sync/map';
import { clearModuleCaches } from '../../../lib/module-cache';
import { PermanentError } from '../../../lib/errors';
import { duplicateLeadId, duplicateMatches, escapeSoqlLiteral, retryableIfTransient, soqlString, toCaseSafeId } from '../../../lib/salesforce';
import type { Fault } from '../../fakes/network';
import { FAKE_SALESFORCE_SECRETS, SALESFORCE_GENERIC_LOGIN, parseLeadQuery, parseSoqlLiteral } from '../../fakes/salesforce';
import { FAKE_SECRETS, runAction, type Outcome } from '../../support/run';
import { AFTER_HUBSPOT, BEFORE_HUBSPOT, leadSyncWorld, syncEvent, type LeadSyncWorld } from './scenarios';

let world: LeadSyncWorld;

beforeEach(() => {
  clearModuleCaches();
  world = leadSyncWorld();
  world.net.install();
});
afterEach(() => world.net.uninstall());

const run = (overrides: Record<string, string> = {}, options: { env?: Record<string, string>; config?: Record<string, unknown> } = {}) =>
  runAction(action, syncEvent(overrides), { env: options.env ?? world.env, ...(options.config ? { config: options.config } : {}) });
const calls = () => world.net.calls.map((c) => `${c.method} ${new URL(c.url).host}${new URL(c.url).pathname}`);
const contact = () => world.hubspot.get('contacts', world.contactId)!.properties;
const lastQuery = () => world.salesforce.queries.at(-1) ?? '';
const TOKEN = 'POST acme.my.salesforce.com/services/oauth2/token';
const QUERY = 'GET acme-instance.my.salesforce.com/services/data/v68.0/query';
const CREATE = 'POST acme-instance.my.salesforce.com/services/data/v68.0/sobjects/Lead/';
const CONTACT_WRITE = 'PATCH api.hubapi.com/crm/objects/2026-09/contacts/1001';
const updateLead = (id: string) => `PATCH acme-instance.my.salesforce.com/services/data/v68.0/sobjects/Lead/${id}`;
/** The bookkeeping a completed sync leaves on the contact, as inputs of the next enrollment. */
const synced = (leadId: string, status = 'Open - Not Contacted') => ({ salesforce_lead_id: leadId, salesforce_lead_status: status, salesforce_sync_status: 'synced' });

function exposed(outcome: Outcome): string {
  return [...outcome.logs, JSON.stringify(outcome.outputs ?? {}), outcome.thrown ? `${outcome.thrown.message}\n${outcome.thrown.stack}` : ''].join('\n');
}

describe('SOQL literals', () => {
  it.each([
    ["o'brien@example.com", "'o\\'brien@example.com'"],
    ['a\\b@example.com', "'a\\\\b@example.com'"],
    ["\\'", "'\\\\\\''"],
    ['tab\there\nline"quote', "'tab\\there\\nline\\\"quote'"],
    ['plain', "'plain'"],
  ])('soqlString(%j) = %s', (value, literal) => {
    expect(soqlString(value)).toBe(literal);
  });

  it('escaping then parsing as Salesforce does returns the original, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const literal = soqlString(value);
        const parsed = parseSoqlLiteral(literal);
        expect(parsed.value).toBe(value);
        expect(parsed.end).toBe(literal.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it('an escaped value can never add a condition to the query', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("'", '\\', ' ', 'O', 'R', '=', 'x', '\n') }), (value) => {
        const query = parseLeadQuery(`SELECT Id FROM Lead WHERE Email = ${soqlString(value)} AND IsConverted = false LIMIT 1`);
        expect(query.where).toEqual([{ field: 'Email', value }, { field: 'IsConverted', value: false }]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('the fake rejects what Salesforce rejects: an unknown escape and an unescaped quote', () => {
    expect(() => parseSoqlLiteral("'a\\x'")).toThrow(/Illegal character sequence/);
    expect(() => parseLeadQuery("SELECT Id FROM Lead WHERE Email = 'o'brien@example.com'")).toThrow();
    expect(escapeSoqlLiteral('no specials é 🚀')).toBe('no specials é 🚀');
  });
});

describe('salesforce-lead-sync', () => {
  it('new lead: token, query by email, create, one HubSpot write with the lead id', async () => {
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'create', error_code: '' });
    const [lead] = world.salesforce.list();
    expect(lead).toMatchObject({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'Lovelace', Company: 'Acme', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LeadSource: 'HubSpot' });
    expect(outputs?.salesforce_lead_id).toBe(lead!.Id);
    expect(contact()).toMatchObject({ salesforce_lead_id: lead!.Id, salesforce_lead_status: 'Open - Not Contacted', salesforce_sync_status: 'synced', salesforce_sync_error: '' });
    expect(Number(contact().salesforce_last_sync_at)).toBeGreaterThan(Date.parse('2025-01-01'));
    expect(calls()).toEqual([TOKEN, QUERY, CREATE, CONTACT_WRITE]);
    expect(lastQuery()).toContain("WHERE Email = 'ada@acme.io' AND IsConverted = false");
  });

  it('HubSpot newer: updates only the differing lead fields', async () => {
    const id = world.salesforce.seedLead({ Email: 'Ada@Acme.io', FirstName: 'Ada', LastName: 'Byron', Company: 'Acme', LeadSource: 'Web', Status: 'Working - Contacted', LastModifiedDate: BEFORE_HUBSPOT });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'update', salesforce_lead_id: id });
    // Email equal but for case: left alone; LeadSource not ours to overwrite on an existing lead.
    expect(world.salesforce.leads.get(id)).toMatchObject({ Email: 'Ada@Acme.io', LastName: 'Lovelace', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LeadSource: 'Web' });
    expect(calls()).toEqual([TOKEN, QUERY, updateLead(id), CONTACT_WRITE]);
    expect(contact()).toMatchObject({ salesforce_lead_id: id, salesforce_lead_status: 'Open - Not Contacted' });
  });

  it('HubSpot newer with the bookkeeping already on the contact: no HubSpot write after the lead update', async () => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'Byron', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    const { outputs } = await run(synced(id));
    expect(outputs?.sync_operation).toBe('update');
    expect(calls()).toEqual([TOKEN, QUERY, updateLead(id)]);
  });

  it('Salesforce newer: copies the lead back, moves the lifecycle stage forward, writes nothing to Salesforce', async () => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'King', Company: 'Acme Ltd', Phone: '', Status: 'Working - Contacted', LastModifiedDate: AFTER_HUBSPOT });
    const before = { ...world.salesforce.leads.get(id) };
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'sync_from_salesforce', salesforce_lead_id: id });
    expect(contact()).toMatchObject({ lastname: 'King', company: 'Acme Ltd', lifecyclestage: 'salesqualifiedlead', salesforce_lead_status: 'Working - Contacted', salesforce_lead_id: id });
    expect(contact().phone).toBeUndefined(); // an empty Salesforce value never blanks HubSpot
    expect(world.salesforce.leads.get(id)).toEqual(before);
    expect(calls()).toEqual([TOKEN, QUERY, CONTACT_WRITE]);
  });

  it('Salesforce newer never moves the lifecycle stage backwards (HubSpot refuses that through the API)', async () => {
    world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'King', Company: 'Acme', Status: 'Open - Not Contacted', LastModifiedDate: AFTER_HUBSPOT });
    const { outputs } = await run({ lifecyclestage: 'opportunity', phone: '' });
    expect(outputs?.sync_operation).toBe('sync_from_salesforce');
    expect(contact().lastname).toBe('King');
    expect(contact().lifecyclestage).toBe('marketingqualifiedlead'); // as seeded: not written
  });

  it('nothing differs: noop, one query and no write at all on a warm run', async () => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'Lovelace', Company: 'Acme', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LastModifiedDate: AFTER_HUBSPOT });
    const first = await run(synced(id));
    expect(first.outputs).toMatchObject({ status: 'ok', sync_operation: 'noop', salesforce_lead_id: id });
    expect(calls()).toEqual([TOKEN, QUERY]);
    const second = await run(synced(id));
    expect(second.outputs?.sync_operation).toBe('noop');
    expect(calls()).toEqual([TOKEN, QUERY, QUERY]); // warm: the token is reused
    expect(world.hubspot.get('contacts', world.contactId)?.properties.salesforce_lead_id).toBeUndefined();
  });

  it('noop records the lead id once when the contact does not have it yet', async () => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'Lovelace', Company: 'Acme', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LastModifiedDate: AFTER_HUBSPOT });
    const { outputs } = await run();
    expect(outputs?.sync_operation).toBe('noop');
    expect(calls()).toEqual([TOKEN, QUERY, CONTACT_WRITE]);
    expect(contact()).toMatchObject({ salesforce_lead_id: id, lastname: 'Lovelace' });
  });

  it('looks the lead up by the stored id, even when its email changed in Salesforce', async () => {
    world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'Other', Company: 'Other', LastModifiedDate: BEFORE_HUBSPOT });
    const id = world.salesforce.seedLead({ Email: 'ada.lovelace@acme.io', LastName: 'King', Company: 'Acme', LastModifiedDate: AFTER_HUBSPOT });
    const { outputs } = await run({ salesforce_lead_id: id.slice(0, 15) });
    expect(contact()).toMatchObject({ lastname: 'King', email: 'ada@acme.io' }); // the email is HubSpot's key: not copied back
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'sync_from_salesforce', salesforce_lead_id: id });
    expect(lastQuery()).toContain(`WHERE Id = '${id.slice(0, 15)}'`);
    expect(world.salesforce.queries).toHaveLength(1);
  });

  it.each([
    ['a deleted lead id', '00Q5g0000099999'],
    ['not a lead id (account)', '001000000000001AAA'],
    ['garbage', "x' OR Id != '"],
    ['18 characters with a wrong checksum', '00Q5g00000000010AA'],
  ])('stored id is %s: falls back to email and records the right id', async (_label, stored) => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    const { outputs } = await run({ salesforce_lead_id: stored });
    expect(outputs).toMatchObject({ status: 'ok', salesforce_lead_id: id });
    expect(lastQuery()).toContain("Email = 'ada@acme.io'");
    expect(world.salesforce.queries.every((q) => !q.includes(' OR '))).toBe(true);
    expect(contact().salesforce_lead_id).toBe(id);
  });

  it.each([
    ["o'brien@example.com", "Email = 'o\\'brien@example.com'"],
    ['back\\slash@example.com', "Email = 'back\\\\slash@example.com'"],
  ])('email %s is escaped on the wire and finds its lead', async (email, onTheWire) => {
    const id = world.salesforce.seedLead({ Email: email, LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    const { outputs } = await run({ email });
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'update', salesforce_lead_id: id });
    expect(lastQuery()).toContain(onTheWire);
    expect(world.salesforce.list()).toHaveLength(1);
  });

  it('an injection attempt in the email matches nothing else and creates one lead', async () => {
    const other = world.salesforce.seedLead({ Email: 'victim@example.com', LastName: 'Victim', Company: 'V', LastModifiedDate: BEFORE_HUBSPOT });
    const { outputs } = await run({ email: "x'OR'1'='1@example.com" });
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'create' });
    expect(world.salesforce.list()).toHaveLength(2);
    expect(world.salesforce.leads.get(other)?.LastName).toBe('Victim');
  });

  it('missing last name and company: placeholders on create, never copied back', async () => {
    const { outputs } = await run({ lastname: '', company: '' });
    expect(outputs?.sync_operation).toBe('create');
    const [lead] = world.salesforce.list();
    expect(lead).toMatchObject({ LastName: '[not provided]', Company: '[not provided]' });
    world.net.calls.length = 0;
    const again = await run({ lastname: '', company: '', ...synced(lead!.Id) });
    expect(again.outputs?.sync_operation).toBe('noop');
    expect(calls()).toEqual([QUERY]);
  });

  it('REQUIRED_FIELD_MISSING (a field the org requires): permanent, clear, recorded on the contact', async () => {
    world.salesforce.requiredFields = ['LastName', 'Company', 'Industry'];
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_REQUIRED_FIELD_MISSING' });
    expect(outputs?.error_message).toMatch(/Required fields are missing: \[Industry\].*required Lead field/);
    expect(contact()).toMatchObject({ salesforce_sync_status: 'error' });
    expect(contact().salesforce_sync_error).toContain('SALESFORCE_REQUIRED_FIELD_MISSING');
    expect(world.salesforce.list()).toHaveLength(0);
  });

  it('a lead status missing from the org picklist is a permanent, named error', async () => {
    const { outputs } = await run({ lifecyclestage: 'lead' }, { config: { leadStatusByLifecycleStage: { lead: 'Qualified' } } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
    expect(outputs?.error_message).toContain('actions.config.json');
  });

  it('duplicate rule naming the existing lead: linked, not created', async () => {
    const existing = world.salesforce.seedLead({ Email: 'ada.l@acme.io', LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    world.salesforce.duplicateRule = { matches: (l, n) => l.LastName === n.LastName && l.Company === n.Company, includeRecords: true };
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'noop', salesforce_lead_id: existing });
    expect(world.salesforce.list()).toHaveLength(1);
    expect(contact()).toMatchObject({ salesforce_lead_id: existing, salesforce_sync_status: 'linked_duplicate' });
  });

  it('duplicate rule without the matched record: a clear permanent error', async () => {
    world.salesforce.seedLead({ Email: 'ada.l@acme.io', LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    world.salesforce.duplicateRule = { matches: (l, n) => l.LastName === n.LastName, includeRecords: false };
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_DUPLICATES_DETECTED' });
    expect(outputs?.error_message).toMatch(/duplicate rule/);
    expect(world.salesforce.list()).toHaveLength(1);
    expect(contact().salesforce_sync_status).toBe('error');
  });

  it('the match arrives under "duplicateResut" (the REST spelling) and under "duplicateResult": both are read, Lead first', () => {
    const lead = toCaseSafeId('00Q5g00000ABCDE');
    const contactId = toCaseSafeId('0035g00000ABCDE');
    const answer = (key: string, records: Array<{ Id: string; type: string }>) => [{ errorCode: 'DUPLICATES_DETECTED', message: 'dup', [key]: { matchResults: records.map((r) => ({ entityType: r.type, matchRecords: [{ record: { attributes: { type: r.type }, Id: r.Id } }] })) } }];
    expect(duplicateLeadId(answer('duplicateResut', [{ Id: lead, type: 'Lead' }]))).toBe(lead);
    expect(duplicateLeadId(answer('duplicateResult', [{ Id: lead, type: 'Lead' }]))).toBe(lead);
    // A contact is never taken for the lead, even listed first.
    expect(duplicateLeadId(answer('duplicateResut', [{ Id: contactId, type: 'Contact' }, { Id: lead, type: 'Lead' }]))).toBe(lead);
    expect(duplicateLeadId(answer('duplicateResut', [{ Id: contactId, type: 'Contact' }]))).toBeUndefined();
    expect(duplicateMatches(answer('duplicateResut', [{ Id: contactId, type: 'Contact' }]))).toEqual([{ id: contactId, entityType: 'Contact' }]);
  });

  it('duplicate rule matching a contact (003…): its own permanent error naming the contact, nothing linked or created', async () => {
    const contactId = world.salesforce.seedContact({ Email: 'ada@acme.io', LastName: 'Lovelace' });
    world.salesforce.duplicateRule = { matches: () => false, matchesContact: (c, n) => c.Email === n.Email, includeRecords: true };
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_DUPLICATE_CONTACT' });
    expect(outputs?.error_message).toContain(`contact ${contactId}`);
    expect(world.salesforce.list()).toHaveLength(0);
    expect(contact().salesforce_lead_id ?? '').toBe('');
    expect(contact()).toMatchObject({ salesforce_sync_status: 'error' });
  });

  it('duplicate rule matching a lead and a contact: the lead is linked', async () => {
    const existing = world.salesforce.seedLead({ Email: 'ada.l@acme.io', LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    world.salesforce.seedContact({ Email: 'ada@acme.io', LastName: 'Lovelace' });
    world.salesforce.duplicateRule = { matches: (l, n) => l.LastName === n.LastName, matchesContact: (c, n) => c.Email === n.Email, includeRecords: true };
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', salesforce_lead_id: existing });
    expect(contact()).toMatchObject({ salesforce_lead_id: existing, salesforce_sync_status: 'linked_duplicate' });
  });

  it('an "alert" duplicate rule: by default no header, the API save is blocked and the match linked', async () => {
    const existing = world.salesforce.seedLead({ Email: 'ada.l@acme.io', LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    world.salesforce.duplicateRule = { matches: (l, n) => l.LastName === n.LastName, includeRecords: true, action: 'alert' };
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', salesforce_lead_id: existing });
    expect(world.salesforce.createHeaders[0]?.['sforce-duplicate-rule-header']).toBeUndefined();
    expect(world.salesforce.list()).toHaveLength(1);
  });

  it('allowDuplicateSave (build setting): Sforce-Duplicate-Rule-Header allowSave=true passes an alert rule, never a block rule', async () => {
    world.salesforce.seedLead({ Email: 'ada.l@acme.io', LastName: 'Lovelace', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT });
    world.salesforce.duplicateRule = { matches: (l, n) => l.LastName === n.LastName, includeRecords: true, action: 'alert' };
    const saved = await run({}, { config: { allowDuplicateSave: true } });
    expect(saved.outputs).toMatchObject({ status: 'ok', sync_operation: 'create' });
    expect(world.salesforce.createHeaders[0]?.['sforce-duplicate-rule-header']).toBe('allowSave=true');
    expect(world.salesforce.list()).toHaveLength(2);

    world.salesforce.duplicateRule = { matches: (l, n) => l.LastName === n.LastName, includeRecords: false, action: 'block' };
    const blocked = await run({ email: 'ada.other@acme.io' }, { config: { allowDuplicateSave: true } });
    expect(blocked.outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_DUPLICATES_DETECTED' });
    expect(world.salesforce.list()).toHaveLength(2);
  });

  it('allowDuplicateSave must be a boolean', async () => {
    const { outputs } = await run({}, { config: { allowDuplicateSave: 'yes' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INVALID_CONFIG' });
  });

  it('UNABLE_TO_LOCK_ROW (row-lock contention) is retryable: thrown with 503; the re-run creates the lead once', async () => {
    world.salesforce.rowLockedWrites = 1;
    const first = await run();
    expect(first.thrown?.response?.status).toBe(503);
    expect(first.thrown?.errorCode).toBe('SALESFORCE_UNABLE_TO_LOCK_ROW');
    expect(contact().salesforce_sync_status ?? '').not.toBe('error');
    const second = await run();
    expect(second.outputs).toMatchObject({ status: 'ok', sync_operation: 'create' });
    expect(world.salesforce.list()).toHaveLength(1);
  });

  it('a row lock wrapped by a flow (CANNOT_EXECUTE_FLOW_TRIGGER …UNABLE_TO_LOCK_ROW…) is retryable; other permanent errors stay permanent', () => {
    const wrapped = new PermanentError('salesforce create lead failed: HTTP 400 — We can\'t save this record because the "Lead routing" process failed. UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record.', { errorCode: 'SALESFORCE_CANNOT_EXECUTE_FLOW_TRIGGER' });
    expect(retryableIfTransient(wrapped)).toMatchObject({ kind: 'retryable', errorCode: 'SALESFORCE_UNABLE_TO_LOCK_ROW', status: 503 });
    const other = new PermanentError('salesforce create lead failed: HTTP 400 — bad value', { errorCode: 'SALESFORCE_FIELD_INTEGRITY_EXCEPTION' });
    expect(retryableIfTransient(other)).toBe(other);
  });

  it('UNABLE_TO_LOCK_ROW on a lead update is retryable too', async () => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'Lovelace', Company: 'Acme', Status: 'Open - Not Contacted', LastModifiedDate: BEFORE_HUBSPOT });
    world.salesforce.rowLockedWrites = 1;
    const { thrown } = await run({ firstname: 'Augusta', salesforce_lead_id: id });
    expect(thrown?.response?.status).toBe(503);
    expect(thrown?.errorCode).toBe('SALESFORCE_UNABLE_TO_LOCK_ROW');
  });

  it('the token endpoint\'s unknown_error ("retry your request") is retryable, not a configuration error', async () => {
    world.salesforce.tokenUnknownErrors = 1;
    const first = await run();
    expect(first.thrown?.response?.status).toBe(503);
    expect(first.thrown?.errorCode).toBe('SALESFORCE_TOKEN_UNKNOWN_ERROR');
    expect((await run()).outputs).toMatchObject({ status: 'ok', sync_operation: 'create' });
  });

  it('wrong client secret: permanent configuration error naming the secrets, nothing leaked', async () => {
    const outcome = await run({}, { env: { ...world.env, SALESFORCE_CLIENT_SECRET: 'WRONGSECRET0123456789wrongsecret' } });
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_INVALID_CLIENT' });
    expect(outcome.outputs?.error_message).toMatch(/invalid client credentials.*SALESFORCE_CLIENT_SECRET/);
    expect(exposed(outcome)).not.toContain('WRONGSECRET0123456789wrongsecret');
    expect(contact().salesforce_sync_status).toBe('error');
    expect(calls()).toEqual([TOKEN, CONTACT_WRITE]);
  });

  it('login.salesforce.com instead of My Domain: says to use the My Domain URL', async () => {
    const { outputs } = await run({}, { env: { ...world.env, SALESFORCE_LOGIN_URL: SALESFORCE_GENERIC_LOGIN } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_LOGIN_URL_NOT_MY_DOMAIN' });
    expect(outputs?.error_message).toMatch(/request not supported on this domain.*My Domain/);
  });

  it('a login URL that is not https: configuration error before any call', async () => {
    const { outputs } = await run({}, { env: { ...world.env, SALESFORCE_LOGIN_URL: 'http://acme.my.salesforce.com' } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_LOGIN_URL_INVALID' });
    expect(calls()).toEqual([CONTACT_WRITE]); // only the best-effort error record
  });

  it('expired session (401 INVALID_SESSION_ID): exactly one new token, then the call succeeds', async () => {
    const id = world.salesforce.seedLead({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'Lovelace', Company: 'Acme', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LastModifiedDate: AFTER_HUBSPOT });
    await run(synced(id));
    world.salesforce.expireSessions();
    world.net.calls.length = 0;
    const { outputs } = await run(synced(id));
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'noop' });
    expect(world.net.calls.map((c) => c.status)).toEqual([401, 200, 200]);
    expect(calls()).toEqual([QUERY, TOKEN, QUERY]);
    expect(world.salesforce.issuedTokens).toHaveLength(2);
  });

  it('a 401 that survives the refresh is a configuration error, not a loop', async () => {
    world.salesforce.handleRest = () => ({ status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] });
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'error', error_code: 'SALESFORCE_INVALID_SESSION_ID' });
    expect(calls()).toEqual([TOKEN, QUERY, TOKEN, QUERY, CONTACT_WRITE]);
  });

  it('daily API limit (403 REQUEST_LIMIT_EXCEEDED) is retryable: thrown with 429, nothing recorded', async () => {
    await run(); // warm token
    world.salesforce.requestLimitExceeded = true;
    const { thrown } = await run();
    expect(thrown?.response?.status).toBe(429);
    expect(thrown?.code).toBe(429);
    expect(thrown?.errorCode).toBe('SALESFORCE_REQUEST_LIMIT_EXCEEDED');
    expect(contact().salesforce_sync_status).toBe('synced');
  });

  it('owner and status tables come from build-time config', async () => {
    const config = { salesforceUserByHubSpotOwner: { '42': '005000000000042AAA' }, leadStatusByHubSpotLeadStatus: { IN_PROGRESS: 'Working - Contacted' } };
    const { outputs } = await run({ hubspot_owner_id: '42', hs_lead_status: 'IN_PROGRESS' }, { config });
    expect(outputs?.sync_operation).toBe('create');
    expect(world.salesforce.list()[0]).toMatchObject({ OwnerId: '005000000000042AAA', Status: 'Working - Contacted' });
  });

  it.each(['constructor', '__proto__', 'toString'])('table lookups ignore prototype keys: lifecycle stage %s maps to nothing', async (key) => {
    const { outputs } = await run({ lifecyclestage: key, hs_lead_status: key, hubspot_owner_id: key });
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'create' });
    expect(world.salesforce.list()[0]).toMatchObject({ Status: 'Open - Not Contacted', OwnerId: '005000000000001AAA' }); // the org's defaults
    expect(contact().salesforce_lead_status).toBe('');
    const state = { email: 'a@b.io', lifecyclestage: key, hs_lead_status: key, hubspot_owner_id: key };
    expect(leadStatusFor(state, DEFAULT_CONFIG)).toBeUndefined();
    expect(leadForCreate(state, DEFAULT_CONFIG)).not.toHaveProperty('OwnerId');
  });

  it('an owner table with a non-user id is refused before any call', async () => {
    const { outputs } = await run({}, { config: { salesforceUserByHubSpotOwner: { '42': 'alice' } } });
    expect(outputs).toMatchObject({ status: 'error', error_code: 'INVALID_CONFIG' });
    expect(world.net.calls).toHaveLength(0);
  });

  // HubSpot re-runs the whole action after a 429/5xx. Every fault, at every call of the create path, must surface
  // with such a status, and the re-run must end with exactly one lead whose id is on the contact.
  const faults: Fault[] = ['429', '500', '503', 'reset', 'malformed-200', 'hang'];
  for (const step of [1, 2, 3, 4]) {
    for (const fault of faults) {
      it(`fault ${fault} at call ${step} of a create: retryable, and a re-run leaves one lead`, async () => {
        world.net.injectAt(step, fault);
        const first = await run();
        const status = first.thrown?.response?.status;
        expect(status === 429 || (status !== undefined && status >= 500 && status < 600), `status ${status}`).toBe(true);
        expect(first.thrown?.code).toBe(status);
        world.net.clearFaults();
        const second = await run();
        expect(second.outputs?.status).toBe('ok');
        expect(world.salesforce.list()).toHaveLength(1);
        expect(contact().salesforce_lead_id).toBe(world.salesforce.list()[0]!.Id);
        expect(contact().salesforce_sync_status).toBe('synced');
      });
    }
  }

  for (const [path, setup, n] of [
    ['update', () => world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'Byron', Company: 'Acme', LastModifiedDate: BEFORE_HUBSPOT }), 4],
    ['sync back', () => world.salesforce.seedLead({ Email: 'ada@acme.io', LastName: 'King', Company: 'Acme', LastModifiedDate: AFTER_HUBSPOT }), 3],
  ] as const) {
    for (let step = 1; step <= n; step += 1) {
      it(`fault 503 at call ${step} of ${path}: retryable, and a re-run converges`, async () => {
        setup();
        world.net.injectAt(step, '503');
        const first = await run();
        expect(first.thrown?.response?.status).toBe(503);
        world.net.clearFaults();
        const second = await run();
        expect(second.outputs?.status).toBe('ok');
        expect(world.salesforce.list()).toHaveLength(1);
        expect(contact().salesforce_lead_id).toBe(world.salesforce.list()[0]!.Id);
      });
    }
  }

  it('a re-run of a completed enrollment creates nothing and changes nothing', async () => {
    await run();
    const before = world.snapshot();
    const again = await run();
    expect(again.outputs?.status).toBe('ok');
    expect(world.snapshot()).toEqual(before);
    expect(world.salesforce.list()).toHaveLength(1);
  });

  it('never exposes the client secret, the HubSpot token or issued Salesforce tokens, on success or failure', async () => {
    const outcomes = [await run()];
    world.salesforce.expireSessions();
    outcomes.push(await run());
    world.salesforce.requiredFields = ['Industry'];
    outcomes.push(await run({ email: 'new@acme.io' }));
    const text = outcomes.map(exposed).join('\n');
    expect(outcomes[0]!.logs.length).toBeGreaterThan(3);
    for (const secret of [FAKE_SALESFORCE_SECRETS.SALESFORCE_CLIENT_SECRET, FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN, ...world.salesforce.issuedTokens]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
    expect(world.salesforce.issuedTokens).toHaveLength(2);
  });
});
