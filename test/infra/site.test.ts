import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ConfigurationError, environmentConfig, type EnvironmentConfig, type EnvironmentName } from '../../lib/config/environments';
import { buildPlatform, type Platform } from '../../lib/platform';
import { SITE_CONFIG_FILE } from '../../lib/site/site-content';
import { EDGE_TTL, SiteDistribution, type SiteDistributionProps } from '../../lib/site/site-distribution';
import { HSTS_MAX_AGE } from '../../lib/site/site-security-headers';
import { buildWebApp } from '../../web/build';
import { siteContentSecurityPolicy } from '../../web/content-security-policy';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function only(template: Template, type: string): [string, Resource] {
  const found = Object.entries(resources(template, type));
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** A CloudFormation value with every reference written out, e.g. `{"Ref":"X"}` as `<Ref:X>`, for text comparisons. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(delimiter);
  }
  if (node['Fn::GetStackOutput']) {
    const output = node['Fn::GetStackOutput'] as { StackName: string; OutputName: string };
    return `<Output:${output.StackName}.${output.OutputName}>`;
  }
  if (node.Ref) return `<Ref:${String(node.Ref)}>`;
  if (node['Fn::GetAtt']) return `<GetAtt:${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

interface Synthesized {
  readonly platform: Platform;
  readonly site: Template;
  readonly api: Template;
  /** The cloud assembly's folder, where the assets are staged. */
  readonly assembly: string;
}

/** The environment's app; `bundleSite` builds the site's web app (the other stacks' Lambda code is never bundled). */
function synthesize(env: EnvironmentName, bundleSite: boolean): Synthesized {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      env,
      // nag.test.ts asserts on the findings; here they must not stop the synthesis.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...(bundleSite ? { 'aws:cdk:bundling-stacks': [`C2c-${env}-Site`] } : {}),
    },
    builtinCloudFormationValidation: false,
  });
  const platform = buildPlatform(app);
  const assembly = app.synth().directory;
  return { platform, site: Template.fromStack(platform.site), api: Template.fromStack(platform.api), assembly };
}

describe.each([
  ['dev', true],
  ['prod', false],
] as const)('the %s site stack', (env, bundled) => {
  const config = environmentConfig(env, {});
  const { platform, site, api, assembly } = synthesize(env, bundled);
  const [bucketId, bucket] = Object.entries(resources(site, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('Bucket')) as [string, Resource];
  const [logBucketId, logBucket] = Object.entries(resources(site, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('LogsBucket')) as [string, Resource];
  const [distributionId, distribution] = only(site, 'AWS::CloudFront::Distribution');
  const distributionConfig = distribution.Properties.DistributionConfig as Record<string, unknown>;
  const behavior = distributionConfig.DefaultCacheBehavior as Record<string, unknown>;
  const [, deployment] = only(site, 'Custom::CDKBucketDeployment');
  const [restApiId] = only(api, 'AWS::ApiGateway::RestApi');
  const [stageId] = only(api, 'AWS::ApiGateway::Stage');
  const apiOutputs = api.toJSON().Outputs as Record<string, { Value: unknown }>;
  /** A site value with the API stack's outputs replaced by what they output. */
  const throughApiOutputs = (text: string): string =>
    text.replace(new RegExp(`<Output:C2c-${env}-Api\\.([A-Za-z0-9]+)>`, 'g'), (_, name: string) => flatten(apiOutputs[name]?.Value));
  const apiOrigin = `https://<Ref:${restApiId}>.execute-api.us-west-2.<Ref:AWS::URLSuffix>`;

  test('is C2c-<env>-Site and refers to the API stack, which does not refer back', () => {
    expect(platform.site.stackName).toBe(`C2c-${env}-Site`);
    expect(platform.site.dependencies).toContain(platform.api);
    expect(JSON.stringify(api.toJSON())).not.toContain(`C2c-${env}-Site`);
  });

  test('keeps the bucket private: public access blocked, ACLs off, SSE-S3, versioned, access-logged', () => {
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 'site-bucket/' },
    });
    expect(bucket.DeletionPolicy).toBe(env === 'prod' ? 'Retain' : 'Delete');
  });

  test('lets only the distribution read the bucket (origin access control, by its ARN), and only over TLS 1.2+', () => {
    const policy = Object.values(resources(site, 'AWS::S3::BucketPolicy')).find((found) => (found.Properties.Bucket as { Ref: string }).Ref === bucketId);
    const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const bucketAndObjects = [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }];
    expect(statements).toEqual(
      expect.arrayContaining([
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: bucketAndObjects, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: bucketAndObjects, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
      ]),
    );
    const readers = statements.filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).some((action) => /^s3:(GetObject|\*)/.test(action)));
    expect(readers).toHaveLength(1);
    expect(readers[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(actionsOf(readers[0] as Statement)).toEqual(['s3:GetObject']);
    expect(flatten(readers[0]?.Condition?.StringEquals?.['AWS:SourceArn'])).toBe(
      `arn:<Ref:AWS::Partition>:cloudfront::<Ref:AWS::AccountId>:distribution/<Ref:${distributionId}>`,
    );
    const [oacId, oac] = only(site, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(distributionConfig.Origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        // No legacy origin access identity.
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
  });

  test('serves HTTPS only (HTTP redirects), GET and HEAD, index.html at /, over HTTP/2 and 3, from the configured edges and countries', () => {
    expect(behavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], Compress: true });
    expect(distributionConfig).toMatchObject({ DefaultRootObject: 'index.html', HttpVersion: 'http2and3', PriceClass: 'PriceClass_100' });
    expect(distributionConfig.Restrictions).toEqual(
      config.site.geoAllowlist ? { GeoRestriction: { RestrictionType: 'whitelist', Locations: [...config.site.geoAllowlist] } } : undefined,
    );
    // Without site.domain: CloudFront's name and certificate (see SiteDistribution for a domain's TLS 1.2_2021).
    expect(config.site.domain).toBeUndefined();
    expect(distributionConfig.ViewerCertificate).toBeUndefined();
    expect(distributionConfig.Aliases).toBeUndefined();
  });

  test('keeps files at the edge for a day, whatever the origin says, with one key per path', () => {
    const [cachePolicyId, cachePolicy] = only(site, 'AWS::CloudFront::CachePolicy');
    expect(behavior.CachePolicyId).toEqual({ Ref: cachePolicyId });
    const ttl = EDGE_TTL.toSeconds();
    expect(cachePolicy.Properties.CachePolicyConfig).toMatchObject({
      MinTTL: ttl,
      DefaultTTL: ttl,
      MaxTTL: ttl,
      ParametersInCacheKeyAndForwardedToOrigin: {
        QueryStringsConfig: { QueryStringBehavior: 'none' },
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      },
    });
  });

  test('adds the security headers to every response: HSTS, the app\'s CSP with the API\'s origin, nosniff, DENY, no referrer', () => {
    const [policyId, policy] = only(site, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    const headers = (policy.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: HSTS_MAX_AGE.toSeconds(), IncludeSubdomains: true, Override: true });
    expect(HSTS_MAX_AGE.toDays()).toBeGreaterThanOrEqual(365);
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.ContentSecurityPolicy?.Override).toBe(true);
    const csp = throughApiOutputs(flatten(headers.ContentSecurityPolicy?.ContentSecurityPolicy));
    expect(csp).toBe(siteContentSecurityPolicy([apiOrigin]));
    // The local server's policy, plus the API's origin for fetch: no inline script or style, no framing.
    expect(csp).toContain(`connect-src 'self' ${apiOrigin};`);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  test('writes standard logs and the bucket\'s access logs to a log bucket that accepts CloudFront\'s ACL, for the configured time', () => {
    expect(distributionConfig.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logBucketId, 'RegionalDomainName'] }, Prefix: 'cloudfront/', IncludeCookies: false });
    expect(logBucket.Properties).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: config.site.logRetention })] },
    });
  });

  test('deploys the files with the environment\'s config.json, which names the Query API\'s stage, then invalidates every path', () => {
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    const keys = deployment.Properties.SourceObjectKeys as string[];
    const markers = deployment.Properties.SourceMarkers as Record<string, unknown>[];
    expect(keys).toHaveLength(2);
    const configDir = join(assembly, `asset.${keys[1]?.replace(/\.zip$/, '')}`);
    expect(readdirSync(configDir)).toEqual([SITE_CONFIG_FILE]);
    let text = readFileSync(join(configDir, SITE_CONFIG_FILE), 'utf8');
    for (const [marker, value] of Object.entries(markers[1] ?? {})) text = text.split(marker).join(flatten(value));
    const siteConfig = JSON.parse(throughApiOutputs(text)) as { apiBase: string };
    expect(siteConfig).toEqual({ apiBase: `${apiOrigin}/<Ref:${stageId}>` });
    // The API stack's own URL, without the trailing slash.
    expect(`${siteConfig.apiBase}/`).toBe(flatten(apiOutputs.ApiUrl?.Value));
  });

  test('runs the deployment with a role of its own, without managed policies, logging to a KMS-encrypted group', () => {
    const [, fn] = Object.entries(resources(site, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('CustomCDKBucketDeployment')) as [string, Resource];
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
    expect(roleId).toMatch(/^ContentRole/);
    expect(resources(site, 'AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    const [logGroupId, logGroup] = only(site, 'AWS::Logs::LogGroup');
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    const [keyId] = only(site, 'AWS::KMS::Key');
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('outputs the site\'s URL (CloudFront\'s name, without a domain)', () => {
    const outputs = site.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flatten(outputs.SiteUrl?.Value)).toBe(`https://<GetAtt:${distributionId}.DomainName>`);
  });

  if (bundled) {
    test('deploys the web app as built by web/build.ts at synthesis, byte for byte, without a config.json of its own', async () => {
      const keys = deployment.Properties.SourceObjectKeys as string[];
      const appDir = join(assembly, `asset.${keys[0]?.replace(/\.zip$/, '')}`);
      const built = await buildWebApp();
      const expected = [...built.keys()].filter((name) => name !== '/' && name !== `/${SITE_CONFIG_FILE}`).map((name) => name.slice(1));
      expect(readdirSync(appDir).sort()).toEqual(expected.sort());
      expect(expected).toEqual(expect.arrayContaining(['index.html', 'app.js', 'app.css']));
      for (const name of expected) {
        expect(readFileSync(join(appDir, name)).equals(built.get(`/${name}`)?.body ?? Buffer.alloc(0))).toBe(true);
      }
      expect(readFileSync(join(appDir, 'index.html'), 'utf8')).toContain('src="app.js"');
    });
  }
});

describe('the web app\'s Content-Security-Policy', () => {
  test('allows fetch to the page\'s own origin only, unless the API is named; never inline script or style, plugins, forms or framing', () => {
    const sameOrigin = siteContentSecurityPolicy();
    expect(sameOrigin).toBe("default-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(siteContentSecurityPolicy(['https://api.example.org'])).toBe(sameOrigin.replace("img-src 'self'; ", "img-src 'self'; connect-src 'self' https://api.example.org; "));
  });
});

describe('SiteDistribution', () => {
  const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
  const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/c2c-site/0a1b2c3d-0000-4000-8000-000000000000';

  function distributionIn(props: Partial<SiteDistributionProps>): Template {
    const stack = new Stack(new App({ context: cdkJsonContext() }), 'Site', { env: { region: 'us-west-2' } });
    const bucket = new s3.Bucket(stack, 'Content');
    new SiteDistribution(stack, 'Distribution', {
      name: 'c2c-test-site',
      bucket,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      logBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED }),
      domain: undefined,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      geoAllowlist: undefined,
      webAclArn: undefined,
      ...props,
    });
    return Template.fromStack(stack);
  }

  test('with the site\'s domain: its name, its certificate, TLS 1.2_2021 at least, SNI; and the configured web ACL', () => {
    const template = distributionIn({ domain: { name: 'dashboard.c2c.example.gov', certificateArn: CERTIFICATE }, webAclArn: WEB_ACL });
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
    expect(distribution.Properties.DistributionConfig).toMatchObject({
      Aliases: ['dashboard.c2c.example.gov'],
      ViewerCertificate: { AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      WebACLId: WEB_ACL,
    });
  });

  test('refuses a certificate or a web ACL that CloudFront cannot take: outside us-east-1, or regional', () => {
    expect(() => distributionIn({ domain: { name: 'd.example.gov', certificateArn: CERTIFICATE.replace('us-east-1', 'us-west-2') } })).toThrow(ConfigurationError);
    expect(() => distributionIn({ webAclArn: WEB_ACL.replace('global/', 'regional/') })).toThrow(/site\.webAclArn must be the ARN of a WAF web ACL of scope CLOUDFRONT in us-east-1/);
    expect(() => distributionIn({ webAclArn: 'c2c-site' })).toThrow(ConfigurationError);
  });
});

describe('the site configuration', () => {
  const dev = environmentConfig('dev', {});
  const withDomain = (corsOrigins: readonly string[]): EnvironmentConfig => ({
    ...dev,
    api: { ...dev.api, corsOrigins },
    site: { ...dev.site, domain: { name: 'dashboard.dev.c2c.example.org', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' } },
  });

  test('refuses a site domain that is not the API\'s first CORS origin: the page could not read the API\'s answers', () => {
    expect(() => buildPlatform(new App({ context: cdkJsonContext() }), withDomain(['http://localhost:5173', 'https://dashboard.dev.c2c.example.org']))).toThrow(
      /api\.corsOrigins must start with the site's origin https:\/\/dashboard\.dev\.c2c\.example\.org/,
    );
    const site = buildPlatform(new App({ context: cdkJsonContext() }), withDomain(['https://dashboard.dev.c2c.example.org', 'http://localhost:5173'])).site;
    // Accepted: the distribution answers for the domain.
    const distribution = site.distribution.distribution.node.defaultChild as cloudfront.CfnDistribution;
    expect(site.resolve(distribution.distributionConfig)).toMatchObject({ aliases: ['dashboard.dev.c2c.example.org'] });
  });
});
