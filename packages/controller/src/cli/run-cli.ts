import { type CliIo, isUsageError, reportUsage } from '@hub/api-types/cli';
import { toHubError } from '@hub/api-types/errors';
import { isKubeconfigError, type LoadedKubeconfig, loadKubeconfig } from '@hub/api-types/kubeconfig';
import { catalogueAdmission, catalogueReconcilers, parseOrganizationCreation } from '@hub/reconcilers';
import { catalogueOn } from '../kubepkg/kubepkg-feature.ts';
import { type ManagerExit, type ManagerOptions, startManager } from '../manager.ts';
import { parseServingAddress } from '../runtime/http-endpoints.ts';
import { createLogger } from '../runtime/logger.ts';
import { type CliFeature, FEATURES, type FeatureRunnable } from './features.ts';
import { type FlagValues, intFlag, parseFlags, renderHelp, UsageError } from './flag-table.ts';

const USAGE = `hub-controller: the imagehub catalogue controller (reconcilers, admission webhooks, metrics, probes)

Usage:
  hub-controller [flags]

Every flag can also be set with the environment variable shown after it; a flag wins over its variable.
Exit codes: 0 stopped by SIGTERM/SIGINT, 1 failed or lost leadership, 2 bad usage.
Logs are JSON lines on stderr.`;

/**
 * The one kubeconfig rule (`@hub/api-types/kubeconfig`, kubectl's order): --kubeconfig/HUB_KUBECONFIG, then
 * $KUBECONFIG (merged), then ~/.kube/config, then the in-cluster ServiceAccount. No client-node on this path.
 */
export function kubeconfigFromFlags(path: string | undefined, env: CliIo['env']): LoadedKubeconfig {
  try {
    return loadKubeconfig({ path, env });
  } catch (error) {
    if (isKubeconfigError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** Maps parsed flags to manager options (pure apart from reading the kubeconfig). */
export function managerOptionsFromFlags(values: FlagValues, env: CliIo['env']): Omit<ManagerOptions, 'log'> {
  const webhookPort = intFlag(values, 'webhook-port');
  if (webhookPort > 65535) throw new UsageError('--webhook-port must be at most 65535');
  const url = values['webhook-url'];
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--webhook-url ${JSON.stringify(url)} is not a URL; use https://HOST:PORT`);
    }
    if (parsed.protocol !== 'https:')
      throw new UsageError('--webhook-url must be https: the apiserver calls webhooks over TLS only');
    if (webhookPort === 0) throw new UsageError('--webhook-url needs webhooks on; drop --webhook-port 0');
  }
  const concurrency = intFlag(values, 'concurrency');
  if (concurrency < 1) throw new UsageError('--concurrency must be at least 1');
  const controllerNamespace = values['controller-namespace'] ?? 'imagehub-system';
  const organizationCreation = parseOrganizationCreation(values['organization-creation'] ?? 'anyone');
  if (organizationCreation === undefined)
    throw new UsageError(
      `--organization-creation must be anyone or group:NAME, not ${JSON.stringify(values['organization-creation'])}`,
    );
  const bind = (name: string) => {
    try {
      return parseServingAddress(values[name] ?? '0');
    } catch (error) {
      throw new UsageError(`--${name}: ${(error as Error).message}`);
    }
  };
  return {
    kubeConfig: kubeconfigFromFlags(values.kubeconfig, env),
    // --catalogue false (the chart's KubePkg Deployment): no catalogue reconcilers, webhooks or caches.
    ...(catalogueOn(values)
      ? { reconcilers: (policy) => catalogueReconcilers(policy), admission: catalogueAdmission() }
      : { reconcilers: () => [], admission: [], cachedKinds: [] }),
    policy: {
      missingOrganization: values['missing-organization'] === 'wait' ? 'wait' : 'create',
      deleteEmptyRepositories: values['delete-empty-repositories'] !== 'false',
      controllerNamespace,
      userNamespace: values['user-namespace'] ?? 'user-system',
      organizationCreation,
    },
    installCrds: values['install-crds'] === 'true',
    webhook:
      webhookPort === 0
        ? false
        : {
            port: webhookPort,
            ...(values['webhook-cert-dir'] ? { certDir: values['webhook-cert-dir'] } : {}),
            ...(url ? { url } : {}),
            hosts: [
              'hub-controller-webhook',
              `hub-controller-webhook.${controllerNamespace}.svc`,
              `hub-controller-webhook.${controllerNamespace}.svc.cluster.local`,
            ],
          },
    metricsBind: bind('metrics-bind-address'),
    probeBind: bind('health-probe-bind-address'),
    leaderElection:
      values['leader-elect'] === 'true'
        ? {
            namespace: values['leader-election-namespace'] ?? controllerNamespace,
            name: values['leader-election-id'] ?? 'hub-controller.imagehub.sealos.io',
          }
        : false,
    concurrency,
    processMetrics: true,
    ...(env.POD_NAME ? { replicaId: env.POD_NAME } : {}),
  };
}

export type { CliIo };

/** hub-controller's logic: returns the exit code (0 stopped by signal, 1 failed, 2 bad usage). */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  features: readonly CliFeature[] = FEATURES,
): Promise<number> {
  const groups = features.map((f) => f.flags);
  let values: FlagValues;
  let options: Omit<ManagerOptions, 'log'>;
  try {
    const parsed = parseFlags(argv, groups, io.env);
    if (parsed.help) {
      io.stdout.write(renderHelp(USAGE, groups));
      return 0;
    }
    values = parsed.values;
    for (const feature of features) feature.validate?.(values);
    options = managerOptionsFromFlags(values, io.env);
    // Loaded only with --kubepkg: the catalogue controller never loads @hub/kubepkg.
    if (values.kubepkg === 'true') {
      const { KUBEPKG_ADMISSION } = await import('../kubepkg/kubepkg-admission.ts');
      options = { ...options, admission: [...(options.admission ?? []), KUBEPKG_ADMISSION] };
    }
  } catch (error) {
    if (isUsageError(error)) return reportUsage(io, 'hub-controller', error.message);
    throw error;
  }
  const log = createLogger((line) => io.stderr.write(line));
  const signal = io.signal ?? new AbortController().signal;
  if (signal.aborted) return 0;
  let exit: ManagerExit;
  const runnables: FeatureRunnable[] = [];
  try {
    const manager = await startManager({ ...options, log });
    for (const feature of features) {
      const runnable = await feature.start?.({ values, manager, log, signal });
      if (runnable) runnables.push(runnable);
    }
    const onSignal = () => void manager.stop();
    signal.addEventListener('abort', onSignal, { once: true });
    if (signal.aborted) onSignal();
    exit = await manager.done;
    signal.removeEventListener('abort', onSignal);
  } catch (error) {
    const hub = toHubError(error);
    log.error('hub-controller failed', { error: hub, code: hub.code });
    io.stderr.write(`hub-controller: ${hub.message}\n`);
    return 1;
  } finally {
    for (const runnable of runnables.reverse()) await runnable.stop().catch(() => {});
  }
  if (exit.reason === 'stopped') return 0;
  io.stderr.write(`hub-controller: ${exit.error?.message ?? exit.reason}\n`);
  return 1;
}
