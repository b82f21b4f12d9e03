import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledgeInlinePolicy } from '../compliance';
import type { ZoneName } from '../../core/lake/zones';
import type { Plan } from '../../core/plan/plan';
import { flattenAsCdkNag, ZoneObjectAccess } from '../ingestion/lake-grants';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { stagePlans, stageZones, zoneLocation, type PipelineStage } from './pipeline-plans';
import { PlanRunnerCode, type PlanRunnerRuntime } from './plan-runner-runtime';

export interface PlanRunnerJobProps {
  readonly stage: PipelineStage;
  readonly runtime: PlanRunnerRuntime;
  /** The data lake: the stage's plan locations `<zone>/<key>` are bound to `s3://<zone bucket>/<key>`. */
  readonly storage: DataLakeStorage;

  /** Lowercase prefix of the environment's names: the job is named `<prefix>-plan-<stage>`. */
  readonly namePrefix: string;

  /** @default glue.WorkerType.G_1X */
  readonly workerType?: glue.WorkerType;

  /** @default 2 */
  readonly numberOfWorkers?: number;

  /**
   * Glue stops a run after this long (state TIMEOUT).
   *
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
}

/**
 * The Glue job that runs one pipeline stage's plan with the generic Spark runner (Glue 5.0:
 * Spark 3.5, Python 3.11): the runtime's script and package, the stage's plan file (an asset,
 * written from the plan at synthesis) and its bindings as default arguments, so that a run
 * needs only `--run_id`.
 *
 * One job, and one role, per stage: the role may read the zones the stage's plans read and
 * write the zones they write (with those zones' keys, through S3 only), its own prefix of the
 * scratch bucket, the objects it loads (script, package, plans), and write logs under
 * `/aws-glue/jobs/`. Nothing else: no Glue Data Catalog access (plans name S3 locations), no
 * other zone.
 *
 * - Job bookmarks are disabled: a plan is a full, idempotent run over everything in its inputs,
 *   replacing its outputs; a bookmark would make the next run skip the files it had seen, so the
 *   linkage would lose every person whose records arrived before.
 * - Glue's own retries are 0: a retry Glue starts is a new job run that Step Functions does not
 *   wait for. The state machine retries instead.
 * - At most one run at a time: two runs of one plan would write the same outputs.
 */
export class PlanRunnerJob extends Construct {
  public readonly stage: PipelineStage;
  public readonly job: glue.PySparkEtlJob;
  public readonly role: iam.Role;
  /** `s3://` URL of the stage's plan file. */
  public readonly planUrl: string;
  /** `s3://` URL of the first-run variant's plan file, when the stage has one that runs a plan. */
  public readonly firstRunPlanUrl: string | undefined;
  /** Plan location → URI, for every location of the stage's plans (the `--bindings` argument). */
  public readonly bindings: Readonly<Record<string, string>>;
  public readonly reads: readonly ZoneName[];
  public readonly writes: readonly ZoneName[];
  public readonly zoneAccess: readonly ZoneObjectAccess[];
  /** The scratch prefix of this job's runs, `<stage>/` in the scratch bucket. */
  public readonly scratchPrefix: string;

  constructor(scope: Construct, id: string, props: PlanRunnerJobProps) {
    super(scope, id);
    const { stage, runtime, storage } = props;
    const stack = Stack.of(this);
    this.stage = stage;

    const planCode = new PlanRunnerCode(new s3assets.Asset(this, 'Plan', { path: writePlanFile(`${stage.name}.json`, stage.plan) }));
    this.planUrl = planCode.s3Url;
    const firstRunPlan = stage.firstRun?.plan;
    const firstRunCode = firstRunPlan
      ? new PlanRunnerCode(new s3assets.Asset(this, 'FirstRunPlan', { path: writePlanFile(`${stage.name}.first-run.json`, firstRunPlan) }))
      : undefined;
    this.firstRunPlanUrl = firstRunCode?.s3Url;

    const bindings: Record<string, string> = {};
    for (const plan of stagePlans(stage)) {
      for (const { location } of [...Object.values(plan.inputs), ...Object.values(plan.outputs)]) {
        const { zone, key } = zoneLocation(location, stage.name);
        bindings[location] = `s3://${storage.bucket(zone).bucketName}/${key}`;
      }
    }
    this.bindings = bindings;
    const { reads, writes } = stageZones(stage);
    this.reads = reads;
    this.writes = writes;
    this.scratchPrefix = `${stage.name}/`;

    this.role = new iam.Role(this, 'Role', {
      // Fixed, like the job's: the zone keys of the storage stack admit the role by name (ZoneObjectAccess).
      roleName: `${props.namePrefix}-plan-${stage.name}`,
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Runs the ${stage.name} stage's plan in Glue: reads ${reads.join(', ') || 'no zone'}, writes ${writes.join(', ')}.`,
    });

    this.zoneAccess = [...new Set([...reads, ...writes])].map((zone) => {
      const writesZone = writes.includes(zone);
      return new ZoneObjectAccess(this, `${pascalCase(zone)}Access`, {
        bucket: storage.bucket(zone),
        key: storage.key(zone),
        role: this.role,
        access: writesZone ? 'read-write' : 'read',
        whyAllObjects: writesZone
          ? `The ${stage.name} stage replaces its ${zone} outputs; Spark writes them as part files with generated names ` +
            `(and temporary objects it copies into place), so the job cannot be given their keys; it reads, writes and deletes ` +
            `objects of the ${zone} bucket only, and may not delete object versions.`
          : `The ${stage.name} stage reads its ${zone} inputs as folders of Parquet files that ingestion or earlier runs named, ` +
            `so the job cannot be given their keys; it may only list and read objects of the ${zone} bucket.`,
      });
    });

    // What every run loads, what it logs, and the metrics it sends.
    const loaded = [runtime.script, runtime.pythonPackage, planCode, ...(firstRunCode ? [firstRunCode] : [])];
    const glueLogs = `arn:${Aws.PARTITION}:logs:${stack.region}:${Aws.ACCOUNT_ID}:log-group:/aws-glue/jobs/*`;
    const runtimePolicy = new iam.Policy(this, 'RuntimePolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ sid: 'LoadScriptPackageAndPlans', actions: ['s3:GetObject'], resources: loaded.map((code) => code.objectArn) }),
        new iam.PolicyStatement({
          sid: 'WriteGlueJobLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
          resources: [glueLogs],
        }),
        new iam.PolicyStatement({
          sid: 'SendGlueMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
        }),
        new iam.PolicyStatement({
          sid: 'UseLogAndBookmarkKey',
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [runtime.logKey.keyArn],
        }),
      ],
    });
    Validations.of(runtimePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(stack.resolve(glueLogs))}]`,
      reason:
        'Glue creates the job run\'s output and error log groups itself, under /aws-glue/jobs/ with names derived from the ' +
        'security configuration and the role, and associates the log key with them; the role may only create and write ' +
        'log groups and streams under that prefix, never read them.',
    });
    Validations.of(runtimePolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the Glue metric ' +
        'namespace (cloudwatch:namespace = Glue) and writes job metrics only.',
    });

    // The job's own prefix of the scratch bucket: `--TempDir` and the steps' rows below it.
    const scratchObjects = `${runtime.scratchBucket.bucketArn}/${this.scratchPrefix}*`;
    const scratchPolicy = new iam.Policy(this, 'ScratchPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          resources: [scratchObjects],
        }),
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [runtime.scratchBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${this.scratchPrefix}*`, stage.name] } },
        }),
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [runtime.scratchKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    Validations.of(scratchPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(stack.resolve(scratchObjects))}]`,
      reason:
        'Spark names the scratch objects of each step (part files, temporary folders) as it writes them; the job may only ' +
        'touch its own stage\'s prefix of the scratch bucket, which expires what failed runs leave.',
    });

    this.job = new glue.PySparkEtlJob(this, 'Job', {
      jobName: `${props.namePrefix}-plan-${stage.name}`,
      description: `Runs plan ${stage.plan.name} (${stage.name} stage): ${stage.description}`.slice(0, 2048),
      role: this.role,
      script: runtime.script,
      extraPythonFiles: [runtime.pythonPackage],
      glueVersion: glue.GlueVersion.V5_0,
      workerConfiguration: { workerType: props.workerType ?? glue.WorkerType.G_1X, numberOfWorkers: props.numberOfWorkers ?? 2 },
      timeout: props.timeout ?? Duration.hours(2),
      maxRetries: 0,
      maxConcurrentRuns: 1,
      securityConfiguration: runtime.securityConfiguration,
      continuousLogging: { enabled: true, logGroup: runtime.logGroup, logStreamPrefix: `${stage.name}-`, quiet: true },
      enableMetrics: true,
      defaultArguments: {
        '--plan': this.planUrl,
        '--bindings': stack.toJsonString(this.bindings),
        // Runs the state machine starts pass their own; this lets an operator start the job by hand.
        '--run_id': 'manual',
        '--TempDir': runtime.scratchBucket.s3UrlForObject(`${this.scratchPrefix}temp`),
        '--job-bookmark-option': 'job-bookmark-disable',
      },
    });
    // The role must hold its permissions when the first run starts.
    for (const policy of [runtimePolicy, scratchPolicy, ...this.zoneAccess.map((access) => access.policy)]) {
      this.job.node.addDependency(policy);
    }
    // The job adds its own grants (the continuous-log group) to the role's default policy.
    for (const policy of [runtimePolicy, scratchPolicy, this.role.node.findChild('DefaultPolicy')]) {
      acknowledgeInlinePolicy(policy);
    }
  }

  public get stageName(): string {
    return this.stage.name;
  }

  /** Lets the grantee start runs of the job by hand (an operator re-running one stage). */
  public grantStartRun(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns'], resourceArns: [this.job.jobArn] });
  }
}

/**
 * Writes a plan as the JSON document the runner reads, to a folder named after its content (so
 * that the asset is the same at every synthesis), and returns the file's path.
 */
export function writePlanFile(fileName: string, plan: Plan): string {
  const text = JSON.stringify(plan, null, 2) + '\n';
  const folder = join(tmpdir(), 'c2c-plans', createHash('sha256').update(fileName).update('\0').update(text).digest('hex').slice(0, 16));
  mkdirSync(folder, { recursive: true });
  const path = join(folder, fileName);
  writeFileSync(path, text);
  return path;
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
