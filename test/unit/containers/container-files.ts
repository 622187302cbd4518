// Readers for the container files (docker-compose.yml, Dockerfile), for tests that run without a Docker engine.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const readText = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

// --- docker-compose.yml ------------------------------------------------------------------------------------------

export interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The compose file as compose sees it before interpolation: YAML merge keys (`<<: *anchor`) applied. */
export function readCompose(): ComposeFile {
  return parse(readText('docker-compose.yml'), { merge: true }) as ComposeFile;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

/** A service's `environment`, in either of compose's two spellings, as name → raw (uninterpolated) value. */
export function rawEnvironment(s: ComposeService): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export class MissingVariable extends Error {
  constructor(
    readonly variable: string,
    readonly hint: string,
  ) {
    super(`${variable}: ${hint}`);
  }
}

/**
 * Compose's variable interpolation over one string, against the caller's environment: `$$`, `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`.
 * A required variable that is missing throws MissingVariable; any other `$` is a syntax error, as in compose.
 */
export function interpolate(text: string, caller: Record<string, string | undefined>): string {
  return text.replace(
    /\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|)/g,
    (
      _whole,
      dollar: string | undefined,
      bare: string | undefined,
      name: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      at: number,
    ) => {
      if (dollar) return '$';
      if (bare) return caller[bare] ?? '';
      if (!name) throw new Error(`invalid interpolation at "${text.slice(at, at + 20)}" in "${text}"`);
      const value = caller[name];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (op) {
        case undefined:
          return value ?? '';
        case ':-':
          return nonEmpty ? value : arg!;
        case '-':
          return set ? value : arg!;
        case ':?':
          if (!nonEmpty) throw new MissingVariable(name, arg!);
          return value;
        case '?':
          if (!set) throw new MissingVariable(name, arg!);
          return value;
        case ':+':
          return nonEmpty ? arg! : '';
        case '+':
          return set ? arg! : '';
        default:
          throw new Error(`unknown interpolation operator ${op}`);
      }
    },
  );
}

/** Every `${VAR:?…}` / `${VAR?…}` in a string: the variables compose refuses to start without. */
export function requiredVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]!);
}

/** Every string anywhere in a parsed YAML value, keys included (compose interpolates values only, but a `$` in a key is a mistake too). */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  return [];
}

export function asArgv(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  return Array.isArray(command) ? command.map(String) : command.split(/\s+/).filter(Boolean);
}

/** depends_on in its long form: service → condition (the short form means service_started). */
export function dependencies(s: ComposeService): Record<string, string> {
  const d = s.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([name, v]) => [name, v?.condition ?? 'service_started']));
}

export interface PortMapping {
  hostIp: string | undefined;
  published: string | undefined;
  target: string;
}

export function portMappings(s: ComposeService): PortMapping[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') {
      return { hostIp: p.host_ip, published: p.published === undefined ? undefined : String(p.published), target: String(p.target) };
    }
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = parts.pop()!;
    const published = parts.pop();
    return { hostIp: parts.pop(), published, target };
  });
}

/** Named volumes a service mounts (a source that is not a path), with their mount points. */
export function namedVolumes(s: ComposeService): { source: string; target: string }[] {
  return (s.volumes ?? []).flatMap((v) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.type === 'volume' || !v.type ? v.source : undefined, v.target];
    return source && target && !/^[./~]/.test(source) ? [{ source, target }] : [];
  });
}

/** A healthcheck's `test` as an argv for exec: `CMD` dropped; `CMD-SHELL` and a plain string run by sh. */
export function healthcheckArgv(test: string | string[]): string[] {
  if (typeof test === 'string') return ['sh', '-c', test];
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ')];
  throw new Error(`healthcheck test of kind ${kind}`);
}

// --- Dockerfile --------------------------------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's instructions by stage: comments dropped, continuation lines joined. */
export function readDockerfile(): Stage[] {
  const lines = readText('Dockerfile').split('\n');
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of lines) {
    if (/^\s*#/.test(line)) continue; // comments (and parser directives), also between continuation lines
    if (!pending && !line.trim()) continue;
    const continued = /\\\s*$/.test(line);
    pending += (pending ? ' ' : '') + line.replace(/\\\s*$/, '').trim();
    if (continued) continue;
    const m = /^(\S+)\s*(.*)$/.exec(pending)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
    pending = '';
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`cannot read FROM ${ins.args}`);
      stages.push({ from: m[1]!, name: m[2], instructions: [] });
    } else if (stages.length) {
      stages.at(-1)!.instructions.push(ins);
    } else if (ins.keyword !== 'ARG') {
      throw new Error(`${ins.keyword} before the first FROM`);
    }
  }
  return stages;
}

/** The argv of an exec-form (`["a", "b"]`) instruction argument, or of the CMD part of a HEALTHCHECK. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const argv: unknown = JSON.parse(json);
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return argv;
}

/** `ENV a=b c=d` and `ENV a b` as name → value. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (!args.includes('=') || /^\S+\s/.test(args.split('=')[0]!)) {
      const [name, ...value] = args.split(/\s+/);
      env[name!] = value.join(' ');
    } else {
      for (const pair of args.match(/\S+=("[^"]*"|\S*)/g) ?? []) {
        const eq = pair.indexOf('=');
        env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
      }
    }
  }
  return env;
}

// --- running a healthcheck command -------------------------------------------------------------------------------

/** Runs a container command on this machine (`node` is this Node.js) with only the given environment; its exit code. */
export function run(argv: string[], env: Record<string, string>, timeoutMs = 10_000): Promise<number> {
  const [file, ...args] = argv;
  const bin = file === 'node' ? process.execPath : file!;
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs }, (err) => {
      if (!err) return resolve(0);
      if (typeof err.code === 'number') return resolve(err.code);
      reject(err instanceof Error ? err : new Error(`${bin} failed`));
    });
  });
}
