export type { AuthErrorCode } from './auth-error.ts';
export { AUTH_ERROR_RETRYABLE, AuthError, isAuthError } from './auth-error.ts';
export type {
  CredentialProvider,
  Credentials,
  DockerCredentialsOptions,
  HelperRunner,
} from './credentials.ts';
export { dockerCredentials, resolveCredentials, runCredentialHelper } from './credentials.ts';
export type { DockerAuthEntry, DockerConfig } from './docker-config.ts';
export {
  dockerConfigPath,
  loadDockerConfig,
  normalizeRegistryHost,
  parseDockerConfig,
} from './docker-config.ts';
export type { RegistryAuthOptions, TokenHttp } from './registry-auth.ts';
export { RegistryAuth } from './registry-auth.ts';
export type { AuthChallenge } from './www-authenticate.ts';
export { parseWwwAuthenticate } from './www-authenticate.ts';
