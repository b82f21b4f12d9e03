/**
 * Checks a response against the OpenAPI document: its status is documented for the operation,
 * its media type is one the document gives, and a JSON body (problem documents included) matches
 * that media type's schema, every error reported (Ajv with formats, over the operation as
 * openapi-backend dereferences it).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { OPENAPI_DOCUMENT } from '../../core/api/document';
import type { ApiResponse } from '../../core/api/handler';

const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const validators = new Map<string, ValidateFunction>();

let backend: Promise<OpenAPIBackend<OpenAPIV3.Document>> | undefined;

function documentBackend(): Promise<OpenAPIBackend<OpenAPIV3.Document>> {
  backend ??= (async () => {
    const api = new OpenAPIBackend<OpenAPIV3.Document>({ definition: OPENAPI_DOCUMENT, customizeAjv: (ajv) => addFormats(ajv) });
    await api.init();
    return api;
  })();
  return backend;
}

/** The problems with a response to `method path`, empty when it conforms. */
export async function nonConformance(method: string, path: string, response: ApiResponse): Promise<string[]> {
  const api = await documentBackend();
  const operation = api.matchOperation({ method: method.toLowerCase(), path, headers: {} });
  if (!operation) return response.status === 404 || response.status === 405 ? [] : [`no operation for ${method} ${path}`];
  const documented = operation.responses?.[String(response.status)] as OpenAPIV3.ResponseObject | undefined;
  if (!documented) return [`status ${response.status} is not documented for ${operation.operationId}`];
  const mediaType = (response.headers['content-type'] ?? '').split(';')[0] ?? '';
  if (!Object.keys(documented.content ?? {}).includes(mediaType)) return [`${mediaType} is not a documented media type of ${operation.operationId} ${response.status}`];
  if (!mediaType.endsWith('json')) return [];
  const key = `${operation.operationId}|${response.status}|${mediaType}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(documented.content?.[mediaType]?.schema ?? {});
    validators.set(key, validate);
  }
  return validate(JSON.parse(response.body)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
