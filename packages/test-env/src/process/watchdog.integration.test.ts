import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a runner killed with SIGKILL', () => {
  it('leaves no registry behind: the watchdog ends the process group', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const script =
      "const { startRegistry } = await import('@hub/test-env'); const r = await startRegistry(); console.log(r.pid); setInterval(() => {}, 1000);";
    const runner = spawn(
      process.execPath,
      ['--conditions=@hub/source', '--input-type=module', '-e', script],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const pid = await new Promise<number>((resolve, reject) => {
      runner.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      runner.once('exit', () => reject(new Error('runner exited before starting the registry')));
    });
    expect(alive(pid)).toBe(true);
    runner.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });
});
