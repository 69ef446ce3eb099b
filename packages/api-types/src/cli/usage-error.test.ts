import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../errors/hub-error.ts';
import { isParseArgsError, isUsageError, reportUsage, UsageError } from './usage-error.ts';

describe('usage errors', () => {
  it('are HubErrors with code USAGE, never retryable, told apart by their brand', () => {
    const error = new UsageError('--dir is required');
    expect(isHubError(error)).toBe(true);
    expect(isUsageError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'USAGE', retryable: false, message: '--dir is required' });
    expect(isUsageError(new Error('--dir is required'))).toBe(false);
  });

  it('recognises parseArgs refusals and nothing else', () => {
    let refusal: unknown;
    try {
      parseArgs({ args: ['--nope'], options: {} });
    } catch (error) {
      refusal = error;
    }
    expect(isParseArgsError(refusal)).toBe(true);
    expect(isParseArgsError(new Error('x'))).toBe(false);
    expect(isParseArgsError(undefined)).toBe(false);
  });

  it('reports two lines on stderr, naming the CLI and the --help to run, and answers exit code 2', () => {
    let stderr = '';
    const io = { stderr: { write: (text: string) => (stderr += text) } };
    expect(reportUsage(io, 'kubepkg', 'export needs -o <file>', 'kubepkg export')).toBe(2);
    expect(stderr).toBe('kubepkg: export needs -o <file>\nRun kubepkg export --help for usage.\n');
    stderr = '';
    reportUsage(io, 'hub-save', '--dir <path> is required.');
    expect(stderr).toBe('hub-save: --dir <path> is required.\nRun hub-save --help for usage.\n');
  });
});
