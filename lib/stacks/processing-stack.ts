import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments';
import { QueryWorkgroup } from '../consumption/query-workgroup';
import { PublishTask } from '../processing/publish-task';
import { LakeCatalogTables } from '../governance/lake-catalog-tables';
import type { OperatorAlerts } from '../ingestion/operator-alerts';
import { checkPipelineStages, pipelineStages, type PipelineStage } from '../processing/pipeline-plans';
import { PlanPipeline } from '../processing/plan-pipeline';
import { PlanRunnerJob } from '../processing/plan-runner-job';
import { PlanRunnerRuntime } from '../processing/plan-runner-runtime';
import { AccessLogBucket } from '../storage/access-log-bucket';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { backUpOrExplain } from '../storage/lake-backup';

export interface ProcessingStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The data lake, from the storage stack: zone buckets, keys and Glue databases. */
  readonly storage: DataLakeStorage;
  /** The operators' topic (the ingestion stack's): pipeline failures are published there. */
  readonly alerts: OperatorAlerts;
  /**
   * The pipeline's stages, in run order.
   *
   * @default pipelineStages()
   */
  readonly stages?: readonly PipelineStage[];
}

/**
 * The Spark path (DESIGN.md §2 to §4): a Glue plan-runner job per pipeline stage, the state
 * machine that runs them in order, the Glue Data Catalog tables of the lake, and the Athena
 * workgroup analysts query them through. Refers to the storage stack's buckets, keys and
 * databases and to the ingestion stack's operator topic; neither refers to this one.
 */
export class ProcessingStack extends Stack {
  public readonly stages: readonly PipelineStage[];
  public readonly accessLogBucket: AccessLogBucket;
  public readonly runtime: PlanRunnerRuntime;
  public readonly jobs: readonly PlanRunnerJob[];
  public readonly publishTask: PublishTask;
  public readonly pipeline: PlanPipeline;
  public readonly catalog: LakeCatalogTables;
  public readonly queries: QueryWorkgroup;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { config, storage } = props;
    const processing = config.processing;
    this.stages = checkPipelineStages(props.stages ?? pipelineStages());
    const keyOptions = (name: string) => ({
      keyAlias: `alias/${config.namePrefix}/${name}`,
      keyRemovalPolicy: config.removalPolicy,
      keyDeletionWindow: config.keyDeletionWindow,
    });

    // Server access logs of this stack's buckets (scratch, query results). The storage stack's
    // log bucket cannot take them: its policy would have to name these buckets, a reference back.
    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs', {
      retention: config.storage.accessLogRetention,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    // Audit records: who read the scratch (personal data, for the identity stages) and the query results.
    backUpOrExplain(storage.backup, this, 'AccessLogBackup', { buckets: [this.accessLogBucket.bucket] });

    this.runtime = new PlanRunnerRuntime(this, 'PlanRunner', {
      namePrefix: config.namePrefix,
      accessLogBucket: this.accessLogBucket.bucket,
      logKey: keyOptions('plan-runner-logs'),
      scratchKey: keyOptions('plan-runner-scratch'),
      scratchRetention: processing.scratchRetention,
      logRetention: processing.logRetention,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });

    this.jobs = this.stages.map(
      (stage) =>
        new PlanRunnerJob(this, `Stage-${stage.name}`, {
          stage,
          runtime: this.runtime,
          storage,
          namePrefix: config.namePrefix,
          workerType: processing.workerType,
          numberOfWorkers: processing.numberOfWorkers,
          timeout: processing.jobTimeout,
        }),
    );

    this.publishTask = new PublishTask(this, 'Publish', {
      storage,
      namePrefix: config.namePrefix,
      logKey: keyOptions('publish-task-logs'),
      cpu: processing.publishTask.cpu,
      memoryLimitMiB: processing.publishTask.memoryLimitMiB,
      logRetention: processing.logRetention,
      logRemovalPolicy: config.removalPolicy,
    });

    this.pipeline = new PlanPipeline(this, 'Pipeline', {
      jobs: this.jobs,
      storage,
      publishTask: this.publishTask,
      alerts: props.alerts,
      namePrefix: config.namePrefix,
      logKey: this.runtime.logKey,
      logRetention: processing.logRetention,
      logRemovalPolicy: config.removalPolicy,
      jobRunRetries: processing.jobRunRetries,
      timeout: processing.pipelineTimeout,
      schedule: processing.schedule,
    });

    this.catalog = new LakeCatalogTables(this, 'Catalog', {
      storage,
      stages: this.stages,
      firstIngestDate: processing.firstIngestDate,
    });

    this.queries = new QueryWorkgroup(this, 'Queries', {
      ...keyOptions('query-results'),
      workgroupName: `${config.namePrefix}-analysts`,
      description: `Analysts' queries over the ${config.namePrefix} data lake: results encrypted, scans limited.`,
      bytesScannedCutoffPerQuery: config.consumption.bytesScannedCutoffPerQuery,
      resultRetention: config.consumption.queryResultRetention,
      accessLogBucket: this.accessLogBucket.bucket,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });

    new CfnOutput(this, 'PipelineStateMachineArn', {
      description: 'Start the pipeline by hand: aws stepfunctions start-execution --state-machine-arn <this>.',
      value: this.pipeline.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'AthenaWorkGroup', {
      description: 'The Athena workgroup for analysts (enforced settings, scan limit).',
      value: this.queries.workgroupName,
    });
  }
}
