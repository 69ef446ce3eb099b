// Public API of @hub/api-types/errors: the shared error base. No zod, no other dependency.
export {
  causeFromUnknown,
  errorChain,
  type HubBoundaryCode,
  HubError,
  type HubErrorOptions,
  hubErrorGuard,
  isAbortError,
  isHubError,
  toHubError,
} from './hub-error.ts';
