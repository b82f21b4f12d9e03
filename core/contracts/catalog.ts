/**
 * The contract catalog: every partner dataset's contract, checked against the contract schema and
 * for internal consistency when first read. Contracts are imported statically so they travel inside
 * a bundled Lambda as well as the CLI.
 */
import Ajv, { type ErrorObject } from 'ajv';
import contractSchema from '../../contracts/contract.schema.json';
import aiccuPrivateEnrollment from '../../contracts/aiccu/private_enrollment.v1.json';
import cccoCcAwards from '../../contracts/cccco/cc_awards.v1.json';
import cccoCcEnrollment from '../../contracts/cccco/cc_enrollment.v1.json';
import cdeK12Enrollment from '../../contracts/cde/k12_enrollment.v1.json';
import cdeK12Graduation from '../../contracts/cde/k12_graduation.v1.json';
import cdeK12Staff from '../../contracts/cde/k12_staff.v1.json';
import csacCalGrantAwards from '../../contracts/csac/cal_grant_awards.v1.json';
import csuCsuDegrees from '../../contracts/csu/csu_degrees.v1.json';
import csuCsuEnrollment from '../../contracts/csu/csu_enrollment.v1.json';
import ctcCredentials from '../../contracts/ctc/credentials.v1.json';
import dhcsMediCal from '../../contracts/dhcs/medi_cal.v1.json';
import dssCalfresh from '../../contracts/dss/calfresh.v1.json';
import eddUiWages from '../../contracts/edd/ui_wages.v2.json';
import ucUcDegrees from '../../contracts/uc/uc_degrees.v1.json';
import ucUcEnrollment from '../../contracts/uc/uc_enrollment.v1.json';
import { compileDateFormat } from './dates';
import type { Contract, FieldDefinition } from './types';

/** The raw contract documents, in a stable order (partner, dataset). */
export const CONTRACT_DOCUMENTS: readonly unknown[] = [
  cdeK12Enrollment, cdeK12Graduation, cdeK12Staff,
  cccoCcEnrollment, cccoCcAwards,
  csuCsuEnrollment, csuCsuDegrees,
  ucUcEnrollment, ucUcDegrees,
  aiccuPrivateEnrollment,
  csacCalGrantAwards,
  ctcCredentials,
  eddUiWages,
  dssCalfresh,
  dhcsMediCal,
];

export class ContractError extends Error {}

const validateDocument = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(contractSchema);

/** Checks one contract document and returns it typed, or throws a ContractError naming every problem. */
export function parseContract(document: unknown): Contract {
  const label = (document as { id?: unknown } | null)?.id ?? '(contract without id)';
  if (!validateDocument(document)) {
    const problems = (validateDocument.errors ?? []).map(describeSchemaError);
    throw new ContractError(`contract ${String(label)} is invalid: ${problems.join('; ')}`);
  }
  const contract = document as unknown as Contract;
  const problems = consistencyProblems(contract);
  if (problems.length > 0) throw new ContractError(`contract ${contract.id} is inconsistent: ${problems.join('; ')}`);
  return contract;
}

/** Ajv's message, plus what it leaves in params: which property is unknown, which values are allowed. */
function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${where} has unknown property ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return `${where} must be one of ${allowed}`;
  }
  return `${where} ${error.message ?? error.keyword}`;
}

function consistencyProblems(contract: Contract): string[] {
  const problems: string[] = [];
  if (contract.id !== `${contract.partner}/${contract.dataset}`) problems.push(`id must be "${contract.partner}/${contract.dataset}"`);
  const names = contract.schema.fields.map((f) => f.name);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) problems.push(`duplicate field names: ${duplicates.join(', ')}`);
  for (const key of contract.schema.primaryKey) {
    const field = contract.schema.fields.find((f) => f.name === key);
    if (!field) problems.push(`primary key field ${key} is not a field`);
    else if (!field.constraints?.required) problems.push(`primary key field ${key} must be required`);
  }
  for (const field of contract.schema.fields) {
    try {
      if (field.type === 'date') compileDateFormat(field.format ?? 'default');
      if (field.constraints?.pattern !== undefined) new RegExp(field.constraints.pattern, 'u');
    } catch (error) {
      problems.push(`field ${field.name}: ${(error as Error).message}`);
    }
    if ((field.type === 'boolean') !== (field.trueValues !== undefined && field.falseValues !== undefined)) {
      problems.push(`field ${field.name}: trueValues and falseValues are for boolean fields, and boolean fields need both`);
    }
    problems.push(...boundProblems(field));
  }
  try {
    new RegExp(contract.file.namePattern);
  } catch (error) {
    problems.push(`file.namePattern: ${(error as Error).message}`);
  }
  const trailer = contract.file.trailer;
  if (trailer !== undefined) {
    // Read back by the engine as a (padded) record and skipped: a quote could swallow what follows.
    if (trailer.includes(contract.dialect.quoteChar)) problems.push('file.trailer must not contain the quote character');
    if (trailer.split('{records}').length !== 2) problems.push('file.trailer must hold {records} exactly once');
  }
  return problems;
}

const ISO = compileDateFormat('default');

/**
 * Bounds the field checker can apply: numbers on numeric fields and ISO dates on date fields (a
 * bound of the wrong kind would compare as text, or not at all, and silently check nothing).
 */
function boundProblems(field: FieldDefinition): string[] {
  const c = field.constraints ?? {};
  const problems: string[] = [];
  for (const bound of ['minimum', 'maximum'] as const) {
    const value = c[bound];
    if (value === undefined) continue;
    if (field.type === 'integer' || field.type === 'number') {
      if (typeof value !== 'number') problems.push(`field ${field.name}: ${bound} must be a number`);
    } else if (field.type === 'date') {
      if (typeof value !== 'string' || ISO.parse(value) === null) problems.push(`field ${field.name}: ${bound} must be an ISO date (YYYY-MM-DD)`);
    } else {
      problems.push(`field ${field.name}: ${bound} is only for integer, number and date fields`);
    }
  }
  if (problems.length === 0 && c.minimum !== undefined && c.maximum !== undefined && c.minimum > c.maximum) {
    problems.push(`field ${field.name}: minimum is above maximum`);
  }
  if (c.minLength !== undefined && c.maxLength !== undefined && c.minLength > c.maxLength) {
    problems.push(`field ${field.name}: minLength is above maxLength`);
  }
  return problems;
}

let catalog: readonly Contract[] | undefined;

/** Every contract, validated once per process. */
export function allContracts(): readonly Contract[] {
  catalog ??= CONTRACT_DOCUMENTS.map(parseContract);
  return catalog;
}

export function contractFor(partner: string, dataset: string): Contract {
  const contract = allContracts().find((c) => c.partner === partner && c.dataset === dataset);
  if (!contract) throw new ContractError(`no contract for ${partner}/${dataset}`);
  return contract;
}
