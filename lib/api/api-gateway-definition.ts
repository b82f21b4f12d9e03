/**
 * The API Gateway copy of the OpenAPI document (api/openapi.json): the same paths and
 * operations, with API Gateway's extensions added (Lambda proxy integration, request validation,
 * API keys, CORS preflight, problem+json gateway responses) and what API Gateway's import does
 * not support taken out. The document itself is never changed.
 *
 * API Gateway imports OpenAPI 3.0 with exceptions (developer guide, "Amazon API Gateway important
 * notes for REST APIs"): models are JSON Schema draft 4 (no `nullable`, `example`,
 * `exclusiveMinimum`, `oneOf`, `anyOf`, `discriminator`, `readOnly`; no int32/int64/decimal
 * formats), model names are alphanumeric, path segments are plain or whole `{parameters}`, a
 * parameter contributes only its name, place, `required` and description, and responses given
 * by `$ref` to `components/responses` are not supported. So the copy:
 * - keeps, of the schemas a request body uses, only draft-4 keywords API Gateway supports and
 *   turns `nullable` into a `null` type. It only ever loosens what the gateway checks: the
 *   handler validates every request against the full document anyway;
 * - gives parameters a plain string schema (API Gateway checks only that required ones are there);
 * - keeps responses as status and description (the proxy integration passes the function's
 *   responses through, so API Gateway needs no response models);
 * - refuses, at synthesis, paths and schema names API Gateway would reject at deployment.
 */
import { Duration } from 'aws-cdk-lib';
import type { OpenAPIV3 } from 'openapi-types';
import { PROBLEM_TYPES } from '../../core/api/problem';

type JsonObject = { [key: string]: unknown };

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The request validator every operation uses: body and parameters. */
export const REQUEST_VALIDATOR = 'body-and-parameters';
/** The security scheme of the API key, sent in the `x-api-key` header. */
export const API_KEY_SCHEME = 'api_key';
/** API Gateway's longest wait for a Lambda integration, without a quota increase. */
export const MAX_INTEGRATION_TIMEOUT = Duration.seconds(29);

export interface ApiOperation {
  readonly path: string;
  readonly method: HttpMethod;
  readonly operationId: string;
  readonly operation: OpenAPIV3.OperationObject;
}

export interface CorsOptions {
  /** Origins allowed to call the API from a browser, e.g. `https://dashboard.example.gov`; the first is the main one. */
  readonly allowOrigins: readonly string[];
  /** How long a browser may cache a preflight answer. */
  readonly maxAge: Duration;
}

export interface ApiGatewayDefinitionOptions {
  /** The Lambda function every operation is integrated with, as API Gateway names it (`arn:...:apigateway:<region>:lambda:path/.../invocations`). */
  readonly integrationUri: string;
  /** API Gateway gives up on the function after this long (at most 29 s). */
  readonly integrationTimeout: Duration;
  /** Every operation requires an API key (`x-api-key`); otherwise every operation is open. */
  readonly apiKeyRequired: boolean;
  readonly cors: CorsOptions;
}

/** Every operation of the document, in document order. Config and tests name operations by `operationId`, so each must have one. */
export function apiOperations(document: OpenAPIV3.Document): ApiOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item?.[method];
      if (!operation) return [];
      if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      return [{ path, method, operationId: operation.operationId, operation }];
    }),
  );
}

/** The document as API Gateway should import it (`SpecRestApi` with `ApiDefinition.fromInline`). */
export function apiGatewayDefinition(document: OpenAPIV3.Document, options: ApiGatewayDefinitionOptions): JsonObject {
  if (options.integrationTimeout.toMilliseconds() > MAX_INTEGRATION_TIMEOUT.toMilliseconds()) {
    throw new Error(`integrationTimeout may be at most ${MAX_INTEGRATION_TIMEOUT.toHumanString()}`);
  }
  if (options.cors.allowOrigins.length === 0) throw new Error('CORS needs at least one allowed origin');
  const operations = apiOperations(document);
  const schemas = requestSchemas(document, operations);
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (!/^(\/([A-Za-z0-9._,:-]+|\{[A-Za-z0-9_]+\}))+$/.test(path)) {
      throw new Error(`API Gateway cannot import path ${path}: segments must be alphanumeric (with . _ , : -) or a whole {parameter}`);
    }
    const own = operations.filter((operation) => operation.path === path);
    if (own.some((operation) => operation.method === 'options')) throw new Error(`${path}: OPTIONS is the CORS preflight, which API Gateway answers`);
    paths[path] = {
      ...Object.fromEntries(own.map((operation) => [operation.method, gatewayOperation(document, operation, item?.parameters ?? [], options)])),
      options: preflight(own.map((operation) => operation.method), options.cors),
    };
  }
  return {
    openapi: document.openapi,
    info: { title: document.info.title, version: document.info.version, description: document.info.description },
    paths,
    components: {
      schemas,
      ...(options.apiKeyRequired ? { securitySchemes: { [API_KEY_SCHEME]: { type: 'apiKey', name: 'x-api-key', in: 'header' } } } : {}),
    },
    'x-amazon-apigateway-api-key-source': 'HEADER',
    'x-amazon-apigateway-request-validators': { [REQUEST_VALIDATOR]: { validateRequestBody: true, validateRequestParameters: true } },
    'x-amazon-apigateway-gateway-responses': gatewayResponses(options.cors.allowOrigins[0] as string),
  };
}

function gatewayOperation(
  document: OpenAPIV3.Document,
  { operation }: ApiOperation,
  pathParameters: readonly (OpenAPIV3.ReferenceObject | OpenAPIV3.ParameterObject)[],
  options: ApiGatewayDefinitionOptions,
): JsonObject {
  // An operation's parameter replaces the path item's of the same name and place.
  const own = (operation.parameters ?? []).map((parameter) => resolved<OpenAPIV3.ParameterObject>(document, parameter));
  const inherited = pathParameters.map((parameter) => resolved<OpenAPIV3.ParameterObject>(document, parameter));
  const parameters = [...inherited.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
  const requestBody = operation.requestBody ? resolved<OpenAPIV3.RequestBodyObject>(document, operation.requestBody) : undefined;
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: operation.tags,
    parameters: parameters.map((parameter) => ({
      name: parameter.name,
      in: parameter.in,
      required: parameter.required ?? false,
      description: parameter.description,
      schema: { type: 'string' },
    })),
    ...(requestBody
      ? {
          requestBody: {
            required: requestBody.required ?? false,
            content: Object.fromEntries(Object.entries(requestBody.content).map(([mediaType, { schema }]) => [mediaType, { schema: gatewaySchema(schema ?? {}) }])),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(operation.responses).map(([status, response]) => [status, { description: resolved<OpenAPIV3.ResponseObject>(document, response).description }]),
    ),
    ...(options.apiKeyRequired ? { security: [{ [API_KEY_SCHEME]: [] }] } : {}),
    'x-amazon-apigateway-request-validator': REQUEST_VALIDATOR,
    'x-amazon-apigateway-integration': {
      type: 'aws_proxy',
      httpMethod: 'POST',
      uri: options.integrationUri,
      passthroughBehavior: 'when_no_match',
      timeoutInMillis: options.integrationTimeout.toMilliseconds(),
    },
  };
}

/**
 * The CORS preflight of a path: a mock integration answering 204 with the allowed methods and
 * headers. The first origin is the answer by default; another allowed origin is echoed back
 * (`Vary: Origin`), as the CDK's own CORS preflight does.
 */
function preflight(methods: readonly HttpMethod[], cors: CorsOptions): JsonObject {
  const [main, ...others] = cors.allowOrigins;
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': `'${main}'`,
    'Access-Control-Allow-Methods': `'${[...methods, 'options'].map((method) => method.toUpperCase()).join(',')}'`,
    'Access-Control-Allow-Headers': "'Content-Type,X-Api-Key'",
    'Access-Control-Max-Age': `'${cors.maxAge.toSeconds()}'`,
    ...(others.length > 0 ? { Vary: "'Origin'" } : {}),
  };
  const echo = [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if($origin == "")#set($origin = $input.params().header.get("origin"))#end',
    `#if(${others.map((origin) => `$origin == "${origin}"`).join(' || ')})`,
    '  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#end',
  ].join('\n');
  return {
    summary: 'CORS preflight',
    responses: {
      204: { description: 'The methods and headers a browser may use here.', headers: Object.fromEntries(Object.keys(headers).map((name) => [name, { schema: { type: 'string' } }])) },
    },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 204}' },
      passthroughBehavior: 'when_no_match',
      responses: {
        default: {
          statusCode: '204',
          responseParameters: Object.fromEntries(Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, value])),
          ...(others.length > 0 ? { responseTemplates: { 'application/json': echo } } : {}),
        },
      },
    },
  };
}

/** Problem types of refusals only API Gateway gives; the others are the handler's (core/api/problem.ts). */
const GATEWAY_PROBLEM_TYPES = {
  403: ['/problems/forbidden', 'Forbidden'],
  429: ['/problems/too-many-requests', 'Too many requests'],
  502: ['/problems/bad-gateway', 'Bad gateway'],
  504: ['/problems/gateway-timeout', 'Gateway timeout'],
} as const;
type GatewayProblemStatus = keyof typeof PROBLEM_TYPES | keyof typeof GATEWAY_PROBLEM_TYPES;
const PROBLEMS: Readonly<Record<GatewayProblemStatus, readonly [type: string, title: string]>> = { ...PROBLEM_TYPES, ...GATEWAY_PROBLEM_TYPES };

/**
 * API Gateway's own answers, by response type, as problem documents (`application/problem+json`)
 * like the handler's. The status is set for each type, so that the document's `status` is the
 * response's. `detail` is API Gateway's message, never the request's values.
 */
export const GATEWAY_RESPONSES: Readonly<Record<string, { readonly status: GatewayProblemStatus; readonly detail: string }>> = {
  BAD_REQUEST_PARAMETERS: { status: 400, detail: '$context.error.messageString' },
  BAD_REQUEST_BODY: { status: 400, detail: '"$context.error.validationErrorString"' },
  // API Gateway's answer to a path, or a method of a path, that the API does not have.
  MISSING_AUTHENTICATION_TOKEN: { status: 404, detail: '"The API has no such path, or no such method on it."' },
  RESOURCE_NOT_FOUND: { status: 404, detail: '$context.error.messageString' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, detail: '$context.error.messageString' },
  INVALID_API_KEY: { status: 403, detail: '"This operation needs a valid API key in the x-api-key header."' },
  ACCESS_DENIED: { status: 403, detail: '$context.error.messageString' },
  WAF_FILTERED: { status: 403, detail: '"The firewall refused the request."' },
  THROTTLED: { status: 429, detail: '"Too many requests: slow down and retry."' },
  QUOTA_EXCEEDED: { status: 429, detail: '"The API key has used its quota for the period."' },
  INTEGRATION_FAILURE: { status: 502, detail: '"The query service failed; try again later."' },
  INTEGRATION_TIMEOUT: { status: 504, detail: '"The query service took too long; try again later."' },
  DEFAULT_5XX: { status: 500, detail: '$context.error.messageString' },
};

function gatewayResponses(origin: string): JsonObject {
  const responseParameters = {
    'gatewayresponse.header.Content-Type': "'application/problem+json'",
    // Static: gateway responses are not templated, so only the main origin can read them.
    'gatewayresponse.header.Access-Control-Allow-Origin': `'${origin}'`,
  };
  const problem = (fields: string[]): JsonObject => ({ 'application/json': `{${fields.join(',')}}` });
  return {
    ...Object.fromEntries(
      Object.entries(GATEWAY_RESPONSES).map(([responseType, { status, detail }]) => {
        const [type, title] = PROBLEMS[status];
        return [
          responseType,
          { statusCode: String(status), responseParameters, responseTemplates: problem([`"type":"${type}"`, `"title":"${title}"`, `"status":${status}`, `"detail":${detail}`]) },
        ];
      }),
    ),
    // Any other 4xx keeps the status API Gateway chose, which its template cannot name.
    DEFAULT_4XX: { responseParameters, responseTemplates: problem(['"type":"/problems/refused"', '"title":"Request refused"', '"detail":$context.error.messageString']) },
  };
}

/** The component schemas that request bodies use, directly or through other schemas, as API Gateway models. */
function requestSchemas(document: OpenAPIV3.Document, operations: readonly ApiOperation[]): JsonObject {
  const all = document.components?.schemas ?? {};
  const schemas: JsonObject = {};
  const pending = operations.flatMap(({ operation }) =>
    operation.requestBody ? Object.values(resolved<OpenAPIV3.RequestBodyObject>(document, operation.requestBody).content).map((media) => media.schema ?? {}) : [],
  ).flatMap(schemaReferences);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (name in schemas) continue;
    const schema = all[name];
    if (!schema) throw new Error(`#/components/schemas/${name} is referenced but not defined`);
    if (!/^[A-Za-z0-9]+$/.test(name)) throw new Error(`API Gateway model names are alphanumeric: rename schema ${name}`);
    schemas[name] = gatewaySchema(schema);
    pending.push(...schemaReferences(schema));
  }
  return schemas;
}

/** The names of the component schemas a schema refers to, at any depth. */
function schemaReferences(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(schemaReferences);
  if (typeof schema !== 'object' || schema === null) return [];
  return Object.entries(schema).flatMap(([keyword, value]) =>
    keyword === '$ref' && typeof value === 'string' ? [value.replace('#/components/schemas/', '')] : schemaReferences(value),
  );
}

/** Draft-4 keywords that API Gateway models support, by whether their value is a schema (or schemas). */
const SCHEMA_KEYWORDS: Readonly<Record<string, 'value' | 'schema' | 'schemas' | 'schema map'>> = {
  $ref: 'value', type: 'value', enum: 'value', title: 'value', description: 'value', default: 'value',
  multipleOf: 'value', maximum: 'value', exclusiveMaximum: 'value', minimum: 'value',
  minLength: 'value', maxLength: 'value', pattern: 'value',
  items: 'schema', minItems: 'value', maxItems: 'value', uniqueItems: 'value',
  properties: 'schema map', additionalProperties: 'schema', required: 'value', minProperties: 'value', maxProperties: 'value',
  allOf: 'schemas', not: 'schema',
};

/**
 * A schema with only the keywords API Gateway supports: the others (annotations such as
 * `example`, and constraints it cannot check) are dropped, which loosens the gateway's check and
 * never tightens it; `nullable: true` becomes a `null` type (or, without a type, no check).
 */
export function gatewaySchema(schema: OpenAPIV3.ReferenceObject | OpenAPIV3.SchemaObject | boolean): JsonObject | boolean {
  if (typeof schema === 'boolean') return schema;
  const out: JsonObject = {};
  for (const [keyword, value] of Object.entries(schema)) {
    const kind = Object.hasOwn(SCHEMA_KEYWORDS, keyword) ? SCHEMA_KEYWORDS[keyword] : undefined;
    if (kind === 'value') out[keyword] = value;
    else if (kind === 'schema') out[keyword] = gatewaySchema(value as OpenAPIV3.SchemaObject | boolean);
    else if (kind === 'schemas') out[keyword] = (value as OpenAPIV3.SchemaObject[]).map((item) => gatewaySchema(item));
    else if (kind === 'schema map') {
      out[keyword] = Object.fromEntries(Object.entries(value as Record<string, OpenAPIV3.SchemaObject>).map(([name, item]) => [name, gatewaySchema(item)]));
    }
  }
  if ('nullable' in schema && schema.nullable === true) {
    if (typeof out.type !== 'string') return out.description === undefined ? {} : { description: out.description };
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

/** The object a `$ref` names (`#/components/<kind>/<name>`), or the object itself. */
function resolved<T>(document: OpenAPIV3.Document, value: T | OpenAPIV3.ReferenceObject): T {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value;
  const target = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as JsonObject)[key] : undefined), document);
  if (target === undefined) throw new Error(`${value.$ref} is referenced but not defined`);
  return resolved<T>(document, target as T | OpenAPIV3.ReferenceObject);
}
