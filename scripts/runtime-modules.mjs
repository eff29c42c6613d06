/**
 * Modules HubSpot's Node.js runtime has pre-installed: bundles `require` them instead of carrying them.
 * HubSpot does not publish the versions on Node 24, so code only against API surface that is stable across
 * their major versions (we test against two; see test/bundles.test.ts).
 * https://developers.hubspot.com/docs/api/workflows/custom-code-actions ("Supported libraries")
 */
export const RUNTIME_MODULES = [
  '@hubspot/api-client', // HubSpot's own client (we use our own small one: see lib/hubspot.ts)
  'axios', // pre-installed; we use Node's fetch instead (lib/http.ts), but a dependency must never inline a copy
  'lodash', // pre-installed; never bundle a copy by accident
  'async',
  'bluebird',
  'googleapis',
  'mongoose',
  'mysql',
  'redis',
  'request',
  'random-number-csprng',
  'aws-sdk',
];
