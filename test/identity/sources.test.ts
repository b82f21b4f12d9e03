/** The identity mapping fits the contracts, says what docs/identity.md says, and names what does not fit. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allContracts } from '../../core/contracts/catalog';
import type { Contract, FieldDefinition } from '../../core/contracts/types';
import { IDENTITY_MAPPING, identityMappingProblems, identitySources, IdentityMappingError, type DatasetIdentityMapping, type IdentitySource } from '../../core/identity/sources';

test('every contract is mapped, every named field exists with the expected marker, and every PII field has a role', () => {
  expect(identityMappingProblems(allContracts(), IDENTITY_MAPPING)).toEqual([]);
  expect(identitySources().map((s) => s.contract.id).sort()).toEqual(allContracts().map((c) => c.id).sort());
});

test('datasets that share an ID scheme share a namespace', () => {
  const byNamespace: Record<string, string[]> = {};
  for (const s of identitySources()) (byNamespace[s.namespace] ??= []).push(s.contract.id);
  expect(byNamespace).toEqual({
    'cde:ssid': ['cde/k12_enrollment', 'cde/k12_graduation'],
    'ctc:seid': ['cde/k12_staff', 'ctc/credentials'],
    'cccco:student_id': ['cccco/cc_enrollment', 'cccco/cc_awards'],
    'csu:csu_id': ['csu/csu_enrollment', 'csu/csu_degrees'],
    'uc:student_id': ['uc/uc_enrollment', 'uc/uc_degrees'],
    'aiccu:student_id': ['aiccu/private_enrollment'],
    'csac:csac_id': ['csac/cal_grant_awards'],
    'edd:ssn': ['edd/ui_wages'],
    'dss:client_id': ['dss/calfresh'],
    'dhcs:cin': ['dhcs/medi_cal'],
  });
});

test('birth date and SSN come from the pii markers: K-12 has no SSN, wage records no birth date', () => {
  const fieldsOf = (id: string): IdentitySource['fields'] => identitySources().find((s) => s.contract.id === id)?.fields ?? {};
  expect(fieldsOf('cde/k12_enrollment')).toEqual({ first_name: 'first_name', middle_name: 'middle_name', last_name: 'last_name', birth_date: 'birth_date', ssid: 'ssid' });
  expect(fieldsOf('edd/ui_wages')).toEqual({ first_name: 'first_name', last_name: 'last_name', ssn: 'ssn' });
  expect(fieldsOf('dhcs/medi_cal')).toEqual({ first_name: 'first_name', middle_name: 'middle_initial', last_name: 'last_name', birth_date: 'birth_date', ssn: 'ssn' });
});

/** One row of the mapping table in docs/identity.md. */
function docsRow(source: IdentitySource): string {
  const cell = (field: string | undefined): string => (field === undefined ? '—' : `\`${field}\``);
  const gender = source.gender === undefined ? '—'
    : `\`${source.gender.field}\`: ${Object.entries(source.gender.codes).map(([code, g]) => (code === g ? code : `${code}→${g ?? 'NULL'}`)).join(', ')}`;
  const { first_name, middle_name, last_name, birth_date, ssn, ssid } = source.fields;
  return `| \`${source.contract.id}\` | \`${source.namespace}\` | \`${source.sourceId.join(':')}\` | ${[first_name, middle_name, last_name, birth_date, ssn, ssid].map(cell).join(' | ')} | ${gender} |`;
}

test('docs/identity.md shows the mapping as it is', () => {
  const docs = readFileSync(path.join(__dirname, '../../docs/identity.md'), 'utf8');
  for (const source of identitySources()) expect(docs).toContain(docsRow(source));
});

describe('a mapping that does not fit the contracts is refused, naming each problem', () => {
  const enrollment = allContracts().find((c) => c.id === 'cde/k12_enrollment') as Contract;
  const withFields = (fields: readonly FieldDefinition[]): Contract => ({ ...enrollment, schema: { ...enrollment.schema, fields } });
  const entry = IDENTITY_MAPPING['cde/k12_enrollment'] as DatasetIdentityMapping;
  const problems = (contract: Contract, changes: Partial<DatasetIdentityMapping>): string[] =>
    identityMappingProblems([contract], { 'cde/k12_enrollment': { ...entry, ...changes } });

  test.each<[string, Contract, Partial<DatasetIdentityMapping>, string]>([
    ['a field that is not there', enrollment, { firstName: 'given_name' }, 'cde/k12_enrollment: first name given_name is not a field'],
    ['a field with another marker', enrollment, { firstName: 'ssid' }, 'cde/k12_enrollment: first name ssid must be marked pii name, not source_id'],
    ['a name used as a source id', enrollment, { sourceId: ['last_name'] }, 'cde/k12_enrollment: source id field last_name must be marked pii source_id or ssn, not name'],
    ['a PII scope field', enrollment, { sourceId: ['last_name', 'ssid'] }, 'cde/k12_enrollment: source id scope field last_name must be marked pii none, not name'],
    ['an optional source id', enrollment, { sourceId: ['middle_name'] }, 'cde/k12_enrollment: source id field middle_name must be required'],
    ['gender codes that differ from the enum', enrollment, { gender: { field: 'gender', codes: { M: 'M', F: 'F' } } }, "cde/k12_enrollment: gender codes F, M must be exactly the values of gender's enum (F, M, X)"],
    ['a namespace that is not issuer:identifier', enrollment, { namespace: 'CDE SSID' }, 'cde/k12_enrollment: namespace CDE SSID must be <issuer>:<identifier> in lowercase'],
    ['a PII field without a role', withFields([...enrollment.schema.fields, { name: 'preferred_name', type: 'string', description: 'Preferred name.', pii: 'name' }]), {}, 'cde/k12_enrollment: PII field preferred_name (name) has no identity role'],
    ['two birth dates', withFields([...enrollment.schema.fields, { name: 'birth_date_2', type: 'date', description: 'Another.', pii: 'birth_date' }]), {}, 'cde/k12_enrollment: 2 fields are marked pii birth_date, so which one to use is unclear'],
  ])('%s', (_, contract, changes, problem) => {
    expect(problems(contract, changes)).toContain(problem);
  });

  test('contracts without a mapping, mappings without a contract, and one namespace with two ID schemes', () => {
    const graduation = allContracts().find((c) => c.id === 'cde/k12_graduation') as Contract;
    expect(identityMappingProblems([enrollment, graduation], {
      'cde/k12_enrollment': entry,
      'cde/k12_graduation': { ...(IDENTITY_MAPPING['cde/k12_graduation'] as DatasetIdentityMapping), sourceId: ['school_code', 'ssid'] },
      'cde/k12_lunch': entry,
    })).toEqual([
      'cde/k12_lunch is mapped but has no contract',
      'cde/k12_graduation: namespace cde:ssid has source ids of ssid elsewhere, of school_code, ssid here',
    ]);
    expect(identityMappingProblems([enrollment, graduation], { 'cde/k12_enrollment': entry })).toEqual(['cde/k12_graduation has no identity mapping']);
    expect(() => identitySources([enrollment, graduation], { 'cde/k12_enrollment': entry })).toThrow(IdentityMappingError);
  });
});
