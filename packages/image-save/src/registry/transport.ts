import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';

/** Transport settings shared by every host. */
export interface TransportOptions {
  /** Hosts (`host` or `host:port`) spoken to over plain HTTP. Explicit opt-in only. */
  plainHttp?: readonly string[];
  /** Hosts whose TLS certificate is not verified. Explicit opt-in only. */
  insecureSkipTlsVerify?: readonly string[];
  /** Extra CA certificates (PEM) trusted for every host. */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Connections per host (default 6). */
  connectionsPerHost?: number;
  /** Milliseconds to wait for response headers (default 30 000). */
  headersTimeoutMs?: number;
  /** Idle watchdog: milliseconds without a body byte before the request fails (default 30 000). */
  idleTimeoutMs?: number;
  /** Honour HTTP_PROXY / HTTPS_PROXY / NO_PROXY (default true). */
  useEnvProxy?: boolean;
  /** One dispatcher for every host instead of the per-host pools (e.g. an undici MockAgent in tests). */
  dispatcher?: Dispatcher;
}

/** One undici dispatcher per registry host, each with its own connection cap and TLS settings. */
export class HostDispatchers {
  readonly options: TransportOptions;
  #byHost = new Map<string, Dispatcher>();

  constructor(options: TransportOptions = {}) {
    this.options = options;
  }

  /** `http:` for opted-in plain-HTTP hosts, else `https:`. */
  scheme(host: string): 'http:' | 'https:' {
    return matches(this.options.plainHttp, host) ? 'http:' : 'https:';
  }

  /** The dispatcher for `host` (created on first use; keeps connections alive). */
  for(host: string): Dispatcher {
    if (this.options.dispatcher) return this.options.dispatcher;
    let d = this.#byHost.get(host);
    if (!d) {
      d = this.#create(host);
      this.#byHost.set(host, d);
    }
    return d;
  }

  async close(): Promise<void> {
    // A caller-provided dispatcher belongs to the caller.
    const all = [...this.#byHost.values()];
    this.#byHost.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }

  #create(host: string): Dispatcher {
    const o = this.options;
    const tls = {
      rejectUnauthorized: !matches(o.insecureSkipTlsVerify, host),
      ...(o.ca === undefined ? {} : { ca: o.ca as string | Buffer | (string | Buffer)[] }),
    };
    const common = {
      connections: o.connectionsPerHost ?? 6,
      headersTimeout: o.headersTimeoutMs ?? 30_000,
      bodyTimeout: o.idleTimeoutMs ?? 30_000,
      keepAliveTimeout: 30_000,
      connect: { ...tls, timeout: 15_000 },
    };
    const env = process.env;
    const proxied =
      (o.useEnvProxy ?? true) &&
      Boolean(env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy);
    return proxied ? new EnvHttpProxyAgent({ ...common, requestTls: tls }) : new Agent(common);
  }
}

function matches(list: readonly string[] | undefined, host: string): boolean {
  if (!list) return false;
  const bare = host.replace(/:\d+$/, '');
  return list.some((h) => h === host || h === bare);
}
