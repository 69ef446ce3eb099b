import { HubError, type HubErrorOptions, hubErrorGuard } from '@hub/api-types/errors';

/** Closed set of failure kinds of the test environment. */
export type TestEnvErrorCode =
  | 'BINARY_NOT_FOUND'
  | 'BUILD_FAILED'
  | 'START_TIMEOUT'
  | 'PROCESS_EXITED'
  | 'CRD_TIMEOUT'
  | 'WEBHOOK_TIMEOUT'
  | 'REGISTRY_NOT_INSTALLED'
  | 'PUSH_FAILED'
  | 'INVALID_ARGUMENT';

/** Whether trying again may help: a server that was slow on a loaded machine may start next time. */
const RETRYABLE: Readonly<Record<TestEnvErrorCode, boolean>> = {
  BINARY_NOT_FOUND: false,
  BUILD_FAILED: false,
  START_TIMEOUT: true,
  PROCESS_EXITED: false,
  CRD_TIMEOUT: true,
  WEBHOOK_TIMEOUT: true,
  REGISTRY_NOT_INSTALLED: false,
  PUSH_FAILED: false,
  INVALID_ARGUMENT: false,
};

export interface TestEnvErrorOptions extends HubErrorOptions {
  /** Tail of the failing process' stderr/stdout, or an HTTP response body, when there is one. */
  output?: string;
}

/** Every error the test environment throws. Process output is kept in `output`, never in `message`. */
export class TestEnvError extends HubError<TestEnvErrorCode> {
  override readonly name = 'TestEnvError';
  /** Tail of the failing process' stderr/stdout, or an HTTP response body, when there is one. */
  readonly output: string | undefined;

  constructor(code: TestEnvErrorCode, message: string, options: TestEnvErrorOptions = {}) {
    super(code, message, { cause: options.cause, retryable: options.retryable ?? RETRYABLE[code] });
    this.output = options.output;
  }
}

/** Brand guard for TestEnvError that also works across two installed copies of @hub/test-env. */
export const isTestEnvError = hubErrorGuard<TestEnvError>('TestEnvError');
