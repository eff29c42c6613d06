'use strict';
/* global performance, setImmediate, setInterval */
/**
 * The child side of runActionFile (scripts/user-code/run-file.ts): one process per run of a user's file.
 *
 * The parent starts it under Node's permission model (read access to this file, sandbox.cjs, nock and the runtime
 * modules, and the user's file; no child processes, workers, addons or writes), in an empty environment plus the
 * secrets the file reads, with cwd `/`, and on Linux in new user/pid/network namespaces.
 *
 * Plain CommonJS on purpose: it runs without tsx (tsx's esbuild service is a child process, which the permission
 * model refuses) and in strict mode (a strict function's closure cannot be reached through `fn.caller` or a
 * CallSite's getThis/getFunction).
 *
 * Protocol. fd 0 (parent → child): the first line is the request, including a per-run nonce; the runner reads it
 * synchronously BEFORE any user code exists, so user code never sees it; later lines answer intercepted HTTP calls.
 * fd 3 (child → parent): one line per message, `<nonce><json>`. The file's own console output goes to
 * stdout/stderr, which the parent reads as log lines. A line on fd 3 without the nonce, a missing final message or
 * a malformed one is a crash for the parent: the file can break its own run, never forge an answer.
 */

// ── Captured before any user code runs: user code can patch globals, not these bindings. ──
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const dgram = require('node:dgram');
const asyncHooks = require('node:async_hooks');
const { inspect } = require('node:util');
const writeSync = fs.writeSync;
const readSync = fs.readSync;
const readFileSync = fs.readFileSync;
const BufferAlloc = Buffer.alloc;
const BufferByteLength = Buffer.byteLength;
const BufferWrite = Function.prototype.call.bind(Buffer.prototype.write);
const BufferFill = Function.prototype.call.bind(Buffer.prototype.fill);
const BufferToString = Function.prototype.call.bind(Buffer.prototype.toString);
const JSONParse = JSON.parse;
const JSONStringify = JSON.stringify;
const ObjectKeys = Object.keys;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ArrayIsArray = Array.isArray;
const ReflectApply = Reflect.apply;
const PromiseThen = Promise.prototype.then;
const StringIndexOf = Function.prototype.call.bind(String.prototype.indexOf);
const StringSlice = Function.prototype.call.bind(String.prototype.slice);
const StringSplit = Function.prototype.call.bind(String.prototype.split);
const MapCtor = Map;
const MapGet = Function.prototype.call.bind(Map.prototype.get);
const MapSet = Function.prototype.call.bind(Map.prototype.set);
const MapDelete = Function.prototype.call.bind(Map.prototype.delete);
const MapValues = Function.prototype.call.bind(Map.prototype.values);
const AtomicsWait = Atomics.wait;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const now = performance.now.bind(performance);
const memoryUsage = process.memoryUsage.bind(process);
const setImmediateOriginal = setImmediate;
const setIntervalOriginal = setInterval;
const processOn = process.on.bind(process);
const errorCaptureStackTrace = Error.captureStackTrace;

// ── The request: read synchronously from fd 0, up to the first newline, before anything else. ──
function readFirstLine() {
  const buffer = BufferAlloc(64 * 1024);
  let text = '';
  for (;;) {
    let n;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error && error.code === 'EAGAIN') {
        AtomicsWait(sleepCell, 0, 0, 2);
        continue;
      }
      throw error;
    }
    if (n === 0) break;
    text += BufferToString(buffer, 'utf8', 0, n);
    if (StringIndexOf(text, '\n') >= 0) break;
  }
  // Zeroed before it is freed: Buffer.allocUnsafe hands out uninitialised memory, which must never hold the nonce.
  BufferFill(buffer, 0);
  const end = StringIndexOf(text, '\n');
  return end >= 0 ? StringSlice(text, 0, end) : text;
}
const request = JSONParse(readFirstLine());
const NONCE = request.nonce;
const USER_FILE = request.file;

/** Serialises a message without calling anything user code can patch (no toJSON, no prototype getters). */
function encode(value, depth, seen) {
  if (value === null || value === undefined) return 'null';
  const type = typeof value;
  if (type === 'string' || type === 'boolean') return JSONStringify(value);
  if (type === 'number') return value === value && value !== Infinity && value !== -Infinity ? JSONStringify(value) : 'null';
  if (type === 'bigint') return JSONStringify(`${value}`);
  if (type !== 'object') return 'null';
  if (depth > 12 || seen.includes(value)) return '"[circular]"';
  seen.push(value);
  let out;
  if (ArrayIsArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + encode(value[i], depth + 1, seen);
    out += ']';
  } else {
    out = '{';
    let first = true;
    for (const key of ObjectKeys(value)) {
      const descriptor = ObjectGetOwnPropertyDescriptor(value, key);
      if (!descriptor || !('value' in descriptor) || descriptor.value === undefined || typeof descriptor.value === 'function') continue;
      out += (first ? '' : ',') + JSONStringify(key) + ':' + encode(descriptor.value, depth + 1, seen);
      first = false;
    }
    out += '}';
  }
  seen.pop();
  return out;
}

function report(message) {
  const line = NONCE + encode(message, 0, []) + '\n';
  // Not Buffer.from: small ones are slices of a shared pool whose ArrayBuffer any Buffer exposes (`.buffer`), so the
  // nonce would be readable by user code. Buffer.alloc is never pooled; it is zeroed again before it is dropped.
  const length = BufferByteLength(line, 'utf8');
  const buffer = BufferAlloc(length);
  BufferWrite(buffer, line, 0, length, 'utf8');
  let offset = 0;
  try {
    while (offset < length) {
      try {
        offset += writeSync(3, buffer, offset, length - offset);
      } catch (error) {
        if (error && error.code === 'EAGAIN') AtomicsWait(sleepCell, 0, 0, 2);
        else throw error;
      }
    }
  } finally {
    BufferFill(buffer, 0);
  }
}

/**
 * A heap snapshot holds every string of the process, the nonce included, and Node's permission model lets
 * v8.getHeapSnapshot() through (the inspector it refuses). Both snapshot functions are replaced, and locked,
 * before user code exists.
 */
function lockHeapSnapshots() {
  const v8 = require('node:v8');
  for (const key of ['getHeapSnapshot', 'writeHeapSnapshot', 'setHeapSnapshotNearHeapLimit']) {
    if (!(key in v8)) continue;
    ObjectDefineProperty(v8, key, {
      value() {
        const error = new Error(`v8.${key}() is not available to a custom-code file here`);
        error.code = 'ERR_ACCESS_DENIED';
        throw error;
      },
      writable: false,
      configurable: false,
      enumerable: true,
    });
  }
}
lockHeapSnapshots();

// ── User frames: where in the user's file a throw, a timer or a promise came from. ──
function userFrames(max) {
  const saved = Error.prepareStackTrace;
  const holder = {};
  Error.prepareStackTrace = (_, frames) => frames;
  let frames;
  try {
    errorCaptureStackTrace(holder, userFrames);
    frames = holder.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  const out = [];
  if (!ArrayIsArray(frames)) return out;
  for (const frame of frames) {
    if (frame.getFileName() === USER_FILE) {
      out.push({ line: frame.getLineNumber(), column: frame.getColumnNumber() });
      if (out.length >= max) break;
    }
  }
  return out;
}

// Pending work: every async resource created while the user's file was on the stack, until it is done. Node's
// async_hooks is the documented way to see timers, sockets and promises as they are created.
/** True when the function calling the caller of this one is in the user's file (a process.env read by the file). */
function callerIsUser() {
  const saved = Error.prepareStackTrace;
  const holder = {};
  Error.prepareStackTrace = (_, frames) => frames;
  try {
    errorCaptureStackTrace(holder, callerIsUser);
    const frames = holder.stack;
    return ArrayIsArray(frames) && frames.length > 1 && frames[1].getFileName() === USER_FILE;
  } finally {
    Error.prepareStackTrace = saved;
  }
}

const KINDS = { PROMISE: 'a promise', Timeout: 'a timer', Immediate: 'a setImmediate', TCPWRAP: 'a socket', TLSWRAP: 'a TLS socket', HTTPCLIENTREQUEST: 'an HTTP request', HTTPINCOMINGMESSAGE: 'an HTTP response being read', TCPCONNECTWRAP: 'a connection being opened', ZLIB: 'a decompression', GETADDRINFOREQWRAP: 'a DNS lookup', FSREQCALLBACK: 'a file operation' };
const live = new MapCtor();
let tracking = false;
const hook = asyncHooks.createHook({
  init(asyncId, type, _triggerAsyncId, resource) {
    if (!tracking || !(type in KINDS)) return;
    const frames = userFrames(2);
    if (frames.length) MapSet(live, asyncId, { type, frames, resource });
  },
  destroy(asyncId) {
    MapDelete(live, asyncId);
  },
  promiseResolve(asyncId) {
    MapDelete(live, asyncId);
  },
});

let mainPromise;
function pendingWork() {
  const sourceLines = (() => {
    try {
      return StringSplit(readFileSync(USER_FILE, 'utf8'), '\n');
    } catch {
      return [];
    }
  })();
  const byLine = new MapCtor();
  for (const entry of MapValues(live)) {
    if (entry.resource === mainPromise) continue;
    const top = entry.frames[0];
    const key = top.line;
    const known = MapGet(byLine, key) ?? { line: top.line, column: top.column, kinds: [], code: (sourceLines[top.line - 1] ?? '').trim().slice(0, 100), ...(entry.frames[1] ? { calledFrom: entry.frames[1].line } : {}) };
    const kind = KINDS[entry.type] ?? entry.type;
    if (!known.kinds.includes(kind)) known.kinds.push(kind);
    MapSet(byLine, key, known);
  }
  return [...MapValues(byLine)].sort((a, b) => a.line - b.line);
}

// ── What a thrown value says: message, status where HubSpot looks, the user's frames. ──
function describeError(error, kind) {
  const e = error !== null && typeof error === 'object' ? error : undefined;
  let message;
  try {
    message = e && typeof e.message === 'string' ? e.message : String(error);
  } catch {
    message = '(an error that cannot be printed)';
  }
  let status;
  try {
    // Where HubSpot looks for a status: axios's `response.status`, @hubspot/api-client's numeric `code`.
    for (const candidate of [e?.response?.status, e?.code]) if (typeof candidate === 'number' && Number.isInteger(candidate)) {
      status = candidate;
      break;
    }
  } catch {
    /* a getter that throws: no status */
  }
  let networkCode;
  try {
    for (let c = e, i = 0; c && typeof c === 'object' && i < 5; c = c.cause, i++) {
      if (typeof c.code === 'string' && /^E[A-Z_]+$/.test(c.code)) {
        networkCode = c.code;
        break;
      }
      if (c.errors && ArrayIsArray(c.errors) && c.errors[0] && typeof c.errors[0].code === 'string') {
        networkCode = c.errors[0].code;
        break;
      }
    }
  } catch {
    /* ignore */
  }
  let stack = '';
  try {
    stack = e && typeof e.stack === 'string' ? e.stack : '';
  } catch {
    /* ignore */
  }
  // The user's frames only: `at … (/path/file.js:12:7)`; a SyntaxError names the file in its first line instead.
  const frames = [];
  for (const line of StringSplit(stack, '\n')) if (StringIndexOf(line, USER_FILE) >= 0) frames.push(line.trim());
  let location;
  const m = frames.length ? /:(\d+):(\d+)\)?$/.exec(frames[0]) ?? /:(\d+)$/.exec(frames[0]) : undefined;
  if (m) location = { line: Number(m[1]), ...(m[2] ? { column: Number(m[2]) } : {}) };
  let name;
  try {
    name = e && typeof e.name === 'string' ? e.name : undefined;
  } catch {
    /* ignore */
  }
  return { kind, message, ...(name ? { name } : {}), ...(status !== undefined ? { status } : {}), ...(networkCode ? { networkCode } : {}), ...(location ? { location } : {}), frames: frames.slice(0, 8) };
}

// ── Network: in replay and verify runs nothing may leave the process. The parent also puts the child in a network
// namespace of its own where it can (Linux); these patches are the portable floor, frozen so user code cannot undo
// them. nock (loaded next) answers http/https/fetch above the socket layer, so it is unaffected.
function refuseNetwork() {
  const refused = (what) => {
    const error = new Error(`${what} refused: this run has no network (replay / verify)`);
    error.code = 'ECONNREFUSED';
    return error;
  };
  // The lowest level JavaScript can reach: the prototypes of libuv's TCP and Pipe handles, whose connect() every
  // socket ends in (net, tls, http, undici/fetch). nock's interceptors fake connect() on the handles of the calls
  // they answer (an own property, which the setter below allows), so answered calls still work; nothing else
  // connects. The native connect functions are not kept anywhere, so user code cannot put them back, and the
  // properties are non-configurable.
  const ECONNREFUSED = -require('node:os').constants.errno.ECONNREFUSED;
  const lockRefusal = (proto) => {
    for (const key of ['connect', 'connect6']) {
      if (typeof proto[key] !== 'function') continue;
      const refuse = function connect() {
        return ECONNREFUSED;
      };
      ObjectDefineProperty(proto, key, {
        configurable: false,
        get() {
          return refuse;
        },
        set(value) {
          ObjectDefineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
        },
      });
    }
  };
  const tcp = new net.Socket();
  // A lookup that never answers: connect() creates the TCP handle, then waits forever for an address.
  tcp.connect({ host: 'handle.invalid', port: 9, lookup() {} });
  const tcpProto = Object.getPrototypeOf(tcp._handle);
  tcp.destroy();
  const pipe = new net.Socket();
  pipe.on('error', () => {});
  pipe.connect({ path: '/nonexistent/runner-handle' });
  const pipeProto = pipe._handle ? Object.getPrototypeOf(pipe._handle) : undefined;
  pipe.destroy();
  lockRefusal(tcpProto);
  if (pipeProto) lockRefusal(pipeProto);
  // Name resolution leaks data too (a secret as a host name), and UDP has no handle above.
  const lock = (target, key, value) => ObjectDefineProperty(target, key, { value, writable: false, configurable: false, enumerable: true });
  for (const key of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'lookupService']) {
    lock(dns, key, () => {
      throw refused(`dns.${key}`);
    });
    if (typeof dns.promises[key] === 'function') lock(dns.promises, key, async () => {
      throw refused(`dns.promises.${key}`);
    });
  }
  // dns.Resolver (c-ares) sends its own queries: every method of both Resolver classes is refused.
  for (const Resolver of [dns.Resolver, dns.promises.Resolver]) {
    for (const key of Object.getOwnPropertyNames(Resolver.prototype)) {
      if (key === 'constructor' || typeof Resolver.prototype[key] !== 'function') continue;
      lock(Resolver.prototype, key, () => {
        throw refused(`dns.Resolver#${key}`);
      });
    }
  }
  // UDP: the handle of a dgram socket, reached the same way as TCP's, refuses to bind, connect or send.
  const udp = new dgram.Socket('udp4');
  // dgram keeps its handle in a symbol-keyed state object (the `_handle` getter is deprecated and warns).
  const state = Object.getOwnPropertySymbols(udp).map((sym) => udp[sym]).find((v) => v && typeof v === 'object' && v.handle);
  const udpProto = state ? Object.getPrototypeOf(state.handle) : undefined;
  udp.close();
  if (udpProto) {
    for (const key of ['bind', 'bind6', 'connect', 'connect6', 'send', 'send6']) {
      if (typeof udpProto[key] === 'function') lock(udpProto, key, () => ECONNREFUSED);
    }
  }
  lock(dgram, 'createSocket', () => {
    throw refused('dgram.createSocket');
  });
}

// ── HTTP: intercepted calls are answered by the parent (it holds the fixture); recorded ones are streamed. ──
const answers = new MapCtor();
let nextRequestId = 0;
let answerSocket;
function askParent(call) {
  const id = ++nextRequestId;
  report({ t: 'request', id, ...call });
  if (answerSocket && answers.size === 0) answerSocket.ref();
  return new Promise((resolve) => MapSet(answers, id, resolve));
}
function listenForAnswers() {
  answerSocket = new net.Socket({ fd: 0, readable: true, writable: false });
  let buffered = '';
  answerSocket.on('data', (chunk) => {
    buffered += BufferToString(chunk, 'utf8');
    let end;
    while ((end = StringIndexOf(buffered, '\n')) >= 0) {
      const line = StringSlice(buffered, 0, end);
      buffered = StringSlice(buffered, end + 1);
      const answer = JSONParse(line);
      const resolve = MapGet(answers, answer.id);
      MapDelete(answers, answer.id);
      if (answers.size === 0) answerSocket.unref();
      if (resolve) resolve(answer);
    }
  });
  answerSocket.unref();
}

async function loadNock() {
  return (await import(request.nockUrl)).default;
}

function interceptEverything(nock) {
  nock.disableNetConnect();
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    nock(/.*/)
      .persist()
      .intercept(/.*/, method)
      .reply(async function answer(fetchRequest) {
        let body;
        try {
          body = await fetchRequest.text();
        } catch {
          body = undefined;
        }
        const reply = await askParent({ method: fetchRequest.method, url: fetchRequest.url, ...(body ? { body } : {}) });
        if (reply.refuse) {
          const error = new Error(reply.refuse);
          error.code = 'ECONNREFUSED';
          throw error;
        }
        return [reply.status, reply.body ?? '', reply.headers ?? {}];
      });
  }
}

// ── Calling main the way each runtime does. ──
/**
 * How the old callback runtime read `callback(...)`: HubSpot documents `callback({ outputFields })`; Lambda's own
 * callback is Node-style `callback(error, result)` (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html),
 * so `callback(null, result)` is a result and `callback(error)` an error.
 */
function readCallback(args) {
  if (args.length >= 2) return args[0] !== null && args[0] !== undefined ? { error: args[0] } : { value: args[1] };
  const only = args[0];
  if (only instanceof Error) return { error: only };
  return { value: only };
}

function outputsOf(value) {
  if (!value || typeof value !== 'object') return { answered: value === undefined ? 'nothing' : inspect(value, { depth: 1 }) };
  let outputFields;
  try {
    outputFields = value.outputFields;
  } catch {
    outputFields = undefined;
  }
  if (!('outputFields' in value)) return { answered: inspect(value, { depth: 2, breakLength: Infinity }).slice(0, 300) };
  // Outputs cross to HubSpot as JSON, so take them the way JSON would (no functions, no undefined).
  let outputs;
  try {
    outputs = outputFields && typeof outputFields === 'object' ? JSONParse(JSONStringify(outputFields)) : {};
  } catch (error) {
    return { answered: `outputFields that cannot be serialised (${String(error && error.message)})` };
  }
  return { outputs };
}

async function run() {
  const mode = request.mode; // 'replay' | 'probe' | 'live'
  if (mode !== 'live') refuseNetwork();
  const nock = await loadNock();
  if (mode === 'live') nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: false });
  else {
    interceptEverything(nock);
  }
  listenForAnswers();

  // Which secrets the file reads at run time (verify gives values to names it reads only through a computed key).
  const envRead = new Set();
  const realEnv = process.env;
  process.env = new Proxy(realEnv, {
    get(target, key) {
      // Reads by the file itself; libraries read variables of their own (FORCE_COLOR, NODE_DEBUG, proxies).
      if (typeof key === 'string' && !envRead.has(key) && callerIsUser()) envRead.add(key);
      return Reflect.get(target, key);
    },
  });

  const sandbox = require(request.sandbox);
  let peakHeap = memoryUsage().heapUsed;
  const baseHeap = peakHeap;
  const sampler = setIntervalOriginal(() => {
    const used = memoryUsage().heapUsed;
    if (used > peakHeap) peakHeap = used;
  }, 2);
  sampler.unref();
  const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;

  let callbacks = 0;
  let settled;
  let afterSettleError;
  let resolveSettled;
  const settledPromise = new Promise((resolve) => (resolveSettled = resolve));
  let model;
  const settle = (outcome) => {
    if (settled) return;
    settled = { ...outcome, ms: Math.round(now() - started) };
    // Node 24 freezes the sandbox as soon as main's promise settles: what is alive at that moment is lost.
    if (model === 'node24' || outcome.how === 'return') settled.pending = pendingWork();
    resolveSettled();
  };
  // Lambda's Node runtime fails the invocation on an uncaught exception or unhandled rejection; after the callback
  // (old runtime) that still happens while it waits for the event loop to empty.
  const onFailure = (error) => {
    if (!settled) settle({ how: 'threw', error: describeError(error, 'thrown') });
    else if (!afterSettleError) afterSettleError = describeError(error, 'thrown');
  };
  processOn('uncaughtException', onFailure);
  processOn('unhandledRejection', onFailure);

  report({ t: 'started' });
  const started = now();
  let main;
  let required = [];
  try {
    tracking = true;
    const loaded = sandbox.loadBundle(USER_FILE, { runtimeModules: request.runtimeModules, resolveFrom: '/' });
    main = loaded.exports.main;
    required = loaded.required;
    if (typeof main !== 'function') {
      report({ t: 'done', how: 'load-error', error: { kind: 'load', message: 'the file does not export main: HubSpot calls `exports.main = async (event) => { … }`', frames: [] }, required: loaded.required, callbacks, envRead: [...envRead], ms: Math.round(now() - started), memoryMb: 0, heapPeakMb: mb(peakHeap) });
      return;
    }
  } catch (error) {
    tracking = false;
    report({ t: 'done', how: 'load-error', error: describeError(error, 'load'), callbacks, envRead: [...envRead], ms: Math.round(now() - started), memoryMb: 0, heapPeakMb: mb(peakHeap) });
    return;
  }

  // Node 24 calls main(event) and settles on its return; a main declaring (event, callback) is the old callback
  // runtime's, which settled on the callback and then waited for the event loop to empty.
  model = main.length >= 2 ? 'callback' : 'node24';
  let returnedWithoutCallback = false;
  try {
    const args = model === 'callback' ? [request.event, (...cbArgs) => {
      callbacks += 1;
      if (callbacks > 1) return;
      const read = readCallback(cbArgs);
      if ('error' in read) settle({ how: 'callback-error', error: describeError(read.error, 'thrown') });
      else settle({ how: 'callback', ...outputsOf(read.value) });
    }] : [request.event];
    const returned = ReflectApply(main, undefined, args);
    mainPromise = returned;
    ReflectApply(PromiseThen, Promise.resolve(returned), [
      (value) => {
        // An async main that only calls the callback resolves undefined: the callback is still to come.
        if (model === 'callback' && value === undefined) {
          if (!settled) {
            returnedWithoutCallback = true;
            report({ t: 'returned' });
          }
          return;
        }
        settle({ how: 'return', ...outputsOf(value) });
      },
      (error) => settle({ how: 'threw', error: describeError(error, 'thrown') }),
    ]);
  } catch (error) {
    settle({ how: 'threw', error: describeError(error, 'thrown') });
  }

  // A callback-style main that returned without calling back: the event loop emptying means no answer will come.
  let loopEmpty;
  const emptied = new Promise((resolve) => (loopEmpty = resolve));
  processOn('beforeExit', () => loopEmpty());
  await Promise.race([settledPromise, emptied]);
  if (!settled) {
    tracking = false;
    report({ t: 'done', how: 'no-answer', returnedWithoutCallback, model, callbacks, envRead: [...envRead], required, ms: Math.round(now() - started), memoryMb: mb(peakHeap - baseHeap), heapPeakMb: mb(peakHeap), pending: [] });
    return;
  }
  // Old runtime: one turn of the event loop after the callback shows what keeps running after it.
  if (!settled.pending) await new Promise((resolve) => setImmediateOriginal(resolve));
  const pending = settled.pending ?? pendingWork();
  delete settled.pending;
  const heap = () => ({ memoryMb: mb(Math.max(peakHeap, memoryUsage().heapUsed) - baseHeap), heapPeakMb: mb(Math.max(peakHeap, memoryUsage().heapUsed)) });
  if (model === 'node24' || settled.how === 'return' || settled.how === 'threw') {
    // Node 24: the answer is the return; pending work is frozen with the sandbox and lost. A throw fails the
    // invocation at once on either runtime.
    tracking = false;
    report({ t: 'done', model, ...settled, callbacks, envRead: [...envRead], required, pending, ...heap(), ...(mode === 'live' ? { recorded: nock.recorder.play() } : {}) });
    return;
  }
  // Old runtime: the answer waits for the event loop to empty (callbackWaitsForEmptyEventLoop).
  report({ t: 'settled', model, ...settled, callbacks, pending });
  await emptied;
  tracking = false;
  report({ t: 'done', model, ...settled, callbacks, envRead: [...envRead], required, pending, drainedMs: Math.round(now() - started), ...(afterSettleError ? { afterSettleError } : {}), ...heap(), ...(mode === 'live' ? { recorded: nock.recorder.play() } : {}) });
}

hook.enable();
ReflectApply(PromiseThen, run(), [
  () => {},
  (error) => report({ t: 'done', how: 'crash', error: describeError(error, 'crash'), callbacks: 0, envRead: [], ms: 0, memoryMb: 0, heapPeakMb: 0 }),
]);
// The answers socket and the sampler are unref'd: only the user's work keeps this process alive.
