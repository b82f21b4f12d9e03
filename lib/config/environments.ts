import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Period } from 'aws-cdk-lib/aws-apigateway';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { allContracts } from '../../core/contracts/catalog';
import type { ZoneName } from '../../core/lake/zones';
import type { PartnerUsage, Throttle } from '../api/query-api';
import type { ResearchProject } from '../governance/research-access';
import type { LogLevel } from '../ingestion/ingest-drop-function';
import type { PartnerTrust } from '../ingestion/partner-roles';
import type { PartnerEndpoint } from '../ingestion/partner-verdict-topic';
import type { SiteDomain } from '../site/site-distribution';
import type { BackupSettings } from '../storage/lake-backup';
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
    /**
     * AWS Backup of the data that cannot be rebuilt: the raw, quarantine and identity zones, the
     * access logs and the ingestion ledger. Undefined: no backups (a vault holding recovery points
     * cannot be deleted, so an environment with backups cannot be torn down by `cdk destroy`).
     */
    readonly backup: BackupSettings | undefined;
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
     * Reserve `maxConcurrency` executions for the validation Lambda: ingestion always has that
     * capacity, and cannot take more. Needs an account whose concurrency quota leaves 100
     * unreserved after it (a new account's 10 does not).
     */
    readonly reserveConcurrency: boolean;
    /**
     * Who hears each partner's verdicts, by partner id (the first segment of the landing key):
     * each endpoint is subscribed to the verdict topic with a filter on the `partner` message
     * attribute, so it receives that partner's verdicts only.
     */
    readonly partnerNotificationEndpoints: Readonly<Record<string, readonly PartnerEndpoint[]>>;
    /**
     * Who may assume each partner's role (`<prefix>-partner-<partner>`: drops into its landing
     * folders, reads its own reports), by partner id: exactly the partners of the contracts.
     */
    readonly partnerTrust: Readonly<Record<string, PartnerTrust>>;
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
    /**
     * The publish stage's Fargate task (disclosure control and publishing): vCPU units (1024 = one
     * vCPU) and memory (MiB), a valid Fargate pair. It runs on one core; memory holds the cube and the LPs.
     */
    readonly publishTask: { readonly cpu: number; readonly memoryLimitMiB: number };
  };

  /** Analysts' access: the Athena workgroup. */
  readonly consumption: {
    /** Athena cancels a query of the workgroup once it has scanned this many bytes (at least 10 MB). */
    readonly bytesScannedCutoffPerQuery: number;
    /** Query results expire from the results bucket after this long. */
    readonly queryResultRetention: Duration;
  };

  /** Lake Formation (docs/security.md, Lake Formation). */
  readonly governance: {
    /**
     * Data lake administrators besides the CDK's CloudFormation execution role (always one):
     * ARNs of IAM roles or users of the environment's account, appended to the account's list.
     * Remove one here, and deploy, before deleting its role: a deleted administrator left in the
     * list makes every later change of the settings fail with "Invalid principal".
     */
    readonly lakeAdmins: readonly string[];
    /**
     * Approved research projects: de-identified tables of their domains, through data cells
     * filters, until their end date. Synthesis fails once a project's end date has passed.
     */
    readonly researchProjects: readonly ResearchProject[];
  };

  /** The audit trail (docs/security.md, Audit trail). */
  readonly audit: {
    /**
     * How long CloudTrail's log files are kept: every object read and write of the zones, every
     * management call (Athena's queries, with their SQL and workgroup, among them).
     */
    readonly trailRetention: Duration;
    /**
     * Lock each log file for `trailRetention` (S3 Object Lock, compliance mode): nobody can
     * delete it earlier, the root user included, and `cdk destroy` cannot delete the bucket.
     */
    readonly lockTrailLogs: boolean;
    /** How long CloudWatch Logs keeps its copy of the trail's events, to search them; the log files are the record. */
    readonly trailSearchRetention: RetentionDays;
  };

  /** The Query API: API Gateway, WAF, its Lambda and Athena workgroup (docs/infrastructure.md, Query API). */
  readonly api: {
    /**
     * Browser origins allowed to call the API (CORS), the dashboard's first (the site stack's
     * `SiteUrl`: `https://<site.domain.name>`, or its CloudFront name): API Gateway's own
     * error responses (throttling, validation, WAF) can name one origin only, this one.
     */
    readonly corsOrigins: readonly string[];
    /**
     * Every operation is open to anyone, without an API key; otherwise every operation requires
     * a partner's key. GET and POST /v1/query answer the same queries, so they open and close
     * together: closing only one would protect nothing.
     */
    readonly publicRead: boolean;
    /** Requests per second, steady and in a burst, that the stage takes from all clients together. */
    readonly throttle: Throttle;
    /** Tighter limits of the operations that run Athena queries, by OpenAPI operationId. */
    readonly operationThrottles: Readonly<Record<string, Throttle>>;
    /** Partner systems by name: an API key each, on a usage plan with its own throttle and quota. */
    readonly partners: Readonly<Record<string, PartnerUsage>>;
    /** WAF blocks an IP address while it sends more than this many requests in 5 minutes. */
    readonly wafRateLimitPer5Minutes: number;
    /** How long the function's, API Gateway's and WAF's logs are kept. */
    readonly logRetention: RetentionDays;
    /** LOG_LEVEL of the function, also its Lambda application log level. */
    readonly logLevel: LogLevel;
    /** Athena cancels an API query once it has scanned this many bytes (the API's own workgroup). */
    readonly bytesScannedCutoffPerQuery: number;
    /** The handler stops an Athena query, and answers 503, after this long; also the p99 latency alarm's threshold. */
    readonly queryTimeout: Duration;
    /** Athena answers a repeated query from an earlier result up to this old (whole minutes). */
    readonly resultReuseMaxAge: Duration;
    /** The API's query results expire after this long: at least `resultReuseMaxAge`, or nothing could be reused. */
    readonly queryResultRetention: Duration;
    /**
     * Concurrency reserved for the function, which also caps the Athena queries the API runs at
     * once. Undefined: none reserved (a new account, with 10 in all, can reserve none).
     */
    readonly reservedConcurrency: number | undefined;
  };

  /** The dashboards' site: the web app in a private bucket behind CloudFront (docs/infrastructure.md, Site). */
  readonly site: {
    /**
     * The site's own domain and its ACM certificate (in us-east-1). Undefined: CloudFront's
     * `*.cloudfront.net` name and certificate, whose TLS policy cannot be raised above TLSv1.
     * With a domain, `api.corsOrigins` must start with `https://<name>`; without one, with the
     * stack's `SiteUrl` output, after the first deployment.
     */
    readonly domain: SiteDomain | undefined;
    /** Which CloudFront edge locations serve the site (and what they cost). */
    readonly priceClass: PriceClass;
    /** Countries (ISO 3166-1 alpha-2 codes) allowed to load the site; undefined: everywhere. */
    readonly geoAllowlist: readonly string[] | undefined;
    /** How long CloudFront's and the site bucket's access logs, and the deployment function's logs, are kept. */
    readonly logRetention: RetentionDays;
    /**
     * A WAF web ACL of scope CLOUDFRONT for the distribution, by ARN. CloudFront takes web ACLs
     * from us-east-1 only, outside the app's region, so it is created there, outside the app.
     * Undefined: none (the site is static; the API has its own).
     */
    readonly webAclArn: string | undefined;
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

/** Every partner of the contracts trusted in the environment's own account, with the external ID `<prefix>-<partner>`. */
function trustedInThisAccount(namePrefix: string): Record<string, PartnerTrust> {
  const partners = [...new Set(allContracts().map((contract) => contract.partner))];
  return Object.fromEntries(partners.map((partner) => [partner, { account: undefined, externalId: `${namePrefix}-${partner}` }]));
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
      // Synthetic data, and torn down with `cdk destroy`, which a vault holding recovery points would block.
      backup: undefined,
    },
    ingestion: {
      ledgerDeletionProtection: false,
      logRetention: RetentionDays.ONE_MONTH,
      // Synthetic data only, so debug logs cannot leak a real person.
      logLevel: 'DEBUG',
      maxConcurrency: 5,
      // Dev accounts may be new, with a concurrency quota of 10: nothing to reserve from.
      reserveConcurrency: false,
      partnerNotificationEndpoints: {},
      // The team plays the partners in dev: principals of the dev account that the operators allow.
      partnerTrust: trustedInThisAccount('c2c-dev'),
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
      // A synthetic state of a few thousand people.
      publishTask: { cpu: 1024, memoryLimitMiB: 4096 },
    },
    consumption: {
      bytesScannedCutoffPerQuery: 10 * GIB,
      queryResultRetention: Duration.days(7),
    },
    governance: {
      lakeAdmins: [],
      researchProjects: [],
    },
    audit: {
      trailRetention: Duration.days(30),
      // Synthetic data, torn down with `cdk destroy`, which a locked bucket would block.
      lockTrailLogs: false,
      trailSearchRetention: RetentionDays.ONE_MONTH,
    },
    api: {
      // Placeholders until the dashboard has its address; the second is a dashboard developer's machine (Vite's default port).
      corsOrigins: ['https://dashboard.dev.c2c.example.gov', 'http://localhost:5173'],
      // Closed: every Athena query costs money, and nobody outside the team needs dev's synthetic numbers.
      publicRead: false,
      throttle: { rateLimit: 10, burstLimit: 20 },
      operationThrottles: { queryGet: { rateLimit: 5, burstLimit: 10 }, queryPost: { rateLimit: 5, burstLimit: 10 } },
      partners: { dashboard: { throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 10_000, period: Period.DAY } } },
      wafRateLimitPer5Minutes: 300,
      logRetention: RetentionDays.ONE_MONTH,
      // Synthetic data only.
      logLevel: 'DEBUG',
      // The published cube is megabytes; a query scanning a gigabyte is a bug.
      bytesScannedCutoffPerQuery: GIB,
      queryTimeout: Duration.seconds(10),
      // Dev republishes often while people test: a reused result should not outlive a publication by long.
      resultReuseMaxAge: Duration.minutes(5),
      queryResultRetention: Duration.days(1),
      reservedConcurrency: undefined,
    },
    site: {
      // None yet: CloudFront's own name; its SiteUrl output goes first in api.corsOrigins.
      domain: undefined,
      // The edges of North America (and Europe, at the same price): the team and the state are in the US.
      priceClass: PriceClass.PRICE_CLASS_100,
      // Nobody outside the team, which works from the US, needs dev's site.
      geoAllowlist: ['US'],
      logRetention: RetentionDays.ONE_MONTH,
      webAclArn: undefined,
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
      // The most continuous backups allow: restore any second of the last 35 days.
      backup: { retention: Duration.days(35) },
    },
    ingestion: {
      // The ledger is what makes a redelivered drop a no-op: losing it would ingest files twice.
      ledgerDeletionProtection: true,
      logRetention: RetentionDays.ONE_YEAR,
      logLevel: 'INFO',
      maxConcurrency: 10,
      reserveConcurrency: true,
      partnerNotificationEndpoints: {},
      // Placeholders until each partner is onboarded: then its own account and the external ID agreed with it.
      partnerTrust: trustedInThisAccount('c2c-prod'),
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
      // 2.5 GB at a million people (docs/benchmarks.md, Outcomes); room for ten times that.
      publishTask: { cpu: 4096, memoryLimitMiB: 30720 },
    },
    consumption: {
      bytesScannedCutoffPerQuery: 100 * GIB,
      queryResultRetention: Duration.days(30),
    },
    governance: {
      // Add the platform team's administrator role (e.g. its IAM Identity Center role) here.
      lakeAdmins: [],
      researchProjects: [],
    },
    audit: {
      // Six years, as HIPAA keeps security documentation (§164.316(b)(2)); FERPA's record of each
      // access to education records (34 CFR 99.32) must be kept as long as the records.
      trailRetention: Duration.days(6 * 365),
      lockTrailLogs: true,
      trailSearchRetention: RetentionDays.ONE_YEAR,
    },
    api: {
      // A placeholder until the dashboard has its address.
      corsOrigins: ['https://dashboard.c2c.example.gov'],
      // The public API of DESIGN.md: suppressed aggregates for anyone.
      publicRead: true,
      // The catalog endpoints read two small files; the stage limit guards the account's API Gateway quota (10,000/s).
      throttle: { rateLimit: 100, burstLimit: 200 },
      // Queries run on Athena: together 30/s at about a second each, which the 40 reserved executions carry.
      // POST is not cacheable by browsers and CDNs, so it gets less than GET.
      operationThrottles: { queryGet: { rateLimit: 20, burstLimit: 40 }, queryPost: { rateLimit: 10, burstLimit: 20 } },
      // The dashboard keeps working with its key if public access is ever closed (publicRead: false).
      partners: { dashboard: { throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 2_000_000, period: Period.DAY } } },
      // About 7 requests a second from one address for 5 minutes: far more than a person at a dashboard,
      // within reach of a school or an agency behind one address.
      wafRateLimitPer5Minutes: 2000,
      logRetention: RetentionDays.ONE_YEAR,
      logLevel: 'INFO',
      bytesScannedCutoffPerQuery: GIB,
      queryTimeout: Duration.seconds(10),
      // A dashboard's repeated queries scan nothing for an hour; publications come weekly at most.
      resultReuseMaxAge: Duration.minutes(60),
      queryResultRetention: Duration.days(1),
      // Caps the API's concurrent Athena queries at 40, leaving the account's Athena quota to analysts and the pipeline.
      reservedConcurrency: 40,
    },
    site: {
      // Set with the state's domain, e.g. { name: 'dashboard.c2c.example.gov', certificateArn: 'arn:aws:acm:us-east-1:...' },
      // and put https://<name> first in api.corsOrigins.
      domain: undefined,
      // The state's residents, served from North American edges (and Europe's, at the same price).
      priceClass: PriceClass.PRICE_CLASS_100,
      // Public outcomes, for anyone anywhere: researchers, journalists, residents abroad.
      geoAllowlist: undefined,
      logRetention: RetentionDays.ONE_YEAR,
      webAclArn: undefined,
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
