'use strict';
/**
 * Loads a bundle the way HubSpot's runtime will: only Node built-ins and the runtime's pre-installed modules can
 * be required. Anything else means the bundle forgot to inline a dependency, and the paste would fail in HubSpot.
 * `runtimeModules` maps a module name to the path to load it from (so tests can swap versions).
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

function loadBundle(file, { runtimeModules, resolveFrom = process.cwd() } = {}) {
  const code = fs.readFileSync(file, 'utf8');
  const realRequire = Module.createRequire(path.join(resolveFrom, 'noop.js'));
  const required = [];
  const sandboxRequire = (id) => {
    const bare = id.startsWith('node:') ? id.slice(5) : id;
    if (Module.isBuiltin(id) || Module.isBuiltin(bare)) return realRequire(id);
    if (runtimeModules && Object.prototype.hasOwnProperty.call(runtimeModules, id)) {
      required.push(id);
      return realRequire(runtimeModules[id]);
    }
    const error = new Error(`Cannot find module '${id}' (not a Node built-in nor pre-installed in HubSpot's runtime)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  };
  const module = { exports: {} };
  // compileFunction (not `new Function`) names the file in stack traces and syntax errors, at its own lines and
  // columns, so a user reads `my-action.js:12:7` instead of `eval at loadBundle (<anonymous>:14:7)`.
  const wrapper = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  wrapper(module.exports, sandboxRequire, module, file, path.dirname(file));
  return { exports: module.exports, required };
}

/** name → path, for every runtime module installed here (the ones we cannot find are simply not offered). */
function defaultRuntimeModules(names, resolveFrom = process.cwd()) {
  const req = Module.createRequire(path.join(resolveFrom, 'noop.js'));
  const out = {};
  for (const name of names) {
    try {
      out[name] = req.resolve(name);
    } catch {
      /* not installed locally: a bundle requiring it fails the check, which is what we want */
    }
  }
  return out;
}

module.exports = { loadBundle, defaultRuntimeModules };
