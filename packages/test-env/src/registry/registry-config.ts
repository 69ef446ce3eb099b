import { stringify } from 'yaml';

/** Inputs of {@link renderRegistryConfig}. */
export interface RegistryConfigInput {
  port: number;
  /** Listen address; 127.0.0.1 when omitted (a test node's host address when it serves the node). */
  host?: string;
  storageDir: string;
  readOnly: boolean;
  /** `http.secret`; distribution warns (and signs upload state with a random one) when it is missing. */
  secret: string;
  /** Token authentication (distribution's `auth.token`); omitted: no authentication. */
  auth?: RegistryTokenAuth;
}

/** distribution's `auth.token` section: the registry sends clients to `realm` and trusts `rootCertBundle`. */
export interface RegistryTokenAuth {
  /** The token endpoint, e.g. `http://127.0.0.1:PORT/token`. */
  realm: string;
  /** The `service` clients ask for; tokens must carry it as `aud`. */
  service: string;
  /** The `iss` tokens must carry. */
  issuer: string;
  /** Path of the PEM certificate bundle of the keys that sign tokens (read once, at start). */
  rootCertBundle: string;
}

/**
 * A distribution (registry:2) configuration: filesystem storage under `storageDir`, loopback only, deletes
 * enabled, no upload purging (it would touch a read-only tree), and maintenance read-only mode when asked.
 */
export function renderRegistryConfig(input: RegistryConfigInput): string {
  return stringify({
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: input.storageDir },
      delete: { enabled: !input.readOnly },
      maintenance: {
        uploadpurging: { enabled: false },
        readonly: { enabled: input.readOnly },
      },
    },
    http: { addr: `${input.host ?? '127.0.0.1'}:${input.port}`, secret: input.secret },
    ...(input.auth
      ? {
          auth: {
            token: {
              realm: input.auth.realm,
              service: input.auth.service,
              issuer: input.auth.issuer,
              rootcertbundle: input.auth.rootCertBundle,
            },
          },
        }
      : {}),
  });
}
