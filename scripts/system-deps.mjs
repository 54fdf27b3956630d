// Makes sure the system packages the tests drive are present: Debian's Chromium for the
// browser tests and socat for pseudo-terminal serial ports. Installs them with apt-get when
// running as root; otherwise says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  { pkg: 'chromium', check: () => existsSync('/usr/bin/chromium') },
  { pkg: 'socat', check: () => onPath('socat') },
];

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs what is missing, or throws with the command a person should run. */
export function ensureSystemDeps() {
  const missing = NEEDED.filter((need) => !need.check()).map((need) => need.pkg);
  if (missing.length === 0) return;

  const command = `apt-get install -y ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    throw new Error(
      `tests need ${missing.join(', ')}: run \`sudo apt-get update && sudo ${command}\``,
    );
  }
  console.log(`test: installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}
