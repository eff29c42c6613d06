'use strict';
/* global Response, ReadableStream -- Node 24 globals */
/**
 * Runs one built bundle the way HubSpot would, under the heap limit the parent gives node
 * (--max-old-space-size=128). Global fetch replays the fixture's recorded answers in order, except request number
 * `target` (0-based), which gets `bytes` of the worst JSON shape for the parser (`[{},{},…]`: ~21 bytes of heap per
 * byte of text), streamed in 64 KiB chunks without a Content-Length; every request after it gets a 503. Prints one
 * JSON line: the outputs, or the thrown status. A heap crash prints no such line and exits non-zero (134), which is
 * what the parent test looks for.
 *
 * argv: bundle path, fixture path (event, secrets, interactions), body bytes, target.
 */
const { readFileSync } = require('node:fs');

const [bundlePath, fixturePath, bytesText, targetText] = process.argv.slice(2);
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8'));
const bytes = Number(bytesText);
const target = Number(targetText ?? 0);
Object.assign(process.env, fixture.secrets);

const CHUNK = 64 * 1024;
const unit = Buffer.from('{},'.repeat(CHUNK / 4));
let requests = 0;
async function fakeFetch() {
  const index = requests;
  requests += 1;
  if (index < target) {
    const { status, body, headers } = fixture.interactions[index].response;
    const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers: { 'content-type': 'application/json', ...(headers ?? {}) } });
  }
  if (index > target) return new Response('{}', { status: 503, headers: { 'content-type': 'application/json' } });
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(Buffer.from('['));
        sent = 1;
        return;
      }
      const left = bytes - sent - 3; // room for the closing `{}]`
      if (left <= 0) {
        controller.enqueue(Buffer.from('{}]'));
        sent = bytes;
        controller.close();
        return;
      }
      const piece = unit.subarray(0, Math.min(unit.length, left - (left % 3)));
      if (piece.length === 0) {
        controller.enqueue(Buffer.from(' '.repeat(left)));
        sent += left;
        return;
      }
      controller.enqueue(piece);
      sent += piece.length;
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
}
Reflect.set(globalThis, 'fetch', fakeFetch); // (not an assignment: TypeScript would read one as a new type of the global fetch)

// The bundles are CommonJS in a "type": "module" package: compile the text as CommonJS, as HubSpot's editor file is.
const Module = require('node:module');
const bundle = new Module(bundlePath);
bundle.filename = bundlePath;
bundle._compile(readFileSync(bundlePath, 'utf8'), bundlePath);
const { main } = bundle.exports;
main(fixture.event).then(
  (result) => console.log(JSON.stringify({ outputFields: result.outputFields, heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20) })),
  (error) => console.log(JSON.stringify({ thrownStatus: error?.response?.status, message: String(error?.message) })),
);
