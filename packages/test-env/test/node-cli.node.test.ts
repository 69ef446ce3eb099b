// `hub-testenv up --node` as a user runs it: SIGTERM (Ctrl-C's twin) cleans up, and so does the janitor when
// the CLI is SIGKILLed and cannot.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTraces, readHostTraces } from './host-traces.ts';

const CLI = join(import.meta.dirname, '../src/cli.ts');

interface Ready {
  kubeconfig: string;
  registryStorageDir: string;
  registry: string;
  node: { nodeIp: string; startMs: number };
  readyMs: number;
}

/** Starts the CLI with --json and resolves with its ready event. */
function up(): { child: ChildProcess; ready: Promise<Ready>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@hub/source', CLI, 'up', '--node', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<Ready>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        const event = JSON.parse(line) as { type: string } & Ready;
        if (event.type === 'ready') resolve(event);
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    void exited.then((code) => reject(new Error(`hub-testenv exited with ${code} before ready: ${stderr}`)));
  });
  return { child, ready, exited };
}

async function holderNetns(nodeIp: string): Promise<string[]> {
  // The namespace holder is the `sleep infinity` whose network namespace has the node IP; read it from /proc.
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)('pgrep', ['-x', 'sleep']);
  const found: string[] = [];
  for (const pid of stdout.split('\n').filter(Boolean)) {
    try {
      const { stdout: addr } = await promisify(execFile)('nsenter', [
        `--target=${pid}`,
        '--net',
        'ip',
        '-4',
        'addr',
      ]);
      if (addr.includes(nodeIp)) found.push(await readlink(`/proc/${pid}/ns/net`));
    } catch {}
  }
  return found;
}

describe('hub-testenv up --node', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`prints the node's addresses once it is Ready and leaves nothing after ${signal}`, async () => {
      const before = await readHostTraces();
      const { child, ready, exited } = up();
      const event = await ready;
      expect(event.registry.startsWith(`${event.node.nodeIp.replace(/\.2$/, '.1')}:`)).toBe(true);
      const netns = await holderNetns(event.node.nodeIp);
      expect(netns).toHaveLength(1);
      const octet = event.node.nodeIp.split('.')[1];
      child.kill(signal);
      await exited;
      const markers = [
        `10.${octet}.`,
        'hubnode-',
        'hub-node-',
        event.kubeconfig.replace(/\/admin\.kubeconfig$/, ''),
      ];
      const empty = {
        links: [],
        routes: [],
        iptables: [],
        mounts: [],
        netns: [],
        processes: [],
        cgroups: [],
      };
      // After SIGKILL the janitor (polling its parent every second) and the watchdogs do the work.
      const deadline = Date.now() + 30_000;
      let left = newTraces(before, await readHostTraces(), markers, netns);
      while (JSON.stringify(left) !== JSON.stringify(empty) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        left = newTraces(before, await readHostTraces(), markers, netns);
      }
      expect(left).toEqual(empty);
      if (signal === 'SIGTERM') expect(existsSync(event.kubeconfig)).toBe(false);
      // After SIGKILL the control plane's and the registry's watchdogs stop their processes but, as without a
      // node, leave their temporary directories: this test removes them itself.
      else
        for (const dir of [dirname(event.kubeconfig), event.registryStorageDir])
          rmSync(dir, { recursive: true, force: true });
    });
  }
});
