import { parseArgs } from 'node:util';
import { UsageError } from '@hub/api-types/cli';

// The one usage error of every hub CLI (exit 2, reported by reportUsage); re-exported where it always was.
export { UsageError };

/** One flag: `--name`, also read from `HUB_<NAME_IN_UPPER_SNAKE>`; a flag on the command line wins over its env var. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder in --help (`N`, `PATH`, `create|wait`). */
  value?: string;
  /** The default as text (shown in --help); absent: unset. */
  default?: string;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  help: string;
}

/** A feature's flags: adding a feature's flags is one new group in FLAG_GROUPS. */
export interface FlagGroup {
  title: string;
  flags: readonly FlagSpec[];
}

/** Parsed flags: strings by name (booleans as `true`/`false`). */
export type FlagValues = Readonly<Record<string, string | undefined>>;

export function envName(flag: string): string {
  return `HUB_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** Parses `argv` against the groups, filling from `env` and defaults; throws UsageError on bad usage. */
export function parseFlags(
  argv: readonly string[],
  groups: readonly FlagGroup[],
  env: Readonly<Record<string, string | undefined>>,
): { values: FlagValues; help: boolean } {
  const specs = groups.flatMap((g) => g.flags);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const spec of specs) options[spec.name] = { type: spec.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error),
    );
  }
  const values: Record<string, string | undefined> = {};
  for (const spec of specs) {
    const given = parsed.values[spec.name];
    let value: string | undefined;
    if (given !== undefined) value = String(given);
    else if (env[envName(spec.name)] !== undefined && env[envName(spec.name)] !== '')
      value = env[envName(spec.name)];
    else value = spec.default;
    if (spec.type === 'boolean' && value !== undefined && value !== 'true' && value !== 'false') {
      throw new UsageError(`${envName(spec.name)} must be true or false, not ${JSON.stringify(value)}`);
    }
    if (spec.choices && value !== undefined && !spec.choices.includes(value)) {
      throw new UsageError(
        `--${spec.name} must be one of ${spec.choices.join(', ')}, not ${JSON.stringify(value)}`,
      );
    }
    values[spec.name] = value;
  }
  return { values, help: parsed.values.help === true };
}

/** `--help` text: usage, then one section per group. */
export function renderHelp(usage: string, groups: readonly FlagGroup[]): string {
  const lines = [usage, ''];
  for (const group of groups) {
    lines.push(`${group.title}:`);
    for (const spec of group.flags) {
      const left = `  --${spec.name}${spec.value ? ` ${spec.value}` : ''}`;
      const dflt = spec.default !== undefined && spec.type !== 'boolean' ? ` (default ${spec.default})` : '';
      lines.push(`${left.padEnd(40)} ${spec.help}${dflt}  [${envName(spec.name)}]`);
    }
    lines.push('');
  }
  lines.push('  -h, --help                             show this help', '');
  return lines.join('\n');
}

/** A non-negative integer flag value, or a UsageError naming the flag. */
export function intFlag(values: FlagValues, name: string): number {
  const raw = values[name] ?? '';
  if (!/^\d+$/.test(raw))
    throw new UsageError(`--${name} must be a non-negative integer, not ${JSON.stringify(raw)}`);
  return Number(raw);
}
