// `npm start` (and `npm run demo`): runs the station in Electron when its binary is
// installed; otherwise runs it headless under Node with the window served to a browser, and
// says so in one line. Builds the window first when out/ is older than its sources.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The folders each build reads; a file newer than the build's output makes it stale. */
const RENDERER_SOURCES = ['renderer', 'contract', 'protocol'];
const ELECTRON_SOURCES = [...RENDERER_SOURCES, 'main', 'preload', 'cloud'];

/** The Electron binary's path, or why there is none. */
function findElectron() {
  try {
    const binary = require('electron');
    if (typeof binary === 'string' && existsSync(binary)) return { binary };
    return { reason: 'the Electron binary was not downloaded' };
  } catch {
    return { reason: 'Electron is not installed (optional dependency)' };
  }
}

/** Newest modification time under `dir`, skipping nothing but dot folders. */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(output, sources) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return sources.some((source) => newestMtime(join(ROOT, source)) > built);
}

function build(command, args) {
  console.log(`station: building the window (${command} ${args.join(' ')})`);
  const result = spawnSync('npx', [command, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Runs a child with our stdio and passes Ctrl-C / SIGTERM on to it. */
function run(command, args, env) {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const args = process.argv.slice(2);
const electron = findElectron();

if (electron.binary) {
  if (isStale(join(ROOT, 'out/main/index.js'), ELECTRON_SOURCES)) build('electron-vite', ['build']);
  run(electron.binary, ['.', ...args], {});
} else {
  if (isStale(join(ROOT, 'out/renderer/index.html'), RENDERER_SOURCES)) {
    build('vite', ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  }
  run(process.execPath, ['--import', 'tsx', 'main/headless.ts', ...args], {
    BOTA_HEADLESS_REASON: electron.reason,
  });
}
