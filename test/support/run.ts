import type { Action, ActionResult, HubSpotEvent, RunOptions } from '../../lib/action';
import type { DeadlineOptions } from '../../lib/deadline';

/**
 * Runs an action from source the way HubSpot would, capturing log lines, the result or the thrown error.
 * Tests use a short deadline so a hung call is aborted in milliseconds, not 18.5 s.
 */
export const TEST_DEADLINE: DeadlineOptions = { budgetMs: 1_500, reserveMs: 500 };

export interface Outcome {
  result?: ActionResult;
  outputs?: Record<string, string | number | boolean>;
  thrown?: Error & { response?: { status?: number }; code?: unknown; errorCode?: string };
  logs: string[];
}

export async function runAction(action: Action<any, any, any, any>, event: HubSpotEvent, options: RunOptions = {}): Promise<Outcome> {
  const logs: string[] = [];
  try {
    const result = await action.execute(event, { deadline: TEST_DEADLINE, sink: (line) => logs.push(line), ...options });
    return { result, outputs: result.outputFields, logs };
  } catch (error) {
    return { thrown: error as Outcome['thrown'], logs };
  }
}

export function contactEvent(inputFields: Record<string, unknown>, objectId: number | string = 501, objectType = 'CONTACT'): HubSpotEvent {
  return { origin: { portalId: 4_242_424, actionDefinitionId: 7 }, object: { objectType, objectId: Number(objectId) }, inputFields, callbackId: 'ap-4242-1234-5678' };
}

/** Distinctive fake secret values: a leak check searches every log line and output for them. */
export const FAKE_SECRETS = {
  HUBSPOT_ACCESS_TOKEN: 'pat-na1-11111111-2222-3333-4444-leakcheck0001',
} as const;
