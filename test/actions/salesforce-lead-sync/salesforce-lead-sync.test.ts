import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/salesforce-lead-sync/index';
import { clearModuleCaches } from '../../../lib/module-cache';
import type { Fault } from '../../fakes/network';
import { FAKE_SALESFORCE_SECRETS, SALESFORCE_GENERIC_LOGIN } from '../../fakes/salesforce';
import { FAKE_SECRETS, runAction } from '../../support/run';
import { AFTER_HUBSPOT, BEFORE_HUBSPOT, CONTACT, leadSyncWorld, syncEvent, type LeadSyncWorld } from './scenarios';

let world: LeadSyncWorld;

beforeEach(() => {
  clearModuleCaches();
  world = leadSyncWorld();
  world.net.install();
});
afterEach(() => world.net.uninstall());

const run = (overrides: Record<string, string> = {}, env: Record<string, string> = world.env) => runAction(action, syncEvent(overrides), { env });
const calls = () => world.net.calls.map((c) => `${c.method} ${new URL(c.url).host}${new URL(c.url).pathname}`);
const contact = () => world.hubspot.get('contacts', world.contactId)!.properties;

describe('salesforce-lead-sync', () => {
  it('new lead: token, query by email, create with placeholders off, one HubSpot write', async () => {
    const { outputs } = await run();
    expect(outputs).toMatchObject({ status: 'ok', sync_operation: 'create', error_code: '' });
    const [lead] = world.salesforce.list();
    expect(lead).toMatchObject({ Email: 'ada@acme.io', FirstName: 'Ada', LastName: 'Lovelace', Company: 'Acme', Phone: '+44 20 7946 0000', Status: 'Open - Not Contacted', LeadSource: 'HubSpot' });
    expect(outputs?.salesforce_lead_id).toBe(lead!.Id);
    expect(contact()).toMatchObject({ salesforce_lead_id: lead!.Id, salesforce_lead_status: 'Open - Not Contacted', salesforce_sync_status: 'synced', salesforce_sync_error: '' });
    expect(calls()).toEqual([
      'POST acme.my.salesforce.com/services/oauth2/token',
      'GET acme-instance.my.salesforce.com/services/data/v64.0/query',
      'POST acme-instance.my.salesforce.com/services/data/v64.0/sobjects/Lead/',
      'PATCH api.hubapi.com/crm/v3/objects/contacts/1001',
    ]);
  });
});
