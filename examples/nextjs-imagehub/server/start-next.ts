// Starts the example with `next start` in its own process group (building it first when the build
// is missing or older than its sources), for the browser test and `npm run demo`.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const EXAMPLE_DIR = join(import.meta.dirname, '..');
const REPO_DIR = join(EXAMPLE_DIR, '..', '..');
const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

// What a build depends on: the app and the workspace sources it bundles.
const SOURCES = [
  join(EXAMPLE_DIR, 'app'),
  join(EXAMPLE_DIR, 'components'),
  join(EXAMPLE_DIR, 'lib'),
  join(EXAMPLE_DIR, 'next.config.ts'),
  join(REPO_DIR, 'packages', 'datapack', 'src'),
  join(REPO_DIR, 'packages', 'api-types', 'src'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when `.next` holds a production build newer than every source. */
export function buildIsFresh(): boolean {
  const buildId = join(EXAMPLE_DIR, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newestMtime(source) <= built);
}

function run(args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() reaches next's workers too
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '') log(line);
    });
  }
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Runs `next build` unless the build is fresh. */
export async function buildIfStale(log: (line: string) => void = () => {}): Promise<'fresh' | 'built'> {
  if (buildIsFresh()) return 'fresh';
  const lines: string[] = [];
  const child = run(['build'], {} as NodeJS.ProcessEnv, (line) => {
    lines.push(line);
    log(line);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0)
    throw new Error(`next build failed with exit code ${code}:\n${lines.slice(-30).join('\n')}`);
  return 'built';
}

export interface NextServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts `next start` on 127.0.0.1:`port` with `env` (KUBECONFIG, HUB_REGISTRY...) and resolves
 * once `/api/hub/repositories` answers 200, i.e. the catalogue has synced.
 */
export async function startNextServer(options: {
  port: number;
  env: NodeJS.ProcessEnv;
  hostname?: string;
  log?: (line: string) => void;
  timeoutMs?: number;
}): Promise<NextServer> {
  const log = options.log ?? (() => {});
  const hostname = options.hostname ?? '127.0.0.1';
  const child = run(['start', '-p', String(options.port), '-H', hostname], options.env, log);
  const exitHook = () => killGroup(child, 'SIGKILL');
  process.on('exit', exitHook);
  const stop = async () => {
    process.off('exit', exitHook);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/hub/repositories?limit=1`, {
        signal: AbortSignal.timeout(15_000),
      });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the example did not answer on ${url} within ${options.timeoutMs ?? 120_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, pid: child.pid ?? 0, stop, [Symbol.asyncDispose]: stop };
}
