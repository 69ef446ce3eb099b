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

/** Every error the test environment throws. Process output is kept in `output`, never in `message`. */
export class TestEnvError extends Error {
  override readonly name = 'TestEnvError';
  readonly code: TestEnvErrorCode;
  /** Tail of the failing process' stderr/stdout, or an HTTP response body, when there is one. */
  readonly output: string | undefined;

  constructor(code: TestEnvErrorCode, message: string, options: { cause?: unknown; output?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.output = options.output;
  }
}
