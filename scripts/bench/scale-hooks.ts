import type { HubSpotEvent } from '../../lib/action';
import { ADA_COMBINED } from '../../test/fakes/clearbit';
import { blankInputs, type clearbitWorld } from '../../test/actions/clearbit-enrich/scenarios';
import { type QuickBooksWorld, dealEvent, DEAL } from '../../test/actions/quickbooks-invoice/scenarios';
import { CONTACT as LEAD_CONTACT, type LeadSyncWorld } from '../../test/actions/salesforce-lead-sync/scenarios';
import { orderEvent, type OrderWorld } from '../../test/actions/shopify-order-sync/scenarios';
import { contactEvent } from '../../test/support/run';
import type { ScaleHook } from './scale';

type ClearbitWorld = ReturnType<typeof clearbitWorld>;

/**
 * How the scale simulation makes 1,000 enrollments of each action distinct records, using the fakes' own seeding
 * helpers (each action's scenarios module). Without a hook the first path's event is used with its emails made
 * distinct (signup-onboarding: 1,000 new contacts of one new company).
 */
export const SCALE_HOOKS: Record<string, ScaleHook> = {
  'clearbit-enrich': {
    describe: 'contacts, each known to Clearbit',
    prepare(world, n) {
      const { hubspot, clearbit } = world as ClearbitWorld;
      return Array.from({ length: n }, (_, i) => {
        const email = `person${i}@acme.io`;
        clearbit.add(email, ADA_COMBINED);
        return contactEvent(blankInputs(email), hubspot.seed('contacts', { email }));
      });
    },
  },
  'salesforce-lead-sync': {
    describe: 'contacts, all new leads',
    prepare(world, n) {
      const { hubspot } = world as LeadSyncWorld;
      return Array.from({ length: n }, (_, i) => {
        const email = `lead${i}@acme.io`;
        return contactEvent({ ...LEAD_CONTACT, email }, hubspot.seed('contacts', { email, firstname: 'Ada', lastname: `Lovelace ${i}`, company: 'Acme' }));
      });
    },
  },
  'shopify-order-sync': {
    describe: 'orders of ≤ 250 customers',
    prepare(world, n) {
      const { shopify } = world as OrderWorld;
      const events: HubSpotEvent[] = [];
      for (let i = 0; i < n; i++) {
        const customerId = 20_000 + (i % 250);
        if (i < 250) shopify.addCustomer({ id: customerId, firstName: 'Ada', lastName: `Buyer ${i}`, email: `buyer${i}@example.com`, phone: null });
        const id = 100_000 + i;
        shopify.addOrder({ id, name: `#${10_000 + i}`, createdAt: '2025-11-03T10:15:00Z', total: '19.98', customerId, lineItems: [{ id: 500_000 + i, title: 'Brass gear', quantity: 2, unitPrice: '9.99' }] });
        events.push(orderEvent(id));
      }
      return events;
    },
  },
  'quickbooks-invoice': {
    describe: 'won deals of ≤ 250 contacts',
    prepare(world, n) {
      const w = world as QuickBooksWorld;
      const contacts = Array.from({ length: Math.min(n, 250) }, (_, i) => w.hubspot.seed('contacts', { email: `client${i}@acme.io`, firstname: 'Ada', lastname: `Client ${i}`, company: 'Acme' }));
      return Array.from({ length: n }, (_, i) => dealEvent(w.addDeal({ ...DEAL, dealname: `Deal ${i}` }, { contact: contacts[i % contacts.length] as string })));
    },
  },
};
