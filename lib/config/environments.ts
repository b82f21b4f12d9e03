import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ZoneName } from '../../core/lake/zones';
import type { LogLevel } from '../ingestion/ingest-drop-function';
import type { PartnerEndpoint } from '../ingestion/partner-verdict-topic';
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

  readonly ingestion: {
    /** The ledger table refuses deletion (by anyone, CloudFormation included) while this is on. */
    readonly ledgerDeletionProtection: boolean;
    /** How long the validation Lambda's logs are kept. */
    readonly logRetention: RetentionDays;
    /** LOG_LEVEL of the validation Lambda, also its Lambda application log level. */
    readonly logLevel: LogLevel;
    /** At most this many drops are validated at once (the SQS event source's maximum concurrency, 2 to 1000). */
    readonly maxConcurrency: number;
    /**
     * Who hears each partner's verdicts, by partner id (the first segment of the landing key):
     * each endpoint is subscribed to the verdict topic with a filter on the `partner` message
     * attribute, so it receives that partner's verdicts only.
     */
    readonly partnerNotificationEndpoints: Readonly<Record<string, readonly PartnerEndpoint[]>>;
  };

  /** The Spark path: the Glue plan-runner jobs and the pipeline's state machine (docs/infrastructure.md, Processing). */
  readonly processing: {
    /** Worker type of every plan-runner job (G.1X: 4 vCPUs, 16 GB; G.2X: 8 vCPUs, 32 GB). */
    readonly workerType: glue.WorkerType;
    /** Workers per job run, the driver included (at least 2). */
    readonly numberOfWorkers: number;
    /** Glue stops a job run (state TIMEOUT) after this long. */
    readonly jobTimeout: Duration;
    /**
     * How many times the state machine starts a stage's job again after a failed or timed-out
     * run (plans are idempotent full runs, so a second run is safe). Glue's own retries stay at 0:
     * a retry Glue starts is a new job run that Step Functions does not wait for.
     */
    readonly jobRunRetries: number;
    /** The whole pipeline execution fails (and alarms) after this long. */
    readonly pipelineTimeout: Duration;
    /** When EventBridge starts the pipeline; undefined: only by hand (`aws stepfunctions start-execution`). */
    readonly schedule: events.Schedule | undefined;
    /** How long the jobs' and the state machine's logs are kept. */
    readonly logRetention: RetentionDays;
    /** Scratch left by failed runs (the steps' rows, for inspection) expires after this long. */
    readonly scratchRetention: Duration;
    /** First day of the raw tables' `ingest_date` partition projection (YYYY-MM-DD): no drop is older. */
    readonly firstIngestDate: string;
  };

  /** Analysts' access: the Athena workgroup. */
  readonly consumption: {
    /** Athena cancels a query of the workgroup once it has scanned this many bytes (at least 10 MB). */
    readonly bytesScannedCutoffPerQuery: number;
    /** Query results expire from the results bucket after this long. */
    readonly queryResultRetention: Duration;
  };
}

const GIB = 1024 ** 3;

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
    ingestion: {
      ledgerDeletionProtection: false,
      logRetention: RetentionDays.ONE_MONTH,
      // Synthetic data only, so debug logs cannot leak a real person.
      logLevel: 'DEBUG',
      maxConcurrency: 5,
      partnerNotificationEndpoints: {},
    },
    processing: {
      workerType: glue.WorkerType.G_1X,
      numberOfWorkers: 2,
      jobTimeout: Duration.hours(1),
      // Synthetic data: a failure is a bug to look at, not a blip to ride out.
      jobRunRetries: 0,
      pipelineTimeout: Duration.hours(4),
      // Started by hand: dev runs when someone is looking at it.
      schedule: undefined,
      logRetention: RetentionDays.ONE_MONTH,
      scratchRetention: Duration.days(3),
      firstIngestDate: '2025-01-01',
    },
    consumption: {
      bytesScannedCutoffPerQuery: 10 * GIB,
      queryResultRetention: Duration.days(7),
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
    ingestion: {
      // The ledger is what makes a redelivered drop a no-op: losing it would ingest files twice.
      ledgerDeletionProtection: true,
      logRetention: RetentionDays.ONE_YEAR,
      logLevel: 'INFO',
      maxConcurrency: 10,
      partnerNotificationEndpoints: {},
    },
    processing: {
      workerType: glue.WorkerType.G_2X,
      numberOfWorkers: 10,
      jobTimeout: Duration.hours(6),
      jobRunRetries: 1,
      pipelineTimeout: Duration.hours(24),
      // Weekly, early Sunday in California (09:00 UTC): partners drop monthly or less often.
      schedule: events.Schedule.expression('cron(0 9 ? * SUN *)'),
      logRetention: RetentionDays.ONE_YEAR,
      scratchRetention: Duration.days(14),
      firstIngestDate: '2025-01-01',
    },
    consumption: {
      bytesScannedCutoffPerQuery: 100 * GIB,
      queryResultRetention: Duration.days(30),
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
