// The shape and defaults of the two process configuration files, hive.toml and edge.toml, as
// JSON Schemas. The loader validates the layered result (defaults, file, env, flags) against
// them; defaults, env var names and the field list of docs/configuration.md follow from the
// field paths here. Typed configs keep the TOML's snake_case names: they are the documented ones.

import { MAX_ACCOUNTS_PER_EDGE } from '../scenario/schema.js';

export type ConfigKind = 'hive' | 'edge';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The well-known public test mnemonic (Hardhat, Anvil, Nitro devnets). Not a secret. */
export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
/** 18248 = 0x4748, "GH": keeps GasHammer's accounts apart from the usual m/44'/60'/0'/0/i ones. */
export const DEFAULT_DERIVATION_BASE = "m/44'/60'/0'/0'/18248";
/** Largest BIP-32 child index before the hardened bit. */
export const MAX_BIP32_INDEX = 2 ** 31 - 1;

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

export interface HiveConfig {
  readonly server: {
    readonly bind_address: string;
    /** Absent: the bind address (127.0.0.1 for 0.0.0.0 and ::). */
    readonly advertise_address?: string;
    readonly rest_port: number;
    readonly grpc_port: number;
  };
  readonly storage: {
    readonly data_dir: string;
    readonly parquet_rotation_size_mb: number;
    readonly parquet_rotation_interval_secs: number;
  };
  readonly telemetry: { readonly prometheus_port: number };
  readonly logging: LoggingConfig;
}

export interface EdgeConfig {
  readonly edge: {
    readonly name: string;
    readonly region?: string;
  };
  readonly hive: { readonly address: string };
  readonly nitro: {
    /** Absent: the edge uses the sequencer RPC of the run's scenario target. */
    readonly sequencer_rpc?: string;
    /** Absent: the sequencer RPC is used for reads too. */
    readonly gateway_rpc?: string;
    readonly feed_relay?: string;
    readonly rpc: {
      readonly timeout_ms: number;
      /** Retries of reads and receipt polls only: a submission is never retried. */
      readonly max_retries: number;
      readonly connection_pool_size: number;
    };
  };
  readonly accounts: {
    /** Secret unless it is TEST_MNEMONIC. */
    readonly mnemonic: string;
    readonly count: number;
    /** Normalised: hex segments written as decimal. */
    readonly derivation_base: string;
  };
  readonly telemetry: {
    readonly buffer_size: number;
    readonly batch_size: number;
    readonly flush_interval_ms: number;
    readonly prometheus_port: number;
  };
  readonly logging: LoggingConfig;
}

export type ConfigOf<K extends ConfigKind> = K extends 'hive' ? HiveConfig : EdgeConfig;

// ---------------------------------------------------------------------------------------------
// Value shapes

const LABEL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const BIND_ADDRESS_PATTERN = '^[A-Za-z0-9._:%-]+$';
const HOST_PORT_PATTERN = '^(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}$';
const HTTP_URL_PATTERN = '^https?://[^\\s]+$';
const WS_URL_PATTERN = '^wss?://[^\\s]+$';
const DERIVATION_PATTERN = "^m(?:/(?:[0-9]+|0[xX][0-9A-Fa-f]+)'?)+$";

/** Human words for the patterns above, used in error messages. */
export const PATTERN_WORDS: Record<string, string> = {
  [LABEL_PATTERN]: 'letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters',
  [BIND_ADDRESS_PATTERN]: 'an IP address or host name, without a port (e.g. 127.0.0.1, 0.0.0.0, ::)',
  [HOST_PORT_PATTERN]: 'host:port, e.g. hive.internal:9090 or [::1]:9090',
  [HTTP_URL_PATTERN]: 'an http:// or https:// URL',
  [WS_URL_PATTERN]: 'a ws:// or wss:// URL',
  [DERIVATION_PATTERN]: "a BIP-32 path such as m/44'/60'/0'/0'/18248 (segments in decimal or 0x hex, ' for hardened)",
};

function strictObject(properties: Record<string, unknown>, description: string) {
  return { type: 'object', additionalProperties: false, properties, description } as const;
}

/** A listening port; 0 asks the system for any free one (the process logs which it got). */
const port = (def: number, description: string) =>
  ({ type: 'integer', minimum: 0, maximum: 65535, default: def, description }) as const;

const count = (min: number, max: number, def: number, description: string) =>
  ({ type: 'integer', minimum: min, maximum: max, default: def, description }) as const;

const logging = strictObject(
  {
    level: { type: 'string', enum: LOG_LEVELS, default: 'info', description: 'Lowest level written.' },
    format: {
      type: 'string',
      enum: LOG_FORMATS,
      default: 'json',
      description: 'json: one JSON object per line; pretty: human-readable lines.',
    },
  },
  'Structured logs, written to stderr.',
);

// ---------------------------------------------------------------------------------------------
// hive.toml

export const HIVE_CONFIG_SCHEMA = {
  $id: 'https://gashammer.dev/schema/hive-config.json',
  title: 'GasHammer hive configuration (hive.toml)',
  ...strictObject(
    {
      server: strictObject(
        {
          bind_address: {
            type: 'string',
            pattern: BIND_ADDRESS_PATTERN,
            default: '127.0.0.1',
            // Loopback by default so a fresh hive is not reachable from the network by accident.
            description: 'Address the REST and gRPC listeners bind to. Use 0.0.0.0 (or ::) when edges run on other hosts.',
          },
          advertise_address: {
            type: 'string',
            pattern: BIND_ADDRESS_PATTERN,
            description: "Host name or address edges on other hosts reach this hive's fault proxy at (default: the bind address; 127.0.0.1 for 0.0.0.0 and ::).",
          },
          rest_port: port(8080, 'Port of the REST API (0: any free port).'),
          grpc_port: port(9090, 'Port of the gRPC service edges connect to (0: any free port).'),
        },
        'Listeners.',
      ),
      storage: strictObject(
        {
          data_dir: { type: 'string', minLength: 1, default: '/var/lib/gashammer', description: 'Directory for run data and Parquet files.' },
          parquet_rotation_size_mb: count(1, 1_048_576, 256, 'Start a new Parquet file once the current one reaches this size (MiB).'),
          parquet_rotation_interval_secs: count(1, 604_800, 3600, 'Start a new Parquet file at least this often (seconds).'),
        },
        'Telemetry storage.',
      ),
      telemetry: strictObject({ prometheus_port: port(9091, 'Port of the Prometheus /metrics endpoint (0: any free port).') }, 'Metrics.'),
      logging,
    },
    'hive.toml',
  ),
} as const;

// ---------------------------------------------------------------------------------------------
// edge.toml

export const EDGE_CONFIG_SCHEMA = {
  $id: 'https://gashammer.dev/schema/edge-config.json',
  title: 'GasHammer edge configuration (edge.toml)',
  ...strictObject(
    {
      edge: strictObject(
        {
          name: {
            type: 'string',
            pattern: LABEL_PATTERN,
            description: 'Name of this edge in reports. Default: edge-<hostname>, with other characters turned into "-".',
          },
          region: { type: 'string', pattern: LABEL_PATTERN, description: 'Optional region label, for grouping edges in reports.' },
        },
        'This edge.',
      ),
      hive: strictObject(
        { address: { type: 'string', pattern: HOST_PORT_PATTERN, default: 'localhost:9090', description: 'gRPC address of the hive.' } },
        'The hive this edge registers with.',
      ),
      nitro: strictObject(
        {
          sequencer_rpc: {
            type: 'string',
            pattern: HTTP_URL_PATTERN,
            description: "Sequencer JSON-RPC URL that transactions are sent to. Absent: the run's scenario target decides.",
          },
          gateway_rpc: {
            type: 'string',
            pattern: HTTP_URL_PATTERN,
            description: 'JSON-RPC URL for reads and receipts. Absent: sequencer_rpc.',
          },
          feed_relay: { type: 'string', pattern: WS_URL_PATTERN, description: 'Sequencer feed relay URL, for soft-confirmation timing.' },
          rpc: strictObject(
            {
              timeout_ms: count(1, 600_000, 5000, 'Timeout of one JSON-RPC request (ms).'),
              max_retries: count(0, 100, 3, 'Retries of a failed read or receipt poll. Submissions are never retried.'),
              // 64, not fewer: the edge must not be the bottleneck it measures. With 200 ms added to
              // each request (a latency fault, a distant node) 16 connections carry at most 80
              // requests/s, below a 2 Mgas/s transfer load, and the edge's own queue grew into
              // timeouts; 64 carry 320/s there.
              connection_pool_size: count(1, 1024, 64, 'HTTP connections kept open per RPC endpoint.'),
            },
            'JSON-RPC client.',
          ),
        },
        'The Nitro chain under test.',
      ),
      accounts: strictObject(
        {
          mnemonic: {
            type: 'string',
            minLength: 1,
            default: TEST_MNEMONIC,
            description: 'BIP-39 mnemonic the load accounts derive from. Secret unless it is the public test mnemonic.',
          },
          count: count(1, MAX_ACCOUNTS_PER_EDGE, 100, 'Accounts this edge derives and sends from.'),
          derivation_base: {
            type: 'string',
            pattern: DERIVATION_PATTERN,
            default: DEFAULT_DERIVATION_BASE,
            description: 'BIP-32 path under which the accounts are derived.',
          },
        },
        'Load accounts.',
      ),
      telemetry: strictObject(
        {
          buffer_size: count(1, 16_777_216, 65536, 'Telemetry events held in memory while the hive is slow or away.'),
          batch_size: count(1, 1_048_576, 1024, 'Events per batch sent to the hive; at most buffer_size.'),
          flush_interval_ms: count(1, 600_000, 1000, 'Send a partial batch after this long (ms).'),
          prometheus_port: port(9092, 'Port of the Prometheus /metrics endpoint (0: any free port). Not 9091, the hive\'s, so both run on one machine.'),
        },
        'Telemetry sent to the hive.',
      ),
      logging,
    },
    'edge.toml',
  ),
} as const;

export function configSchema(kind: ConfigKind): typeof HIVE_CONFIG_SCHEMA | typeof EDGE_CONFIG_SCHEMA {
  return kind === 'hive' ? HIVE_CONFIG_SCHEMA : EDGE_CONFIG_SCHEMA;
}

// ---------------------------------------------------------------------------------------------
// Fields

export type FieldType = 'string' | 'integer';

/** One leaf of a configuration file. */
export interface ConfigField {
  /** Dotted path, e.g. `nitro.rpc.timeout_ms`. */
  readonly path: string;
  readonly type: FieldType;
  /** Undefined for optional fields and for computed defaults (edge.name). */
  readonly default?: string | number;
  readonly description: string;
  readonly env: string;
  /** Never shown: replaced by *** in output unless it equals its public default. */
  readonly secret: boolean;
  /** A URL: shown only through redactUrl(). */
  readonly url: boolean;
}

/** Paths whose values must never be shown. */
export const SECRET_PATHS: ReadonlySet<string> = new Set(['accounts.mnemonic']);
/** Paths holding URLs, which may carry credentials. */
export const URL_PATHS: ReadonlySet<string> = new Set(['nitro.sequencer_rpc', 'nitro.gateway_rpc', 'nitro.feed_relay']);

/** `nitro.rpc.timeout_ms` -> `GASHAMMER_NITRO_RPC_TIMEOUT_MS`. */
export function envVarName(path: string): string {
  return `GASHAMMER_${path.replace(/\./g, '_').toUpperCase()}`;
}

/** Shorter names kept for the settings people reach for most. */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  GASHAMMER_LOG_LEVEL: 'logging.level',
  GASHAMMER_LOG_FORMAT: 'logging.format',
};

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly default?: string | number;
  readonly description?: string;
}

function leaves(node: SchemaNode, prefix: string, out: ConfigField[]): ConfigField[] {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object') {
      leaves(child, path, out);
      continue;
    }
    out.push({
      path,
      type: child.type === 'integer' ? 'integer' : 'string',
      ...(child.default === undefined ? {} : { default: child.default }),
      description: child.description ?? '',
      env: envVarName(path),
      secret: SECRET_PATHS.has(path),
      url: URL_PATHS.has(path),
    });
  }
  return out;
}

const FIELDS: Record<ConfigKind, readonly ConfigField[]> = {
  hive: leaves(HIVE_CONFIG_SCHEMA as SchemaNode, '', []),
  edge: leaves(EDGE_CONFIG_SCHEMA as SchemaNode, '', []),
};

/** Every leaf of a kind's file, in file order. */
export function configFields(kind: ConfigKind): readonly ConfigField[] {
  return FIELDS[kind];
}

// ---------------------------------------------------------------------------------------------
// Defaults

/** `edge-<hostname>`, reduced to a valid label. */
export function defaultEdgeName(hostname: string): string {
  const host = hostname.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `edge-${host || 'local'}`.slice(0, 64).replace(/-+$/, '');
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (const seg of segments.slice(0, -1)) {
    node[seg] ??= {};
    node = node[seg] as Record<string, unknown>;
  }
  node[segments[segments.length - 1]!] = value;
}

function tablesOf(node: SchemaNode, out: Record<string, unknown>): Record<string, unknown> {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (child.type === 'object') out[key] = tablesOf(child, {});
  }
  return out;
}

/** A fresh copy of a kind's defaults; every table present, optional fields absent. */
export function configDefaults(kind: 'hive'): HiveConfig;
export function configDefaults(kind: 'edge', hostname: string): EdgeConfig;
export function configDefaults(kind: ConfigKind, hostname?: string): HiveConfig | EdgeConfig;
export function configDefaults(kind: ConfigKind, hostname = 'local'): HiveConfig | EdgeConfig {
  const out = tablesOf(configSchema(kind) as SchemaNode, {});
  for (const f of configFields(kind)) if (f.default !== undefined) setPath(out, f.path, f.default);
  if (kind === 'edge') setPath(out, 'edge.name', defaultEdgeName(hostname));
  return out as unknown as HiveConfig | EdgeConfig;
}
