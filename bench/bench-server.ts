/**
 * The real server process for a benchmark: `dist/server/main.js` in production mode on a
 * benchmark database, with scheduled scans off so only the benchmark's requests run.
 */
import path from 'node:path';
import { spawn } from 'node:child_process';

export const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Granite-Orchard-64' };

export interface BenchServer {
  url: string;
  pid: number;
  stop(): void;
}

export async function startBenchServer(databaseUrl: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const child = spawn(process.execPath, [path.resolve(__dirname, '../server/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      OVERDUE_SCAN_INTERVAL: '0',
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /GraphQL:\s+(\S+)/.exec(out);
      if (match) resolve({ url: match[1], pid: child.pid!, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}
