/**
 * Where the identity of a person is in each partner dataset: which identifier namespace its
 * records belong to, which fields make the source id, and which give the names, birth date, SSN,
 * statewide student id and gender that linkage compares. docs/identity.md explains the choices.
 *
 * Birth date and SSN are read from the contracts' `pii` markers (a contract has at most one field
 * of each). The rest is not in the markers (which `name` field is the first name, which `source_id`
 * is the dataset's own id, how a gender is coded), so it is an explicit table, checked against the
 * contracts: every named field exists with the expected marker, and every PII field of every
 * contract has a role, so a new contract or field cannot be silently left out of linkage.
 */
import { allContracts } from '../contracts/catalog';
import type { Contract, FieldDefinition, PiiKind } from '../contracts/types';

/** Gender as identity_records holds it: M, F or X (nonbinary); unknown is NULL. */
export type Gender = 'M' | 'F' | 'X';

export interface DatasetIdentityMapping {
  /**
   * The identifier namespace, `<issuer>:<identifier>`: datasets that use one ID scheme share it, so
   * one person's rows in them make one identity record (one per distinct source id).
   */
  readonly namespace: string;
  /**
   * The fields whose values, joined by `:`, make the source id: for an id that is unique only
   * within an institution, the institution's code first, then the id.
   */
  readonly sourceId: readonly string[];
  readonly firstName?: string;
  /** A middle name, or (Medi-Cal) a middle initial. */
  readonly middleName?: string;
  readonly lastName?: string;
  /** The CALPADS SSID, where a dataset carries it beside its own id. */
  readonly ssid?: string;
  /** The gender field and each of its codes (every value of its enum) as M, F, X or null (unknown). */
  readonly gender?: { readonly field: string; readonly codes: Readonly<Record<string, Gender | null>> };
}

const MFX = { M: 'M', F: 'F', X: 'X' } as const;

/** Keyed by contract id; docs/identity.md shows the same table. */
export const IDENTITY_MAPPING: Readonly<Record<string, DatasetIdentityMapping>> = {
  'cde/k12_enrollment': { namespace: 'cde:ssid', sourceId: ['ssid'], firstName: 'first_name', middleName: 'middle_name', lastName: 'last_name', ssid: 'ssid', gender: { field: 'gender', codes: MFX } },
  'cde/k12_graduation': { namespace: 'cde:ssid', sourceId: ['ssid'], firstName: 'first_name', lastName: 'last_name', ssid: 'ssid', gender: { field: 'gender', codes: MFX } },
  // The SEID is issued by CTC and used by CDE's staff data too.
  'cde/k12_staff': { namespace: 'ctc:seid', sourceId: ['seid'], firstName: 'first_name', lastName: 'last_name', gender: { field: 'gender', codes: MFX } },
  'ctc/credentials': { namespace: 'ctc:seid', sourceId: ['seid'], firstName: 'first_name', middleName: 'middle_name', lastName: 'last_name' },
  // Each college issues its own student ids.
  'cccco/cc_enrollment': { namespace: 'cccco:student_id', sourceId: ['college_code', 'student_id'], firstName: 'first_name', middleName: 'middle_name', lastName: 'last_name', ssid: 'ssid', gender: { field: 'gender', codes: MFX } },
  'cccco/cc_awards': { namespace: 'cccco:student_id', sourceId: ['college_code', 'student_id'], firstName: 'first_name', lastName: 'last_name' },
  'csu/csu_enrollment': { namespace: 'csu:csu_id', sourceId: ['csu_id'], firstName: 'first_name', middleName: 'middle_name', lastName: 'last_name', gender: { field: 'sex', codes: { M: 'M', F: 'F', N: 'X' } } },
  'csu/csu_degrees': { namespace: 'csu:csu_id', sourceId: ['csu_id'], firstName: 'first_name', lastName: 'last_name' },
  // Each campus issues its own student ids.
  'uc/uc_enrollment': { namespace: 'uc:student_id', sourceId: ['campus', 'student_id'], firstName: 'first_name', middleName: 'middle_name', lastName: 'last_name', ssid: 'ssid', gender: { field: 'gender', codes: MFX } },
  'uc/uc_degrees': { namespace: 'uc:student_id', sourceId: ['campus', 'student_id'], firstName: 'first_name', lastName: 'last_name' },
  // Each institution issues its own student ids.
  'aiccu/private_enrollment': {
    namespace: 'aiccu:student_id', sourceId: ['ipeds_unit_id', 'student_id'], firstName: 'first_name', lastName: 'last_name',
    gender: { field: 'gender', codes: { Male: 'M', Female: 'F', Nonbinary: 'X', Unknown: null } },
  },
  'csac/cal_grant_awards': { namespace: 'csac:csac_id', sourceId: ['csac_id'], firstName: 'first_name', lastName: 'last_name' },
  'dhcs/medi_cal': { namespace: 'dhcs:cin', sourceId: ['cin'], firstName: 'first_name', middleName: 'middle_initial', lastName: 'last_name', gender: { field: 'sex', codes: { M: 'M', F: 'F', U: null } } },
  'dss/calfresh': { namespace: 'dss:client_id', sourceId: ['client_id'], firstName: 'first_name', lastName: 'last_name', gender: { field: 'gender', codes: MFX } },
  // Wage records have no id of their own: the person is the SSN the employer reported.
  'edd/ui_wages': { namespace: 'edd:ssn', sourceId: ['ssn'], firstName: 'first_name', lastName: 'last_name' },
};

/** The identity columns read from a dataset's fields (gender is mapped from codes, apart). */
export const IDENTITY_FIELDS = ['first_name', 'middle_name', 'last_name', 'birth_date', 'ssn', 'ssid'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** One dataset's mapping, resolved against its contract. */
export interface IdentitySource {
  readonly contract: Contract;
  readonly namespace: string;
  readonly sourceId: readonly string[];
  /** The dataset's field for each identity column it has. */
  readonly fields: Readonly<Partial<Record<IdentityField, string>>>;
  readonly gender?: DatasetIdentityMapping['gender'];
}

/** The mapping does not fit the contracts; the message names every problem. */
export class IdentityMappingError extends Error {}

/** Each dataset's identity, in catalog order; throws an IdentityMappingError if the mapping does not fit the contracts. */
export function identitySources(contracts: readonly Contract[] = allContracts(), mapping = IDENTITY_MAPPING): IdentitySource[] {
  const problems = identityMappingProblems(contracts, mapping);
  if (problems.length > 0) throw new IdentityMappingError(`the identity mapping does not fit the contracts: ${problems.join('; ')}`);
  return contracts.map((contract) => resolve(contract, mapping[contract.id] as DatasetIdentityMapping));
}

function resolve(contract: Contract, mapping: DatasetIdentityMapping): IdentitySource {
  const marked = (pii: PiiKind): string | undefined => contract.schema.fields.find((f) => f.pii === pii)?.name;
  const candidates: Record<IdentityField, string | undefined> = {
    first_name: mapping.firstName, middle_name: mapping.middleName, last_name: mapping.lastName,
    birth_date: marked('birth_date'), ssn: marked('ssn'), ssid: mapping.ssid,
  };
  const fields = Object.fromEntries(IDENTITY_FIELDS.flatMap((column) => (candidates[column] === undefined ? [] : [[column, candidates[column]]])));
  return { contract, namespace: mapping.namespace, sourceId: mapping.sourceId, fields, gender: mapping.gender };
}

const NAMESPACE = /^[a-z0-9_]+:[a-z0-9_]+$/;

/** Everything about the mapping that does not fit the contracts (empty when it fits). */
export function identityMappingProblems(contracts: readonly Contract[], mapping: Readonly<Record<string, DatasetIdentityMapping>>): string[] {
  const ids = new Set(contracts.map((c) => c.id));
  const problems = Object.keys(mapping).filter((id) => !ids.has(id)).map((id) => `${id} is mapped but has no contract`);
  const idFieldsByNamespace = new Map<string, string>();
  for (const contract of contracts) {
    const entry = mapping[contract.id];
    if (entry === undefined) {
      problems.push(`${contract.id} has no identity mapping`);
      continue;
    }
    problems.push(...datasetProblems(contract, entry).map((p) => `${contract.id}: ${p}`));
    // One namespace, one ID scheme: its datasets build source ids from the same fields.
    const idFields = entry.sourceId.join(', ');
    const earlier = idFieldsByNamespace.get(entry.namespace);
    if (earlier !== undefined && earlier !== idFields) problems.push(`${contract.id}: namespace ${entry.namespace} has source ids of ${earlier} elsewhere, of ${idFields} here`);
    idFieldsByNamespace.set(entry.namespace, earlier ?? idFields);
  }
  return problems;
}

function datasetProblems(contract: Contract, entry: DatasetIdentityMapping): string[] {
  const problems: string[] = [];
  const byName = new Map(contract.schema.fields.map((f) => [f.name, f]));
  const used = new Set<string>();
  /** The field, used by the mapping, or a problem if it is not there or not marked as expected. */
  const expect = (name: string, role: string, pii: readonly (PiiKind | undefined)[]): FieldDefinition | undefined => {
    used.add(name);
    const field = byName.get(name);
    if (field === undefined) problems.push(`${role} ${name} is not a field`);
    else if (!pii.includes(field.pii)) problems.push(`${role} ${name} must be marked pii ${pii.map((p) => p ?? 'none').join(' or ')}, not ${field.pii ?? 'none'}`);
    return field;
  };

  if (!NAMESPACE.test(entry.namespace)) problems.push(`namespace ${entry.namespace} must be <issuer>:<identifier> in lowercase`);
  if (entry.sourceId.length === 0) problems.push('the source id needs a field');
  entry.sourceId.forEach((name, i) => {
    // The id itself is a source id (or, for wage records, the SSN); what scopes it (an institution's code) is no PII.
    const field = i === entry.sourceId.length - 1 ? expect(name, 'source id field', ['source_id', 'ssn']) : expect(name, 'source id scope field', [undefined]);
    if (field !== undefined && !field.constraints?.required) problems.push(`source id field ${name} must be required`);
  });
  for (const [role, name] of [['first name', entry.firstName], ['middle name', entry.middleName], ['last name', entry.lastName]] as const) {
    if (name !== undefined) expect(name, role, ['name']);
  }
  if (entry.ssid !== undefined) expect(entry.ssid, 'ssid', ['source_id']);
  for (const pii of ['birth_date', 'ssn'] as const) {
    const marked = contract.schema.fields.filter((f) => f.pii === pii);
    if (marked.length > 1) problems.push(`${marked.length} fields are marked pii ${pii}, so which one to use is unclear`);
    for (const field of marked) used.add(field.name);
  }
  if (entry.gender !== undefined) {
    const field = expect(entry.gender.field, 'gender', [undefined]);
    const codes = Object.keys(entry.gender.codes).sort();
    const allowed = [...(field?.constraints?.enum ?? [])].sort();
    if (field !== undefined && codes.join() !== allowed.join()) problems.push(`gender codes ${codes.join(', ')} must be exactly the values of ${field.name}'s enum (${allowed.join(', ')})`);
  }
  for (const field of contract.schema.fields) {
    if (field.pii !== undefined && !used.has(field.name)) problems.push(`PII field ${field.name} (${field.pii}) has no identity role`);
  }
  return problems;
}
