import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeHipaaAndNist, acknowledgeInlinePolicy } from '../compliance';
import { flattenAsCdkNag } from '../ingestion/lake-grants';

const WEB = path.join(__dirname, '..', '..', 'web');

/** The file beside index.html that tells the app where the Query API is (web/src/main.ts). */
export const SITE_CONFIG_FILE = 'config.json';

/** What the web app reads from `config.json`. */
export interface SiteConfig {
  /** The Query API's origin and path prefix, without a trailing slash; '' for the page's own origin. */
  readonly apiBase: string;
}

export interface SiteContentProps {
  /** Where the files go: the site bucket. */
  readonly bucket: s3.IBucket;
  /** Every path of it is invalidated after each deployment, so edges fetch the new files. */
  readonly distribution: cloudfront.IDistribution;
  /** The environment's `config.json`; may hold values known only at deployment (another stack's API URL). */
  readonly config: SiteConfig;
  /** Encrypts the deployment function's log group; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The web app's files in the site bucket: built at synthesis by web/build.ts (`writeWebApp`, as
 * `npm run build:web` does) into the cloud assembly, nothing built being committed, plus the
 * environment's `config.json`, written by the deployment with the values CloudFormation resolves
 * then. The CDK's BucketDeployment copies them in (removing files of earlier deployments) and
 * invalidates the distribution; its function runs with a role and an encrypted log group of its own.
 */
export class SiteContent extends Construct {
  /** The built web app (without config.json), staged in the cloud assembly. */
  public readonly webApp: s3assets.Asset;
  public readonly deployment: s3deploy.BucketDeployment;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SiteContentProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Its own role rather than the CDK's default, which carries the AWSLambdaBasicExecutionRole
    // managed policy (logs of any group); the deployment grants it the buckets and the invalidation.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the web app into the site bucket and invalidates the distribution (CDK BucketDeployment).',
    });
    this.logGroup.grantWrite(this.role);

    this.webApp = new s3assets.Asset(this, 'WebApp', WEB_APP_ASSET);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.bucket(this.webApp.bucket, this.webApp.s3ObjectKey), s3deploy.Source.jsonData(SITE_CONFIG_FILE, props.config)],
      destinationBucket: props.bucket,
      distribution: props.distribution,
      distributionPaths: ['/*'],
      // Browsers revalidate every file on each load, as `c2c serve` has them do: a new deployment
      // shows at once, and an unchanged file costs a 304 from the edge.
      cacheControl: [s3deploy.CacheControl.noCache()],
      role: this.role,
      logGroup: this.logGroup,
    });
    this.acknowledgeDeploymentFunction(props.bucket);
  }

  /**
   * The findings on the CDK's deployment function, which is one per stack (a singleton, at the
   * stack's root) and runs with this construct's role only.
   */
  private acknowledgeDeploymentFunction(siteBucket: s3.IBucket): void {
    const stack = Stack.of(this);
    const policy = this.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge(
      ...[
        ...S3_ACTION_GROUPS.map((action) => `Action::${action}`),
        // Both sources are in the CDK's asset bucket; the sync writes anywhere in the site bucket.
        `Resource::${flattenAsCdkNag(stack.resolve(this.webApp.bucket.arnForObjects('*')))}`,
        `Resource::${flattenAsCdkNag(stack.resolve(siteBucket.arnForObjects('*')))}`,
      ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: S3_GRANTS })),
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: INVALIDATION_GRANT },
    );
    acknowledgeInlinePolicy(policy);

    const handler = stack.node.children.find((child): child is lambda.Function => child instanceof lambda.Function && child.role === this.role);
    if (!handler) throw new Error('The BucketDeployment\'s function was not found at the root of the stack');
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        `The CDK chooses the runtime of its BucketDeployment handler (${handler.runtime.name}) together with the AWS CLI ` +
        'layer the handler runs; it moves to newer runtimes with aws-cdk-lib, which the project upgrades as a whole.',
    });
    acknowledgeHipaaAndNist(
      handler,
      'LambdaDLQ',
      'CloudFormation invokes the deployment function when it creates or updates the site stack and waits for its answer ' +
        'at a presigned URL; a failed run fails the deployment, which CloudFormation rolls back and reports in the stack ' +
        'events, with the details in the function\'s log group. Nothing is left to redrive from a dead-letter queue.',
    );
    acknowledgeHipaaAndNist(
      handler,
      'LambdaInsideVPC',
      'The deployment function reaches only the S3 and CloudFront APIs, through IAM and TLS, to copy the public web app ' +
        'and invalidate the distribution; nothing inside a VPC. A VPC would add NAT or endpoints and no control the ' +
        'role does not already enforce.',
    );
    acknowledgeHipaaAndNist(
      handler,
      'LambdaConcurrency',
      'Only CloudFormation invokes the deployment function, once per deployment of the site stack; its concurrency is ' +
        'bounded by the deployments. Reserving some would take it from the account\'s unreserved pool, of which a new ' +
        'account has none to spare.',
    );
  }
}

/** The action groups of the CDK's bucket grants to the deployment function (asset read, site read-write). */
const S3_ACTION_GROUPS = ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'];

const S3_GRANTS =
  'The CDK\'s BucketDeployment grants its function read of the CDK asset bucket (the zipped web app and config.json it ' +
  'copies, named by their hashes) and read-write of the site bucket (an s3 sync that lists, writes and deletes files ' +
  'named by the build), with the action groups of the CDK\'s bucket grants. The role serves that function only, which ' +
  'runs only when CloudFormation deploys the stack; the site bucket holds the public web app only.';

const INVALIDATION_GRANT =
  'The CDK\'s BucketDeployment grants its function cloudfront:CreateInvalidation and cloudfront:GetInvalidation on * ' +
  'to invalidate the site\'s distribution after copying the files; the two actions only expire cached copies of ' +
  'public files, and the role serves that function only, which runs only when CloudFormation deploys the stack.';

/**
 * The built web app without its `config.json` (the environment's goes beside it), hashed by its
 * output: it changes exactly when the built files do. Built only for the stacks being bundled
 * (`cdk synth -e` of another stack, and tests, skip it).
 */
const WEB_APP_ASSET: s3assets.AssetProps = {
  path: WEB,
  assetHashType: AssetHashType.OUTPUT,
  bundling: {
    // Required by the type, never pulled: the local build below always runs, or fails synthesis.
    image: DockerImage.fromRegistry('local-build-only'),
    local: {
      tryBundle(outputDir: string): boolean {
        // Synthesis is synchronous and writeWebApp is not: run web/build.ts's command line, with the project's tsx.
        execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(WEB, 'build.ts'), outputDir], { stdio: ['ignore', 'ignore', 'inherit'] });
        rmSync(path.join(outputDir, SITE_CONFIG_FILE));
        return true;
      },
    },
  },
};
