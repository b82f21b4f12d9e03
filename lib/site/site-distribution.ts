import { Duration, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigurationError } from '../config/environments';

/** The site's own domain name and the certificate CloudFront presents for it. */
export interface SiteDomain {
  /** e.g. `dashboard.c2c.example.gov`. Its DNS record (a CNAME or alias to the distribution) is kept outside the app. */
  readonly name: string;
  /** An ACM certificate for `name`, in us-east-1: CloudFront takes certificates from there only. */
  readonly certificateArn: string;
}

export interface SiteDistributionProps {
  /** Names the cache policy and describes the distribution, e.g. `c2c-dev-site`. */
  readonly name: string;
  /** The private bucket with the web app's files, read through origin access control. */
  readonly bucket: s3.IBucket;
  /** Added to every response (SiteSecurityHeaders). */
  readonly responseHeadersPolicy: cloudfront.IResponseHeadersPolicy;
  /** Receives the standard logs, under `cloudfront/`; ACLs enabled (AccessLogBucket `cloudFrontLogs`). */
  readonly logBucket: s3.IBucket;
  /** Undefined: CloudFront's `*.cloudfront.net` name and certificate. */
  readonly domain: SiteDomain | undefined;
  readonly priceClass: cloudfront.PriceClass;
  /** Countries (ISO 3166-1 alpha-2) allowed to load the site; undefined: everywhere. */
  readonly geoAllowlist: readonly string[] | undefined;
  /** A web ACL of scope CLOUDFRONT (created in us-east-1, outside the app); undefined: none. */
  readonly webAclArn: string | undefined;
}

/**
 * How long an edge location keeps a file: a day, or until the next deployment invalidates every
 * path. Browsers revalidate each file on every load (the files are stored with
 * `Cache-Control: no-cache`), which an edge answers with a 304 from its copy.
 */
export const EDGE_TTL = Duration.days(1);

/**
 * The CloudFront distribution of the dashboards: HTTPS only (HTTP redirects), `index.html` at
 * `/`, every response with the security headers, files read from the private bucket through
 * origin access control (signed requests from this distribution only), standard logs, and the
 * environment's price class, countries, certificate and web ACL.
 */
export class SiteDistribution extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly cachePolicy: cloudfront.CachePolicy;

  constructor(scope: Construct, id: string, props: SiteDistributionProps) {
    super(scope, id);
    const { domain } = props;
    if (domain) requireUsEast1(domain.certificateArn, 'site.domain.certificateArn', 'certificate');
    if (props.webAclArn) requireUsEast1(props.webAclArn, 'site.webAclArn', 'webAcl');

    // The same edge lifetime whatever the origin says: deployments invalidate, so files can stay long.
    this.cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      cachePolicyName: props.name,
      comment: `${props.name}: a day at the edge, until the next deployment; no query string, header or cookie in the key.`,
      minTtl: EDGE_TTL,
      defaultTtl: EDGE_TTL,
      maxTtl: EDGE_TTL,
      // The page keeps the reader's choices in its query string, which the same index.html serves.
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.name}: the dashboards and query builder`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: this.cachePolicy,
        responseHeadersPolicy: props.responseHeadersPolicy,
        compress: true,
      },
      defaultRootObject: 'index.html',
      domainNames: domain ? [domain.name] : undefined,
      certificate: domain ? acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn) : undefined,
      // Only a custom certificate takes a security policy; CloudFront's own certificate keeps its own (TLSv1).
      minimumProtocolVersion: domain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      sslSupportMethod: domain ? cloudfront.SSLMethod.SNI : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass,
      geoRestriction: props.geoAllowlist ? cloudfront.GeoRestriction.allowlist(...props.geoAllowlist) : undefined,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      webAclId: props.webAclArn,
    });

    if (!domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Until the site has its own domain (config site.domain), it is served under CloudFront\'s *.cloudfront.net name ' +
          'and certificate, whose security policy CloudFront fixes (TLSv1 minimum) and no setting can raise; a custom ' +
          'certificate gets TLSv1.2_2021. The site serves public files only: no cookies, no credentials, no form.',
      });
    }
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'The site serves static public files from the edge cache (Shield Standard included); a CloudFront web ACL ' +
          'must live in us-east-1, outside this app\'s region, and can be attached with config site.webAclArn. The ' +
          'Query API, the part that costs money per request, has its own regional web ACL.',
      });
    }
    if (!props.geoAllowlist) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR1',
        reason:
          'The published outcomes are public by design, for anyone anywhere (researchers, journalists, residents ' +
          'abroad); the site serves static files only. Environments that are not public set config site.geoAllowlist.',
      });
    }
  }
}

/** What CloudFront takes from us-east-1, by how its ARN reads. */
const US_EAST_1_ARNS = {
  certificate: { service: 'acm', resource: 'certificate/', what: 'an ACM certificate' },
  webAcl: { service: 'wafv2', resource: 'global/webacl/', what: 'a WAF web ACL of scope CLOUDFRONT' },
} as const;

/**
 * CloudFront takes certificates and web ACLs from us-east-1 only: refuse another region (or
 * another kind of ARN) at synthesis rather than at deployment.
 */
function requireUsEast1(arn: string, setting: string, kind: keyof typeof US_EAST_1_ARNS): void {
  const expected = US_EAST_1_ARNS[kind];
  // arn:<partition>:<service>:<region>:<account>:<resource>
  const [prefix, , service, region, account, resource] = arn.split(':');
  if (prefix !== 'arn' || service !== expected.service || region !== 'us-east-1' || !/^\d{12}$/.test(account ?? '') || !resource?.startsWith(expected.resource)) {
    throw new ConfigurationError(`${setting} must be the ARN of ${expected.what} in us-east-1 (CloudFront takes it from there only), not ${JSON.stringify(arn)}.`);
  }
}
