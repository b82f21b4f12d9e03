import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { OpenAPIV3 } from 'openapi-types';
import { OPENAPI_DOCUMENT } from '../../core/api/document';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { PUBLISHED_COLUMNS, PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { ApiFirewall, MANAGED_RULE_GROUPS } from '../../lib/api/api-firewall';
import {
  API_KEY_SCHEME, apiGatewayDefinition, apiOperations, GATEWAY_RESPONSES, gatewaySchema, REQUEST_VALIDATOR,
} from '../../lib/api/api-gateway-definition';
import { QueryApi } from '../../lib/api/query-api';
import { PUBLISHED_API_PREFIX, QueryApiFunction } from '../../lib/api/query-api-function';
import { environmentConfig, ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config/environments';
import { QueryWorkgroup } from '../../lib/consumption/query-workgroup';
import { PUBLISHED_TABLE_FOLDER, PublishedOutcomesTable } from '../../lib/governance/published-outcomes-table';
import { ZoneObjectAccess } from '../../lib/ingestion/lake-grants';
import { buildPlatform } from '../../lib/platform';
import { MAX_REQUEST_BODY } from '../../lib/stacks/api-stack';
import { DataLakeStorage } from '../../lib/storage/data-lake-storage';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
type Operation = Record<string, unknown> & { 'x-amazon-apigateway-integration': Record<string, unknown> };
type GatewayResponse = { statusCode?: string; responseParameters: Record<string, string>; responseTemplates: Record<string, string> };
type Body = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  'x-amazon-apigateway-request-validators': Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }>;
  'x-amazon-apigateway-gateway-responses': Record<string, GatewayResponse>;
  'x-amazon-apigateway-api-key-source': string;
};

const DOCUMENT = OPENAPI_DOCUMENT;
const OPERATIONS = apiOperations(DOCUMENT);

function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), ...context }, builtinCloudFormationValidation: false });
}

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

/** Every statement of every IAM policy attached to the role. */
function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** A CloudFormation value with every reference written out, e.g. `{"Ref":"X"}` as `<Ref:X>`, for text comparisons. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join(' ');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(delimiter);
  }
  if (node['Fn::GetStackOutput']) return `<Output:${(node['Fn::GetStackOutput'] as { OutputName: string }).OutputName}>`;
  if (node.Ref) return `<Ref:${String(node.Ref)}>`;
  if (node['Fn::GetAtt']) return `<GetAtt:${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

interface Synthesized {
  readonly api: Template;
  readonly storage: Template;
  readonly ingestion: Template;
}

function platform(env: EnvironmentName): Synthesized {
  const built = buildPlatform(testApp({ env }));
  return { api: Template.fromStack(built.api), storage: Template.fromStack(built.storage), ingestion: Template.fromStack(built.ingestion) };
}

describe.each(ENVIRONMENT_NAMES)('the %s Query API stack', (env) => {
  const config = environmentConfig(env, {});
  const { api, storage, ingestion } = platform(env);
  const [restApiId, restApi] = only(api, 'AWS::ApiGateway::RestApi');
  const body = restApi.Properties.Body as Body;
  const [stageId, stage] = only(api, 'AWS::ApiGateway::Stage');
  const [functionId, fn] = Object.entries(resources(api, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('HandlerFunction')) as [string, Resource];
  const functionArn = { 'Fn::GetAtt': [functionId, 'Arn'] };

  /** The logical ID of a zone's resource in the storage stack. */
  const zoneResource = (zone: ZoneName, type: 'AWS::S3::Bucket' | 'AWS::KMS::Key' | 'AWS::Glue::Database'): string => {
    const found = Object.entries(resources(storage, type)).find(([, resource]) =>
      type === 'AWS::Glue::Database'
        ? (resource.Properties.DatabaseInput as { Name: string }).Name === `c2c_${env}_${zone}`
        : ((resource.Properties.Tags ?? []) as { Key: string; Value: string }[]).some((tag) => tag.Key === 'c2c:zone' && tag.Value === zone),
    );
    if (!found) throw new Error(`no ${type} of the ${zone} zone`);
    return found[0];
  };
  /** The zones whose bucket, key or database a value refers to (through the storage stack's outputs). */
  const zonesIn = (value: unknown): ZoneName[] =>
    ZONE_NAMES.filter((zone) =>
      (['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database'] as const).some((type) => JSON.stringify(value).includes(zoneResource(zone, type))),
    );

  describe('the REST API, built from the OpenAPI document', () => {
    test('has every path and method of the document, each a Lambda proxy integration of the function with body and parameter validation, plus a CORS preflight per path', () => {
      expect(Object.keys(body.paths).sort()).toEqual(Object.keys(DOCUMENT.paths).sort());
      for (const [path, methods] of Object.entries(body.paths)) {
        expect(Object.keys(methods).sort()).toEqual([...OPERATIONS.filter((operation) => operation.path === path).map((operation) => operation.method), 'options'].sort());
      }
      expect(OPERATIONS.map((operation) => `${operation.method} ${operation.path}`).sort()).toEqual(
        ['get /v1/health', 'get /v1/metrics', 'get /v1/metrics/{metricId}', 'get /v1/query', 'post /v1/query'].sort(),
      );
      for (const { path, method, operationId } of OPERATIONS) {
        const operation = body.paths[path]?.[method] as Operation;
        expect(operation.operationId).toBe(operationId);
        expect(operation['x-amazon-apigateway-request-validator']).toBe(REQUEST_VALIDATOR);
        const integration = operation['x-amazon-apigateway-integration'];
        expect(integration).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST', timeoutInMillis: 29_000 });
        expect(flatten(integration.uri)).toBe(`arn:<Ref:AWS::Partition>:apigateway:<Ref:AWS::Region>:lambda:path/2015-03-31/functions/<GetAtt:${functionId}.Arn>/invocations`);
      }
      expect(body['x-amazon-apigateway-request-validators']).toEqual({ [REQUEST_VALIDATOR]: { validateRequestBody: true, validateRequestParameters: true } });
      expect(restApi.Properties).toMatchObject({ Name: `c2c-${env}-query-api`, EndpointConfiguration: { Types: ['REGIONAL'] } });
    });

    test('keeps the document\'s required parameters and request body, so API Gateway refuses requests without them', () => {
      for (const { path, method, operation } of OPERATIONS) {
        const parameters = (body.paths[path]?.[method]?.parameters ?? []) as { name: string; in: string; required: boolean }[];
        const all = [...(DOCUMENT.paths[path]?.parameters ?? []), ...(operation.parameters ?? [])];
        expect(parameters.length).toBe(all.length);
        expect(parameters.filter((parameter) => parameter.required).map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual(
          all
            .map((parameter) => ('$ref' in parameter ? resolveParameter(parameter.$ref) : parameter))
            .filter((parameter) => parameter.required)
            .map((parameter) => `${parameter.in}:${parameter.name}`)
            .sort(),
        );
      }
      expect(body.paths['/v1/query']?.post?.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/QueryRequest' } } } });
    });

    test('models the request body with the document\'s schemas, without what API Gateway cannot import', () => {
      expect(Object.keys(body.components.schemas).sort()).toEqual(['BreakdownId', 'Breakdowns', 'Cursor', 'Limit', 'MetricId', 'QueryRequest', 'Year', 'Years']);
      const unsupported = ['example', 'examples', 'nullable', 'oneOf', 'anyOf', 'discriminator', 'exclusiveMinimum', 'readOnly', 'format'];
      expect(keywordsIn(body.components.schemas).filter((keyword) => unsupported.includes(keyword))).toEqual([]);
      for (const name of ['MetricId', 'QueryRequest', 'Years']) {
        expect(body.components.schemas[name]).toEqual(withoutExamples(DOCUMENT.components?.schemas?.[name]));
      }
    });

    test(config.api.publicRead ? 'opens every operation to the public (publicRead on)' : 'requires an API key on every operation (publicRead off)', () => {
      expect(config.api.publicRead).toBe(env === 'prod');
      for (const { path, method } of OPERATIONS) {
        expect(body.paths[path]?.[method]?.security).toEqual(config.api.publicRead ? undefined : [{ [API_KEY_SCHEME]: [] }]);
      }
      expect(body.components.securitySchemes).toEqual(config.api.publicRead ? undefined : { [API_KEY_SCHEME]: { type: 'apiKey', name: 'x-api-key', in: 'header' } });
      expect(body['x-amazon-apigateway-api-key-source']).toBe('HEADER');
    });

    test('answers CORS preflights for the configured origins without a key, with a mock integration', () => {
      const [main, ...others] = config.api.corsOrigins;
      for (const [path, methods] of Object.entries(body.paths)) {
        const preflight = methods.options as Operation;
        expect(preflight.security).toBeUndefined();
        const response = (preflight['x-amazon-apigateway-integration'].responses as Record<string, { statusCode: string; responseParameters: Record<string, string>; responseTemplates?: Record<string, string> }>).default;
        expect(preflight['x-amazon-apigateway-integration'].type).toBe('mock');
        expect(response?.statusCode).toBe('204');
        expect(response?.responseParameters).toMatchObject({
          'method.response.header.Access-Control-Allow-Origin': `'${main}'`,
          'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Api-Key'",
          'method.response.header.Access-Control-Allow-Methods': `'${[...Object.keys(methods).filter((m) => m !== 'options'), 'options'].map((m) => m.toUpperCase()).join(',')}'`,
        });
        for (const origin of others) expect(response?.responseTemplates?.['application/json']).toContain(`$origin == "${origin}"`);
        if (others.length === 0) expect(response?.responseTemplates).toBeUndefined();
        expect(path.startsWith('/v1/')).toBe(true);
      }
      expect(config.api.corsOrigins.every((origin) => /^https:\/\/|^http:\/\/localhost:\d+$/.test(origin))).toBe(true);
    });

    test('answers its own refusals as problem documents (application/problem+json) whose status is the response\'s, readable by the dashboard', () => {
      const responses = body['x-amazon-apigateway-gateway-responses'];
      expect(Object.keys(responses).sort()).toEqual([...Object.keys(GATEWAY_RESPONSES), 'DEFAULT_4XX'].sort());
      for (const [type, response] of Object.entries(responses)) {
        expect(response.responseParameters).toEqual({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
          'gatewayresponse.header.Access-Control-Allow-Origin': `'${config.api.corsOrigins[0]}'`,
        });
        // API Gateway puts quoted strings in for $context.error.messageString, the text itself for the others.
        const filled = (response.responseTemplates['application/json'] ?? '')
          .replace(/\$context\.error\.messageString/g, '"Forbidden"')
          .replace(/\$context\.error\.validationErrorString/g, '[instance failed to match pattern]');
        const problem = JSON.parse(filled) as { type: string; title: string; status?: number; detail: string };
        expect(problem.type).toMatch(/^\/problems\/[a-z-]+$/);
        expect(problem.title.length).toBeGreaterThan(0);
        expect(problem.detail.length).toBeGreaterThan(0);
        if (type === 'DEFAULT_4XX') {
          expect(response.statusCode).toBeUndefined();
        } else {
          expect(problem.status).toBe(Number(response.statusCode));
        }
      }
      expect(responses.MISSING_AUTHENTICATION_TOKEN?.statusCode).toBe('404');
      expect(responses.THROTTLED?.statusCode).toBe('429');
      expect(responses.BAD_REQUEST_BODY?.responseTemplates['application/json']).toContain('/problems/invalid-parameter');
    });

    test('is deployed to its stage', () => {
      const [deploymentId] = only(api, 'AWS::ApiGateway::Deployment');
      expect(stage.Properties.DeploymentId).toEqual({ Ref: deploymentId });
    });

    test('lets API Gateway invoke the function from its stage only', () => {
      const [, permission] = only(api, 'AWS::Lambda::Permission');
      expect(permission.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', FunctionName: functionArn });
      expect(flatten(permission.Properties.SourceArn)).toBe(`arn:aws:execute-api:us-west-2:<Ref:AWS::AccountId>:<Ref:${restApiId}>/live/*/*`);
    });
  });

  describe('the stage', () => {
    test('logs every request as JSON to a KMS-encrypted log group, without query strings, bodies or keys', () => {
      const setting = stage.Properties.AccessLogSetting as { DestinationArn: unknown; Format: string };
      const fields = JSON.parse(setting.Format) as Record<string, string>;
      expect(fields).toMatchObject({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', status: '$context.status', resourcePath: '$context.resourcePath', wafResponseCode: '$context.wafResponseCode' });
      expect(Object.values(fields).filter((value) => /querystring|body|apiKey\b|requestOverride/i.test(value))).toEqual([]);
      const [accessLogsId, accessLogs] = Object.entries(resources(api, 'AWS::Logs::LogGroup')).find(([id]) => flatten(setting.DestinationArn).includes(`<Ref:${id}>`)) as [string, Resource];
      expect(accessLogsId).toMatch(/^QueryApiAccessLogs/);
      expect(accessLogs.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] }, RetentionInDays: env === 'prod' ? 365 : 30 });
    });

    test('has INFO execution logs without request or response data, in a log group of its own (KMS, retention), metrics and X-Ray tracing', () => {
      expect(stage.Properties).toMatchObject({ StageName: 'live', TracingEnabled: true });
      const settings = stage.Properties.MethodSettings as Record<string, unknown>[];
      for (const setting of settings) {
        expect(setting).toMatchObject({ LoggingLevel: 'INFO', DataTraceEnabled: false, MetricsEnabled: true });
      }
      const [executionLogsId, executionLogs] = Object.entries(resources(api, 'AWS::Logs::LogGroup')).find(([id]) => id.startsWith('QueryApiExecutionLogs')) as [string, Resource];
      expect(flatten(executionLogs.Properties.LogGroupName)).toBe(`API-Gateway-Execution-Logs_<Ref:${restApiId}>/live`);
      expect(executionLogs.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] } });
      // The log group and the account's logging role exist before the stage logs.
      const [accountId, account] = only(api, 'AWS::ApiGateway::Account');
      expect(stage.DependsOn).toEqual(expect.arrayContaining([executionLogsId, accountId]));
      expect(account.DeletionPolicy).toBe('Retain');
    });

    test('throttles the stage and the query operations as configured', () => {
      const settings = stage.Properties.MethodSettings as { HttpMethod: string; ResourcePath: string; ThrottlingRateLimit: number; ThrottlingBurstLimit: number }[];
      const limits = Object.fromEntries(settings.map((setting) => [`${setting.HttpMethod} ${setting.ResourcePath}`, [setting.ThrottlingRateLimit, setting.ThrottlingBurstLimit]]));
      expect(limits).toEqual({
        '* /*': [config.api.throttle.rateLimit, config.api.throttle.burstLimit],
        'GET /~1v1~1query': [config.api.operationThrottles.queryGet?.rateLimit, config.api.operationThrottles.queryGet?.burstLimit],
        'POST /~1v1~1query': [config.api.operationThrottles.queryPost?.rateLimit, config.api.operationThrottles.queryPost?.burstLimit],
      });
      for (const throttle of Object.values(config.api.operationThrottles)) {
        expect(throttle.rateLimit).toBeLessThanOrEqual(config.api.throttle.rateLimit);
      }
    });

    test('gives each configured partner an API key on a usage plan of its own, with its throttle and quota', () => {
      const plans = Object.values(resources(api, 'AWS::ApiGateway::UsagePlan'));
      const keys = resources(api, 'AWS::ApiGateway::ApiKey');
      const links = Object.values(resources(api, 'AWS::ApiGateway::UsagePlanKey'));
      expect(Object.keys(config.api.partners).length).toBeGreaterThan(0);
      expect(plans).toHaveLength(Object.keys(config.api.partners).length);
      for (const [partner, usage] of Object.entries(config.api.partners)) {
        const name = `c2c-${env}-query-api-${partner}`;
        const [planId, plan] = Object.entries(resources(api, 'AWS::ApiGateway::UsagePlan')).find(([, candidate]) => candidate.Properties.UsagePlanName === name) as [string, Resource];
        expect(plan.Properties).toMatchObject({
          Throttle: { RateLimit: usage.throttle.rateLimit, BurstLimit: usage.throttle.burstLimit },
          Quota: { Limit: usage.quota.limit, Period: usage.quota.period },
          ApiStages: [{ ApiId: { Ref: restApiId }, Stage: { Ref: stageId } }],
        });
        const [keyId] = Object.entries(keys).find(([, key]) => key.Properties.Name === name) as [string, Resource];
        expect(links).toContainEqual(expect.objectContaining({ Properties: { KeyId: { Ref: keyId }, KeyType: 'API_KEY', UsagePlanId: { Ref: planId } } }));
      }
    });
  });

  describe('the function', () => {
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = roleStatements(api, roleId);

    test('runs Node.js 24 on ARM64, traced, logging JSON to its own KMS-encrypted log group, within API Gateway\'s timeout', () => {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: 25,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: config.api.logLevel, LogGroup: { Ref: expect.stringMatching(/^HandlerLogs/) } },
      });
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(config.api.reservedConcurrency);
      expect(Number(fn.Properties.Timeout)).toBeGreaterThan(config.api.queryTimeout.toSeconds());
      expect(Number(fn.Properties.Timeout)).toBeLessThan(29);
      const [, logs] = Object.entries(resources(api, 'AWS::Logs::LogGroup')).find(([id]) => id.startsWith('HandlerLogs')) as [string, Resource];
      expect(logs.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] }, RetentionInDays: env === 'prod' ? 365 : 30 });
    });

    test('is told where the published zone, its table and the API\'s workgroup are, and its limits', () => {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).sort()).toEqual(
        ['ATHENA_DATABASE', 'ATHENA_TABLE', 'ATHENA_WORKGROUP', 'CORS_ALLOWED_ORIGINS', 'LOG_LEVEL', 'NODE_OPTIONS', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'PUBLISHED_BUCKET', 'QUERY_TIMEOUT_MS', 'RESULT_REUSE_MAX_AGE_MINUTES'].sort(),
      );
      expect(zonesIn(variables.PUBLISHED_BUCKET)).toEqual(['published']);
      expect(flatten(variables.PUBLISHED_BUCKET)).toContain(zoneResource('published', 'AWS::S3::Bucket'));
      expect(flatten(variables.ATHENA_DATABASE)).toContain(zoneResource('published', 'AWS::Glue::Database'));
      expect(variables).toMatchObject({
        ATHENA_WORKGROUP: { Ref: expect.stringMatching(/^QueriesWorkGroup/) },
        ATHENA_TABLE: 'outcomes',
        QUERY_TIMEOUT_MS: String(config.api.queryTimeout.toMilliseconds()),
        RESULT_REUSE_MAX_AGE_MINUTES: String(config.api.resultReuseMaxAge.toMinutes()),
        CORS_ALLOWED_ORIGINS: config.api.corsOrigins.join(','),
        LOG_LEVEL: config.api.logLevel,
        POWERTOOLS_SERVICE_NAME: 'query-api',
        POWERTOOLS_METRICS_NAMESPACE: `c2c-${env}`,
      });
    });

    test('has its own role, trusted by Lambda only, without managed policies and without a wildcard action', () => {
      const role = resources(api, 'AWS::IAM::Role')[roleId] as Resource;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        Version: '2012-10-17',
      });
      expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
      expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
    });

    test('may do exactly this: read the published outcomes/ folder, read the table\'s definition, run queries in its workgroup, write its logs and traces', () => {
      const granted = statements.map((statement) => [actionsOf(statement).sort().join(' '), flatten(statement.Resource), JSON.stringify(statement.Condition ?? null)]);
      const published = (suffix: string): unknown => expect.stringMatching(new RegExp(`^<Output:DataLakePublishedBucket[0-9A-F]{8}Arn>${suffix}$`));
      expect(granted).toEqual(
        expect.arrayContaining([
          ['s3:GetObject', published(`/${PUBLISHED_API_PREFIX}\\*`), 'null'],
          ['s3:ListBucket', published(''), JSON.stringify({ StringLike: { 's3:prefix': [`${PUBLISHED_API_PREFIX}*`] } })],
          ['s3:GetBucketLocation', published(''), 'null'],
          ['kms:Decrypt', expect.stringMatching(/^<Output:PublishOutputFnGetAttDataLakePublishedKey/), JSON.stringify({ StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } })],
          ['glue:GetDatabase glue:GetPartitions glue:GetTable', expect.stringMatching(/:catalog arn.*:database\/<Output:[^>]*DataLakePublishedDatabase[^>]*> arn.*:table\/<Output:[^>]*DataLakePublishedDatabase[^>]*>\/outcomes$/), 'null'],
          ['athena:GetQueryExecution athena:GetQueryResults athena:StartQueryExecution athena:StopQueryExecution', expect.stringMatching(/:workgroup\/<Ref:QueriesWorkGroup[0-9A-F]{8}>$/), 'null'],
          ['s3:AbortMultipartUpload s3:GetObject s3:PutObject', expect.stringMatching(/^<GetAtt:QueriesResults[0-9A-F]{8}\.Arn>\/results\/\*$/), 'null'],
          ['s3:GetBucketLocation s3:ListBucket', expect.stringMatching(/^<GetAtt:QueriesResults[0-9A-F]{8}\.Arn>$/), 'null'],
          ['kms:Decrypt kms:GenerateDataKey', expect.stringMatching(/^<GetAtt:QueriesResultsKey[0-9A-F]{8}\.Arn>$/), JSON.stringify({ StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } })],
          ['logs:CreateLogStream logs:PutLogEvents', expect.stringMatching(/^<GetAtt:HandlerLogs[0-9A-F]{8}\.Arn>$/), 'null'],
          ['xray:PutTelemetryRecords xray:PutTraceSegments', '*', 'null'],
        ]),
      );
      expect(granted).toHaveLength(11);
    });

    test('reaches no zone but the published one, no other table, no other workgroup', () => {
      expect([...new Set(statements.flatMap((statement) => zonesIn(statement.Resource)))]).toEqual(['published']);
      for (const statement of statements) {
        for (const zone of ZONE_NAMES.filter((z) => z !== 'published')) {
          expect(JSON.stringify(statement)).not.toContain(`DataLake${zone.charAt(0).toUpperCase()}${zone.slice(1)}`);
        }
      }
      // Only the X-Ray actions, which have no resource-level permissions, name "*".
      expect(statements.filter((statement) => flatten(statement.Resource).split(' ').includes('*')).flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      expect(JSON.stringify(statements)).not.toMatch(/analysts|PlanRunner|Ledger|Verdicts/);
      // Every published object the API reads is under the folder it may read.
      for (const location of [PUBLISHED_LOCATIONS.metadata, PUBLISHED_LOCATIONS.withheld, PUBLISHED_LOCATIONS.parquet]) {
        expect(location.startsWith(`published/${PUBLISHED_API_PREFIX}`)).toBe(true);
      }
    });
  });

  describe('the catalog table and the workgroup', () => {
    test('the published outcomes table: the published database, Parquet at outcomes/table/, columns from PUBLISHED_COLUMNS', () => {
      const [, table] = only(api, 'AWS::Glue::Table');
      expect(flatten(table.Properties.DatabaseName)).toContain(zoneResource('published', 'AWS::Glue::Database'));
      const input = table.Properties.TableInput as { Name: string; TableType: string; StorageDescriptor: { Columns: { Name: string; Type: string; Comment?: string }[]; Location: unknown; SerdeInfo: unknown }; PartitionKeys?: unknown };
      expect(input.Name).toBe('outcomes');
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.PartitionKeys).toBeUndefined();
      expect(input.StorageDescriptor.SerdeInfo).toEqual({ SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' });
      expect(input.StorageDescriptor.Columns).toEqual(
        PUBLISHED_COLUMNS.map(([name, type, description]) => ({ Name: name, Type: { VARCHAR: 'string', INTEGER: 'int', BIGINT: 'bigint', DOUBLE: 'double' }[type], Comment: description })),
      );
      expect(input.StorageDescriptor.Columns.every((column) => (column.Comment ?? '').length <= 255)).toBe(true);
      expect(PUBLISHED_TABLE_FOLDER).toBe('outcomes/table/');
      expect(flatten(input.StorageDescriptor.Location)).toMatch(/^s3:\/\/<Output:[^>]*DataLakePublishedBucket[^>]*>\/outcomes\/table\/$/);
      expect(PUBLISHED_LOCATIONS.parquet).toBe(`published/${PUBLISHED_TABLE_FOLDER}outcomes.parquet`);
    });

    test('the API\'s own workgroup: its scan limit, encrypted results that expire', () => {
      const [, workgroup] = only(api, 'AWS::Athena::WorkGroup');
      expect(workgroup.Properties).toMatchObject({
        Name: `c2c-${env}-query-api`,
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: config.api.bytesScannedCutoffPerQuery,
          ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } },
        },
      });
      const [, results] = Object.entries(resources(api, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('QueriesResults')) as [string, Resource];
      expect(results.Properties).toMatchObject({ LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: config.api.queryResultRetention.toDays() })] } });
      expect(config.api.resultReuseMaxAge.toMinutes()).toBeLessThanOrEqual(config.api.queryResultRetention.toMinutes());
    });
  });

  describe('the web application firewall', () => {
    const [webAclId, webAcl] = only(api, 'AWS::WAFv2::WebACL');
    const rules = webAcl.Properties.Rules as { Name: string; Priority: number; Statement: Record<string, Record<string, unknown>>; VisibilityConfig: Record<string, unknown>; Action?: unknown; OverrideAction?: unknown }[];

    test('is a regional web ACL associated with the API\'s stage', () => {
      expect(webAcl.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} }, VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true } });
      const [, association] = only(api, 'AWS::WAFv2::WebACLAssociation');
      expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
      expect(flatten(association.Properties.ResourceArn)).toBe(`arn:aws:apigateway:us-west-2::/restapis/<Ref:${restApiId}>/stages/<Ref:${stageId}>`);
    });

    test('limits the rate per IP address as configured, then applies the AWS managed rule groups and the body-size limit, each with metrics', () => {
      expect(rules.map((rule) => rule.Name)).toEqual(['RateLimitPerIp', ...MANAGED_RULE_GROUPS, 'BodyTooLarge']);
      expect(rules.map((rule) => rule.Priority)).toEqual(rules.map((_, index) => index));
      expect(rules[0]?.Statement.RateBasedStatement).toEqual({ Limit: config.api.wafRateLimitPer5Minutes, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
      expect(rules[0]?.Action).toEqual({ Block: {} });
      for (const group of MANAGED_RULE_GROUPS) {
        const rule = rules.find((candidate) => candidate.Name === group);
        expect(rule?.Statement.ManagedRuleGroupStatement).toMatchObject({ VendorName: 'AWS', Name: group });
        expect(rule?.OverrideAction).toEqual({ None: {} });
      }
      expect(MANAGED_RULE_GROUPS).toEqual(expect.arrayContaining(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesSQLiRuleSet']));
      expect(rules.find((rule) => rule.Name === 'BodyTooLarge')?.Statement.SizeConstraintStatement).toMatchObject({ ComparisonOperator: 'GT', Size: MAX_REQUEST_BODY.toBytes() });
      for (const rule of rules) expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    });

    test('logs blocked and counted requests to a KMS-encrypted aws-waf-logs- group, the API key redacted', () => {
      const [, logging] = only(api, 'AWS::WAFv2::LoggingConfiguration');
      expect(logging.Properties.ResourceArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
      expect(flatten(logging.Properties.LogDestinationConfigs)).toBe(`arn:aws:logs:us-west-2:<Ref:AWS::AccountId>:log-group:aws-waf-logs-c2c-${env}-query-api`);
      expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'x-api-key' } }]);
      const [, logGroup] = Object.entries(resources(api, 'AWS::Logs::LogGroup')).find(([, group]) => group.Properties.LogGroupName === `aws-waf-logs-c2c-${env}-query-api`) as [string, Resource];
      expect(logGroup.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] }, RetentionInDays: env === 'prod' ? 365 : 30 });
    });
  });

  test('alarms on 5XX errors, p99 latency and the function\'s errors and throttles, to the operators\' topic', () => {
    const alarms = Object.values(resources(api, 'AWS::CloudWatch::Alarm'));
    expect(alarms.map((alarm) => `${String(alarm.Properties.Namespace)} ${String(alarm.Properties.MetricName)} ${String(alarm.Properties.Statistic ?? alarm.Properties.ExtendedStatistic)}`).sort()).toEqual(
      ['AWS/ApiGateway 5XXError Sum', 'AWS/ApiGateway Latency p99', 'AWS/Lambda Errors Sum', 'AWS/Lambda Throttles Sum'],
    );
    const [topicId] = Object.entries(resources(ingestion, 'AWS::SNS::Topic')).find(([id]) => id.startsWith('OperatorAlertsTopic')) as [string, Resource];
    for (const alarm of alarms) {
      for (const actions of [alarm.Properties.AlarmActions, alarm.Properties.OKActions]) {
        expect(flatten(actions)).toMatch(new RegExp(`^<Output:[^>]*${topicId}[^>]*>$`));
      }
    }
    const latency = alarms.find((alarm) => alarm.Properties.MetricName === 'Latency');
    expect(latency?.Properties).toMatchObject({ Threshold: config.api.queryTimeout.toMilliseconds(), EvaluationPeriods: 3 });
    expect((latency?.Properties.Dimensions as { Name: string }[]).map((dimension) => dimension.Name).sort()).toEqual(['ApiName', 'Stage']);
  });

  test('outputs the API\'s URL and the function\'s name', () => {
    const outputs = api.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flatten(outputs.ApiUrl?.Value)).toBe(`https://<Ref:${restApiId}>.execute-api.us-west-2.<Ref:AWS::URLSuffix>/<Ref:${stageId}>/`);
    expect(outputs.FunctionName?.Value).toEqual({ Ref: functionId });
  });
});

/** The logical ID of the API's deployment, for a document. */
function deploymentOf(document: OpenAPIV3.Document): string {
  const stack = new Stack(testApp(), 'Deployed', { env: { region: 'us-west-2' } });
  new QueryApi(stack, 'QueryApi', {
    restApiName: 'x',
    function: lambda.Function.fromFunctionAttributes(stack, 'Function', { functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:f', sameEnvironment: true }),
    logKey: new kms.Key(stack, 'LogKey'),
    logRetention: RetentionDays.ONE_DAY,
    publicRead: true,
    corsOrigins: ['https://a.example'],
    throttle: { rateLimit: 1, burstLimit: 1 },
    operationThrottles: {},
    partners: {},
    document,
  });
  return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0] ?? '';
}

/** Every key of every object in a value, at any depth. */
function keywordsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keywordsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [key, ...keywordsIn(child)]);
}

/** A schema of the document without its examples, which API Gateway does not import. */
function withoutExamples(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (key: string, value: unknown) => (key === 'example' ? undefined : value));
}

function resolveParameter(ref: string): OpenAPIV3.ParameterObject {
  return DOCUMENT.components?.parameters?.[ref.split('/').pop() ?? ''] as OpenAPIV3.ParameterObject;
}

describe('apiGatewayDefinition', () => {
  const options = { integrationUri: 'arn:fn', integrationTimeout: Duration.seconds(29), apiKeyRequired: false, cors: { allowOrigins: ['https://a.example'], maxAge: Duration.hours(1) } };
  const minimal = (paths: OpenAPIV3.PathsObject, schemas: Record<string, OpenAPIV3.SchemaObject> = {}): OpenAPIV3.Document => ({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths,
    components: { schemas },
  });
  const get = (operationId: string): OpenAPIV3.PathItemObject => ({ get: { operationId, responses: { 200: { description: 'ok' } } } });

  test('loosens schemas only: drops what API Gateway cannot import, turns nullable into a null type', () => {
    expect(gatewaySchema({ type: 'string', example: 'x', format: 'int64', pattern: '^a$', nullable: true, enum: ['a'] })).toEqual({ type: ['string', 'null'], pattern: '^a$', enum: ['a', null] });
    expect(gatewaySchema({ allOf: [{ $ref: '#/components/schemas/X' }], nullable: true, description: 'd' })).toEqual({ description: 'd' });
    expect(gatewaySchema({ type: 'object', additionalProperties: { type: 'integer', exclusiveMinimum: true, minimum: 0 }, properties: { a: { oneOf: [{ type: 'string' }] } } })).toEqual({
      type: 'object',
      additionalProperties: { type: 'integer', minimum: 0 },
      properties: { a: {} },
    });
  });

  test('refuses, at synthesis, what API Gateway would refuse at deployment', () => {
    expect(() => apiGatewayDefinition(minimal({ '/v1/a{b}': get('x') }), options)).toThrow(/cannot import path/);
    expect(() => apiGatewayDefinition(minimal({ '/v1/a': { get: { responses: {} } } }), options)).toThrow(/has no operationId/);
    expect(() => apiGatewayDefinition(minimal({ '/v1/a': { options: { operationId: 'o', responses: {} } } }), options)).toThrow(/OPTIONS is the CORS preflight/);
    const post = (schema: string): OpenAPIV3.PathItemObject => ({ post: { operationId: 'p', requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } }, responses: {} } });
    expect(() => apiGatewayDefinition(minimal({ '/v1/a': post('Bad_Name') }, { Bad_Name: { type: 'object' } }), options)).toThrow(/model names are alphanumeric/);
    expect(() => apiGatewayDefinition(minimal({ '/v1/a': post('Missing') }), options)).toThrow(/is referenced but not defined/);
    expect(() => apiGatewayDefinition(minimal({ '/v1/a': get('x') }), { ...options, integrationTimeout: Duration.seconds(30) })).toThrow(/at most 29 seconds/);
    expect(() => apiGatewayDefinition(minimal({ '/v1/a': get('x') }), { ...options, cors: { ...options.cors, allowOrigins: [] } })).toThrow(/at least one allowed origin/);
  });

  test('a changed document makes a new deployment of the stage', () => {
    const changed = { ...DOCUMENT, info: { ...DOCUMENT.info, description: 'changed' } };
    expect(deploymentOf(changed)).not.toBe(deploymentOf(DOCUMENT));
    expect(deploymentOf(DOCUMENT)).toBe(deploymentOf(DOCUMENT));
  });
});

describe('the Query API function, bundled', () => {
  // A real esbuild bundle of lambdas/query-api/handler.ts: what `cdk deploy` uploads.
  const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
  const stack = new Stack(app, 'Bundled', { env: { region: 'us-west-2' } });
  const storage = new DataLakeStorage(stack, 'Lake', { namePrefix: 'c2c-test' });
  const workgroup = new QueryWorkgroup(stack, 'Queries', { workgroupName: 'api', bytesScannedCutoffPerQuery: 1024 ** 3, accessLogBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'logs') });
  const table = new PublishedOutcomesTable(stack, 'Table', { storage });
  const logKey = new kms.Key(stack, 'LogKey');
  const props = { storage, table, workgroup, logKey, metricsNamespace: 'c2c-test', queryTimeout: Duration.seconds(10), resultReuseMaxAge: Duration.minutes(60), corsOrigins: [] };
  new QueryApiFunction(stack, 'Handler', props);
  const assembly = app.synth();
  const [, bundled] = Object.entries(resources(Template.fromStack(stack), 'AWS::Lambda::Function')).find(([id]) => id.startsWith('HandlerFunction')) as [string, Resource];
  const bundle = join(assembly.directory, `asset.${(bundled.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`, 'index.js');

  test('is one self-contained file with the AWS SDK and the OpenAPI document, without DuckDB', () => {
    expect(existsSync(bundle)).toBe(true);
    const text = readFileSync(bundle, 'utf8');
    expect(text.match(/@duckdb\/[a-z-]+|duckdb\.node/g)).toBeNull();
    // The SDK clients are in the bundle, not required from the runtime's copy.
    expect(text.match(/require\("@aws-sdk\/client-[a-z0-9-]+"\)/g)).toBeNull();
    expect(['AmazonAthena', 'StartQueryExecution', 'GetObject', '/v1/metrics/{metricId}'].filter((part) => !text.includes(part))).toEqual([]);
  });

  test('answers requests outside the document from the bundle alone, without AWS: routing and validation are in it', () => {
    // Neither request reaches S3 or Athena: API Gateway would refuse both too, the handler is the second line.
    const script = `
      const { handler } = require(process.argv[1]);
      const request = (path, query) => ({ httpMethod: 'GET', path, headers: {}, multiValueQueryStringParameters: query, body: null, isBase64Encoded: false, requestContext: { requestId: 'test' } });
      Promise.all([handler(request('/v2/nothing', null)), handler(request('/v1/query', { format: ['csv'] }))])
        .then((responses) => process.stdout.write(JSON.stringify(responses.map((r) => [r.statusCode, r.headers['content-type'], JSON.parse(r.body).type]))));`;
    const environment = { PATH: process.env.PATH, AWS_REGION: 'us-west-2', ATHENA_WORKGROUP: 'w', ATHENA_DATABASE: 'd', ATHENA_TABLE: 'outcomes', PUBLISHED_BUCKET: 'b', LOG_LEVEL: 'ERROR' };
    const answers = JSON.parse(execFileSync(process.execPath, ['-e', script, bundle], { encoding: 'utf8', env: environment })) as [number, string, string][];
    expect(answers).toEqual([
      [404, expect.stringMatching(/^application\/problem\+json/), '/problems/not-found'],
      [400, expect.stringMatching(/^application\/problem\+json/), '/problems/invalid-parameter'],
    ]);
  });

  test('refuses timeouts API Gateway would cut short, or that leave the query no room', () => {
    const other = new Stack(testApp(), 'Timeouts');
    const otherProps = { ...props, storage: new DataLakeStorage(other, 'Lake', { namePrefix: 'c2c-test' }), logKey: new kms.Key(other, 'LogKey') };
    expect(() => new QueryApiFunction(other, 'TooLong', { ...otherProps, timeout: Duration.seconds(29) })).toThrow(/under API Gateway's 29 seconds/);
    expect(() => new QueryApiFunction(other, 'NoRoom', { ...otherProps, queryTimeout: Duration.seconds(20) })).toThrow(/queryTimeout must leave the function 10 seconds/);
  });
});

describe('ZoneObjectAccess under a prefix', () => {
  test('names the prefix\'s objects, lists that prefix only, and refuses a prefix that is not a folder', () => {
    const stack = new Stack(testApp(), 'Prefix', { env: { region: 'us-west-2' } });
    const storage = new DataLakeStorage(stack, 'Lake', { namePrefix: 'c2c-test' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const base = { bucket: storage.bucket('published'), key: storage.key('published'), role, access: 'query' as const, whyAllObjects: 'A test of the prefix: the reader reads a folder of files it cannot name in advance.' };
    const access = new ZoneObjectAccess(stack, 'Access', { ...base, prefix: 'outcomes/' });
    expect(access.acknowledgedFinding).toMatch(/^AwsSolutions-IAM5\[Resource::<LakePublishedBucket[0-9A-F]{8}\.Arn>\/outcomes\/\*\]$/);
    for (const prefix of ['outcomes', '/outcomes/', 'out*/', 'a//b/']) {
      expect(() => new ZoneObjectAccess(stack, `Bad${prefix}`, { ...base, prefix })).toThrow(/prefix must be a folder/);
    }
  });
});

describe('ApiFirewall', () => {
  test('refuses a body limit past what WAF inspects', () => {
    const stack = new Stack(testApp(), 'Waf', { env: { region: 'us-west-2' } });
    expect(
      () => new ApiFirewall(stack, 'Firewall', { name: 'x', resourceArn: 'arn', rateLimitPer5Minutes: 100, maxBodySize: Size.kibibytes(64), logKey: new kms.Key(stack, 'K'), logRetention: RetentionDays.ONE_MONTH }),
    ).toThrow(/at most 16 KiB/);
  });
});
