import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledgeHipaaAndNist } from '../compliance';
import { ConfigurationError, type EnvironmentConfig } from '../config/environments';
import { allowCloudWatchLogs, encryptionKey } from '../ingestion/encryption-key';
import { SiteBucket } from '../site/site-bucket';
import { SiteContent } from '../site/site-content';
import { SiteDistribution } from '../site/site-distribution';
import { SiteSecurityHeaders } from '../site/site-security-headers';
import { AccessLogBucket } from '../storage/access-log-bucket';

export interface SiteStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The Query API's stage (the API stack's): the page calls it from the browser, across origins. */
  readonly apiStage: apigateway.Stage;
}

/**
 * The dashboards and query builder (web/, docs/dashboards.md) on the web: the built app in a
 * private bucket behind a CloudFront distribution, with the environment's `config.json` naming the
 * Query API, which the page calls directly (CORS). Refers to the API stack's REST API; nothing
 * refers to this one.
 */
export class SiteStack extends Stack {
  /** Where the page calls the API: `https://<api id>.execute-api.<region>.<suffix>/<stage>` (its config.json `apiBase`). */
  public readonly apiBase: string;
  /** The API's origin, which the page's Content-Security-Policy allows in `connect-src`. */
  public readonly apiOrigin: string;
  public readonly logBucket: AccessLogBucket;
  public readonly bucket: SiteBucket;
  public readonly headers: SiteSecurityHeaders;
  public readonly distribution: SiteDistribution;
  public readonly logKey: kms.IKey;
  public readonly content: SiteContent;

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    const { config, apiStage } = props;
    const site = config.site;
    const name = `${config.namePrefix}-site`;
    if (site.domain && config.api.corsOrigins[0] !== `https://${site.domain.name}`) {
      throw new ConfigurationError(
        `api.corsOrigins must start with the site's origin https://${site.domain.name} (site.domain): the page calls the API from there, ` +
          `and API Gateway's own error responses name the first origin only.`,
      );
    }

    // Spelled out rather than the stage's URL: config.json takes it without the trailing slash, and the CSP the origin alone.
    const apiStack = Stack.of(apiStage);
    this.apiOrigin = `https://${apiStage.restApi.restApiId}.execute-api.${apiStack.region}.${apiStack.urlSuffix}`;
    this.apiBase = `${this.apiOrigin}/${apiStage.stageName}`;

    // CloudFront's standard logs and the site bucket's server access logs.
    this.logBucket = new AccessLogBucket(this, 'Logs', {
      retention: Duration.days(site.logRetention),
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
      cloudFrontLogs: true,
    });
    acknowledgeHipaaAndNist(
      this.logBucket.bucket,
      'S3BucketReplicationEnabled',
      'The site\'s logs record requests for the public web app\'s files (CloudFront and the site bucket): no education ' +
        'data, nothing read from the data lake, whose own access is logged and backed up elsewhere. Versioning undoes ' +
        'overwrites and deletes; a replica would add a second copy of visitors\' addresses to govern.',
    );

    this.bucket = new SiteBucket(this, 'Bucket', {
      accessLogBucket: this.logBucket.bucket,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });

    this.headers = new SiteSecurityHeaders(this, 'SecurityHeaders', { name: `${name}-security-headers`, apiOrigins: [this.apiOrigin] });

    this.distribution = new SiteDistribution(this, 'Distribution', {
      name,
      bucket: this.bucket.bucket,
      responseHeadersPolicy: this.headers.policy,
      logBucket: this.logBucket.bucket,
      domain: site.domain,
      priceClass: site.priceClass,
      geoAllowlist: site.geoAllowlist,
      webAclArn: site.webAclArn,
    });

    this.logKey = encryptionKey(this, 'LogKey', `Encrypts the logs of the ${name} deployment function.`, {
      keyAlias: `alias/${config.namePrefix}/site-logs`,
      keyRemovalPolicy: config.removalPolicy,
      keyDeletionWindow: config.keyDeletionWindow,
    });
    allowCloudWatchLogs(this.logKey);

    this.content = new SiteContent(this, 'Content', {
      bucket: this.bucket.bucket,
      distribution: this.distribution.distribution,
      config: { apiBase: this.apiBase },
      logKey: this.logKey,
      logRetention: site.logRetention,
      logRemovalPolicy: config.removalPolicy,
    });

    const siteUrl = site.domain ? `https://${site.domain.name}` : `https://${this.distribution.distribution.distributionDomainName}`;
    new CfnOutput(this, 'SiteUrl', {
      description: 'The dashboards. Without site.domain, put this origin first in api.corsOrigins (CORS), and deploy the API stack again.',
      value: siteUrl,
    });
    new CfnOutput(this, 'DistributionId', { description: 'The site\'s CloudFront distribution.', value: this.distribution.distribution.distributionId });
    new CfnOutput(this, 'BucketName', { description: 'The site\'s private bucket (deployed by the stack; do not edit by hand).', value: this.bucket.bucket.bucketName });
  }
}
