import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import type { EnvironmentConfig } from '../config/environments';
import { DropEventQueue } from '../ingestion/drop-event-queue';
import type { EncryptionKeyOptions } from '../ingestion/encryption-key';
import { IngestDropFunction } from '../ingestion/ingest-drop-function';
import { IngestionAlarms } from '../ingestion/ingestion-alarms';
import { IngestionLedger } from '../ingestion/ingestion-ledger';
import { ZoneObjectAccess } from '../ingestion/lake-grants';
import { OperatorAlerts } from '../ingestion/operator-alerts';
import { PartnerRoles } from '../ingestion/partner-roles';
import { PartnerVerdictTopic } from '../ingestion/partner-verdict-topic';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { backUpOrExplain } from '../storage/lake-backup';

/** The environment variable with the bucket name of a zone: `LANDING_BUCKET`, `RAW_BUCKET`, ... */
export function zoneBucketVariable(zone: ZoneName): string {
  return `${zone.toUpperCase()}_BUCKET`;
}

export interface IngestionStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /**
   * The data lake, from the storage stack. Its landing bucket must send events to EventBridge
   * (`eventBridgeZones: ['landing']`). This stack refers to the storage stack's buckets and keys;
   * the storage stack never refers to this one.
   */
  readonly storage: DataLakeStorage;
}

/**
 * Ingestion of partner drops (DESIGN.md §2 and §4, Validation): an object created in the landing
 * bucket → EventBridge rule → SQS queue (with dead-letter queue) → validation Lambda, which
 * writes Parquet to raw or the original to quarantine with a report, records the file in the
 * ledger, deletes the landing object and publishes the verdict to the partner's subscriptions.
 */
export class IngestionStack extends Stack {
  public readonly dropEvents: DropEventQueue;
  public readonly dropCreatedRule: events.Rule;
  public readonly ledger: IngestionLedger;
  public readonly verdicts: PartnerVerdictTopic;
  public readonly operatorAlerts: OperatorAlerts;
  /** One role per partner: drops into its landing folders, reads its own reports. */
  public readonly partners: PartnerRoles;
  public readonly ingestDrop: IngestDropFunction;
  public readonly lakeAccess: readonly ZoneObjectAccess[];
  public readonly alarms: IngestionAlarms;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);
    const { config, storage } = props;
    const keyOptions = (name: string): EncryptionKeyOptions => ({
      keyAlias: `alias/${config.namePrefix}/${name}`,
      keyRemovalPolicy: config.removalPolicy,
      keyDeletionWindow: config.keyDeletionWindow,
    });

    this.ledger = new IngestionLedger(this, 'Ledger', {
      ...keyOptions('ingestion-ledger'),
      removalPolicy: config.removalPolicy,
      deletionProtection: config.ingestion.ledgerDeletionProtection,
    });
    // Losing the ledger would ingest every redelivered drop again.
    backUpOrExplain(storage.backup, this, 'LedgerBackup', { tables: [this.ledger.table] });

    this.verdicts = new PartnerVerdictTopic(this, 'Verdicts', keyOptions('ingestion-verdicts'));
    for (const [partner, endpoints] of Object.entries(config.ingestion.partnerNotificationEndpoints)) {
      for (const endpoint of endpoints) {
        this.verdicts.subscribePartner(partner, endpoint);
      }
    }

    this.operatorAlerts = new OperatorAlerts(this, 'OperatorAlerts', keyOptions('operator-alerts'));

    this.partners = new PartnerRoles(this, 'Partners', {
      namePrefix: config.namePrefix,
      storage,
      trust: config.ingestion.partnerTrust,
    });

    this.ingestDrop = new IngestDropFunction(this, 'IngestDrop', {
      ...keyOptions('ingest-drop-logs'),
      roleName: `${config.namePrefix}-ingest-drop`,
      metricsNamespace: config.namePrefix,
      logLevel: config.ingestion.logLevel,
      logRetention: config.ingestion.logRetention,
      logRemovalPolicy: config.removalPolicy,
      reservedConcurrentExecutions: config.ingestion.reserveConcurrency ? config.ingestion.maxConcurrency : undefined,
      environment: {
        // Every zone's bucket, so that the handler can build the lake's object store
        // (adapters/object-store/s3.ts wants them all); what it may do there is the role's business.
        ...Object.fromEntries(ZONE_NAMES.map((zone) => [zoneBucketVariable(zone), storage.bucket(zone).bucketName])),
        LEDGER_TABLE: this.ledger.table.tableName,
        VERDICT_TOPIC_ARN: this.verdicts.topic.topicArn,
      },
    });
    const role = this.ingestDrop.role;
    this.lakeAccess = [
      new ZoneObjectAccess(this, 'LandingAccess', {
        bucket: storage.bucket('landing'),
        key: storage.key('landing'),
        role,
        access: 'read-and-delete',
        whyAllObjects:
          'Partners name their drops (<partner>/<dataset>/<file>) when they upload them, so the function that ' +
          'validates and then deletes each drop cannot be given their keys in advance; it reads and deletes ' +
          'objects of the landing bucket only, action by action, and may not delete object versions.',
      }),
      ...(['raw', 'quarantine'] as const).map(
        (zone) =>
          new ZoneObjectAccess(this, `${zone === 'raw' ? 'Raw' : 'Quarantine'}Write`, {
            bucket: storage.bucket(zone),
            key: storage.key(zone),
            role,
            access: 'write-and-verify',
            whyAllObjects:
              `The ${zone} keys of a drop derive from its dataset, partner and ingest date, known only when ` +
              `the drop arrives, so the function cannot be given them in advance; in the ${zone} bucket it puts objects, ` +
              `reads them back to verify them, and deletes only what it wrote when identical bytes won the ledger first; ` +
              `it may not delete object versions.`,
          }),
      ),
    ];
    for (const access of this.lakeAccess) {
      // The event source may invoke the function as soon as it exists: let it find its permissions.
      this.ingestDrop.function.node.addDependency(access.policy);
    }
    this.ledger.grantRecord(role);
    this.verdicts.grantPublish(role);

    this.dropEvents = new DropEventQueue(this, 'DropEvents', {
      ...keyOptions('ingestion-queue'),
      consumerTimeout: this.ingestDrop.timeout,
    });

    this.dropCreatedRule = new events.Rule(this, 'DropCreated', {
      description: 'An object was created in the landing bucket: a partner drop to validate.',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [storage.bucket('landing').bucketName] } },
      },
    });
    // Events EventBridge cannot deliver (after its retries) go to the same dead-letter queue, and alarm alike.
    this.dropCreatedRule.addTarget(new targets.SqsQueue(this.dropEvents.queue, { deadLetterQueue: this.dropEvents.deadLetterQueue }));

    this.ingestDrop.consume(this.dropEvents.queue, config.ingestion.maxConcurrency);

    this.alarms = new IngestionAlarms(this, 'Alarms', {
      queue: this.dropEvents.queue,
      deadLetterQueue: this.dropEvents.deadLetterQueue,
      function: this.ingestDrop.function,
      alerts: this.operatorAlerts,
    });

    new CfnOutput(this, 'VerdictTopicArn', {
      description: 'Partners subscribe here, filtered on the `partner` message attribute.',
      value: this.verdicts.topic.topicArn,
    });
    new CfnOutput(this, 'OperatorAlertsTopicArn', {
      description: 'Operators subscribe here to hear about ingestion alarms.',
      value: this.operatorAlerts.topic.topicArn,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Drop events that failed every delivery; redrive them once the cause is fixed.',
      value: this.dropEvents.deadLetterQueue.queueUrl,
    });
  }
}
