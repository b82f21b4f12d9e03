/**
 * The contract catalog: every partner dataset's contract, checked against the contract schema and
 * for internal consistency when first read. Contracts are imported statically so they travel inside
 * a bundled Lambda as well as the CLI.
 */
import Ajv from 'ajv';
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
import eddUiWages from '../../contracts/edd/ui_wages.v1.json';
import ucUcDegrees from '../../contracts/uc/uc_degrees.v1.json';
import ucUcEnrollment from '../../contracts/uc/uc_enrollment.v1.json';
import { compileDateFormat } from './dates';
import type { Contract } from './types';

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
    const problems = (validateDocument.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw new ContractError(`contract ${String(label)} is invalid: ${problems.join('; ')}`);
  }
  const contract = document as unknown as Contract;
  const problems = consistencyProblems(contract);
  if (problems.length > 0) throw new ContractError(`contract ${contract.id} is inconsistent: ${problems.join('; ')}`);
  return contract;
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
  }
  try {
    new RegExp(contract.file.namePattern);
  } catch (error) {
    problems.push(`file.namePattern: ${(error as Error).message}`);
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
