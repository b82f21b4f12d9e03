import { join } from 'node:path';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ZONE_NAMES } from '../../core/lake/zones';
import { acknowledgeInlinePolicy } from '../compliance';
import { allowCloudWatchLogs, encryptionKey, type EncryptionKeyOptions } from '../ingestion/encryption-key';
import { ZoneObjectAccess } from '../ingestion/lake-grants';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { admitToZoneKey } from '../storage/zone-key-policy';

/** The repository root: the container's build context (.dockerignore keeps it to the sources). */
const PROJECT_ROOT = join(__dirname, '..', '..');

/** The publish task's Dockerfile (tasks/publish-outcomes/), relative to the build context. */
export const PUBLISH_TASK_DOCKERFILE = 'tasks/publish-outcomes/Dockerfile';

/** Folders of the build context the image never needs: left out before .dockerignore is read, so synthesis does not walk them. */
const BUILD_CONTEXT_EXCLUDES = ['node_modules', 'cdk.out', '.c2c', '.git', 'glue-jobs', 'test', 'web', 'bench', 'docs', 'lib', 'bin', 'lambdas', 'spark-warehouse'];

export interface PublishTaskProps {
  /** The data lake: the task reads the outcomes zone's cube and writes the published zone. */
  readonly storage: DataLakeStorage;
  /** Lowercase prefix of the environment's names. */
  readonly namePrefix: string;
  /** The key of the task's logs and the network's flow logs. */
  readonly logKey?: EncryptionKeyOptions;
  /** Fargate vCPU units (1024 = 1 vCPU); disclosure control runs on one core, the audit's LPs too. */
  readonly cpu: number;
  /** Fargate memory, MiB: the cube and the LP models are held in memory (2.5 GB at 1 million people). */
  readonly memoryLimitMiB: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The pipeline's disclosure-control and publish stage as an ECS task on Fargate
 * (tasks/publish-outcomes/main.ts). Not a Lambda: at state scale disclosure control takes longer
 * than Lambda's 15 minutes; not a Glue job: it is the TypeScript domain (core/outcomes), which Glue
 * does not run.
 *
 * The task runs in a VPC of its own with no route to the internet: private isolated subnets, an
 * S3 gateway endpoint and interface endpoints for ECR (the image) and CloudWatch Logs, a security
 * group that allows HTTPS out to those only, flow logs on. Its role reads the outcomes zone and
 * writes the published zone (and the disclosure summary beside the cube), nothing else.
 */
export class PublishTask extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly cluster: ecs.Cluster;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly logGroup: logs.LogGroup;
  public readonly logKey: kms.IKey;

  constructor(scope: Construct, id: string, props: PublishTaskProps) {
    super(scope, id);
    this.logKey = encryptionKey(this, 'LogKey', `Encrypts the logs of the ${props.namePrefix} publish task and its network's flow logs.`, props.logKey ?? {});
    allowCloudWatchLogs(this.logKey);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const removalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { encryptionKey: this.logKey, retention, removalPolicy });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: `The ${props.namePrefix} publish task: HTTPS to S3 and the interface endpoints only`,
      allowAllOutbound: false,
    });
    const endpoints = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: `Interface endpoints of the ${props.namePrefix} publish task: HTTPS from the task only`,
      allowAllOutbound: false,
    });
    endpoints.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'HTTPS from the publish task');
    this.securityGroup.addEgressRule(endpoints, ec2.Port.tcp(443), 'HTTPS to the interface endpoints (ECR, CloudWatch Logs)');
    // S3's addresses (its gateway endpoint's prefix list) are only known at deployment; the
    // isolated subnets' route tables lead nowhere else, so HTTPS anywhere reaches S3 and the endpoints only.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 through the gateway endpoint: the isolated subnets have no other route out');
    for (const [name, service] of [
      ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
      ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const) {
      this.vpc.addInterfaceEndpoint(`${name}Endpoint`, { service, securityGroups: [endpoints], privateDnsEnabled: true, open: false });
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });

    this.logGroup = new logs.LogGroup(this, 'Logs', { encryptionKey: this.logKey, retention, removalPolicy });
    // Named: the zone keys' policies (in the storage stack) admit their users by role name.
    const taskRole = new iam.Role(this, 'TaskRole', {
      roleName: `${props.namePrefix}-publish-task`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `The ${props.namePrefix} publish task: reads the outcomes zone, writes the published one.`,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      taskRole,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      // The working lake (the cube, the published files) lives on the task's ephemeral storage, not the image's file system.
      volumes: [{ name: 'work' }],
    });
    const buckets = Object.fromEntries(ZONE_NAMES.map((zone) => [`${zone.toUpperCase()}_BUCKET`, props.storage.bucket(zone).bucketName]));
    this.container = this.taskDefinition.addContainer('Publish', {
      image: ecs.ContainerImage.fromAsset(PROJECT_ROOT, { file: PUBLISH_TASK_DOCKERFILE, exclude: BUILD_CONTEXT_EXCLUDES }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'publish' }),
      readonlyRootFilesystem: true,
      // Bucket names only: the task's identity is its role. RUN_ID comes from the pipeline, per execution.
      environment: { ...buckets, TMPDIR: '/work' },
    });
    this.container.addMountPoints({ containerPath: '/work', sourceVolume: 'work', readOnly: false });

    const outcomes = props.storage.bucket('outcomes');
    const role = this.taskDefinition.taskRole;
    new ZoneObjectAccess(this, 'ReadOutcomes', {
      bucket: outcomes,
      key: props.storage.key('outcomes'),
      role,
      access: 'read',
      whyAllObjects: 'The task reads the outcome cube and the data vintage, which Spark writes as folders of part files it names as it goes; ' +
        'the outcomes zone holds those and the disclosure summary only.',
    });
    new ZoneObjectAccess(this, 'WritePublished', {
      bucket: props.storage.bucket('published'),
      key: props.storage.key('published'),
      role,
      access: 'write-and-verify',
      prefix: 'outcomes/',
      whyAllObjects: 'Publishing writes the published table and its files under outcomes/ of the published zone; the file names are the publication\'s.',
    });
    // The disclosure summary stays beside the cube, in the restricted zone: one named object.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [outcomes.arnForObjects('disclosure_summary.json')] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey'],
      resources: [props.storage.key('outcomes').keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    }));
    admitToZoneKey(props.storage.key('outcomes'), role, ['kms:GenerateDataKey']);
    this.acknowledge(props.namePrefix);
  }

  /** Lets the grantee (the pipeline's state machine) run the task and pass its roles. */
  public grantRun(grantee: iam.IGrantable): void {
    this.taskDefinition.grantRun(grantee);
  }

  private acknowledge(namePrefix: string): void {
    acknowledgeInlinePolicy(this.taskDefinition.taskRole.node.findChild('DefaultPolicy'));
    acknowledgeInlinePolicy(this.vpc.node.findChild('all').node.findChild('IAMRole').node.findChild('DefaultPolicy'));
    const executionPolicy = this.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      acknowledgeInlinePolicy(executionPolicy);
      Validations.of(executionPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken has no resource-level permissions; it lets the ECS agent log in to pull this task\'s image from the asset repository.',
      });
    }
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: `The environment holds the ${namePrefix} zone bucket names and the work folder only, no secret: the task's access is its role's.`,
    });
  }
}
