import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeInlinePolicy } from '../compliance';
import type { OperatorAlerts } from '../ingestion/operator-alerts';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { zoneLocation } from './pipeline-plans';
import type { PlanRunnerJob } from './plan-runner-job';
import type { PublishTask } from './publish-task';
import { PIPELINE_LOG_GROUP_PREFIX } from './plan-runner-runtime';

/**
 * Errors of StartJobRun that say "not now" rather than "no": Glue's throttling, the job's
 * concurrent-run limit (another execution's run of the same stage), and Glue's transient faults.
 */
export const GLUE_TRANSIENT_ERRORS = [
  'Glue.ConcurrentRunsExceededException',
  'Glue.ThrottlingException',
  'Glue.ResourceNumberLimitExceededException',
  'Glue.InternalServiceException',
  'Glue.OperationTimeoutException',
] as const;

export interface PlanPipelineProps {
  /** One per stage, in run order (`pipelineStages()`). */
  readonly jobs: readonly PlanRunnerJob[];
  /** The data lake, where the first-run checks look for an earlier run's tables. */
  readonly storage: DataLakeStorage;
  /**
   * Disclosure control and publishing, run after the last stage's job.
   *
   * @default - none: the pipeline ends with the last plan
   */
  readonly publishTask?: PublishTask;
  /** Operators hear of a failed or timed-out execution here. */
  readonly alerts: OperatorAlerts;

  /** Lowercase prefix of the environment's names: the state machine is `<prefix>-pipeline`. */
  readonly namePrefix: string;

  /** Encrypts the execution log group. */
  readonly logKey: kms.IKey;

  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;

  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * How many more times a stage's job is started after a failed or timed-out run, 10 minutes
   * apart, then 20, ...
   *
   * @default 0
   */
  readonly jobRunRetries?: number;

  /** @default Duration.hours(24) */
  readonly timeout?: Duration;

  /**
   * When EventBridge starts an execution.
   *
   * @default - no schedule: executions are started by hand
   */
  readonly schedule?: events.Schedule;
}

/**
 * The cloud pipeline (DESIGN.md §4, Orchestration): a Step Functions state machine that runs the
 * stages' Glue jobs one after another (`glue:startJobRun.sync`), built from the stage list.
 *
 * - Each stage's run is retried with exponential backoff and jitter when Glue throttles or the
 *   job is already running, and, if `jobRunRetries` says so, after a failed run.
 * - A stage with a first-run variant first asks S3 whether the earlier run's table is there
 *   (`ListObjectsV2`, one key), then runs the stage's plan, or the variant (or nothing).
 * - Any other error goes to one failure path: the failed stage and the error are published to
 *   the operators' topic, and the execution fails with the stage's error.
 * - Executions log every event (with their data: job arguments and Glue's error messages, which
 *   the runner keeps free of data values) to a KMS-encrypted log group, and are traced by X-Ray.
 * - An execution that times out (which no catch sees) raises an alarm to the operators.
 */
export class PlanPipeline extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  public readonly schedule: events.Rule | undefined;
  public readonly timedOutAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PlanPipelineProps) {
    super(scope, id);
    if (props.jobs.length === 0) throw new Error('the pipeline needs at least one stage');
    const jobRunRetries = props.jobRunRetries ?? 0;

    const notify = new tasks.SnsPublish(this, 'NotifyOperators', {
      comment: 'Tells the operators which stage failed and why (Glue\'s error message; the runner keeps data values out of it).',
      topic: props.alerts.topic,
      subject: `C2C pipeline failed (${props.namePrefix})`,
      message: sfn.TaskInput.fromObject({
        pipeline: `${props.namePrefix}-pipeline`,
        execution: sfn.JsonPath.executionId,
        failedStage: sfn.JsonPath.stringAt('$.failedStage'),
        error: sfn.JsonPath.stringAt('$.failure.Error'),
        cause: sfn.JsonPath.stringAt('$.failure.Cause'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    notify.next(new sfn.Fail(this, 'PipelineFailed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' }));
    // The topic is encrypted: publishing needs its key, through SNS only.
    const alertsKeyStatement = new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.alerts.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(props.alerts.topic).region}.amazonaws.com` } },
    });

    const failed = (stage: string): sfn.Pass => {
      const pass = new sfn.Pass(this, `StageFailed-${stage}`, {
        stateName: `${stage} failed`,
        result: sfn.Result.fromString(stage),
        resultPath: '$.failedStage',
      });
      pass.next(notify);
      return pass;
    };

    // Built from the last stage back, so that each stage's states know what follows them.
    let next: sfn.IChainable = new sfn.Succeed(this, 'PipelineSucceeded', { stateName: 'Pipeline succeeded' });
    if (props.publishTask) next = this.publishState(props.publishTask, next, failed('publish'));
    for (const job of [...props.jobs].reverse()) {
      const stage = job.stageName;
      const onFailure = failed(stage);
      const runJob = (variant: 'plan' | 'first-run'): tasks.GlueStartJobRun => {
        const planUrl = variant === 'first-run' ? job.firstRunPlanUrl : undefined;
        const run = new tasks.GlueStartJobRun(this, `Run-${stage}-${variant}`, {
          stateName: variant === 'plan' ? `Run ${stage}` : `Run ${stage} (first run)`,
          comment: `Runs the ${stage} stage's ${variant === 'plan' ? 'plan' : 'first-run plan'} and waits for the job run to end.`,
          glueJobName: job.job.jobName,
          integrationPattern: sfn.IntegrationPattern.RUN_JOB,
          arguments: sfn.TaskInput.fromObject({
            '--run_id': sfn.JsonPath.format(`{}-${stage}`, sfn.JsonPath.executionName),
            ...(planUrl ? { '--plan': planUrl } : {}),
          }),
          // No task timeout: it would override the job's own timeout (StartJobRun's Timeout), which governs.
          resultSelector: { 'jobRunId.$': '$.Id', 'state.$': '$.JobRunState', 'executionTimeSeconds.$': '$.ExecutionTime' },
          resultPath: `$.stages.${stage.replace(/-/g, '_')}`,
        });
        run.addRetry({
          errors: [...GLUE_TRANSIENT_ERRORS],
          interval: Duration.minutes(1),
          backoffRate: 2,
          maxAttempts: 8,
          maxDelay: Duration.minutes(15),
          jitterStrategy: sfn.JitterType.FULL,
        });
        if (jobRunRetries > 0) {
          run.addRetry({
            errors: [sfn.Errors.TASKS_FAILED, sfn.Errors.TIMEOUT],
            interval: Duration.minutes(10),
            backoffRate: 2,
            maxAttempts: jobRunRetries,
          });
        }
        run.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
        run.next(next);
        return run;
      };

      const steady = runJob('plan');
      const variant = job.stage.firstRun;
      if (!variant) {
        next = steady;
        continue;
      }
      const { zone, key } = zoneLocation(variant.whenMissing, stage);
      const bucket = props.storage.bucket(zone);
      const check = new tasks.CallAwsService(this, `CheckEarlierRun-${stage}`, {
        stateName: `Earlier run before ${stage}?`,
        comment: `Looks for ${variant.whenMissing}, which only an earlier run leaves.`,
        service: 's3',
        action: 'listObjectsV2',
        parameters: { Bucket: bucket.bucketName, Prefix: `${key}/`, MaxKeys: 1 },
        iamAction: 's3:ListBucket',
        iamResources: [bucket.bucketArn],
        resultSelector: { 'objects.$': '$.KeyCount' },
        resultPath: `$.earlierRun.${stage.replace(/-/g, '_')}`,
      });
      check.addRetry({ errors: [sfn.Errors.TASKS_FAILED], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 });
      check.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
      const choice = new sfn.Choice(this, `FirstRun-${stage}`, { stateName: `First run of ${stage}?` })
        .when(sfn.Condition.numberGreaterThan(`$.earlierRun.${stage.replace(/-/g, '_')}.objects`, 0), steady)
        .otherwise(variant.plan ? runJob('first-run') : next);
      check.next(choice);
      next = check;
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `${PIPELINE_LOG_GROUP_PREFIX}${props.namePrefix}-pipeline`,
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.namePrefix}-pipeline`,
      comment: `The C2C pipeline: ${[...props.jobs.map((job) => job.stageName), ...(props.publishTask ? ['publish'] : [])].join(' → ')}.`,
      definitionBody: sfn.DefinitionBody.fromChainable(next),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(24),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.stateMachine.addToRolePolicy(alertsKeyStatement);
    const rolePolicy = this.stateMachine.role.node.findChild('DefaultPolicy');
    acknowledgeInlinePolicy(rolePolicy);
    Validations.of(rolePolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions needs the CloudWatch Logs delivery actions (logs:CreateLogDelivery and the like) and the X-Ray ' +
        'actions on "*": neither supports resource-level permissions. They configure log delivery and write traces. ' +
        'The runTask.sync integration (the publish task) also gets ecs:DescribeTasks and ecs:StopTask on "*", to watch and ' +
        'stop the task it started, whose ARN is only known once it runs; running a task is limited to the publish task ' +
        'definition. Every other statement names its resources.',
    });

    if (props.schedule) {
      // An own role for EventBridge (rather than the one the target would create under the state
      // machine), so that its policy is a known construct here.
      const scheduleRole = new iam.Role(this, 'ScheduleRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: `Lets the ${props.namePrefix} pipeline's schedule start executions.`,
      });
      this.schedule = new events.Rule(this, 'Schedule', {
        description: `Starts the ${props.namePrefix} pipeline.`,
        schedule: props.schedule,
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject({ trigger: 'schedule' }),
            retryAttempts: 3,
            role: scheduleRole,
          }),
        ],
      });
      acknowledgeInlinePolicy(scheduleRole.node.findChild('DefaultPolicy'));
    }

    this.timedOutAlarm = new cloudwatch.Alarm(this, 'TimedOut', {
      alarmDescription:
        `An execution of the ${props.namePrefix} pipeline timed out: no failure message was published. ` +
        'Look at the execution in the Step Functions console and at its running Glue job.',
      metric: this.stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    props.alerts.notifyOn(this.timedOutAlarm);
  }

  /**
   * Runs the publish task and waits for it (`ecs:runTask.sync`). Step Functions reports a task
   * that stopped as done whatever its exit code, so a Choice sends anything but exit code 0 of
   * the container to the failure path.
   */
  private publishState(task: PublishTask, next: sfn.IChainable, onFailure: sfn.Pass): sfn.IChainable {
    const run = new tasks.EcsRunTask(this, 'Run-publish', {
      stateName: 'Run publish',
      comment: 'Disclosure control of the outcome cube, its LP audit, and the published outcomes (an ECS task on Fargate); waits for the task to stop.',
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: task.cluster,
      taskDefinition: task.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [task.securityGroup],
      assignPublicIp: false,
      containerOverrides: [{ containerDefinition: task.container, environment: [{ name: 'RUN_ID', value: sfn.JsonPath.executionName }] }],
      resultSelector: { 'containers.$': '$.Containers', 'stoppedReason.$': '$.StoppedReason' },
      resultPath: '$.stages.publish',
    });
    run.addRetry({ errors: ['ECS.AmazonECSException', 'ECS.ServerException', 'ECS.ThrottlingException'], interval: Duration.seconds(30), backoffRate: 2, maxAttempts: 4, jitterStrategy: sfn.JitterType.FULL });
    run.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    const exitedBadly = new sfn.Pass(this, 'PublishExitedBadly', {
      stateName: 'publish exited with an error',
      result: sfn.Result.fromObject({ Error: 'PublishTaskFailed', Cause: 'The publish task stopped without exit code 0; its log stream (publish/...) says why. Nothing of this run is in published/ unless metadata.json names it.' }),
      resultPath: '$.failure',
    });
    exitedBadly.next(onFailure);
    const exitCode = '$.stages.publish.containers[0].ExitCode';
    return run.next(new sfn.Choice(this, 'PublishSucceeded', { stateName: 'Did publish succeed?' })
      .when(sfn.Condition.and(sfn.Condition.isPresent(exitCode), sfn.Condition.numberEquals(exitCode, 0)), next)
      .otherwise(exitedBadly));
  }

  /** Lets the grantee start executions of the pipeline (a re-run by an operator). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
