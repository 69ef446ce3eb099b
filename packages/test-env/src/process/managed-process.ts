import { type ChildProcess, spawn } from 'node:child_process';
import { TestEnvError } from '../errors.ts';

/** A server process started in its own process group, with a watchdog that outlives a killed parent. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process exits, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** The last 64 KiB of combined stdout and stderr. */
  output(): string;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;
const live = new Set<number>();
let exitHookInstalled = false;

// The watchdog polls the parent (this Node process) and the child's group. When the parent dies without
// cleaning up (SIGKILL, crash, a runner killed mid-test) it terminates the group; when the group ends first it
// simply exits. It is a detached `sh`, so it shares neither the parent's nor the child's process group.
const WATCHDOG_SCRIPT = [
  'parent=$1; pgid=$2',
  // A zombie leader still answers kill -0; treat it as gone so the watchdog does not spin until it is reaped.
  'group() { kill -s 0 -- "-$pgid" 2>/dev/null && ! grep -qs ") Z " "/proc/$pgid/stat"; }',
  'while kill -s 0 "$parent" 2>/dev/null && group; do sleep 1; done',
  'group || exit 0',
  'kill -s TERM -- "-$pgid" 2>/dev/null; sleep 3; kill -s KILL -- "-$pgid" 2>/dev/null; exit 0',
].join('\n');

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL every group still alive.
  process.on('exit', () => {
    for (const pgid of live) killGroup(pgid, 'SIGKILL');
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Process ids of every managed process group still running in this Node process. */
export function liveProcessGroups(): number[] {
  return [...live];
}

/**
 * Spawns `command` detached (a new process group whose id is its pid), captures its output, and arms a
 * watchdog plus an exit hook so it never outlives this process. The child is unref'd: a forgotten server does
 * not keep a test worker alive, and the exit hook kills it.
 */
export function spawnManaged(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ManagedProcess {
  installExitHook();
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  const append = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    if (buffer.length > OUTPUT_LIMIT) buffer = buffer.slice(buffer.length - OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (error) => {
      exitedFlag = true;
      reject(
        new TestEnvError('PROCESS_EXITED', `could not start ${name} (${command}): ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      if (child.pid !== undefined) live.delete(child.pid);
      resolve({ code, signal });
    });
  });
  // Avoid unhandled rejections when nobody awaits `exited`.
  exited.catch(() => {});
  const pid = child.pid ?? -1;
  let watchdogPid: number | undefined;
  if (pid > 0) {
    live.add(pid);
    const watchdog = spawn(
      '/bin/sh',
      ['-c', WATCHDOG_SCRIPT, 'hub-testenv-watchdog', String(process.pid), String(pid)],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    watchdogPid = watchdog.pid;
    watchdog.unref();
  }
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();

  let stopping: Promise<void> | undefined;
  return {
    name,
    pid,
    exited,
    hasExited: () => exitedFlag,
    output: () => buffer,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (!exitedFlag && pid > 0) {
          killGroup(pid, 'SIGTERM');
          const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
          await exited.catch(() => {});
          clearTimeout(timer);
        }
        // The leader is gone; make sure nothing else in its group lingers.
        if (pid > 0) killGroup(pid, 'SIGKILL');
        live.delete(pid);
        if (watchdogPid !== undefined) killGroup(watchdogPid, 'SIGKILL');
      })();
      return stopping;
    },
  };
}

/** Peak resident set size (VmHWM) of a live process in bytes, from /proc; undefined when unavailable. */
export async function peakRssBytes(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}
