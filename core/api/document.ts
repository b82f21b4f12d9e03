/**
 * The OpenAPI document (api/openapi.json): the single source of the API's routes, request rules
 * and response shapes. The handler validates against it, API Gateway is built from it, and the
 * tests check every response against it.
 */
import type { OpenAPIV3 } from 'openapi-types';
import document from '../../api/openapi.json';

export const OPENAPI_DOCUMENT = document as unknown as OpenAPIV3.Document;
