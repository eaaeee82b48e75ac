import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SERVER_HEAP_MB, serverNodeArgs } from '../../server/launch';

test('npm start passes the heap limit the tests and benches use, SERVER_HEAP_MB overriding the default', () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.start).toContain(`node --max-old-space-size=\${SERVER_HEAP_MB:-${DEFAULT_SERVER_HEAP_MB}} dist/server/main.js`);
  expect(serverNodeArgs({})).toEqual([`--max-old-space-size=${DEFAULT_SERVER_HEAP_MB}`]);
  expect(serverNodeArgs({ SERVER_HEAP_MB: '512' })).toEqual(['--max-old-space-size=512']);
});

test('a heap limit that is not a whole number of at least 96 MB is refused by name', () => {
  for (const wrong of ['abc', '12.5', '64', '-256']) expect(() => serverNodeArgs({ SERVER_HEAP_MB: wrong })).toThrow(/SERVER_HEAP_MB/);
});
