// hub-controller from source against a test control plane: its reconcilers and admission webhooks
// (registered with the apiserver), ready once /readyz answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@hub/test-env';
import { EXAMPLE_DIR } from '../server/start-next.ts';

export interface RunningController {
  stop(): Promise<void>;
  log: string[];
}

export async function startHubController(
  kubeconfigPath: string,
  extraArgs: readonly string[] = [],
): Promise<RunningController> {
  const [webhook, probe] = [await freePort(), await freePort()];
  const log: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--conditions=@hub/source',
      join(EXAMPLE_DIR, '../../packages/controller/src/cli.ts'),
      '--kubeconfig',
      kubeconfigPath,
      '--webhook-port',
      String(webhook),
      '--webhook-url',
      `https://127.0.0.1:${webhook}`,
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      `127.0.0.1:${probe}`,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`http://127.0.0.1:${probe}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { stop, log };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`hub-controller not ready:\n${log.slice(-20).join('')}`);
}
