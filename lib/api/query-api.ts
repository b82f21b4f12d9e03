import { Aws, Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { OpenAPIV3 } from 'openapi-types';
import { OPENAPI_DOCUMENT } from '../../core/api/document';
import { ApiGatewayAccount } from './api-gateway-account';
import { apiGatewayDefinition, apiOperations, MAX_INTEGRATION_TIMEOUT } from './api-gateway-definition';

/** A token bucket: requests per second on average, and at once. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** What a partner system's API key may do: its own throttle, and a quota per period. */
export interface PartnerUsage {
  readonly throttle: Throttle;
  readonly quota: { readonly limit: number; readonly period: apigateway.Period };
}

export interface QueryApiProps {
  /** The REST API's name, also the prefix of its API keys' and usage plans' names, e.g. `c2c-dev-query-api`. */
  readonly restApiName: string;
  /** The function every operation is integrated with (Lambda proxy). */
  readonly function: lambda.IFunction;
  /** Encrypts the access and execution logs; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Every operation is open to anyone; otherwise every operation requires a partner's API key.
   * CORS preflights never do.
   */
  readonly publicRead: boolean;
  /** Browser origins allowed to call the API (CORS), the dashboard's first. */
  readonly corsOrigins: readonly string[];
  /** The stage's throttle, for all clients together. */
  readonly throttle: Throttle;
  /** Tighter throttles of some operations, by `operationId`. */
  readonly operationThrottles: Readonly<Record<string, Throttle>>;
  /** Partner systems by name (lowercase, digits, `-`): an API key each, on a usage plan of its own. */
  readonly partners: Readonly<Record<string, PartnerUsage>>;

  /** @default OPENAPI_DOCUMENT (api/openapi.json) */
  readonly document?: OpenAPIV3.Document;
  /** @default 'live' */
  readonly stageName?: string;
  /** @default MAX_INTEGRATION_TIMEOUT (29 seconds) */
  readonly integrationTimeout?: Duration;
}

/** What each request's access-log line holds (JSON): who, what, how it ended; never query strings, bodies or keys. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  apiKeyId: '$context.identity.apiKeyId',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integrationLatency',
  wafResponseCode: '$context.wafResponseCode',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * The Query API's REST API (DESIGN.md §4, Query API), built from the OpenAPI document
 * (`apiGatewayDefinition`): every operation a Lambda proxy integration with request validation,
 * CORS preflights, problem+json gateway responses. A regional endpoint with one stage: JSON
 * access logs and INFO execution logs (without request or response data) in KMS-encrypted log
 * groups, metrics, X-Ray tracing, stage and per-operation throttling. Partner systems get an API
 * key each, on a usage plan of their own (throttle and quota).
 */
export class QueryApi extends Construct {
  public readonly api: apigateway.SpecRestApi;
  public readonly stage: apigateway.Stage;
  public readonly definition: Record<string, unknown>;
  public readonly accessLogs: logs.LogGroup;
  public readonly executionLogs: logs.LogGroup;
  public readonly account: ApiGatewayAccount;
  /** Each partner's API key and usage plan, by partner name. */
  public readonly partners: Readonly<Record<string, { readonly key: apigateway.ApiKey; readonly plan: apigateway.UsagePlan }>>;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const document = props.document ?? OPENAPI_DOCUMENT;
    const stageName = props.stageName ?? 'live';
    const logOptions = { encryptionKey: props.logKey, retention: props.logRetention, removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN };
    const operations = apiOperations(document);

    this.account = new ApiGatewayAccount(this, 'Account');
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', logOptions);

    this.definition = apiGatewayDefinition(document, {
      integrationUri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${props.function.functionArn}/invocations`,
      integrationTimeout: props.integrationTimeout ?? MAX_INTEGRATION_TIMEOUT,
      apiKeyRequired: !props.publicRead,
      cors: { allowOrigins: props.corsOrigins, maxAge: Duration.hours(1) },
    });

    const methodLogging = { loggingLevel: apigateway.MethodLoggingLevel.INFO, dataTraceEnabled: false, metricsEnabled: true };
    const methodOptions = Object.fromEntries(
      Object.entries(props.operationThrottles).map(([operationId, throttle]) => {
        const operation = operations.find((candidate) => candidate.operationId === operationId);
        if (!operation) throw new Error(`operationThrottles: the API has no operation ${operationId}`);
        // A method's settings replace the stage's for that method: repeat the logging settings.
        return [`${operation.path}/${operation.method.toUpperCase()}`, { ...methodLogging, throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit }];
      }),
    );

    this.api = new apigateway.SpecRestApi(this, 'Api', {
      restApiName: props.restApiName,
      apiDefinition: apigateway.ApiDefinition.fromInline(this.definition),
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Results (JSON, CSV) compress well; API Gateway compresses for clients that accept it.
      minCompressionSize: Size.kibibytes(1),
      // The account's logging role is ApiGatewayAccount's, without the CDK's AWS managed policy.
      cloudWatchRole: false,
      deployOptions: {
        stageName,
        description: 'The Query API',
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        ...methodLogging,
        tracingEnabled: true,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        methodOptions,
      },
    });
    // The stack's ApiUrl output replaces the CDK's, whose name is generated.
    this.api.node.tryRemoveChild('Endpoint');
    this.stage = this.api.deploymentStage;
    // A SpecRestApi's deployment does not change with its definition: make it, so that a changed
    // document is deployed to the stage.
    this.api.latestDeployment?.addToLogicalId(this.definition);

    // Created here rather than by API Gateway, so that it is encrypted and expires.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      ...logOptions,
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
    });
    this.stage.node.addDependency(this.executionLogs, this.account.account);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Request validation (body and parameters) is declared in the OpenAPI definition the API is imported from ' +
        '(x-amazon-apigateway-request-validators, named by every operation), not as the separate ' +
        'AWS::ApiGateway::RequestValidator resources the rule looks for; the API tests check every operation.',
    });
    const noCache =
      'The stage has no cache, so no response is stored at rest to encrypt. To stay correct a stage cache would have to key ' +
      'each response on every query parameter, the Accept header and the body; repeated queries are answered by Athena\'s ' +
      'query result reuse instead, and browsers and CDNs may cache GET responses (Cache-Control).';
    const noClientCertificate =
      'A client certificate lets API Gateway prove itself to an HTTP backend. The only backend is a Lambda function, ' +
      'invoked through the Lambda service with IAM (SigV4) over TLS, which takes no client certificate.';
    Validations.of(this.stage).acknowledge(
      { id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', reason: noCache },
      { id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: noCache },
      { id: 'HIPAA.Security-APIGWSSLEnabled', reason: noClientCertificate },
      { id: 'NIST.800.53.R5-APIGWSSLEnabled', reason: noClientCertificate },
    );

    props.function.addPermission('InvokeFromQueryApi', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: this.api.arnForExecuteApi('*', '/*', stageName),
    });

    this.partners = Object.fromEntries(
      Object.entries(props.partners).map(([partner, usage]) => {
        if (!/^[a-z][a-z0-9-]{0,40}$/.test(partner)) throw new Error(`partner names are lowercase letters, digits and "-": ${JSON.stringify(partner)}`);
        const name = `${props.restApiName}-${partner}`;
        const key = new apigateway.ApiKey(this, `Key-${partner}`, { apiKeyName: name, description: `The Query API key of ${partner}.`, enabled: true });
        const plan = new apigateway.UsagePlan(this, `Plan-${partner}`, {
          name,
          description: `What ${partner}'s API key may do.`,
          throttle: usage.throttle,
          quota: usage.quota,
          apiStages: [{ api: this.api, stage: this.stage }],
        });
        plan.addApiKey(key);
        return [partner, { key, plan }];
      }),
    );
  }
}
