import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ZoneName } from '../../core/lake/zones';
import type { ZoneLifecycle } from '../storage/lake-zone';

/** A mistake in how the app was invoked or configured: shown to the operator as a message, without a stack trace. */
export class ConfigurationError extends Error {
  public override readonly name = 'ConfigurationError';
}

export const ENVIRONMENT_NAMES = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** The default when the CDK context has no `env` (`cdk synth` without `-c env=...`). */
export const DEFAULT_ENVIRONMENT: EnvironmentName = 'dev';

export interface EnvironmentConfig {
  readonly name: EnvironmentName;

  /**
   * AWS account to deploy to. Undefined synthesizes an account-agnostic template, which is
   * what happens offline and without credentials.
   */
  readonly account: string | undefined;
  /** Fixed per environment: where the state's data lives is a decision, not the operator's CLI default. */
  readonly region: string;

  /** Lowercase prefix for physical names: KMS aliases, Glue databases. */
  readonly namePrefix: string;

  /** Applied to everything that holds data or decrypts it: buckets, KMS keys, Glue databases. */
  readonly removalPolicy: RemovalPolicy;
  /** Empty buckets on stack deletion, so `cdk destroy` works. Only with `RemovalPolicy.DESTROY`. */
  readonly autoDeleteObjects: boolean;
  /** CloudFormation refuses to delete the stacks while this is on. */
  readonly terminationProtection: boolean;
  /** How long a KMS key released by the stack stays recoverable (7 to 30 days). */
  readonly keyDeletionWindow: Duration;

  readonly storage: {
    readonly zoneLifecycle: Record<ZoneName, ZoneLifecycle>;
    readonly accessLogRetention: Duration;
  };
}

/** Every zone with the same lifecycle, then the named zones replaced. */
function lifecyclePerZone(
  everyZone: ZoneLifecycle,
  overrides: Partial<Record<ZoneName, ZoneLifecycle>> = {},
): Record<ZoneName, ZoneLifecycle> {
  return {
    landing: everyZone,
    raw: everyZone,
    quarantine: everyZone,
    identity: everyZone,
    linked: everyZone,
    outcomes: everyZone,
    published: everyZone,
    ...overrides,
  };
}

type Environment = Readonly<Record<string, string | undefined>>;

function dev(env: Environment): EnvironmentConfig {
  return {
    name: 'dev',
    account: env.C2C_DEV_ACCOUNT ?? env.CDK_DEFAULT_ACCOUNT,
    region: 'us-west-2',
    namePrefix: 'c2c-dev',
    // Dev holds synthetic data only: tear it down completely.
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    terminationProtection: false,
    keyDeletionWindow: Duration.days(7),
    storage: {
      zoneLifecycle: lifecyclePerZone({ noncurrentVersionExpiration: Duration.days(7) }),
      accessLogRetention: Duration.days(30),
    },
  };
}

function prod(env: Environment): EnvironmentConfig {
  const superseded = (days: number): ZoneLifecycle => ({ noncurrentVersionExpiration: Duration.days(days) });
  return {
    name: 'prod',
    account: env.C2C_PROD_ACCOUNT ?? env.CDK_DEFAULT_ACCOUNT,
    region: 'us-west-2',
    namePrefix: 'c2c-prod',
    // Partner data and the keys that decrypt it outlive any stack.
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
    terminationProtection: true,
    keyDeletionWindow: Duration.days(30),
    storage: {
      zoneLifecycle: lifecyclePerZone(superseded(90), {
        // A drop deleted after ingest stays recoverable for a month.
        landing: superseded(30),
        // Raw and quarantine only grow. Intelligent-Tiering moves what nobody reads to cheaper tiers
        // and back on the next read, without retrieval fees, so a full re-link costs nothing extra.
        raw: { ...superseded(90), transitionToIntelligentTieringAfter: Duration.days(30) },
        quarantine: { ...superseded(90), transitionToIntelligentTieringAfter: Duration.days(30) },
        // Rebuilt on every run: old versions pile up fast, and people who opt out must not linger in them.
        linked: superseded(30),
        outcomes: superseded(30),
        published: superseded(30),
      }),
      accessLogRetention: Duration.days(730),
    },
  };
}

const CONFIGS: Record<EnvironmentName, (env: Environment) => EnvironmentConfig> = { dev, prod };

/**
 * The configuration of a named environment. The account can be pinned with `C2C_DEV_ACCOUNT` /
 * `C2C_PROD_ACCOUNT`; otherwise it is the CLI's `CDK_DEFAULT_ACCOUNT`, undefined without credentials.
 */
export function environmentConfig(name: EnvironmentName, env: Environment = process.env): EnvironmentConfig {
  return CONFIGS[name](env);
}

/** Reads the `env` context value (`-c env=prod`), defaulting to dev; anything else is an error. */
export function resolveEnvironmentName(contextValue: unknown): EnvironmentName {
  if (contextValue === undefined) {
    return DEFAULT_ENVIRONMENT;
  }
  if (isEnvironmentName(contextValue)) {
    return contextValue;
  }
  throw new ConfigurationError(
    `Unknown environment ${JSON.stringify(contextValue)} (from -c env=...). ` +
      `Valid environments: ${ENVIRONMENT_NAMES.join(', ')}.`,
  );
}

function isEnvironmentName(value: unknown): value is EnvironmentName {
  const names: readonly unknown[] = ENVIRONMENT_NAMES;
  return names.includes(value);
}
