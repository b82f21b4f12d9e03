import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { environmentConfig, type EnvironmentConfig, type EnvironmentName } from '../../lib/config/environments';
import { DropEventQueue } from '../../lib/ingestion/drop-event-queue';
import { DUCKDB_EXTERNAL_MODULES, duckDbBundling, duckDbPackages } from '../../lib/ingestion/duckdb-bundling';
import { flattenAsCdkNag } from '../../lib/ingestion/lake-grants';
import { PartnerVerdictTopic } from '../../lib/ingestion/partner-verdict-topic';
import { buildPlatform } from '../../lib/platform';
import { IngestionStack, zoneBucketVariable } from '../../lib/stacks/ingestion-stack';
import { StorageStack } from '../../lib/stacks/storage-stack';
import { cdkJsonContext } from './cdk-context';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
};
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
};
type Tag = { Key: string; Value: string };

function testApp(context: Record<string, unknown> = {}): App {
  // nag.test.ts runs CloudFormation's built-in template validation; here it would only cost seconds.
  return new App({ context: { ...cdkJsonContext(), ...context }, builtinCloudFormationValidation: false });
}

interface Synthesized {
  readonly storage: Template;
  readonly ingestion: Template;
  readonly stack: IngestionStack;
}

/** The platform as `cdk synth -c env=<env>` builds it. */
function platform(env: EnvironmentName): Synthesized {
  const built = buildPlatform(testApp({ env }));
  return { storage: Template.fromStack(built.storage), ingestion: Template.fromStack(built.ingestion), stack: built.ingestion };
}

/** Storage and ingestion stacks for a changed configuration. */
function withConfig(change: (config: EnvironmentConfig) => EnvironmentConfig): Synthesized {
  const app = testApp();
  const config = change(environmentConfig('dev', {}));
  const env = { region: config.region };
  const storage = new StorageStack(app, 'Storage', { env, config, eventBridgeZones: ['landing'] });
  const stack = new IngestionStack(app, 'Ingestion', { env, config, storage: storage.storage });
  return { storage: Template.fromStack(storage), ingestion: Template.fromStack(stack), stack };
}

function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function only(template: Template, type: string): [string, Resource] {
  const found = Object.entries(resources(template, type));
  expect(found).toHaveLength(1);
  return found[0];
}

function tagValue(resource: Resource, key: string): string | undefined {
  return ((resource.Properties.Tags ?? []) as Tag[]).find((tag) => tag.Key === key)?.Value;
}

function zoneBucket(storage: Template, zone: ZoneName): string {
  const found = Object.entries(resources(storage, 'AWS::S3::Bucket')).find(([, bucket]) => tagValue(bucket, 'c2c:zone') === zone);
  if (!found) throw new Error(`no ${zone} bucket`);
  return found[0];
}

function zoneKey(storage: Template, zone: ZoneName): string {
  const found = Object.entries(resources(storage, 'AWS::KMS::Key')).find(([, key]) => tagValue(key, 'c2c:zone') === zone);
  if (!found) throw new Error(`no ${zone} key`);
  return found[0];
}

/**
 * What a value of the ingestion template refers to in the storage template: `Fn::GetStackOutput`
 * names an output of the storage stack, whose value is a `Ref` or `Fn::GetAtt` of a resource there.
 */
function storageValueOf(storage: Template, value: unknown): unknown {
  const output = (value as { 'Fn::GetStackOutput'?: { OutputName: string } })['Fn::GetStackOutput'];
  if (!output) throw new Error(`not a reference to the storage stack: ${JSON.stringify(value)}`);
  const outputs = storage.toJSON().Outputs as Record<string, { Value: unknown }>;
  expect(Object.keys(outputs)).toContain(output.OutputName);
  return outputs[output.OutputName].Value;
}

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** Every statement of every IAM policy in the template that is attached to the role. */
function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function functionOf(template: Template): [string, Resource] {
  return only(template, 'AWS::Lambda::Function');
}

function roleOfFunction(template: Template): string {
  const [, fn] = functionOf(template);
  return (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

describe.each(['dev', 'prod'] as const)('the %s ingestion stack', (env) => {
  const { storage, ingestion, stack } = platform(env);
  const [queueId, queue] = Object.entries(resources(ingestion, 'AWS::SQS::Queue')).find(([, q]) => q.Properties.RedrivePolicy) ?? [];
  const [dlqId] = Object.entries(resources(ingestion, 'AWS::SQS::Queue')).find(([, q]) => !q.Properties.RedrivePolicy) ?? [];
  const [functionId, fn] = functionOf(ingestion);
  const roleId = roleOfFunction(ingestion);

  test('is named C2c-<env>-Ingestion and depends on the storage stack, never the other way round', () => {
    expect(stack.stackName).toBe(`C2c-${env}-Ingestion`);
    expect(stack.dependencies.map((dependency) => dependency.stackName)).toEqual([`C2c-${env}-Storage`]);
    expect(stack.terminationProtection).toBe(env === 'prod');
    const storageJson = JSON.stringify(storage.toJSON());
    expect(storageJson).not.toContain('Fn::GetStackOutput');
    expect(storageJson).not.toContain('Fn::ImportValue');
    expect(storageJson).not.toContain('Ingestion');
  });

  test('the landing bucket, and no other, sends its events to EventBridge, natively (no notification custom resource)', () => {
    for (const zone of ZONE_NAMES) {
      const bucket = resources(storage, 'AWS::S3::Bucket')[zoneBucket(storage, zone)];
      expect(bucket.Properties.NotificationConfiguration).toEqual(
        zone === 'landing' ? { EventBridgeConfiguration: { EventBridgeEnabled: true } } : undefined,
      );
    }
    storage.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('a rule sends the landing bucket\'s Object Created events to the queue, undeliverable ones to the dead-letter queue', () => {
    const [, rule] = only(ingestion, 'AWS::Events::Rule');
    const pattern = rule.Properties.EventPattern as { source: string[]; 'detail-type': string[]; detail: { bucket: { name: unknown[] } } };
    expect(pattern.source).toEqual(['aws.s3']);
    expect(pattern['detail-type']).toEqual(['Object Created']);
    expect(pattern.detail.bucket.name).toHaveLength(1);
    expect(storageValueOf(storage, pattern.detail.bucket.name[0])).toEqual({ Ref: zoneBucket(storage, 'landing') });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      }),
    ]);
    // EventBridge may send to the queue, from this account only.
    ingestion.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  test('the queue: CMK-encrypted, visibility timeout six times the function timeout, five deliveries, then the dead-letter queue', () => {
    expect(queue?.Properties).toMatchObject({
      VisibilityTimeout: 6 * 900,
      MessageRetentionPeriod: Duration.days(4).toSeconds(),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (fn.Properties.Timeout as number));
    const dlq = resources(ingestion, 'AWS::SQS::Queue')[dlqId as string];
    // SQS expires a dead-lettered message by its first enqueue: 14 days, more than the queue's 4.
    expect(dlq.Properties.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());

    const keyOfQueue = (q: Resource): string => (q.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const keyId = keyOfQueue(queue as Resource);
    expect(keyOfQueue(dlq)).toBe(keyId);
    const key = resources(ingestion, 'AWS::KMS::Key')[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  test('both queues refuse requests without TLS', () => {
    for (const id of [queueId, dlqId]) {
      ingestion.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('the function: Node.js 24 on ARM64, 3008 MB, 15 minutes, 10 GiB of /tmp, active tracing, JSON logs', () => {
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 3008,
      Timeout: 900,
      EphemeralStorage: { Size: 10240 },
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: env === 'prod' ? 'INFO' : 'DEBUG',
        SystemLogLevel: 'WARN',
      },
    });
  });

  test('the function: reserves the event source\'s maximum concurrency in prod, nothing in dev (a new account has none to give)', () => {
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(env === 'prod' ? 10 : undefined);
  });

  test('the function\'s environment names every zone bucket, the ledger, the verdict topic and the Powertools settings', () => {
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const zone of ZONE_NAMES) {
      expect(storageValueOf(storage, variables[zoneBucketVariable(zone)])).toEqual({ Ref: zoneBucket(storage, zone) });
    }
    const [tableId] = only(ingestion, 'AWS::DynamoDB::Table');
    const verdictTopicId = verdictTopic(ingestion);
    expect(variables).toMatchObject({
      LANDING_BUCKET: expect.anything(),
      RAW_BUCKET: expect.anything(),
      QUARANTINE_BUCKET: expect.anything(),
      LEDGER_TABLE: { Ref: tableId },
      VERDICT_TOPIC_ARN: { Ref: verdictTopicId },
      POWERTOOLS_SERVICE_NAME: 'ingest-drop',
      POWERTOOLS_METRICS_NAMESPACE: `c2c-${env}`,
      LOG_LEVEL: env === 'prod' ? 'INFO' : 'DEBUG',
    });
  });

  test('the function logs to its own KMS-encrypted log group with a retention', () => {
    const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const logGroup = resources(ingestion, 'AWS::Logs::LogGroup')[logGroupId];
    expect(logGroup.Properties.RetentionInDays).toBe(env === 'prod' ? 365 : 30);
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(logGroup.DeletionPolicy).toBe(env === 'prod' ? 'Retain' : 'Delete');
    // Only this log group: no AWSLambdaBasicExecutionRole (logs:* on every group).
    const role = resources(ingestion, 'AWS::IAM::Role')[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(roleStatements(ingestion, roleId)).toContainEqual(
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }),
    );
  });

  test('one SQS message per invocation, failures reported per message, concurrency capped by the event source', () => {
    const [, mapping] = only(ingestion, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionId },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: env === 'prod' ? 10 : 5 },
    });
  });

  describe('the function\'s permissions', () => {
    const statements = roleStatements(ingestion, roleId);
    const allActions = statements.flatMap(actionsOf);

    /** What a resource of a statement names in the storage stack: all objects of a bucket, a bucket, or a key. */
    const targetOf = (resource: unknown): string | undefined => {
      const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      const [reference, suffix] = join ? join[1] : [resource, undefined];
      if (join && suffix !== '/*') return undefined;
      if (typeof reference !== 'object' || reference === null || !('Fn::GetStackOutput' in reference)) return undefined;
      const value = JSON.stringify(storageValueOf(storage, reference));
      for (const zone of ZONE_NAMES) {
        if (value === JSON.stringify({ 'Fn::GetAtt': [zoneBucket(storage, zone), 'Arn'] })) return `${zone} ${join ? 'objects' : 'bucket'}`;
        if (value === JSON.stringify({ 'Fn::GetAtt': [zoneKey(storage, zone), 'Arn'] })) return `${zone} key`;
      }
      return undefined;
    };
    const statementsOn = (zone: ZoneName, what: 'objects' | 'bucket' | 'key'): Statement[] =>
      statements.filter((statement) => ([] as unknown[]).concat(statement.Resource).some((resource) => targetOf(resource) === `${zone} ${what}`));

    test('name no wildcard action, and no s3:* at all', () => {
      expect(allActions.filter((action) => action.includes('*'))).toEqual([]);
      expect(allActions).not.toContain('s3:*');
    });

    test('use "*" as a resource for the X-Ray actions only, which have no resource-level permissions', () => {
      const onEverything = statements.filter((statement) => ([] as unknown[]).concat(statement.Resource).includes('*'));
      expect(onEverything.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });

    test('read and delete landing objects (not their versions for good), and list the landing bucket', () => {
      expect(statementsOn('landing', 'objects').flatMap(actionsOf).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion']);
      expect(statementsOn('landing', 'bucket').flatMap(actionsOf)).toEqual(['s3:ListBucket']);
      expect(allActions).not.toContain('s3:DeleteObjectVersion');
    });

    test('put, read back and withdraw objects in raw and quarantine, and list them; never delete versions', () => {
      for (const zone of ['raw', 'quarantine'] as const) {
        expect(statementsOn(zone, 'objects').flatMap(actionsOf).sort()).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']);
        expect(statementsOn(zone, 'bucket').flatMap(actionsOf)).toEqual(['s3:ListBucket']);
      }
    });

    test('touch no other zone', () => {
      for (const zone of ZONE_NAMES.filter((z) => !['landing', 'raw', 'quarantine'].includes(z))) {
        expect(statementsOn(zone, 'objects')).toEqual([]);
        expect(statementsOn(zone, 'bucket')).toEqual([]);
        expect(statementsOn(zone, 'key')).toEqual([]);
      }
      const s3Statements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
      expect(s3Statements).toHaveLength(
        (['landing', 'raw', 'quarantine'] as const).reduce((n, zone) => n + statementsOn(zone, 'objects').length + statementsOn(zone, 'bucket').length, 0),
      );
    });

    test('use the zone keys through S3 only: decrypt landing, encrypt into raw and quarantine', () => {
      const expected: Record<string, string[]> = {
        landing: ['kms:Decrypt'],
        raw: ['kms:Decrypt', 'kms:GenerateDataKey'],
        quarantine: ['kms:Decrypt', 'kms:GenerateDataKey'],
      };
      for (const [zone, actions] of Object.entries(expected)) {
        const keyStatements = statementsOn(zone as ZoneName, 'key');
        expect(keyStatements.flatMap(actionsOf).sort()).toEqual(actions);
        for (const statement of keyStatements) {
          expect(statement.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } });
        }
      }
    });

    test('look up and record ledger entries (conditional put), never update or delete them', () => {
      const [tableId] = only(ingestion, 'AWS::DynamoDB::Table');
      const tableStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
      expect(tableStatements).toEqual([
        expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }),
      ]);
      const ledgerKey = (only(ingestion, 'AWS::DynamoDB::Table')[1].Properties.SSESpecification as { KMSMasterKeyId: { 'Fn::GetAtt': [string, string] } })
        .KMSMasterKeyId;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Resource: ledgerKey,
          Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-west-2.amazonaws.com' } },
        }),
      );
    });

    test('publish verdicts on the verdict topic only', () => {
      const publish = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sns:')));
      expect(publish).toEqual([expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: verdictTopic(ingestion) } })]);
    });

    test('consume the drop-event queue', () => {
      const sqsStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
      expect(sqsStatements).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
      expect(actionsOf(sqsStatements[0])).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    });

    test('are in place before the function is created, which may be invoked at once', () => {
      const zonePolicies = Object.entries(resources(ingestion, 'AWS::IAM::Policy'))
        .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
        .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('s3:'))
        .map(([id]) => id);
      expect(zonePolicies).toHaveLength(3);
      expect(fn.DependsOn).toEqual(expect.arrayContaining(zonePolicies));
    });
  });

  test('the ledger: partition key sha256 (string), on demand, point-in-time recovery, customer-managed key', () => {
    const [, table] = only(ingestion, 'AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'sha256', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'sha256', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    const keyId = (table.Properties.SSESpecification as { KMSMasterKeyId: { 'Fn::GetAtt': [string, string] } }).KMSMasterKeyId['Fn::GetAtt'][0];
    expect(resources(ingestion, 'AWS::KMS::Key')[keyId].Properties.EnableKeyRotation).toBe(true);
  });

  test('the verdict and operator topics are encrypted with their own customer-managed keys and refuse publishing without TLS', () => {
    const topics = resources(ingestion, 'AWS::SNS::Topic');
    expect(Object.keys(topics)).toHaveLength(2);
    const keys = Object.values(topics).map((topic) => (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(new Set(keys).size).toBe(2);
    for (const topicId of Object.keys(topics)) {
      ingestion.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('every key of the stack rotates, and lives as long as the environment keeps its data', () => {
    const keys = Object.values(resources(ingestion, 'AWS::KMS::Key'));
    expect(keys).toHaveLength(5);
    for (const key of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe(env === 'prod' ? 'Retain' : 'Delete');
      expect(key.Properties.PendingWindowInDays).toBe(env === 'prod' ? 30 : 7);
    }
    for (const name of ['ingestion-ledger', 'ingestion-queue', 'ingestion-verdicts', 'operator-alerts', 'ingest-drop-logs']) {
      ingestion.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/c2c-${env}/${name}` });
    }
  });

  test('prod protects and keeps the ledger; dev can delete it', () => {
    const [, table] = only(ingestion, 'AWS::DynamoDB::Table');
    expect(table.Properties.DeletionProtectionEnabled).toBe(env === 'prod');
    expect(table.DeletionPolicy).toBe(env === 'prod' ? 'Retain' : 'Delete');
    expect(table.UpdateReplacePolicy).toBe(env === 'prod' ? 'Retain' : 'Delete');
  });

  describe('alarms, each notifying the operator topic when it fires and when it clears', () => {
    const alarms = Object.values(resources(ingestion, 'AWS::CloudWatch::Alarm'));
    const operatorTopic = Object.keys(resources(ingestion, 'AWS::SNS::Topic')).find((id) => id !== verdictTopic(ingestion));

    test('there are four, all wired to the operator topic', () => {
      expect(alarms).toHaveLength(4);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: operatorTopic }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: operatorTopic }]);
        expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      }
    });

    test.each([
      ['a message in the dead-letter queue', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', 'dlq', 0, 'Maximum'],
      ['function errors', 'AWS/Lambda', 'Errors', 'FunctionName', 'function', 0, 'Sum'],
      ['function throttles', 'AWS/Lambda', 'Throttles', 'FunctionName', 'function', 0, 'Sum'],
      ['the age of the oldest drop event', 'AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', 'queue', 1800, 'Maximum'],
    ])('on %s', (_what, namespace, metricName, dimension, of, threshold, statistic) => {
      const value =
        of === 'function' ? { Ref: functionId } : { 'Fn::GetAtt': [of === 'dlq' ? dlqId : queueId, 'QueueName'] };
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            Namespace: namespace,
            MetricName: metricName,
            Dimensions: [{ Name: dimension, Value: value }],
            Threshold: threshold,
            Statistic: statistic,
            ComparisonOperator: 'GreaterThanThreshold',
          }),
        }),
      );
    });

    test('CloudWatch may publish to the operator topic and use its key, for this account\'s alarms only', () => {
      const fromOwnAlarms = {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': Match.anyValue() },
      };
      ingestion.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: operatorTopic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: fromOwnAlarms }),
          ]),
        },
      });
      ingestion.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: fromOwnAlarms,
            }),
          ]),
        },
      });
    });
  });
});

/** The verdict topic: the one the function publishes to. */
function verdictTopic(template: Template): string {
  const [, fn] = functionOf(template);
  return ((fn.Properties.Environment as { Variables: Record<string, { Ref: string }> }).Variables.VERDICT_TOPIC_ARN).Ref;
}

describe('partner verdict subscriptions', () => {
  test('each partner endpoint receives that partner\'s verdicts only, filtered on the partner message attribute', () => {
    const { ingestion } = withConfig((config) => ({
      ...config,
      ingestion: {
        ...config.ingestion,
        partnerNotificationEndpoints: {
          cde: [{ protocol: 'email', endpoint: 'data-steward@cde.example.gov' }],
          csu: [{ protocol: 'https', endpoint: 'https://hooks.csu.example.edu/c2c', verdicts: ['rejected'] }],
        },
      },
    }));
    const topic = verdictTopic(ingestion);
    ingestion.resourceCountIs('AWS::SNS::Subscription', 2);
    ingestion.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topic },
      Protocol: 'email',
      Endpoint: 'data-steward@cde.example.gov',
      FilterPolicy: { partner: ['cde'] },
    });
    ingestion.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topic },
      Protocol: 'https',
      Endpoint: 'https://hooks.csu.example.edu/c2c',
      FilterPolicy: { partner: ['csu'], verdict: ['rejected'] },
    });
  });

  test('none by default', () => {
    platform('dev').ingestion.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('a partner id that is not a landing prefix, or an endpoint without TLS, is refused', () => {
    const topic = new PartnerVerdictTopic(new Stack(testApp(), 'Topics'), 'Verdicts');
    expect(() => topic.subscribePartner('CDE/', { protocol: 'email', endpoint: 'a@b.example' })).toThrow(/Invalid partner id "CDE\/"/);
    expect(() => topic.subscribePartner('cde', { protocol: 'https', endpoint: 'http://hooks.example.com' })).toThrow(/not an https:\/\/ URL/);
  });
});

describe('DropEventQueue', () => {
  test('refuses a dead-letter retention that would expire messages as soon as they are dead-lettered', () => {
    const stack = new Stack(testApp(), 'Queues');
    expect(
      () =>
        new DropEventQueue(stack, 'Events', {
          consumerTimeout: Duration.minutes(1),
          retentionPeriod: Duration.days(14),
          deadLetterRetentionPeriod: Duration.days(14),
        }),
    ).toThrow(/must exceed retentionPeriod/);
  });
});

describe('DuckDB bundling', () => {
  const projectRoot = join(__dirname, '..', '..');
  const bundling = duckDbBundling({ projectRoot, architecture: lambda.Architecture.ARM_64 });
  const hooks = bundling.commandHooks as lambdaNodejs.ICommandHooks;
  const outputDir = '/asset-output';
  const commands = hooks.afterBundling('/asset-input', outputDir);

  test('leaves DuckDB out of the esbuild bundle', () => {
    expect(bundling.externalModules).toEqual([...DUCKDB_EXTERNAL_MODULES]);
  });

  test('installs the project\'s DuckDB versions into the asset for linux/arm64/glibc, whatever machine synthesizes', () => {
    const installed = duckDbPackages(projectRoot);
    const versionOf = (name: string): string =>
      (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    expect(installed['@duckdb/node-api']).toBe(versionOf('@duckdb/node-api'));
    expect(installed['@duckdb/node-bindings']).toBe(versionOf('@duckdb/node-bindings'));
    // The platform binding comes through @duckdb/node-bindings' optional dependencies, not as a direct one.
    expect(Object.keys(installed)).not.toContain('@duckdb/node-bindings-linux-arm64');
    expect(commands[0]).toContain(JSON.stringify({ private: true, dependencies: installed }));
    expect(commands[0]).toContain(`${outputDir}/package.json`);
    expect(commands[1]).toMatch(/^npm install --prefix '\/asset-output' --os=linux --cpu=arm64 --libc=glibc .*--ignore-scripts/);
  });

  describe('the check that ends the bundling', () => {
    let asset: string;
    const binding = (name: string): string => join(asset, 'node_modules', '@duckdb', name);
    /** An ELF header: magic, 64-bit, little-endian, ..., e_machine at offset 18. */
    const elf = (machine: number): Buffer => {
      const header = Buffer.alloc(64);
      header.writeUInt32BE(0x7f454c46, 0);
      header.writeUInt16LE(machine, 18);
      return header;
    };
    const fakeBinding = (name: string, version: string, machine: number): void => {
      mkdirSync(binding(name), { recursive: true });
      writeFileSync(join(binding(name), 'package.json'), JSON.stringify({ name: `@duckdb/${name}`, version }));
      writeFileSync(join(binding(name), 'duckdb.node'), elf(machine));
      writeFileSync(join(binding(name), 'libduckdb.so'), elf(machine));
    };
    const runCheck = (): void => {
      const check = (duckDbBundling({ projectRoot, architecture: lambda.Architecture.ARM_64 }).commandHooks as lambdaNodejs.ICommandHooks).afterBundling('/in', asset)[2];
      execFileSync('bash', ['-c', check], { stdio: 'pipe' });
    };
    const version = duckDbPackages(projectRoot)['@duckdb/node-bindings'];

    beforeEach(() => {
      asset = mkdtempSync(join(tmpdir(), 'c2c-duckdb-asset-'));
    });
    afterEach(() => rmSync(asset, { recursive: true, force: true }));

    test('keeps the arm64 binding and removes any other platform\'s', () => {
      fakeBinding('node-bindings-linux-arm64', version, 183);
      fakeBinding('node-bindings-linux-x64', version, 62);
      runCheck();
      expect(readdirSync(join(asset, 'node_modules', '@duckdb'))).toEqual(['node-bindings-linux-arm64']);
    });

    test('fails when npm installed no arm64 binding', () => {
      fakeBinding('node-bindings-linux-x64', version, 62);
      expect(runCheck).toThrow(/did not install @duckdb\/node-bindings-linux-arm64/);
    });

    test('fails when the binding is not an AArch64 binary', () => {
      fakeBinding('node-bindings-linux-arm64', version, 62);
      expect(runCheck).toThrow(/not an ELF binary for machine 183/);
    });

    test('fails when the binding has another version than @duckdb/node-bindings', () => {
      fakeBinding('node-bindings-linux-arm64', '0.0.1', 183);
      expect(runCheck).toThrow(/is 0.0.1, not/);
    });
  });
});

describe('flattenAsCdkNag', () => {
  test('writes references as cdk-nag writes them into finding IDs', () => {
    expect(flattenAsCdkNag({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] })).toBe('<Bucket.Arn>/*');
    expect(flattenAsCdkNag({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b/*']] })).toBe('arn:<AWS::Partition>:s3:::b/*');
    expect(flattenAsCdkNag({ 'Fn::Sub': '${Bucket.Arn}/*' })).toBe('<Bucket.Arn>/*');
    expect(flattenAsCdkNag({ 'Fn::GetStackOutput': { StackName: 'S', OutputName: 'O' } })).toBe('{"Fn::GetStackOutput":{"StackName":"S","OutputName":"O"}}');
  });
});
