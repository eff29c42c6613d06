import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { action } from '../../../actions/clearbit-enrich/index';

describe('who can use clearbit-enrich (issue 21 §6)', () => {
  // Clearbit's help center: keys only for accounts created in 2023 or earlier; the free platform ended 2025-04-30
  // (https://help.clearbit.com/hc/en-us/articles/16764226936471, …/19677786369687).
  it('the guide\'s first lines say who can use it and what others use instead', () => {
    const first = action.definition.description.split('. ').slice(0, 2).join('. ');
    expect(first).toMatch(/^Only for Clearbit accounts created in 2023 or earlier/);
    expect(first).toContain('2025-04-30');
    expect(first).toMatch(/Breeze Intelligence.*no API this custom-code action could call/);
    const doc = readFileSync(new URL('../../../docs/clearbit.md', import.meta.url), 'utf8').split('\n').slice(0, 8).join('\n');
    expect(doc).toMatch(/Who can use this action:.*2023 or earlier/s);
    expect(doc).toMatch(/Everyone else:.*Breeze Intelligence/s);
  });

  it('the key secret no longer promises that keys created before 2025-04-30 keep working', () => {
    const secret = action.definition.secrets.CLEARBIT_API_KEY;
    expect(`${secret.description} ${secret.where}`).not.toMatch(/before .*2025-04-30.*keep working/);
    expect(secret.description).toContain('created in 2023 or earlier');
  });
});
