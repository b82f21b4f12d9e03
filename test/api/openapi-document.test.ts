/**
 * The OpenAPI document itself: a valid OpenAPI 3.0 document (checked against the official schema
 * by @seriousme/openapi-schema-validator), every example in it valid against its schema, and its
 * enums and limits the ones the code enforces.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { OPENAPI_DOCUMENT } from '../../core/api/document';
import { MAX_BODY_BYTES } from '../../core/api/handler';
import { DEFAULT_LIMIT } from '../../core/api/query';
import { BREAKDOWN_IDS } from '../../core/outcomes/breakdowns';
import { SUPPRESSION_REASONS } from '../../core/outcomes/protect';

const REPO = path.join(__dirname, '..', '..');
// ESM only, so run through its command line rather than imported into jest.
const VALIDATE_API = path.join(REPO, 'node_modules', '@seriousme', 'openapi-schema-validator', 'bin', 'validate-api-cli.js');

async function openApiValidity(file: string): Promise<{ valid: boolean }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [VALIDATE_API, file]);
    return JSON.parse(stdout) as { valid: boolean };
  } catch (error) {
    return JSON.parse((error as { stdout: string }).stdout) as { valid: boolean };
  }
}

it('is a valid OpenAPI 3.0 document, and the check catches an invalid one', async () => {
  expect(await openApiValidity(path.join(REPO, 'api', 'openapi.json'))).toEqual({ valid: true });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-openapi-'));
  try {
    const broken = path.join(tmp, 'broken.json');
    await writeFile(broken, JSON.stringify({ ...OPENAPI_DOCUMENT, paths: { '/v1/health': { get: { operationId: 'x' } } } }));
    expect((await openApiValidity(broken)).valid).toBe(false);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

interface Example {
  readonly where: string;
  readonly schema: OpenAPIV3.SchemaObject;
  readonly value: unknown;
}

/** Every example of the dereferenced document with the schema it illustrates. */
function examples(node: unknown, where: string, found: Example[] = []): Example[] {
  if (typeof node !== 'object' || node === null) return found;
  const object = node as Record<string, unknown>;
  const schema = object.schema as OpenAPIV3.SchemaObject | undefined;
  if (schema && 'example' in object) found.push({ where, schema, value: object.example });
  if (schema && typeof object.examples === 'object' && object.examples !== null) {
    for (const [name, example] of Object.entries(object.examples as Record<string, { value: unknown }>)) found.push({ where: `${where}/examples/${name}`, schema, value: example.value });
  }
  // A schema's own example illustrates the schema.
  if (!schema && 'example' in object && ('type' in object || 'properties' in object)) found.push({ where, schema: object as OpenAPIV3.SchemaObject, value: object.example });
  for (const [key, value] of Object.entries(object)) {
    if (key !== 'example' && key !== 'examples') examples(value, `${where}/${key}`, found);
  }
  return found;
}

it('has examples that all validate against their schemas', async () => {
  const api = new OpenAPIBackend<OpenAPIV3.Document>({ definition: OPENAPI_DOCUMENT, customizeAjv: (ajv) => addFormats(ajv) });
  await api.init();
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const all = examples(api.definition, '#');
  // Parameters, request bodies, responses and schemas each have some.
  expect(all.length).toBeGreaterThanOrEqual(10);
  const invalid = all.filter((e) => !ajv.validate(e.schema, e.value)).map((e) => `${e.where}: ${ajv.errorsText()}`);
  expect(invalid).toEqual([]);
});

it('names the breakdowns, reasons and limits the code uses', () => {
  const schemas = OPENAPI_DOCUMENT.components?.schemas as Record<string, OpenAPIV3.SchemaObject>;
  expect(schemas.BreakdownId?.enum).toEqual([...BREAKDOWN_IDS]);
  expect(schemas.SuppressionReason?.enum).toEqual([...Object.keys(SUPPRESSION_REASONS), null]);
  expect(schemas.Limit?.default).toBe(DEFAULT_LIMIT);
  expect(OPENAPI_DOCUMENT.components?.responses?.TooLarge).toEqual(expect.objectContaining({ description: expect.stringContaining(`${MAX_BODY_BYTES / 1024} KiB`) }));
});
