import { afterEach, describe, expect, it } from 'vitest';
import { action } from '../../../actions/shopify-order-sync/index';
import { clearModuleCaches } from '../../../lib/module-cache';
import type { FakeResponse } from '../../fakes/network';
import { runAction } from '../../support/run';
import { FIRST_ORDER, orderEvent, orderWorld, type OrderWorld } from './scenarios';

/**
 * Issue 13 §3: line-item paging must end. A Shopify (or proxy) answer whose cursor repeats, or that never stops
 * saying hasNextPage, made 1,600 queries in 3.5 s and burned every HubSpot retry for 3 days. Orders hold at most
 * 499 line items (https://shopify.dev/changelog/draft-order-line-item-limit: "matches the REST API's limit"), i.e.
 * five pages of 100, so a few more pages than that is already wrong, and no re-run can make it right.
 */
let world: OrderWorld | undefined;
afterEach(() => {
  world?.net.uninstall();
  world = undefined;
  clearModuleCaches();
});

function withPageInfo(rewrite: (call: number) => { hasNextPage: boolean; endCursor: string }) {
  world = orderWorld();
  let call = 0;
  world.net.wrapRoute(world.shopify.origin, (inner) => async (req) => {
    // The fake knows only its own cursors: always serve it the first page, then rewrite the page info.
    const body = req.body as { variables?: Record<string, unknown> } | undefined;
    if (body?.variables) body.variables.lineItemsAfter = null;
    const answer = (await inner(req)) as FakeResponse & { body: { data?: { order?: { lineItems: { pageInfo: unknown } } } } };
    const order = answer.body?.data?.order;
    if (order) order.lineItems.pageInfo = rewrite((call += 1));
    return answer;
  });
  world.net.install();
  return world;
}

const shopifyCalls = (w: OrderWorld) => w.net.calls.filter((c) => c.url.startsWith(w.shopify.origin)).length;

describe('shopify-order-sync line-item paging', () => {
  it('a cursor that repeats stops at once with a permanent error, writing nothing', async () => {
    const w = withPageInfo(() => ({ hasNextPage: true, endCursor: 'c2FtZS1jdXJzb3I=' }));
    const outcome = await runAction(action, orderEvent(FIRST_ORDER.id), { env: w.env, deadline: { budgetMs: 20_000, reserveMs: 1_500 } });
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'SHOPIFY_PAGING_LOOP' });
    expect(shopifyCalls(w)).toBe(2);
    expect(w.counts()).toMatchObject({ contacts: 0, deals: 0, line_items: 0 });
  });

  it('pages that never end stop at the cap with a permanent error', async () => {
    const w = withPageInfo((n) => ({ hasNextPage: true, endCursor: `cursor-${n}` }));
    const outcome = await runAction(action, orderEvent(FIRST_ORDER.id), { env: w.env, deadline: { budgetMs: 20_000, reserveMs: 1_500 } });
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.outputs).toMatchObject({ status: 'error', error_code: 'SHOPIFY_TOO_MANY_LINE_ITEM_PAGES' });
    expect(shopifyCalls(w)).toBeLessThanOrEqual(10);
    expect(w.counts()).toMatchObject({ deals: 0, line_items: 0 });
  });
});
