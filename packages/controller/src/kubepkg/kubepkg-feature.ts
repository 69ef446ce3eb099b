import type { CliFeature } from '../cli/features.ts';
import { type FlagValues, UsageError } from '../cli/flag-table.ts';

/** Registry host as `--kubepkg-registry` takes it: `host[:port]`, no scheme or path. */
const REGISTRY_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Whether the catalogue (its reconcilers, webhooks and informers) runs: `--catalogue false` turns it off. */
export function catalogueOn(values: FlagValues): boolean {
  return values.catalogue !== 'false';
}

/**
 * `--kubepkg`: reconcile KubePkg objects (`octohelm.tech/v1alpha1`) on the leader, and serve their validating
 * webhook (added to the manager's admission by the CLI). `--catalogue false` runs it without the catalogue.
 */
export const KUBEPKG_FEATURE: CliFeature = {
  flags: {
    title: 'KubePkg controller',
    flags: [
      {
        name: 'kubepkg',
        type: 'boolean',
        help: 'reconcile KubePkg objects (octohelm.tech/v1alpha1) and serve their validating webhook',
      },
      {
        name: 'kubepkg-registry',
        type: 'string',
        value: 'HOST',
        help: "rewrite KubePkg pod images to this in-cluster registry (the agent's host[:port])",
      },
      {
        name: 'catalogue',
        type: 'string',
        value: 'true|false',
        default: 'true',
        choices: ['true', 'false'],
        help: 'run the catalogue controllers, webhooks and caches; false with --kubepkg runs only that',
      },
    ],
  },
  validate(values) {
    const registry = values['kubepkg-registry'];
    if (registry !== undefined && values.kubepkg !== 'true')
      throw new UsageError('--kubepkg-registry needs --kubepkg');
    if (registry !== undefined && !REGISTRY_HOST.test(registry))
      throw new UsageError(`--kubepkg-registry must be host[:port], not ${JSON.stringify(registry)}`);
    if (!catalogueOn(values) && values.kubepkg !== 'true')
      throw new UsageError('--catalogue false leaves nothing to run; add --kubepkg');
  },
  async start({ values, manager, log, signal }) {
    if (values.kubepkg !== 'true') return undefined;
    // Loaded only with --kubepkg, so the catalogue controller never loads @hub/kubepkg.
    const { startKubePkgController } = await import('./kubepkg-controller.ts');
    return startKubePkgController(values, manager, log, signal);
  },
};
