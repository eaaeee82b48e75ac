/**
 * The playground test drives a real headless Chromium. `npm test` calls this first: it
 * finds Chromium (CHROMIUM_PATH or /usr/bin/chromium), or installs Debian's package when
 * it can (root with apt-get), or stops with a clear message.
 */
const { execSync } = require('node:child_process');
const fs = require('node:fs');

const wanted = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (fs.existsSync(wanted)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = fs.existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt || process.env.CHROMIUM_PATH) {
  process.stderr.write(
    `Chromium not found at ${wanted}: the playground test needs it.\n` +
      'Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.\n',
  );
  process.exit(1);
}
process.stdout.write('Installing Debian chromium for the playground test (once)…\n');
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null', { stdio: 'inherit', shell: '/bin/bash' });
if (!fs.existsSync(wanted)) {
  process.stderr.write(`apt-get finished but ${wanted} is still missing\n`);
  process.exit(1);
}
