// Fills an Ory Action template with what must not be committed, for `ory patch identity-config` (Ory Network):
//   ORY_HUBSPOT_SERVICE_KEY=… node integrations/ory/fill-hook.mjs a       # variant A: create the contact
//   HUBSPOT_WEBHOOK_TRIGGER_URL=… node integrations/ory/fill-hook.mjs b   # variant B: a webhook-triggered workflow
// writes integrations/ory/webhook-action.variant-<a|b>.local.json (owner-only, ignored by git): the template with
// the Jsonnet body inlined as base64:// and the key (or the URL) from the environment. The value then lives in
// Ory's configuration, never in this repository. Prints the commands that add the hook; never prints the value.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.dirname(fileURLToPath(import.meta.url));

export const VARIANTS = {
  a: { template: 'hubspot-create-contact.jsonnet', env: 'ORY_HUBSPOT_SERVICE_KEY' },
  b: { template: 'hubspot-webhook-trigger.jsonnet', env: 'HUBSPOT_WEBHOOK_TRIGGER_URL' },
};

/** The filled hook for `variant`, from the committed template and `value` (the key for A, the URL for B). */
export function fillHook(variant, value, dir = DIR) {
  const spec = VARIANTS[variant];
  if (!spec) throw new Error(`variant must be a or b, not ${JSON.stringify(variant)}`);
  const trimmed = String(value ?? '').trim();
  if (!trimmed) throw new Error(`${spec.env} is not set: put the value into the environment (it is never read from a file here)`);
  const hook = JSON.parse(readFileSync(path.join(dir, `webhook-action.variant-${variant}.json`), 'utf8'));
  hook.config.body = `base64://${readFileSync(path.join(dir, spec.template)).toString('base64')}`;
  if (variant === 'a') {
    // HubSpot Service Keys are sent as a bearer token (Authorization: Bearer …).
    hook.config.auth.config.value = `Bearer ${trimmed.replace(/^Bearer\s+/i, '')}`;
  } else {
    if (!/^https:\/\//.test(trimmed)) throw new Error(`${spec.env} must be the https:// URL HubSpot shows on the workflow's webhook trigger`);
    hook.config.url = trimmed;
  }
  return hook;
}

function main(args) {
  const variant = args[0];
  const spec = VARIANTS[variant];
  if (!spec) {
    console.error('usage: node integrations/ory/fill-hook.mjs a|b   (a: ORY_HUBSPOT_SERVICE_KEY, b: HUBSPOT_WEBHOOK_TRIGGER_URL in the environment)');
    return 2;
  }
  let hook;
  try {
    hook = fillHook(variant, process.env[spec.env]);
  } catch (error) {
    console.error(error.message);
    return 1;
  }
  const out = path.join(DIR, `webhook-action.variant-${variant}.local.json`);
  writeFileSync(out, `${JSON.stringify(hook, null, 2)}\n`, { mode: 0o600 });
  chmodSync(out, 0o600);
  const file = path.relative(process.cwd(), out);
  console.log(`wrote ${file} (git ignores it; it holds the ${variant === 'a' ? 'key' : 'webhook URL'}: delete it once Ory has it)`);
  console.log('Add it to the hooks that run after verification:');
  console.log(`  ory patch identity-config --project <project-id> --workspace <workspace-id> --add "/selfservice/flows/verification/after/hooks/0=$(cat ${file})"`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
