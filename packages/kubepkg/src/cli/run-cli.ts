import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type CliIo, isParseArgsError, isUsageError, reportUsage, UsageError } from '@hub/api-types/cli';
import { toHubError } from '@hub/api-types/errors';
import { formatBytes } from '@hub/image-save';
import { RegistryStorage } from '@hub/image-save/storage';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyKubePkg } from '../apply/apply-kubepkg.ts';
import { kubeConfigFrom } from '../apply/kube-client.ts';
import { contextNamespace, upsertKubePkgObject } from '../apply/upsert-kubepkg-object.ts';
import { isKubePkgError, KubePkgError } from '../errors.ts';
import { exportKubePkg } from '../export/export-kubepkg.ts';
import { importKubePkg } from '../import/import-kubepkg.ts';
import { createRegistryServer } from '../serve/registry-server.ts';
import { kubePkgsOf } from '../spec/safe-parse.ts';
import { readKubePkgDocument } from './read-document.ts';

export type { CliIo } from '@hub/api-types/cli';

/** A mistake in how the CLI was called (exit 2), found before any work starts. */
function usage(message: string): UsageError {
  return new UsageError(message);
}

const HELP: Record<string, string> = {
  main: `kubepkg: air-gap packages of Kubernetes manifests and their images

Usage: kubepkg <command> [options]   (kubepkg <command> --help for details)

Commands:
  export     resolve images and write a kubepkg.tgz
  import     load a kubepkg.tgz into a registry storage directory or a live registry
  apply      server-side apply a package's manifests to a cluster
  serve      pull-only registry over a storage directory (the in-cluster agent)
  inventory  list the blobs a storage directory has (for incremental export)
`,
  export: `Usage: kubepkg export <kubepkg.json | manifests.yaml...> -o <out.kubepkg.tgz> [options]

Options:
  -o, --output <file>      archive to write (required)
      --name <name>        package name, when building from manifests
      --version <semver>   package version, when building from manifests
      --platform <p>       platform to keep (repeatable; default linux/amd64 + linux/arm64; "all" keeps all)
      --attestations       keep attestation manifests
      --since <pkg>        previous package (tgz or json): leave out the blobs it carried
      --inventory <file>   digests the target has (kubepkg inventory --json): leave them out
      --keep-host          name repositories <host>/<path> (127.0.0.1:5000 → 127.0.0.1_5000/...) instead of <path>
      --gzip-level <0-9>   gzip level (default 0, stored: layers are already compressed)
      --no-gzip            write a plain tar
      --plain-http <host>  talk HTTP to this registry host (repeatable)
      --json               NDJSON events on stdout, the last line a summary

Examples:
  kubepkg export kubepkg.json -o demo.kubepkg.tgz
  kubepkg export deploy.yaml --name demo --version 1.0.0 --platform linux/amd64 -o demo.kubepkg.tgz
  kubepkg export kubepkg.json --since demo-1.0.0.kubepkg.tgz -o demo-patch.kubepkg.tgz
`,
  import: `Usage: kubepkg import <file.kubepkg.tgz> (--dir <storage> | --registry <host[:port]>) [options]

Options:
      --dir <storage>       distribution storage root (served by docker-registry or kubepkg serve)
      --registry <host>     push to a live registry instead
      --plain-http <host>   talk HTTP to this registry host (repeatable)
      --apply               then create or update each package's KubePkg object, which the cluster's
                            KubePkg controller (hub-controller --kubepkg) applies
      --kubeconfig <file>   with --apply: the cluster (default $KUBECONFIG, ~/.kube/config, in-cluster)
  -n, --namespace <ns>      with --apply: namespace of the KubePkg objects (default: the context's)
      --json                NDJSON events on stdout, the last line a summary

Examples:
  kubepkg import demo.kubepkg.tgz --dir /var/lib/registry
  kubepkg import demo.kubepkg.tgz --registry 127.0.0.1:5000 --plain-http 127.0.0.1:5000
  kubepkg import demo.kubepkg.tgz --dir /var/lib/registry --apply -n apps
`,
  apply: `Usage: kubepkg apply <file.kubepkg.tgz | kubepkg.json> [options]

Options:
      --kubeconfig <file>        kubeconfig (default $KUBECONFIG, then ~/.kube/config, then in-cluster)
  -n, --namespace <ns>           namespace for objects that name none
      --dry-run                  server-side dry run
      --prune                    delete objects of this package a newer version dropped
      --registry-rewrite <host>  pull images from this in-cluster registry
      --allow-downgrade          apply a lower spec.version than the installation's (refused otherwise)
      --field-manager <name>     server-side apply field manager (default kubepkg)
      --json                     NDJSON events on stdout, the last line a summary

Examples:
  kubepkg apply demo.kubepkg.tgz --dry-run
  kubepkg apply demo.kubepkg.tgz --prune --registry-rewrite 10.0.0.10:5000
`,
  serve: `Usage: kubepkg serve --dir <storage> [--addr 127.0.0.1:5000] [options]

Options:
      --dir <storage>             storage root to serve (required)
      --addr <host:port>          listen address (default 127.0.0.1:5000)
      --import-token-file <file>  enable POST /api/kubepkg/import with this bearer token
                                  (or set KUBEPKG_IMPORT_TOKEN)
      --apply                     enable ?apply=true on imports: create or update KubePkg objects in the
                                  cluster ($KUBECONFIG, ~/.kube/config, in a Pod its ServiceAccount)
      --kubeconfig <file>         the same, in the cluster this kubeconfig names
      --namespace <ns>            their namespace unless ?namespace= names one (default: the context's)
      --registry-rewrite <host>   no effect (deprecated): hub-controller --kubepkg-registry rewrites images
      --upstream <host>           pull-through cache from this registry
      --pull-through-token-file <file>
                                  fetch from --upstream only for requests with this bearer token
                                  (stored content still serves without it)
      --plain-http <host>         talk HTTP to this registry host (repeatable)
      --tls-cert <file>           serve HTTPS with this PEM certificate (chain); needs --tls-key
      --tls-key <file>            the certificate's PEM private key

Examples:
  kubepkg serve --dir /var/lib/registry --addr 0.0.0.0:5000
  curl -H "Authorization: Bearer $TOKEN" --data-binary @demo.kubepkg.tgz http://agent:5000/api/kubepkg/import
  kubepkg serve --dir /var/lib/registry --addr 0.0.0.0:5443 --tls-cert tls.crt --tls-key tls.key \
    --upstream docker.io --pull-through-token-file /etc/kubepkg/pull-token
`,
  inventory: `Usage: kubepkg inventory --dir <storage> [--json]

Prints the digests a storage directory holds, one per line (with --json: one JSON array on stdout, the
format kubepkg export --inventory reads), for kubepkg export --inventory.

Example:
  kubepkg inventory --dir /var/lib/registry --json > inventory.json
`,
};

/** Runs the `kubepkg` CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(HELP.main as string);
    return 0;
  }
  if (!command) return reportUsage(io, 'kubepkg', `no command given (${COMMANDS.join(', ')})`);
  if (!isCommand(command)) return reportUsage(io, 'kubepkg', `unknown command "${command}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(HELP[command] as string);
    return 0;
  }
  try {
    return await commands[command](rest, io);
  } catch (error) {
    if (isUsageError(error) || isParseArgsError(error))
      return reportUsage(io, 'kubepkg', error.message, `kubepkg ${command}`);
    // A failed --json run still ends with its summary line, as hub-index's does (parseArgs accepted the flags).
    report(error, io, rest.includes('--json'));
    return 1;
  }
}

const COMMANDS = ['export', 'import', 'apply', 'serve', 'inventory'] as const;

function isCommand(name: string): name is (typeof COMMANDS)[number] {
  return (COMMANDS as readonly string[]).includes(name);
}

/** One `kubepkg:` line with the code (and the issues or the server's reason), plus the summary with --json. */
function report(thrown: unknown, io: CliIo, json: boolean): void {
  const error = isKubePkgError(thrown) ? thrown : toHubError(thrown);
  emit(io, json, { type: 'summary', error: { code: error.code, message: error.message } });
  io.stderr.write(`kubepkg: ${error.message} [${error.code}]\n`);
  if (!isKubePkgError(error)) return;
  for (const issue of error.issues.slice(0, 20)) io.stderr.write(`  ${issue.path}: ${issue.message}\n`);
  const reason = (error.detail as { reason?: unknown } | undefined)?.reason;
  if (typeof reason === 'string') io.stderr.write(`  server said: ${reason}\n`);
}

/** Progress lines on stderr (nothing with --json: the events go to stdout as NDJSON instead). */
function progress(io: CliIo, json: boolean) {
  return (line: string) => {
    if (!json) io.stderr.write(`${line}\n`);
  };
}

/** One NDJSON event line on stdout (with --json). */
function emit(io: CliIo, json: boolean, event: object): void {
  if (json) io.stdout.write(`${JSON.stringify(event)}\n`);
}

function signalOf(io: CliIo): { signal?: AbortSignal } {
  return io.signal ? { signal: io.signal } : {};
}

/** The one kubeconfig rule (kubectl's order: --kubeconfig, $KUBECONFIG merged, ~/.kube/config, in-cluster). */
async function loadKubeConfig(path: string | undefined, env: CliIo['env']): Promise<KubeConfig> {
  const { loadKubeconfig } = await import('@hub/api-types/kubeconfig');
  return kubeConfigFrom(loadKubeconfig({ path, env }));
}

const commands = {
  async export(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        name: { type: 'string' },
        version: { type: 'string' },
        platform: { type: 'string', multiple: true },
        attestations: { type: 'boolean' },
        since: { type: 'string' },
        inventory: { type: 'string' },
        'keep-host': { type: 'boolean' },
        'gzip-level': { type: 'string' },
        'no-gzip': { type: 'boolean' },
        'plain-http': { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
    });
    if (!values.output || positionals.length === 0) throw usage('export needs an input and -o <file>');
    const level = values['gzip-level'] === undefined ? undefined : Number(values['gzip-level']);
    if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
      throw usage('--gzip-level must be 0-9');
    }
    const json = values.json ?? false;
    const log = progress(io, json);
    const input = await readKubePkgDocument(
      positionals,
      values.name && values.version ? { name: values.name, version: values.version } : undefined,
    );
    const inventory = values.inventory
      ? parseInventory(await readFile(values.inventory, 'utf8'), values.inventory)
      : undefined;
    const since = values.since ? await readSince(values.since) : undefined;
    const platforms = values.platform?.includes('all') ? 'all' : values.platform;
    const result = await exportKubePkg({
      input,
      output: values.output,
      ...(platforms ? { platforms } : {}),
      ...(values.attestations ? { attestations: true } : {}),
      ...(since ? { since } : {}),
      ...(inventory ? { inventory } : {}),
      ...(values['keep-host'] ? { keepHost: true } : {}),
      ...(values['no-gzip'] ? { gzip: false as const } : level !== undefined ? { gzip: level } : {}),
      client: { plainHttp: values['plain-http'] ?? [] },
      ...signalOf(io),
      onEvent: (event) => {
        emit(io, json, event);
        if (event.type === 'resolved') log(`resolved ${event.reference} → ${event.digest}`);
        else if (event.type === 'blob')
          log(`[${event.done}/${event.total}] ${event.digest} ${formatBytes(event.size)}`);
        else if (event.type === 'retry')
          log(
            `retrying ${event.digest} of ${event.reference} from byte ${event.offset} in ${event.delayMs} ms (try ${event.attempt + 1}): ${event.reason}`,
          );
      },
    });
    const bytes = result.blobs.reduce((sum, blob) => sum + blob.size, 0);
    if (json)
      emit(io, json, {
        type: 'summary',
        output: values.output,
        blobs: result.blobs.length,
        bytes,
        skipped: result.skipped.length,
        document: result.document,
      });
    else
      io.stdout.write(
        `wrote ${values.output}: ${result.blobs.length} blobs, ${formatBytes(bytes)} (${result.skipped.length} left out)\n`,
      );
    return 0;
  },

  async import(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        registry: { type: 'string' },
        'plain-http': { type: 'string', multiple: true },
        apply: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        json: { type: 'boolean' },
      },
    });
    const [file] = positionals;
    if (!file || Boolean(values.dir) === Boolean(values.registry)) {
      throw usage('import needs a file and exactly one of --dir or --registry');
    }
    if ((values.kubeconfig || values.namespace) && !values.apply)
      throw usage('--kubeconfig and --namespace go with --apply');
    const json = values.json ?? false;
    const log = progress(io, json);
    // Before a byte is imported: an import whose hand-off cannot work must not start.
    const kubeConfig = values.apply ? await loadKubeConfig(values.kubeconfig, io.env) : undefined;
    let done = 0;
    const target = values.dir
      ? { dir: values.dir }
      : {
          registry: values.registry as string,
          client: { plainHttp: values['plain-http'] ?? [] },
        };
    const result = await importKubePkg(file, target, {
      ...signalOf(io),
      onEvent: (event) => {
        emit(io, json, event);
        if (event.type === 'spec')
          log(`importing ${event.packages.join(', ')} (${event.blobs} blobs listed)`);
        else if (event.type === 'blob')
          log(`[${++done}] ${event.digest} ${formatBytes(event.size)}${event.written ? '' : ' (present)'}`);
      },
    });
    const kubepkgs = [];
    if (kubeConfig) {
      const namespace = values.namespace ?? contextNamespace(kubeConfig);
      for (const pkg of kubePkgsOf(result.document)) {
        const handed = await upsertKubePkgObject(pkg, { kubeConfig, namespace });
        kubepkgs.push(handed);
        log(`${handed.action} KubePkg ${handed.namespace}/${handed.name} (${handed.version})`);
      }
    }
    if (json)
      emit(io, json, {
        type: 'summary',
        blobs: result.blobs,
        written: result.written,
        tags: result.tags,
        ...(kubeConfig ? { kubepkgs } : {}),
      });
    else
      io.stdout.write(
        `imported ${result.blobs} blobs (${result.written} new); tagged ${result.tags.join(', ')}\n`,
      );
    return 0;
  },

  async apply(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        'dry-run': { type: 'boolean' },
        prune: { type: 'boolean' },
        'registry-rewrite': { type: 'string' },
        'allow-downgrade': { type: 'boolean' },
        'field-manager': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length === 0) throw usage('apply needs a package file');
    const json = values.json ?? false;
    const log = progress(io, json);
    const kubeConfig = await loadKubeConfig(values.kubeconfig, io.env);
    const results = [];
    for (const pkg of kubePkgsOf(await readKubePkgDocument(positionals))) {
      const result = await applyKubePkg(pkg, {
        kubeConfig,
        ...(values.namespace ? { namespace: values.namespace } : {}),
        ...(values['dry-run'] ? { dryRun: true } : {}),
        ...(values.prune ? { prune: true } : {}),
        ...(values['registry-rewrite'] ? { registryRewrite: values['registry-rewrite'] } : {}),
        ...(values['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...(values['field-manager'] ? { fieldManager: values['field-manager'] } : {}),
        onEvent: (event) => {
          emit(io, json, event);
          if (event.type === 'applied' || event.type === 'pruned') {
            const r = event.resource;
            log(
              `${event.type} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${values['dry-run'] ? ' (dry run)' : ''}`,
            );
          } else if (event.type === 'namespace-created') log(`created namespace ${event.name}`);
        },
      });
      results.push({
        name: pkg.metadata.name,
        version: pkg.spec.version,
        resources: result.resources,
        pruned: result.pruned,
      });
    }
    if (json) emit(io, json, { type: 'summary', packages: results });
    else
      for (const r of results)
        io.stdout.write(
          `applied ${r.name}@${r.version}: ${r.resources.length} objects, ${r.pruned.length} pruned\n`,
        );
    return 0;
  },

  async serve(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        dir: { type: 'string' },
        addr: { type: 'string' },
        'import-token-file': { type: 'string' },
        apply: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string' },
        'registry-rewrite': { type: 'string' },
        upstream: { type: 'string' },
        'pull-through-token-file': { type: 'string' },
        'plain-http': { type: 'string', multiple: true },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
      },
    });
    if (!values.dir) throw usage('serve needs --dir <storage>');
    if (Boolean(values['tls-cert']) !== Boolean(values['tls-key']))
      throw usage('serve needs --tls-cert and --tls-key together');
    if (values['pull-through-token-file'] && !values.upstream)
      throw usage('--pull-through-token-file guards --upstream; give both');
    const token = values['import-token-file']
      ? (await readFile(values['import-token-file'], 'utf8')).trim()
      : io.env.KUBEPKG_IMPORT_TOKEN;
    const pullThroughToken = values['pull-through-token-file']
      ? (await readFile(values['pull-through-token-file'], 'utf8')).trim()
      : undefined;
    if (pullThroughToken === '')
      throw usage(`${values['pull-through-token-file']} is empty; put the pull-through token in it`);
    const tls =
      values['tls-cert'] && values['tls-key']
        ? { cert: await readFile(values['tls-cert']), key: await readFile(values['tls-key']) }
        : undefined;
    const server = createRegistryServer({
      dir: values.dir,
      ...(token ? { importToken: token } : {}),
      ...(pullThroughToken ? { pullThroughToken } : {}),
      ...(tls ? { tls } : {}),
      // --apply finds the cluster by the one kubeconfig rule (in a Pod: its ServiceAccount); --kubeconfig names it.
      ...(values.apply || values.kubeconfig
        ? { kubeConfig: await loadKubeConfig(values.kubeconfig, io.env) }
        : {}),
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values.upstream
        ? {
            upstream: {
              registry: values.upstream,
              client: { plainHttp: values['plain-http'] ?? [] },
            },
          }
        : {}),
      onError: (error) =>
        io.stderr.write(`kubepkg serve: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    const bound = await server.listen(values.addr ?? '127.0.0.1:5000');
    io.stderr.write(
      `kubepkg serve: serving ${values.dir} on ${tls ? 'https' : 'http'}://${bound} (pull-only${token ? ', import endpoint enabled' : ''}${pullThroughToken ? ', pull-through needs a token' : ''})\n`,
    );
    // Runs until io.signal aborts; only the CLI entry (cli.ts) turns SIGINT/SIGTERM into that abort.
    const signal = io.signal;
    await new Promise<void>((resolve) => {
      // Without a signal it serves until the process ends.
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },

  async inventory(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args, options: { dir: { type: 'string' }, json: { type: 'boolean' } } });
    if (!values.dir) throw usage('inventory needs --dir <storage>');
    const digests: string[] = [];
    for await (const blob of new RegistryStorage(values.dir).listBlobs()) digests.push(blob.digest);
    digests.sort();
    io.stdout.write(values.json ? `${JSON.stringify(digests)}\n` : digests.map((d) => `${d}\n`).join(''));
    return 0;
  },
};

/** Digests from `kubepkg inventory` output: a JSON array or one digest per line; anything else is refused. */
export function parseInventory(text: string, source = 'the inventory'): string[] {
  const trimmed = text.trim();
  let digests: unknown[];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new KubePkgError('INVALID_ARGUMENT', `${source} is not valid JSON.`, { cause, subject: source });
    }
    if (!Array.isArray(parsed))
      throw new KubePkgError(
        'INVALID_ARGUMENT',
        `${source} must be a JSON array of digests (kubepkg inventory --json), not ${typeof parsed === 'object' && parsed !== null ? 'an object' : typeof parsed}.`,
        { subject: source },
      );
    digests = parsed;
  } else {
    digests = trimmed
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  }
  const bad = digests.filter(
    (d) => typeof d !== 'string' || !/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/.test(d),
  );
  if (bad.length > 0)
    throw new KubePkgError(
      'INVALID_ARGUMENT',
      `${source} has ${bad.length} entr${bad.length === 1 ? 'y' : 'ies'} that ${bad.length === 1 ? 'is' : 'are'} not a digest (first: ${JSON.stringify(bad[0])}); regenerate it with kubepkg inventory --json.`,
      { subject: source },
    );
  return digests as string[];
}

/** The `--since` package: it must be an exported package, i.e. carry `status.digests` to leave out. */
async function readSince(path: string) {
  const document = await readKubePkgDocument([path]);
  const packages = kubePkgsOf(document);
  if (!packages.some((pkg) => (pkg.status?.digests?.length ?? 0) > 0)) {
    throw new KubePkgError(
      'INVALID_ARGUMENT',
      `--since ${path} lists no status.digests, so nothing can be left out: pass a package written by kubepkg export (its .kubepkg.tgz or kubepkg.json).`,
      { subject: path },
    );
  }
  return document;
}
