/**
 * Static checks of a custom-code action file, shared by `npm run upgrade` (what it cannot change safely) and
 * `npm run verify`. Each finding carries a rule, a severity, a line and a message that says what HubSpot will do.
 *
 * Platform facts these checks rest on (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/custom-code-actions):
 * 20 s per run, 128 MB; secrets are environment variables, 1,000 characters for all values together; `require`
 * resolves Node built-ins and the supported libraries only; an error with status 429 or 5xx makes HubSpot re-run the
 * whole action (for up to 3 days), any other outcome is final.
 */
import { isBuiltin } from 'node:module';
import { RUNTIME_MODULES } from '../runtime-modules.mjs';
import { BODY_WRAPPER_CHANGE, matchApiClientChange } from './api-client-changes';
import { isCall, isFunction, lineOf, memberPath, stringValue, walk, type Node } from './ast';
import { alwaysExits, contains, findHandler, handlerShape, type Handler } from './handler';
import { HUBSPOT_API_VERSION } from '../../lib/api-versions';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  rule: string;
  severity: Severity;
  line: number;
  message: string;
  fix?: string;
}

export interface EnvRead {
  name: string;
  line: number;
}

export interface OutputField {
  name: string;
  /** Inferred per return site: string, number, boolean, null, object, array, unknown. */
  types: string[];
  lines: number[];
}

export interface StaticAnalysis {
  /** outputs: 'none' when the handler never returns a value (it declares no outputs); see handlerShape(). */
  handler?: { line: number; style: 'callback' | 'return'; outputs: 'callback' | 'returned' | 'none' };
  findings: Finding[];
  envReads: EnvRead[];
  outputs: OutputField[];
}

/** HubSpot's limit per run; outbound calls should give up well before it. */
export const TIME_LIMIT_MS = 20_000;
const CONSOLE_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir']);
const AXIOS_CONFIG_ARG: Record<string, number> = { get: 1, delete: 1, head: 1, options: 1, post: 2, put: 2, patch: 2, request: 0 };
const PAGING_NAMES = /^(after|paging|hasMore|has_more|hasNextPage|endCursor|pageInfo|nextPageToken|next_page_token|nextCursor|cursor|offset|nextPage)$/;

function moduleBase(id: string): string {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? id);
}

interface Context {
  ast: Node;
  handler?: Handler;
  findings: Finding[];
  /** Local names bound to require('<module>'). */
  modules: Map<string, string>;
  /** Variables holding a `new hubspot.Client(…)`. */
  hubspotClients: Set<string>;
  /** Variables holding `axios.create({ … })`, with whether they set a timeout. */
  axiosInstances: Map<string, boolean>;
  axiosDefaultTimeout: boolean;
  /** Variables holding a secret value (`const token = process.env.TOKEN`), and aliases of process.env itself. */
  secretVars: Set<string>;
  envAliases: Set<string>;
  /** First initializer seen per variable name (any scope): enough to follow `const config = { headers }` into a call. */
  inits: Map<string, Node>;
  /** axios instances (or axios itself, via axios.defaults.headers) whose every request carries a secret. */
  axiosWithSecret: Set<string>;
  /** `axios.defaults.headers… = …` assignments, checked for secrets once every variable is known. */
  axiosDefaultHeaderAssignments: Node[];
}

function newContext(ast: Node, handler: Handler | undefined): Context {
  const ctx: Context = { ast, ...(handler ? { handler } : {}), findings: [], modules: new Map(), hubspotClients: new Set(), axiosInstances: new Map(), axiosDefaultTimeout: false, secretVars: new Set(), envAliases: new Set(), inits: new Map(), axiosWithSecret: new Set(), axiosDefaultHeaderAssignments: [] };
  collectBindings(ctx);
  return ctx;
}

function add(ctx: Context, f: Finding): void {
  ctx.findings.push(f);
}

function requiredModule(node: Node): string | undefined {
  if (isCall(node) && node.callee.type === 'Identifier' && node.callee.name === 'require') return stringValue(node.arguments[0]);
  return undefined;
}

function bindingName(declarator: Node): string | undefined {
  return declarator?.id?.type === 'Identifier' ? declarator.id.name : undefined;
}

function collectBindings(ctx: Context): void {
  walk(ctx.ast, (node) => {
    if (node.type === 'VariableDeclarator' && node.init) {
      const name = bindingName(node);
      const mod = requiredModule(node.init) ?? (node.init.type === 'MemberExpression' ? requiredModule(node.init.object) : undefined);
      if (mod && name) ctx.modules.set(name, mod);
      if (mod && node.id.type === 'ObjectPattern') for (const p of node.id.properties) if (p.value?.type === 'Identifier') ctx.modules.set(p.value.name, `${mod}#${p.key?.name ?? ''}`);
      if (name && node.init.type === 'NewExpression' && isHubSpotClientCtor(ctx, node.init.callee)) ctx.hubspotClients.add(name);
      if (name && isCall(node.init) && memberPath(node.init.callee)?.endsWith('.create') && isAxios(ctx, memberPath(node.init.callee)!.replace(/\.create$/, ''))) {
        ctx.axiosInstances.set(name, hasKey(node.init.arguments[0], 'timeout'));
      }
      if (name && !ctx.inits.has(name)) ctx.inits.set(name, node.init);
      if (envName(ctx, node.init) !== undefined && name) ctx.secretVars.add(name);
      if (memberPath(node.init) === 'process.env' && name) ctx.envAliases.add(name);
      if (memberPath(node.init) === 'process.env' && node.id.type === 'ObjectPattern') for (const p of node.id.properties) if (p.value?.type === 'Identifier') ctx.secretVars.add(p.value.name);
    }
    if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier' && node.right.type === 'NewExpression' && isHubSpotClientCtor(ctx, node.right.callee)) ctx.hubspotClients.add(node.left.name);
    if (node.type === 'AssignmentExpression' && /\.defaults\.headers\b/.test(memberPath(node.left) ?? '')) ctx.axiosDefaultHeaderAssignments.push(node);
    if (node.type === 'AssignmentExpression' && memberPath(node.left) && /\.defaults\.timeout$/.test(memberPath(node.left)!) && isAxios(ctx, memberPath(node.left)!.replace(/\.defaults\.timeout$/, ''))) ctx.axiosDefaultTimeout = true;
  });
}

function isHubSpotClientCtor(ctx: Context, callee: Node): boolean {
  const path = memberPath(callee);
  if (!path) return false;
  const [head, ...rest] = path.split('.');
  const mod = ctx.modules.get(head ?? '');
  return (mod === '@hubspot/api-client' && rest.join('.') === 'Client') || (mod === '@hubspot/api-client#Client' && rest.length === 0);
}

function isAxios(ctx: Context, name: string): boolean {
  return ctx.modules.get(name) === 'axios';
}

function hasKey(node: Node, key: string): boolean {
  return node?.type === 'ObjectExpression' && node.properties.some((p: Node) => (p.key?.name ?? p.key?.value) === key);
}

function keyValue(node: Node, key: string): Node | undefined {
  return node?.type === 'ObjectExpression' ? node.properties.find((p: Node) => (p.key?.name ?? p.key?.value) === key)?.value : undefined;
}

/** `process.env.X`, `process.env['X']`, `env.X` (env = process.env) → "X". */
function envName(ctx: Context, node: Node): string | undefined {
  if (node?.type !== 'MemberExpression' && node?.type !== 'OptionalMemberExpression') return undefined;
  const object = memberPath(node.object);
  if (object !== 'process.env' && !(object && ctx.envAliases.has(object))) return undefined;
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  return stringValue(node.property);
}

// ── requires ────────────────────────────────────────────────────────────────────────────────────────────────────

function checkRequires(ctx: Context): void {
  walk(ctx.ast, (node) => {
    const id = requiredModule(node);
    if (id === undefined) return;
    if (isBuiltin(id) || RUNTIME_MODULES.includes(moduleBase(id))) return;
    add(ctx, {
      rule: 'runtime-module',
      severity: 'error',
      line: lineOf(node),
      message: `require('${id}'): not a Node built-in nor one of the libraries HubSpot pre-installs (${RUNTIME_MODULES.join(', ')}); the action fails at load with "Cannot find module"`,
      fix: 'use a built-in (fetch instead of node-fetch/got, crypto, …) or one of the pre-installed libraries, or inline the code',
    });
  });
}

// ── @hubspot/api-client ─────────────────────────────────────────────────────────────────────────────────────────

function clientCallPath(ctx: Context, call: Node): string | undefined {
  const path = memberPath(call.callee);
  if (!path) return undefined;
  const [head, ...rest] = path.split('.');
  if (head && ctx.hubspotClients.has(head) && rest.length) return rest.join('.');
  return undefined;
}

function checkApiClient(ctx: Context): void {
  const resultVars = new Set<string>();
  walk(ctx.ast, (node, parents) => {
    if (!isCall(node)) return;
    const path = clientCallPath(ctx, node);
    if (!path) return;
    const change = matchApiClientChange(path, node.arguments);
    if (change) {
      add(ctx, { rule: 'api-client-change', severity: change.severity, line: lineOf(node), message: `${path}(): ${change.what} (@hubspot/api-client ${change.since})`, fix: change.fix });
    }
    if (path === 'apiRequest') return;
    // Where does the resolved value go? `const r = await client.x()` or `.then((r) => …)`.
    const parent = parents[parents.length - 1];
    const grand = parents[parents.length - 2];
    if (parent?.type === 'AwaitExpression' && grand?.type === 'VariableDeclarator' && bindingName(grand)) resultVars.add(bindingName(grand)!);
    if (parent?.type === 'AwaitExpression' && grand?.type === 'MemberExpression' && grand.property?.name === 'body') {
      add(ctx, { rule: 'api-client-change', severity: 'error', line: lineOf(grand), message: `(await ${path}()).body: ${BODY_WRAPPER_CHANGE.what} (@hubspot/api-client ${BODY_WRAPPER_CHANGE.since})`, fix: BODY_WRAPPER_CHANGE.fix });
    }
    if (parent?.type === 'MemberExpression' && parent.property?.name === 'then' && grand?.type === 'CallExpression') {
      const fn = grand.arguments[0];
      if (isFunction(fn) && fn.params[0]?.type === 'Identifier') resultVars.add(fn.params[0].name);
    }
  });
  if (!resultVars.size) return;
  walk(ctx.ast, (node) => {
    if (node.type === 'MemberExpression' && !node.computed && node.property.name === 'body' && node.object.type === 'Identifier' && resultVars.has(node.object.name)) {
      add(ctx, { rule: 'api-client-change', severity: 'error', line: lineOf(node), message: `${node.object.name}.body: ${BODY_WRAPPER_CHANGE.what} (@hubspot/api-client ${BODY_WRAPPER_CHANGE.since})`, fix: BODY_WRAPPER_CHANGE.fix });
    }
  });
}

// ── outbound calls ──────────────────────────────────────────────────────────────────────────────────────────────

type Outbound = { kind: 'axios' | 'fetch' | 'hubspot' | 'http' | 'request'; method?: string; configArg?: Node; hasConfigArg: boolean; url?: Node };

function outboundCall(ctx: Context, call: Node): Outbound | undefined {
  if (!isCall(call)) return undefined;
  const path = memberPath(call.callee);
  if (!path) return undefined;
  if (path === 'fetch' || path === 'globalThis.fetch') return { kind: 'fetch', configArg: call.arguments[1], hasConfigArg: call.arguments.length > 1, url: call.arguments[0] };
  if (clientCallPath(ctx, call)) return { kind: 'hubspot', hasConfigArg: false };
  const [head, method, ...rest] = path.split('.');
  if (!head) return undefined;
  const axiosLike = isAxios(ctx, head) || ctx.axiosInstances.has(head);
  if (axiosLike && method === undefined) {
    const configIndex = call.arguments[0]?.type === 'ObjectExpression' ? 0 : 1;
    return { kind: 'axios', configArg: call.arguments[configIndex], hasConfigArg: call.arguments.length > configIndex, url: configIndex === 0 ? keyValue(call.arguments[0], 'url') : call.arguments[0], method: stringValue(keyValue(call.arguments[configIndex], 'method'))?.toLowerCase() ?? 'get' };
  }
  if (axiosLike && method !== undefined && rest.length === 0 && method in AXIOS_CONFIG_ARG) {
    const index = AXIOS_CONFIG_ARG[method] ?? 1;
    return { kind: 'axios', method, configArg: call.arguments[index], hasConfigArg: call.arguments.length > index, url: method === 'request' ? keyValue(call.arguments[0], 'url') : call.arguments[0] };
  }
  const mod = ctx.modules.get(head);
  if ((mod === 'https' || mod === 'http' || mod === 'node:https' || mod === 'node:http') && (method === 'request' || method === 'get')) return { kind: 'http', configArg: call.arguments.find((a: Node) => a.type === 'ObjectExpression'), hasConfigArg: true };
  if (mod === 'request' && (method === undefined || ['get', 'post', 'put', 'patch', 'del'].includes(method))) return { kind: 'request', configArg: call.arguments.find((a: Node) => a.type === 'ObjectExpression'), hasConfigArg: true };
  return undefined;
}

function numericValue(node: Node): number | undefined {
  if (node?.type === 'NumericLiteral') return node.value;
  if (node?.type === 'BinaryExpression' && node.operator === '*') {
    const l = numericValue(node.left);
    const r = numericValue(node.right);
    return l !== undefined && r !== undefined ? l * r : undefined;
  }
  return undefined;
}

function checkTimeouts(ctx: Context): void {
  const usesHttpSetTimeout = (() => {
    let found = false;
    walk(ctx.ast, (node) => {
      if (isCall(node) && node.callee.type === 'MemberExpression' && node.callee.property?.name === 'setTimeout' && node.callee.object.type !== 'Identifier') found = true;
    });
    return found;
  })();
  walk(ctx.ast, (node) => {
    if (node.type === 'NewExpression' && isHubSpotClientCtor(ctx, node.callee)) {
      add(ctx, {
        rule: 'no-timeout',
        severity: 'warning',
        line: lineOf(node),
        message: '@hubspot/api-client sets no timeout on its requests (it calls fetch without a signal): a hung call runs into HubSpot\'s 20 s limit, and that failure carries no 429/5xx status, so HubSpot does not re-run the action',
        fix: 'bound each call, e.g. await Promise.race([call, new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error(\'timeout\'), { response: { status: 504 } })), 15000))])',
      });
      const retries = numericValue(keyValue(node.arguments[0], 'numberOfApiCallRetries'));
      if (retries !== undefined && retries > 0) {
        add(ctx, {
          rule: 'client-retries',
          severity: 'warning',
          line: lineOf(node),
          message: `numberOfApiCallRetries: ${retries}: the client's retry decorator waits 10 s × attempt after a 429 (node_modules/@hubspot/api-client/lib/src/services/decorators/RetryDecorator.js), past HubSpot's 20 s budget`,
          fix: 'leave retries to HubSpot: re-throw the 429 and HubSpot re-runs the action',
        });
      }
      return;
    }
    const call = outboundCall(ctx, node);
    if (!call || call.kind === 'hubspot') return;
    const where = call.kind === 'fetch' ? 'fetch()' : call.kind === 'axios' ? `axios${call.method ? `.${call.method}` : ''}()` : call.kind === 'http' ? 'http(s).request()' : 'request()';
    if (call.configArg && call.configArg.type !== 'ObjectExpression') return; // options built elsewhere: cannot tell
    if (call.kind === 'fetch') {
      const signal = keyValue(call.configArg, 'signal');
      if (!signal) {
        add(ctx, { rule: 'no-timeout', severity: 'warning', line: lineOf(node), message: `${where} without a signal waits as long as the server does; HubSpot stops the run at 20 s without a retry`, fix: 'pass { signal: AbortSignal.timeout(10000) }' });
      } else {
        const ms = isCall(signal) && memberPath(signal.callee) === 'AbortSignal.timeout' ? numericValue(signal.arguments[0]) : undefined;
        if (ms !== undefined && ms >= TIME_LIMIT_MS) add(ctx, { rule: 'no-timeout', severity: 'warning', line: lineOf(node), message: `${where} times out after ${ms} ms, not before HubSpot's 20 s limit`, fix: 'use a timeout well under 20 s (e.g. 10000)' });
      }
      return;
    }
    if (call.kind === 'axios') {
      const instance = memberPath(node.callee)?.split('.')[0] ?? '';
      if (ctx.axiosInstances.get(instance) || ctx.axiosDefaultTimeout) return;
      const timeout = keyValue(call.configArg, 'timeout');
      if (!timeout) {
        add(ctx, { rule: 'no-timeout', severity: 'warning', line: lineOf(node), message: `${where} without a timeout: axios waits forever by default (timeout 0); HubSpot stops the run at 20 s without a retry`, fix: 'pass { timeout: 10000 } (or set axios.defaults.timeout once)' });
      } else {
        const ms = numericValue(timeout);
        if (ms !== undefined && (ms === 0 || ms >= TIME_LIMIT_MS)) add(ctx, { rule: 'no-timeout', severity: 'warning', line: lineOf(node), message: `${where} timeout ${ms} ms is not under HubSpot's 20 s limit`, fix: 'use a timeout well under 20 s (e.g. 10000)' });
      }
      return;
    }
    if (!keyValue(call.configArg, 'timeout') && !usesHttpSetTimeout) {
      add(ctx, { rule: 'no-timeout', severity: 'warning', line: lineOf(node), message: `${where} without a timeout; HubSpot stops the run at 20 s without a retry`, fix: 'pass a timeout option (and handle the "timeout" event) well under 20 s' });
    }
  });
}

// ── swallowed errors ────────────────────────────────────────────────────────────────────────────────────────────

function rethrows(body: Node, errorName: string | undefined, callbackName: string | undefined): boolean {
  return contains(body, (node) => {
    if (node.type === 'ThrowStatement') return true;
    if (isCall(node) && memberPath(node.callee) === 'Promise.reject') return true;
    // old callback style: callback(err) hands the error to the runtime
    return isCall(node) && node.callee.type === 'Identifier' && node.callee.name === callbackName && !!errorName && node.arguments.some((a: Node) => a.type === 'Identifier' && a.name === errorName);
  });
}

/** Whether the innermost function around `parents` is the handler itself (or code at the top level of main's file). */
function isInHandler(ctx: Context, parents: Node[]): boolean {
  const fn = [...parents].reverse().find(isFunction);
  return fn === ctx.handler?.fn || (fn !== undefined && ctx.handler !== undefined && parents.includes(ctx.handler.fn) && isPromiseCallbackOf(parents, fn));
}

/** A function passed to .then/.catch directly inside the handler counts as the handler's own code. */
function isPromiseCallbackOf(parents: Node[], fn: Node): boolean {
  const i = parents.indexOf(fn);
  const call = parents[i - 1];
  return call?.type === 'CallExpression' && call.callee.type === 'MemberExpression' && ['then', 'catch', 'finally'].includes(call.callee.property?.name) && call.arguments.includes(fn);
}

/** A catch in a helper that returns a value hands the failure to its caller as data; only the caller can be judged. */
function handsFailureToCaller(ctx: Context, body: Node, parents: Node[]): boolean {
  const fn = [...parents].reverse().find(isFunction);
  if (!fn || fn === ctx.handler?.fn) return false;
  return contains(body, (n) => n.type === 'ReturnStatement' && !!n.argument);
}

function checkSwallowedErrors(ctx: Context): void {
  const hasOutbound = (root: Node) => contains(root, (node) => node.type === 'AwaitExpression' || outboundCall(ctx, node) !== undefined, true);
  const callbackName = ctx.handler?.callbackName;
  walk(ctx.ast, (node, parents) => {
    if (node.type === 'TryStatement' && node.handler && hasOutbound(node.block)) {
      const param = node.handler.param?.type === 'Identifier' ? node.handler.param.name : undefined;
      if (!rethrows(node.handler.body, param, callbackName) && !handsFailureToCaller(ctx, node.handler.body, parents)) {
        const inHandler = isInHandler(ctx, parents);
        add(ctx, {
          rule: 'swallowed-error',
          severity: inHandler ? 'error' : 'warning',
          line: lineOf(node.handler),
          message: inHandler
            ? 'this catch handles the failure of an outbound call without re-throwing: a 429 or 5xx caught here ends the run as done, and HubSpot does not re-run the action'
            : 'this catch (in a helper) drops the failure of an outbound call: if the run depends on that call, a 429 or 5xx is lost here and HubSpot does not re-run the action (fine for best-effort work)',
          fix: 're-throw errors whose status is 429 or ≥ 500 (axios: err.response?.status; @hubspot/api-client: err.code), e.g. `if (status === 429 || status >= 500) throw err;`',
        });
      }
    }
    if (isCall(node) && node.callee.type === 'MemberExpression' && (node.callee.property?.name === 'catch' || (node.callee.property?.name === 'then' && node.arguments.length > 1))) {
      const handler = node.callee.property.name === 'catch' ? node.arguments[0] : node.arguments[1];
      if (!isFunction(handler) || !hasOutbound(node.callee.object)) return;
      const param = handler.params[0]?.type === 'Identifier' ? handler.params[0].name : undefined;
      const body = handler.body;
      const throwsOrRejects = body.type === 'BlockStatement' ? rethrows(body, param, callbackName) : isCall(body) && (memberPath(body.callee) === 'Promise.reject' || (body.callee.type === 'Identifier' && body.callee.name === callbackName && body.arguments.some((a: Node) => a.type === 'Identifier' && a.name === param)));
      const helperReturns = body.type === 'BlockStatement' ? handsFailureToCaller(ctx, body, [...parents, node]) : !isCall(body) || !memberPath(body.callee)?.startsWith('console.');
      if (!throwsOrRejects && !(helperReturns && [...parents].reverse().find(isFunction) !== ctx.handler?.fn && [...parents].reverse().find(isFunction) !== undefined)) {
        add(ctx, {
          rule: 'swallowed-error',
          severity: isInHandler(ctx, [...parents, node]) || ctx.handler === undefined ? 'error' : 'warning',
          line: lineOf(handler),
          message: '.catch() turns the failure of an outbound call into success without re-throwing: a 429 or 5xx ends here, and HubSpot does not re-run the action',
          fix: 're-throw (`throw err;`) at least when the status is 429 or ≥ 500',
        });
      }
    }
  });
}

// ── secrets ─────────────────────────────────────────────────────────────────────────────────────────────────────

const SAFE_PARENT_OPERATORS = new Set(['!', 'typeof', '===', '!==', '==', '!=', '<', '>', '<=', '>=', 'void']);

/** Lines where `root` exposes a secret value: process.env.X, process.env itself, or a variable holding one. */
function secretExposure(ctx: Context, root: Node): string | undefined {
  let exposed: string | undefined;
  walk(root, (node, parents) => {
    if (exposed) return 'skip';
    if (isFunction(node)) return 'skip';
    const parent = parents[parents.length - 1];
    if (parent && ((parent.type === 'UnaryExpression' || parent.type === 'BinaryExpression') && SAFE_PARENT_OPERATORS.has(parent.operator))) return 'skip';
    if (parent?.type === 'MemberExpression' && parent.object === node && !parent.computed && parent.property.name === 'length') return 'skip';
    const name = envName(ctx, node);
    if (name) {
      exposed = `process.env.${name}`;
      return 'skip';
    }
    const path = memberPath(node);
    if (path === 'process.env' || (path && ctx.envAliases.has(path))) {
      exposed = 'process.env';
      return 'skip';
    }
    if (node.type === 'Identifier' && ctx.secretVars.has(node.name) && !(parent?.type === 'MemberExpression' && parent.property === node && !parent.computed) && !(parent?.type === 'ObjectProperty' && parent.key === node && !parent.shorthand)) {
      exposed = node.name;
      return 'skip';
    }
  });
  return exposed;
}

/** Whether evaluating `root` can yield a secret value, following variables to their initializers a few levels deep. */
function carriesSecret(ctx: Context, root: Node, depth = 0): string | undefined {
  const direct = secretExposure(ctx, root);
  if (direct || depth > 3) return direct;
  let found: string | undefined;
  walk(root, (node, parents) => {
    if (found) return 'skip';
    const parent = parents[parents.length - 1];
    if (node.type !== 'Identifier' || (parent?.type === 'MemberExpression' && parent.property === node && !parent.computed) || (parent?.type === 'ObjectProperty' && parent.key === node && !parent.shorthand)) return;
    const init = ctx.inits.get(node.name);
    if (init && init !== root) found = carriesSecret(ctx, init, depth + 1);
  });
  return found;
}

function collectSecretCarriers(ctx: Context): void {
  for (const [name, init] of ctx.inits) {
    if (ctx.axiosInstances.has(name) && isCall(init) && carriesSecret(ctx, init.arguments[0] ?? { type: 'Noop' })) ctx.axiosWithSecret.add(name);
  }
  for (const assignment of ctx.axiosDefaultHeaderAssignments) {
    const target = memberPath(assignment.left)!.split('.')[0]!;
    if (carriesSecret(ctx, assignment.right)) ctx.axiosWithSecret.add(target);
  }
}

/**
 * The secret an axios request made in `region` carries (in its URL, params, headers or body), if any. An AxiosError
 * keeps that request's config (node_modules/axios/lib/core/AxiosError.js: `this.config = config`; its toJSON()
 * redacts only keys the caller lists in `config.redact`), so `console.log(err)` prints the Authorization header.
 * @hubspot/api-client's ApiException holds only the response's code, body and headers
 * (node_modules/@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js), and a fetch TypeError no request
 * headers: logging those leaks nothing.
 */
function secretInAxiosRequest(ctx: Context, region: Node): string | undefined {
  let found: string | undefined;
  const helpers = new Set<Node>();
  walk(region, (node) => {
    if (found) return 'skip';
    const call = outboundCall(ctx, node);
    if (call?.kind === 'axios' || call?.kind === 'request') {
      const instance = memberPath(node.callee)?.split('.')[0] ?? '';
      if (ctx.axiosWithSecret.has(instance)) found = `${instance}'s default headers`;
      else for (const arg of node.arguments) found ??= carriesSecret(ctx, arg);
      return;
    }
    // A helper defined in this file that makes the request counts too: `try { await postToSlack() } catch (e) { … }`.
    if (isCall(node) && node.callee.type === 'Identifier') {
      const fn = ctx.inits.get(node.callee.name) ?? functionDeclaration(ctx, node.callee.name);
      if (isFunction(fn) && !helpers.has(fn)) {
        helpers.add(fn);
        found ??= secretInAxiosRequest(ctx, fn.body);
      }
    }
  });
  return found;
}

function functionDeclaration(ctx: Context, name: string): Node | undefined {
  let out: Node | undefined;
  walk(ctx.ast, (node) => {
    if (out) return 'skip';
    if (node.type === 'FunctionDeclaration' && node.id?.name === name) out = node;
  });
  return out;
}

/** The error variable in scope at `parents` and the code whose failure it holds: a catch clause, or a .catch() / .then(_, onRejected) callback. */
function caughtError(parents: Node[]): { name: string; region: Node } | undefined {
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i];
    if (p.type === 'CatchClause' && p.param?.type === 'Identifier') {
      const tryStmt = parents[i - 1];
      return { name: p.param.name, region: tryStmt?.block ?? p };
    }
    if (isFunction(p) && p.params[0]?.type === 'Identifier') {
      const call = parents[i - 1];
      const method = call?.type === 'CallExpression' && call.callee.type === 'MemberExpression' ? call.callee.property?.name : undefined;
      if ((method === 'catch' && call.arguments[0] === p) || (method === 'then' && call.arguments[1] === p)) return { name: p.params[0].name, region: call.callee.object };
    }
  }
  return undefined;
}

/** Whether a logged argument prints the request config of error `name`: the error itself, err.config, err.request, err.response, JSON.stringify(err), err.toJSON(). */
function printsRequestConfig(arg: Node, name: string): boolean {
  if (arg.type === 'Identifier') return arg.name === name;
  if (isCall(arg) && (memberPath(arg.callee) === 'JSON.stringify' || memberPath(arg.callee) === 'util.inspect')) return arg.arguments[0] !== undefined && printsRequestConfig(arg.arguments[0], name);
  if (isCall(arg) && memberPath(arg.callee) === `${name}.toJSON`) return true;
  const path = memberPath(arg);
  if (path && (path === `${name}.config` || path.startsWith(`${name}.config.`) || path === `${name}.request` || path.startsWith(`${name}.request.`) || path === `${name}.response` || path === `${name}.response.config` || path.startsWith(`${name}.response.config.`))) return true;
  if (arg.type === 'ObjectExpression') return arg.properties.some((p: Node) => p.value && printsRequestConfig(p.value, name));
  return false;
}

function checkSecretsLogged(ctx: Context): void {
  walk(ctx.ast, (node, parents) => {
    if (!isCall(node)) return;
    const path = memberPath(node.callee);
    if (!path?.startsWith('console.') || !CONSOLE_METHODS.has(path.slice(8))) return;
    for (const arg of node.arguments) {
      const exposed = secretExposure(ctx, arg);
      if (exposed) {
        add(ctx, { rule: 'secret-logged', severity: 'error', line: lineOf(node), message: `${path}() prints ${exposed}: secret values end up in the workflow's action logs, readable by anyone who can view the workflow`, fix: 'log that the secret is set (`Boolean(process.env.X)`) or its length, never its value' });
        return;
      }
    }
    // Logging a whole axios error prints its request config: the Authorization header or a key in the URL.
    const caught = caughtError(parents);
    if (!caught || !node.arguments.some((a: Node) => printsRequestConfig(a, caught.name))) return;
    const secret = secretInAxiosRequest(ctx, caught.region);
    if (!secret) return;
    add(ctx, {
      rule: 'secret-logged',
      severity: 'error',
      line: lineOf(node),
      message: `${path}(${caught.name}) prints an axios error, and an axios error carries its request config: the request it holds sends ${secret}, so the value lands in the workflow's action logs`,
      fix: `log ${caught.name}.message and ${caught.name}.response?.status instead`,
    });
  });
}

// ── process.env and the secret budget ──────────────────────────────────────────────────────────────────────────

function collectEnvReads(ctx: Context): EnvRead[] {
  const reads: EnvRead[] = [];
  walk(ctx.ast, (node) => {
    const name = envName(ctx, node);
    if (name) reads.push({ name, line: lineOf(node) });
    else if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && node.computed && (memberPath(node.object) === 'process.env' || ctx.envAliases.has(memberPath(node.object) ?? ''))) {
      add(ctx, { rule: 'env-dynamic', severity: 'info', line: lineOf(node), message: 'process.env is read with a computed name here; those secrets cannot be listed statically (the dynamic check records what the run reads)' });
    }
    if (node.type === 'VariableDeclarator' && node.id.type === 'ObjectPattern' && (memberPath(node.init) === 'process.env' || ctx.envAliases.has(memberPath(node.init) ?? ''))) {
      for (const p of node.id.properties) if (p.key?.type === 'Identifier') reads.push({ name: p.key.name, line: lineOf(p) });
    }
  });
  return reads;
}

// ── the handler: style, paths, outputs ──────────────────────────────────────────────────────────────────────────

export { alwaysExits };

function inferType(node: Node, scope: Map<string, Node>, depth = 0): string {
  if (!node || depth > 4) return 'unknown';
  switch (node.type) {
    case 'StringLiteral':
    case 'TemplateLiteral':
      return 'string';
    case 'NumericLiteral':
      return 'number';
    case 'BooleanLiteral':
      return 'boolean';
    case 'NullLiteral':
      return 'null';
    case 'ObjectExpression':
      return 'object';
    case 'ArrayExpression':
      return 'array';
    case 'UnaryExpression':
      return node.operator === '!' ? 'boolean' : node.operator === 'typeof' ? 'string' : node.operator === '-' || node.operator === '+' ? 'number' : 'unknown';
    case 'BinaryExpression':
      if (['===', '!==', '==', '!=', '<', '>', '<=', '>=', 'in', 'instanceof'].includes(node.operator)) return 'boolean';
      if (node.operator === '+') {
        const l = inferType(node.left, scope, depth + 1);
        const r = inferType(node.right, scope, depth + 1);
        return l === 'string' || r === 'string' ? 'string' : l === 'number' && r === 'number' ? 'number' : 'unknown';
      }
      return 'number';
    case 'ConditionalExpression': {
      const a = inferType(node.consequent, scope, depth + 1);
      const c = inferType(node.alternate, scope, depth + 1);
      return a === c ? a : a === 'null' ? c : c === 'null' ? a : 'unknown';
    }
    case 'LogicalExpression': {
      const a = inferType(node.left, scope, depth + 1);
      const c = inferType(node.right, scope, depth + 1);
      return a === c ? a : node.operator === '??' || node.operator === '||' ? (a === 'unknown' ? c : a) : 'unknown';
    }
    case 'CallExpression':
    case 'OptionalCallExpression': {
      const path = memberPath(node.callee) ?? '';
      if (path === 'String' || /\.(toString|toISOString|toFixed|join|toLowerCase|toUpperCase|trim|slice|substring|replace|padStart|toLocaleString)$/.test(path) || path === 'JSON.stringify') return 'string';
      if (path === 'Number' || path === 'parseInt' || path === 'parseFloat' || path.startsWith('Math.') || path === 'Date.now') return 'number';
      if (path === 'Boolean' || /\.(includes|startsWith|endsWith|some|every|test|has)$/.test(path)) return 'boolean';
      return 'unknown';
    }
    case 'Identifier': {
      const init = scope.get(node.name);
      return init ? inferType(init, scope, depth + 1) : 'unknown';
    }
    default:
      return 'unknown';
  }
}

/** The `{ outputFields: { … } }` objects the handler hands back (returned or called back), with their lines. */
function outputObjects(handler: Handler): Array<{ node: Node; line: number }> {
  const results: Node[] = [];
  const fn = handler.fn;
  if (fn.type === 'ArrowFunctionExpression' && fn.body.type !== 'BlockStatement') results.push(fn.body);
  walk(fn.body, (node) => {
    if (node.type === 'ReturnStatement' && node.argument) results.push(node.argument);
    if (isFunction(node) && node.type === 'ArrowFunctionExpression' && node.body.type === 'ObjectExpression') results.push(node.body);
    if (handler.callbackName && isCall(node) && node.callee.type === 'Identifier' && node.callee.name === handler.callbackName) results.push(node.arguments.length === 2 ? node.arguments[1] : node.arguments[0]);
  });
  return results.filter((r) => hasKey(r, 'outputFields')).map((r) => ({ node: r, line: lineOf(r) }));
}

function localInits(handler: Handler): Map<string, Node> {
  const scope = new Map<string, Node>();
  walk(handler.fn, (node) => {
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && node.init) scope.set(node.id.name, node.init);
  });
  return scope;
}

function collectOutputs(ctx: Context, handler: Handler): OutputField[] {
  const scope = localInits(handler);
  const fields = new Map<string, OutputField>();
  for (const { node, line } of outputObjects(handler)) {
    let outputs = keyValue(node, 'outputFields');
    if (outputs?.type === 'Identifier') outputs = scope.get(outputs.name);
    if (outputs?.type !== 'ObjectExpression') continue;
    for (const prop of outputs.properties) {
      if (prop.type !== 'ObjectProperty') continue;
      const name = prop.key?.name ?? prop.key?.value;
      if (typeof name !== 'string') continue;
      const type = inferType(prop.value, scope);
      const field = fields.get(name) ?? { name, types: [], lines: [] };
      if (!field.types.includes(type)) field.types.push(type);
      field.lines.push(lineOf(prop));
      fields.set(name, field);
      const exposed = secretExposure(ctx, prop.value);
      if (exposed) add(ctx, { rule: 'secret-in-output', severity: 'error', line: lineOf(prop), message: `output "${name}" carries ${exposed}: outputs are shown in the workflow history and passed to later steps`, fix: 'never return a secret value' });
    }
    if (!line) continue;
  }
  for (const field of fields.values()) {
    const concrete = field.types.filter((t) => t !== 'unknown' && t !== 'null');
    if (concrete.includes('object') || concrete.includes('array')) {
      add(ctx, { rule: 'output-type', severity: 'warning', line: field.lines[0] ?? 0, message: `output "${field.name}" is an ${concrete.includes('object') ? 'object' : 'array'}: HubSpot data outputs are strings, numbers, booleans, dates, enumerations or phone numbers`, fix: 'return a scalar (JSON.stringify it if you must)' });
    } else if (new Set(concrete).size > 1) {
      add(ctx, { rule: 'output-type', severity: 'warning', line: field.lines[0] ?? 0, message: `output "${field.name}" is a ${concrete.join(' on one path and a ')} on another; a HubSpot data output has one type`, fix: 'return the same type on every path (String(x) / Number(x))' });
    }
  }
  return [...fields.values()];
}

function checkHandler(ctx: Context, source: string): StaticAnalysis['handler'] {
  const handler = ctx.handler;
  if (!handler) {
    if (!/\bexports\.main\b|\bmain\s*:|__export\(/.test(source)) {
      add(ctx, { rule: 'no-main', severity: 'error', line: 1, message: 'no exports.main: HubSpot calls exports.main(event) and finds nothing', fix: 'exports.main = async (event) => { … return { outputFields: { … } }; };' });
    } else {
      add(ctx, { rule: 'main-indirect', severity: 'info', line: 1, message: 'exports.main is assigned indirectly (e.g. bundler output); its paths are checked by the dynamic run only' });
    }
    return undefined;
  }
  const fn = handler.fn;
  const shape = handlerShape(handler);
  if (shape.kind === 'callback') {
    add(ctx, {
      rule: 'callback-style',
      severity: 'error',
      line: lineOf(fn),
      message: `callback-style handler (${handler.callbackName}(…)): Node.js 24 doesn't support callback-style handlers; HubSpot needs the outputs returned (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24)`,
      fix: 'run `npm run upgrade -- <file>` to rewrite it',
    });
    return { line: handler.exportLine, style: 'callback', outputs: 'callback' };
  }
  if (shape.kind === 'partial') {
    if (shape.fallsOffAt !== undefined) add(ctx, { rule: 'missing-return', severity: 'error', line: shape.fallsOffAt, message: 'some path reaches the end of exports.main without returning, while other paths return outputs: HubSpot gets no outputs from the runs that take it', fix: 'return { outputFields: { … } } (or throw) on every path' });
    for (const line of shape.bareReturns) add(ctx, { rule: 'missing-return', severity: 'error', line, message: '`return;` ends the run without outputs, while other paths return them', fix: 'return { outputFields: { … } }' });
  }
  return { line: handler.exportLine, style: 'return', outputs: shape.kind === 'none' ? 'none' : 'returned' };
}

// ── paged loops ─────────────────────────────────────────────────────────────────────────────────────────────────

function mentionsPaging(root: Node): boolean {
  let found = false;
  walk(root, (n, parents) => {
    if (found) return 'skip';
    const parent = parents[parents.length - 1];
    if (parent?.type === 'ObjectProperty' && parent.key === n && !parent.computed) return;
    if ((n.type === 'Identifier' && PAGING_NAMES.test(n.name)) || (n.type === 'MemberExpression' && !n.computed && PAGING_NAMES.test(n.property.name))) found = true;
  });
  return found;
}

function isRelational(root: Node): boolean {
  return contains(root, (n) => (n.type === 'BinaryExpression' && ['<', '<=', '>', '>='].includes(n.operator)) || (isCall(n) && ['Date.now', 'performance.now'].includes(memberPath(n.callee) ?? '')));
}

function checkPagedLoops(ctx: Context): void {
  walk(ctx.ast, (node) => {
    if (!['WhileStatement', 'DoWhileStatement', 'ForStatement'].includes(node.type)) return;
    const makesCalls = contains(node.body, (n) => n.type === 'AwaitExpression' || outboundCall(ctx, n) !== undefined, true);
    if (!makesCalls || !(mentionsPaging(node.test ?? { type: 'Noop' }) || mentionsPaging(node.body))) return;
    if (node.test && isRelational(node.test)) return;
    const boundedExit = contains(node.body, (n) => n.type === 'IfStatement' && isRelational(n.test) && contains(n.consequent, (c) => c.type === 'BreakStatement' || c.type === 'ReturnStatement' || c.type === 'ThrowStatement'));
    if (boundedExit) return;
    add(ctx, {
      rule: 'unbounded-pagination',
      severity: 'warning',
      line: lineOf(node),
      message: 'this loop follows pages (after/paging/hasMore) with no limit: a large result set runs past HubSpot\'s 20 s or 128 MB, and the run fails without a retry',
      fix: 'cap the pages (e.g. `for (let page = 0; after && page < 10; page++)`) or stop when less than ~5 s of the 20 s remain',
    });
  });
}

// ── search then create ──────────────────────────────────────────────────────────────────────────────────────────

const TYPE_ALIASES: Record<string, string> = { contact: 'contacts', '0-1': 'contacts', company: 'companies', '0-2': 'companies', deal: 'deals', '0-3': 'deals', ticket: 'tickets', '0-5': 'tickets', lineItems: 'line_items', line_item: 'line_items', '0-8': 'line_items' };

const SINGULAR: Record<string, string> = { companies: 'company', deals: 'deal', tickets: 'ticket' };

function normalizeType(type: string | undefined): string | undefined {
  return type === undefined ? undefined : (TYPE_ALIASES[type] ?? type);
}

function urlPattern(node: Node): string | undefined {
  if (node?.type === 'StringLiteral') return node.value;
  if (node?.type === 'TemplateLiteral') return node.quasis.map((q: Node) => q.value.cooked).join('*');
  if (node?.type === 'BinaryExpression' && node.operator === '+') return `${urlPattern(node.left) ?? '*'}${urlPattern(node.right) ?? '*'}`;
  return undefined;
}

function crmEvent(ctx: Context, node: Node): { op: 'search' | 'create'; type: string } | undefined {
  const path = clientCallPath(ctx, node);
  if (path) {
    const m = /^crm\.(\w+)\.(searchApi\.doSearch|basicApi\.create|batchApi\.create)$/.exec(path);
    if (m?.[1] && m[1] !== 'objects') return { op: m[2] === 'searchApi.doSearch' ? 'search' : 'create', type: normalizeType(m[1])! };
    const o = /^crm\.objects\.(searchApi\.doSearch|basicApi\.create|batchApi\.create)$/.exec(path);
    const type = normalizeType(stringValue(node.arguments[0]));
    if (o && type) return { op: o[1] === 'searchApi.doSearch' ? 'search' : 'create', type };
    if (path === 'apiRequest') {
      const url = urlPattern(keyValue(node.arguments[0], 'path'));
      const method = stringValue(keyValue(node.arguments[0], 'method'))?.toLowerCase();
      return urlEvent(url, method);
    }
    return undefined;
  }
  const call = outboundCall(ctx, node);
  if (!call || (call.kind !== 'fetch' && call.kind !== 'axios')) return undefined;
  const method = call.kind === 'fetch' ? (stringValue(keyValue(call.configArg, 'method'))?.toLowerCase() ?? 'get') : call.method;
  return urlEvent(urlPattern(call.url), method);
}

function urlEvent(url: string | undefined, method: string | undefined): { op: 'search' | 'create'; type: string } | undefined {
  if (!url || method !== 'post') return undefined;
  const m = /\/crm\/(?:v3|20\d\d-\d\d)\/objects\/([\w-]+)(\/search|\/batch\/create)?\/?(?:\?.*)?$/.exec(url);
  if (!m?.[1] || m[1] === '*') return undefined;
  return { op: m[2] === '/search' ? 'search' : 'create', type: normalizeType(m[1])! };
}

function checkSearchThenCreate(ctx: Context): void {
  const events: Array<{ op: 'search' | 'create'; type: string; line: number }> = [];
  walk(ctx.ast, (node) => {
    if (!isCall(node)) return;
    const event = crmEvent(ctx, node);
    if (event) events.push({ ...event, line: lineOf(node) });
  });
  for (const create of events.filter((e) => e.op === 'create')) {
    const search = events.find((e) => e.op === 'search' && e.type === create.type && e.line <= create.line);
    if (!search) continue;
    const duplicates = !['contacts', 'line_items'].includes(create.type);
    add(ctx, {
      rule: 'search-then-create',
      severity: duplicates ? 'error' : 'warning',
      line: create.line,
      message:
        `searches ${create.type} (line ${search.line}) and then creates one here: HubSpot's search lists new records only after a delay and HubSpot re-runs failed actions, so two runs can both find nothing and ` +
        (create.type === 'contacts' ? 'the second create fails with 409 CONFLICT (contacts are unique by email)' : create.type === 'line_items' ? 'create the line item twice (line items have no unique-value property to upsert by)' : `create the ${SINGULAR[create.type] ?? 'record'} twice`),
      fix:
        create.type === 'line_items'
          ? 'key the line item on a property of your own and read back by the parent association (a consistent read), or accept and clean duplicates'
          : `upsert by a unique property instead: POST /crm/objects/${HUBSPOT_API_VERSION}/${create.type}/batch/upsert with { inputs: [{ idProperty: '<unique property>', id: '<value>', properties }] } (@hubspot/api-client: crm.${create.type === 'line_items' ? 'lineItems' : create.type}.batchApi.upsert)`,
    });
  }
}

// ── dead API-key auth ───────────────────────────────────────────────────────────────────────────────────────────

const API_KEY_SUNSET = 'HubSpot API keys were sunset on 30 November 2022 (https://developers.hubspot.com/changelog/upcoming-api-key-sunset)';

function checkApiKeyAuth(ctx: Context): void {
  walk(ctx.ast, (node) => {
    if (node.type === 'NewExpression' && isHubSpotClientCtor(ctx, node.callee)) {
      const options = node.arguments[0];
      const apiKey = options?.type === 'ObjectExpression' ? options.properties.find((p: Node) => (p.key?.name ?? p.key?.value) === 'apiKey') : undefined;
      if (apiKey) {
        add(ctx, {
          rule: 'api-key-auth',
          severity: 'error',
          line: lineOf(apiKey),
          message: `new Client({ apiKey }): ${API_KEY_SUNSET}. The client still sends the key as ?hapikey= and no Authorization header, so HubSpot rejects every call as unauthenticated (and the key sits in every request URL)`,
          fix: "create a private app with the scopes you need, store its access token as a secret and pass { accessToken: process.env.HUBSPOT_ACCESS_TOKEN }",
        });
      }
      return;
    }
    const text = node.type === 'StringLiteral' ? node.value : node.type === 'TemplateElement' ? node.value.cooked : undefined;
    const isKey = node.type === 'ObjectProperty' && !node.computed && (node.key?.name ?? node.key?.value) === 'hapikey';
    if ((text !== undefined && /[?&]hapikey=/.test(text)) || isKey) {
      add(ctx, {
        rule: 'api-key-auth',
        severity: 'error',
        line: lineOf(node),
        message: `hapikey: ${API_KEY_SUNSET}; a request authenticated by ?hapikey= is rejected as unauthenticated`,
        fix: 'use a private app access token in the header: { headers: { Authorization: `Bearer ${process.env.HUBSPOT_ACCESS_TOKEN}` } }',
      });
    }
  });
}

// ── secrets in query strings ────────────────────────────────────────────────────────────────────────────────────

function checkSecretInQuery(ctx: Context): void {
  const report = (node: Node, exposed: string, how: string) =>
    add(ctx, {
      rule: 'secret-in-url',
      severity: 'warning',
      line: lineOf(node),
      message: `${exposed} is sent in the query string (${how}): URLs are written to access logs along the way, and an axios error prints its config.url`,
      fix: 'send it in a header (Authorization: Bearer …, or the header the API documents) when the API accepts one',
    });
  walk(ctx.ast, (node) => {
    if (node.type === 'TemplateLiteral') {
      node.expressions.forEach((expr: Node, i: number) => {
        const before = node.quasis[i]?.value?.cooked ?? '';
        const param = /[?&]([\w.-]+)=$/.exec(before)?.[1];
        const exposed = param && param !== 'hapikey' ? secretExposure(ctx, expr) : undefined;
        if (exposed) report(node, exposed, `?${param}=`);
      });
    }
    if (node.type === 'BinaryExpression' && node.operator === '+') {
      const left = urlPattern(node.left);
      const param = left ? /[?&]([\w.-]+)=\*?$/.exec(left)?.[1] : undefined;
      const exposed = param && param !== 'hapikey' ? secretExposure(ctx, node.right) : undefined;
      if (exposed) report(node, exposed, `?${param}=`);
    }
    const call = outboundCall(ctx, node);
    if (call?.kind === 'axios' && call.configArg?.type === 'ObjectExpression') {
      const params = keyValue(call.configArg, 'params');
      if (params?.type !== 'ObjectExpression') return;
      for (const prop of params.properties) {
        const key = prop.key?.name ?? prop.key?.value;
        const exposed = key !== 'hapikey' && prop.value ? secretExposure(ctx, prop.value) : undefined;
        if (exposed) report(prop, exposed, `params.${key}`);
      }
    }
  });
}

// ── GET with a body ─────────────────────────────────────────────────────────────────────────────────────────────

/** The request's method when the code spells it out: `fallback` when the option is absent, undefined when it is computed (`method: req.method`). */
function literalMethod(options: Node, fallback: string): string | undefined {
  const prop = options?.type === 'ObjectExpression' ? options.properties.find((p: Node) => (p.key?.name ?? p.key?.value) === 'method') : undefined;
  if (!prop) return options?.type === 'ObjectExpression' ? fallback : undefined;
  return stringValue(prop.value)?.toUpperCase();
}

function checkGetWithBody(ctx: Context): void {
  walk(ctx.ast, (node) => {
    if (!isCall(node)) return;
    const client = clientCallPath(ctx, node);
    if (client === 'apiRequest') {
      const opts = node.arguments[0];
      const method = literalMethod(opts, 'GET');
      if ((method === 'GET' || method === 'HEAD') && keyValue(opts, 'body')) {
        add(ctx, { rule: 'get-with-body', severity: 'error', line: lineOf(node), message: `apiRequest({ method: '${method}', body }): the client calls fetch, which throws "TypeError: Request with GET/HEAD method cannot have body" on every run (that error has no status, so HubSpot does not re-run it)`, fix: "send the query in the path (?a=b) or use the endpoint's POST form (HubSpot search: POST /crm/v3/objects/<type>/search)" });
      }
      return;
    }
    const call = outboundCall(ctx, node);
    if (!call || call.configArg?.type !== 'ObjectExpression') return;
    if (call.kind === 'fetch') {
      const method = literalMethod(call.configArg, 'GET');
      if ((method === 'GET' || method === 'HEAD') && keyValue(call.configArg, 'body')) {
        add(ctx, { rule: 'get-with-body', severity: 'error', line: lineOf(node), message: `fetch() with a body and method ${method}: Node's fetch throws "TypeError: Request with GET/HEAD method cannot have body" on every run (no status, so HubSpot does not re-run it)`, fix: "put the parameters in the URL, or use the endpoint's POST form (HubSpot search: POST /crm/v3/objects/<type>/search)" });
      }
      return;
    }
    if (call.kind === 'axios') {
      const named = memberPath(node.callee)?.split('.')[1];
      const method = (named && named !== 'request' && named in AXIOS_CONFIG_ARG ? named : literalMethod(call.configArg, 'GET'))?.toLowerCase();
      if ((method === 'get' || method === 'head') && keyValue(call.configArg, 'data')) {
        add(ctx, { rule: 'get-with-body', severity: 'warning', line: lineOf(node), message: `axios ${method.toUpperCase()} with \`data\`: axios sends the body, but servers (HubSpot's included) ignore the body of a GET, so the filter in it is dropped and the call answers as if it were not there`, fix: "use `params` for query parameters, or the endpoint's POST form (HubSpot search: POST /crm/v3/objects/<type>/search)" });
      }
    }
  });
}

// ── promises nobody waits for ───────────────────────────────────────────────────────────────────────────────────

/** Names of functions declared in the file with `async` (their calls return promises). */
function asyncFunctionNames(ctx: Context): Set<string> {
  const names = new Set<string>();
  walk(ctx.ast, (node) => {
    if (node.type === 'FunctionDeclaration' && node.async && node.id) names.add(node.id.name);
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && isFunction(node.init) && node.init.async) names.add(node.id.name);
  });
  return names;
}

/** What a dropped expression starts, when it is a promise: `axios.post(…)`, `client.crm…()`, `save()` (async), `x.then(…)`, `Promise.all(…)`. */
function pendingPromise(ctx: Context, expr: Node, asyncNames: Set<string>): string | undefined {
  let e = expr;
  if (e?.type === 'UnaryExpression' && e.operator === 'void') e = e.argument;
  if (!isCall(e)) return undefined;
  const path = memberPath(e.callee);
  if (e.callee.type === 'MemberExpression' && PROMISE_CHAIN.has(e.callee.property?.name)) {
    const inner = pendingPromise(ctx, e.callee.object, asyncNames);
    return inner ? `${inner}.${e.callee.property.name}(…)` : undefined;
  }
  if (path && /^Promise\.(all|allSettled|any|race)$/.test(path)) return `${path}(…)`;
  // http(s).request and the `request` library report through callbacks and events, not a promise.
  const call = outboundCall(ctx, e);
  if (call && (call.kind === 'axios' || call.kind === 'fetch' || call.kind === 'hubspot')) return `${path ?? 'the call'}(…)`;
  if (e.callee.type === 'Identifier' && asyncNames.has(e.callee.name)) return `${e.callee.name}(…) (an async function)`;
  return undefined;
}

const PROMISE_CHAIN = new Set(['then', 'catch', 'finally']);

function checkUnawaited(ctx: Context): void {
  const asyncNames = asyncFunctionNames(ctx);
  walk(ctx.ast, (node, parents) => {
    const fn = [...parents].reverse().find(isFunction);
    if (!fn) return;
    const inHandler = fn === ctx.handler?.fn || (ctx.handler !== undefined && parents.includes(ctx.handler.fn) && isPromiseCallbackOf(parents, fn));
    if (node.type === 'ExpressionStatement') {
      const started = pendingPromise(ctx, node.expression, asyncNames);
      if (!started) return;
      // An old-style chain that calls back when done is the handler's continuation, not work left behind (upgrade returns it).
      const callbackName = ctx.handler?.callbackName;
      if (callbackName && contains(node.expression, (n) => isCall(n) && n.callee.type === 'Identifier' && n.callee.name === callbackName, true)) return;
      add(ctx, {
        rule: 'unawaited-promise',
        severity: inHandler ? 'error' : 'warning',
        line: lineOf(node),
        message: inHandler
          ? `${started} is started and never awaited or returned: on Node.js 24 HubSpot freezes the run once main returns, so this work may never finish, and its failure (a 429/5xx included) is never seen, so nothing re-runs it`
          : `${started} is started and never awaited or returned in this function: its caller cannot wait for it, and it may still be pending when main returns (HubSpot then freezes it)`,
        fix: `await it (\`await ${started.replace(/ \(an async function\)$/, '')}\`) or return it`,
      });
      return;
    }
    // items.forEach(async (x) => { await … }): forEach ignores the promises its callback returns.
    if (isCall(node) && node.callee.type === 'MemberExpression' && node.callee.property?.name === 'forEach' && isFunction(node.arguments[0]) && node.arguments[0].async) {
      add(ctx, {
        rule: 'unawaited-promise',
        severity: inHandler ? 'error' : 'warning',
        line: lineOf(node),
        message: '.forEach(async …) does not wait for its callbacks: main goes on (and returns) while they run, and HubSpot freezes what is still pending; their failures are never seen',
        fix: 'for (const item of items) { await … } (or await Promise.all(items.map(async (item) => …)) for a few items)',
      });
    }
  });
}

// ── identifiers never declared ──────────────────────────────────────────────────────────────────────────────────

/** What a CommonJS module on Node 24 can name without declaring it: the module wrapper's parameters and Node's globals. */
const COMMONJS_WRAPPER = ['require', 'module', 'exports', '__filename', '__dirname'];
const NODE_GLOBALS = new Set([...Object.getOwnPropertyNames(globalThis), ...COMMONJS_WRAPPER, 'undefined', 'NaN', 'Infinity', 'arguments']);

function addPatternNames(pattern: Node, out: Set<string>): void {
  if (!pattern) return;
  if (pattern.type === 'Identifier') out.add(pattern.name);
  else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties) addPatternNames(p.type === 'RestElement' ? p.argument : p.value, out);
  else if (pattern.type === 'ArrayPattern') for (const e of pattern.elements) addPatternNames(e, out);
  else if (pattern.type === 'AssignmentPattern') addPatternNames(pattern.left, out);
  else if (pattern.type === 'RestElement') addPatternNames(pattern.argument, out);
}

/** Names assigned without a declaration (`x = 1`): a sloppy-mode CommonJS script creates a global then, so reads elsewhere work. */
function implicitGlobals(ast: Node): Set<string> {
  const names = new Set<string>();
  walk(ast, (node) => {
    if (node.type === 'AssignmentExpression') addPatternNames(node.left, names);
    if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && node.left.type !== 'VariableDeclaration') addPatternNames(node.left, names);
  });
  return names;
}

/** `var` declarations and function declarations anywhere in `body`, not inside nested functions: hoisted to the function. */
function hoistedNames(body: Node): Set<string> {
  const names = new Set<string>();
  walk(body, (node) => {
    if (node !== body && isFunction(node)) {
      if (node.type === 'FunctionDeclaration' && node.id) names.add(node.id.name);
      return 'skip';
    }
    if (node.type === 'VariableDeclaration' && node.kind === 'var') for (const d of node.declarations) addPatternNames(d.id, names);
  });
  return names;
}

/** What a block-like statement list declares for itself: let/const/class (and function declarations, hoisted in the block). */
function lexicalNames(statements: Node[]): Set<string> {
  const names = new Set<string>();
  for (const stmt of statements) {
    if (stmt.type === 'VariableDeclaration') for (const d of stmt.declarations) addPatternNames(d.id, names);
    if ((stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') && stmt.id) names.add(stmt.id.name);
  }
  return names;
}

/** The names a scope-creating node binds for the code inside it; undefined for nodes that make no scope. */
function scopeNames(node: Node): Set<string> | undefined {
  switch (node.type) {
    case 'Program':
      return new Set([...lexicalNames(node.body), ...hoistedNames(node)]);
    case 'BlockStatement':
    case 'StaticBlock':
      return lexicalNames(node.body);
    case 'SwitchStatement':
      return lexicalNames(node.cases.flatMap((c: Node) => c.consequent));
    case 'ForStatement':
      return node.init?.type === 'VariableDeclaration' ? lexicalNames([node.init]) : new Set();
    case 'ForInStatement':
    case 'ForOfStatement':
      return node.left.type === 'VariableDeclaration' ? lexicalNames([node.left]) : new Set();
    case 'CatchClause': {
      const names = new Set<string>();
      addPatternNames(node.param, names);
      return names;
    }
    case 'ClassExpression':
      return new Set(node.id ? [node.id.name] : []);
    default:
      if (!isFunction(node)) return undefined;
      {
        const names = hoistedNames(node.body);
        for (const p of node.params) addPatternNames(p, names);
        if (node.type === 'FunctionExpression' && node.id) names.add(node.id.name);
        return names;
      }
  }
}

/** Whether this Identifier is read as a variable (not a property name, key, label or binding). */
function isReference(node: Node, parent: Node | undefined, grand: Node | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return parent.object === node || parent.computed;
    case 'ObjectProperty':
      if (parent.key === node && !parent.computed) return parent.shorthand && grand?.type === 'ObjectExpression' && parent.value === node;
      return grand?.type === 'ObjectExpression' || parent.value !== node;
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassProperty':
    case 'ClassPrivateProperty':
      return parent.key !== node || parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
      return false;
    default:
      return true;
  }
}

/**
 * Reads of names no enclosing scope declares: function scopes (parameters, `var`, function declarations), blocks
 * (let/const/class), loop heads, catch clauses and the file. Names a sloppy-mode script assigns without declaring
 * are globals, and Node's globals and the CommonJS wrapper's parameters are always there.
 */
function checkUndeclared(ctx: Context): void {
  const globals = implicitGlobals(ctx.ast);
  const scopes = new Map<Node, Set<string> | undefined>();
  const declaredAround = (name: string, parents: Node[]) =>
    parents.some((p) => {
      if (!scopes.has(p)) scopes.set(p, scopeNames(p));
      return scopes.get(p)?.has(name) ?? false;
    });
  const seen = new Set<string>();
  walk(ctx.ast, (node, parents) => {
    if (node.type !== 'Identifier') return;
    const parent = parents[parents.length - 1];
    if (NODE_GLOBALS.has(node.name) || globals.has(node.name) || seen.has(node.name)) return;
    if (!isReference(node, parent, parents[parents.length - 2])) return;
    // Bindings are not reads: declarator ids, parameters, patterns, function and class names.
    if (parent?.type === 'ObjectProperty' && parents[parents.length - 2]?.type === 'ObjectPattern') return;
    if ((parent?.type === 'VariableDeclarator' && parent.id === node) || (isFunction(parent) && (parent.id === node || parent.params.includes(node))) || ((parent?.type === 'ClassDeclaration' || parent?.type === 'ClassExpression') && parent.id === node) || (parent?.type === 'CatchClause' && parent.param === node) || parent?.type === 'ArrayPattern' || parent?.type === 'RestElement' || (parent?.type === 'AssignmentPattern' && parent.left === node)) return;
    // `typeof x` never throws.
    if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
    if (declaredAround(node.name, parents)) return;
    seen.add(node.name);
    const placeholder = /^[A-Z][A-Z0-9_]*$/.test(node.name) && node.name.length > 3;
    add(ctx, {
      rule: 'undeclared',
      severity: 'error',
      line: lineOf(node),
      message: `${node.name} is declared in no scope around this line and is not a Node.js global: the run throws "ReferenceError: ${node.name} is not defined" whenever it reaches this line${placeholder ? ' (a placeholder left in from an example?)' : ''}`,
      fix: placeholder ? 'store the value as a secret (Settings of the custom-code action) and read it with process.env.<SECRET_NAME>' : 'declare it (const/let), or fix the spelling',
    });
  });
}

// ── creates that a re-run repeats ───────────────────────────────────────────────────────────────────────────────

/** A call that makes something each time it runs (a record, a note, a message): what it is, or undefined. */
function createCall(ctx: Context, node: Node): string | undefined {
  const path = clientCallPath(ctx, node);
  if (path) {
    if (/(^|\.)(basicApi|batchApi)\.create$/.test(path) && !/associations/.test(path)) return `${path}()`;
    if (path === 'apiRequest') {
      const method = stringValue(keyValue(node.arguments[0], 'method'))?.toUpperCase();
      const url = urlPattern(keyValue(node.arguments[0], 'path')) ?? '';
      return method === 'POST' && !IDEMPOTENT_POST.test(url) ? `apiRequest(POST ${url})` : undefined;
    }
    return undefined;
  }
  const call = outboundCall(ctx, node);
  if (!call || (call.kind !== 'axios' && call.kind !== 'fetch')) return undefined;
  const method = call.kind === 'fetch' ? stringValue(keyValue(call.configArg, 'method'))?.toLowerCase() : call.method === 'request' ? stringValue(keyValue(call.configArg, 'method'))?.toLowerCase() : call.method;
  const url = urlPattern(call.url) ?? '';
  if (method !== 'post' || IDEMPOTENT_POST.test(url)) return undefined;
  return `POST ${url.length > 60 ? `${url.slice(0, 57)}…` : url || '(a URL built elsewhere)'}`;
}

/** POSTs that read or upsert rather than create: repeating them makes nothing twice. */
const IDEMPOTENT_POST = /\/search\b|\/batch\/(read|update|upsert|archive)\b|\/upsert\b|createOrUpdate|\/merge\b|\/oauth\/|\/token\b|\/associations\//;

function checkRepeatedCreates(ctx: Context): void {
  const handler = ctx.handler;
  if (!handler) return;
  const calls: Array<{ node: Node; line: number; create?: string }> = [];
  walk(handler.fn.body, (node) => {
    if (!isCall(node)) return;
    if (outboundCall(ctx, node) || clientCallPath(ctx, node)) {
      const create = createCall(ctx, node);
      calls.push({ node, line: lineOf(node), ...(create ? { create } : {}) });
    }
  });
  const flaggedSearch = new Set(ctx.findings.filter((f) => f.rule === 'search-then-create').map((f) => f.line));
  for (const [i, call] of calls.entries()) {
    if (!call.create || flaggedSearch.has(call.line)) continue;
    const later = calls.slice(i + 1).find((c) => c.line > call.line || (c.line === call.line && c.node.start > call.node.end));
    if (!later) continue;
    add(ctx, {
      rule: 'repeated-create',
      severity: 'warning',
      line: call.line,
      message: `${call.create} makes something new on every run, and line ${later.line} calls out again afterwards: when that later call fails with a 429/5xx, HubSpot re-runs the whole action (for up to 3 days) and this runs again — a second note, ticket, message or code`,
      fix: 'make the create the last call of the run, or make it repeatable: upsert by a unique property, look up what an earlier run made (e.g. keyed by event.callbackId), or send an idempotency key if the API takes one',
    });
  }
}

// ── one call per item ───────────────────────────────────────────────────────────────────────────────────────────

const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every']);

function isSmallLiteral(node: Node): boolean {
  return node?.type === 'ArrayExpression' && node.elements.length <= 5;
}

function checkCallPerItem(ctx: Context): void {
  const reported = new Set<Node>();
  const check = (body: Node, line: number) => {
    let first: Node | undefined;
    walk(body, (n) => {
      if (first) return 'skip';
      if (isCall(n) && (outboundCall(ctx, n) || clientCallPath(ctx, n))) first = n;
    });
    if (!first || reported.has(first)) return;
    reported.add(first);
    const path = clientCallPath(ctx, first) ?? memberPath(first.callee) ?? 'a call';
    const event = crmEvent(ctx, first);
    const search = /searchApi\.doSearch$/.test(path) || event?.op === 'search';
    add(ctx, {
      rule: 'call-per-item',
      severity: 'warning',
      line,
      message:
        `one API call per item (line ${lineOf(first)}): N items make N calls one after another, against HubSpot's 20 s per run` +
        (search ? ", and HubSpot's search endpoints take about 5 requests per second per account (https://developers.hubspot.com/docs/api/crm/search, Limitations): past a handful of items the searches get 429s" : ''),
      fix: search ? "one search for all items: a filter with operator 'IN' and values: [...] (up to 100 values), or batch/read by id" : 'use the batch endpoint (POST /crm/v3/objects/<type>/batch/read or /batch/update, up to 100 inputs), or cap the items per run',
    });
  };
  walk(ctx.ast, (node) => {
    if (node.type === 'ForOfStatement' || node.type === 'ForInStatement') {
      if (!isSmallLiteral(node.right)) check(node.body, lineOf(node));
      return;
    }
    if (node.type === 'ForStatement' || node.type === 'WhileStatement' || node.type === 'DoWhileStatement') {
      // Page loops are unbounded-pagination's; a `for (i < items.length)` is a loop over items.
      if (mentionsPaging(node.test ?? { type: 'Noop' }) || mentionsPaging(node.body)) return;
      if (node.type === 'ForStatement' && node.test && contains(node.test, (n) => n.type === 'MemberExpression' && !n.computed && n.property.name === 'length')) check(node.body, lineOf(node));
      return;
    }
    if (isCall(node) && node.callee.type === 'MemberExpression' && ITERATING_METHODS.has(node.callee.property?.name) && isFunction(node.arguments[0]) && !isSmallLiteral(node.callee.object)) {
      check(node.arguments[0].body, lineOf(node));
    }
  });
}

/** A statement that leaves work running: a promise nobody awaits, or a timer. */
export interface PendingWork {
  statement: Node;
  /** What it starts, e.g. "axios.post(…).then(…)". */
  started: string;
  kind: 'promise' | 'timer' | 'forEach';
}

/**
 * Work a handler leaves running, statement by statement (not the chains that call the callback: those are the
 * handler's own continuation). On the old callback runtime Lambda waited for the event loop to drain after
 * callback() (`callbackWaitsForEmptyEventLoop`, https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html);
 * a Node.js 24 handler that returns is frozen with such work still pending. Used by the codemod (scripts/codemod/callback-to-return.ts).
 */
export function pendingWork(ast: Node, handler: Handler): PendingWork[] {
  const ctx = newContext(ast, handler);
  const asyncNames = asyncFunctionNames(ctx);
  const callbackName = handler.callbackName;
  const out: PendingWork[] = [];
  walk(handler.fn.body, (node) => {
    if (node.type !== 'ExpressionStatement') return;
    if (callbackName && contains(node.expression, (n) => isCall(n) && n.callee.type === 'Identifier' && n.callee.name === callbackName, true)) return;
    const started = pendingPromise(ctx, node.expression, asyncNames);
    if (started) {
      out.push({ statement: node, started, kind: 'promise' });
      return;
    }
    const expr = node.expression;
    if (isCall(expr) && ['setTimeout', 'setInterval', 'setImmediate'].includes(memberPath(expr.callee) ?? '')) out.push({ statement: node, started: `${memberPath(expr.callee)}(…)`, kind: 'timer' });
    // items.forEach(async …): the promises are dropped inside forEach.
    if (isCall(expr) && expr.callee.type === 'MemberExpression' && expr.callee.property?.name === 'forEach' && isFunction(expr.arguments[0]) && expr.arguments[0].async) out.push({ statement: node, started: '.forEach(async …)', kind: 'forEach' });
  });
  return out;
}

/** Runs every static check on a parsed file. */
export function analyze(ast: Node, source: string): StaticAnalysis {
  const handler = findHandler(ast);
  const ctx = newContext(ast, handler);
  collectSecretCarriers(ctx);
  const handlerInfo = checkHandler(ctx, source);
  checkRequires(ctx);
  checkApiClient(ctx);
  checkTimeouts(ctx);
  checkSwallowedErrors(ctx);
  checkSecretsLogged(ctx);
  checkPagedLoops(ctx);
  checkSearchThenCreate(ctx);
  checkApiKeyAuth(ctx);
  checkSecretInQuery(ctx);
  checkGetWithBody(ctx);
  checkUnawaited(ctx);
  checkUndeclared(ctx);
  checkRepeatedCreates(ctx);
  checkCallPerItem(ctx);
  const envReads = collectEnvReads(ctx);
  const outputs = handler ? collectOutputs(ctx, handler) : [];
  ctx.findings.sort((a, c) => a.line - c.line || a.rule.localeCompare(c.rule));
  return { ...(handlerInfo ? { handler: handlerInfo } : {}), findings: ctx.findings, envReads, outputs };
}

/** The findings `npm run upgrade` reports as "cannot change safely" (the rest belong to `npm run verify`). */
export const UPGRADE_RULES = new Set(['runtime-module', 'api-client-change', 'swallowed-error', 'secret-logged', 'secret-in-output', 'missing-return', 'api-key-auth', 'undeclared', 'unawaited-promise', 'get-with-body']);
