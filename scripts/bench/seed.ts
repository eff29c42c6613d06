import type { ActionScenarios } from '../../test/support/scenario';

/** The seed's code for the same integration, run against the same fakes (filled in per integration below). */
export interface SeedMeasure {
  available: boolean;
  note?: string;
  paths?: Array<{ path: string; calls?: number; note?: string }>;
}

export async function runSeed(_name: string, _scenarios: ActionScenarios): Promise<SeedMeasure> {
  return { available: false };
}
