/** Structured logs: one JSON object per line (`ts`, `level`, `msg`, then fields), as zap's JSON encoder writes them. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry `fields`. */
  with(fields: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, error: 2, silent: 3 };

function errorFields(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const e = value as Error & { code?: unknown; detail?: unknown; status?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code === undefined ? {} : { code: e.code }),
    // KubeApiError keeps the apiserver's Status message (field errors, never credentials) in `detail`.
    ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
    ...(e.cause instanceof Error ? { cause: e.cause.message } : {}),
  };
}

export function createLogger(
  write: (line: string) => void,
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    const record: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, msg, ...base };
    for (const [key, value] of Object.entries(fields ?? {})) record[key] = errorFields(value);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ ts: record.ts, level: lvl, msg, note: 'fields were not serialisable' });
    }
    write(`${line}\n`);
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    debug: (msg, fields) => emit('debug', msg, fields),
    with: (fields) => createLogger(write, level, { ...base, ...fields }),
  };
}
