/** parseLinkageSettings accepts the documented format and names what is wrong with anything else. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import schema from '../../docs/schemas/linkage-settings.schema.json';
import { LinkageSettingsError, parseLinkageSettings, standardizedColumns } from '../../core/linkage/settings';
import { exampleDocument } from './fixtures';

const EXAMPLE = exampleDocument();
const COMPARISONS = EXAMPLE.comparisons as Record<string, unknown>[];
const GIVEN_NAME = COMPARISONS[0] as { levels: object[] };

/** The example with its first comparison's levels replaced. */
function withLevels(levels: object[]): object {
  return { ...EXAMPLE, comparisons: [{ ...GIVEN_NAME, levels }, ...COMPARISONS.slice(1)] };
}

/** The example with one more comparison. */
function withComparison(comparison: object): object {
  return { ...EXAMPLE, comparisons: [...COMPARISONS, comparison] };
}

test('the schema is a valid JSON Schema and accepts the example', () => {
  const ajv = new Ajv({ strict: true });
  expect(ajv.validateSchema(schema)).toBe(true);
  const validate = ajv.compile(schema);
  expect([validate(EXAMPLE), validate.errors]).toEqual([true, null]);
});

test('the example comes back as it is, and the docs show the same example', () => {
  expect(parseLinkageSettings(EXAMPLE)).toEqual(EXAMPLE);
  const docs = readFileSync(path.join(__dirname, '../../docs/linkage.md'), 'utf8');
  const shown = /```json\n([\s\S]*?)\n```/.exec(docs)?.[1] ?? '';
  expect({ $schema: EXAMPLE.$schema, ...JSON.parse(shown) }).toEqual(EXAMPLE);
});

test('the standardized columns are the record id, the source and what each field adds', () => {
  const columns = standardizedColumns(parseLinkageSettings(EXAMPLE));

  expect(Object.fromEntries([...columns].map(([name, c]) => [name, c.type]))).toEqual({
    record_id: 'input', source: 'input',
    given_name: 'text', given_name_canonical: 'text',
    surname: 'text', surname_first: 'text', surname_last: 'text',
    birth_date: 'date', birth_date_year: 'integer', birth_date_month: 'integer', birth_date_day: 'integer',
    ssn: 'text', student_id: 'text',
  });
});

test('the prior may be given as recall with deterministic rules', () => {
  const prior = { recall: 0.8, deterministicRules: [{ on: [{ column: 'ssn' }, { column: 'birth_date' }] }] };
  expect(parseLinkageSettings({ ...EXAMPLE, prior }).prior).toEqual(prior);
});

const invalid = 'linkage settings example_people are invalid: ';
const inconsistent = 'linkage settings example_people are inconsistent: ';

test.each([
  ['not an object', 'settings', 'linkage settings (settings without name) are invalid: / must be object'],
  ['a missing property', { ...EXAMPLE, matchThreshold: undefined }, `${invalid}/ must have required property 'matchThreshold'`],
  ['an unknown property', { ...EXAMPLE, owner: 'me' }, `${invalid}/ has unknown property "owner"`],
  ['an unknown link type', { ...EXAMPLE, linkType: 'dedupe_only' }, `${invalid}/linkType must be one of "link_only", "link_and_dedupe"`],
  ['a column that is not an identifier', { ...EXAMPLE, recordId: 'Record ID' }, `${invalid}/recordId must be a lowercase SQL identifier (^[a-z_][a-z0-9_]*$)`],
  ['an option of another kind of field', { ...EXAMPLE, fields: [{ name: 'birth_date', kind: 'date', nicknames: true }] }, `${invalid}/fields/0 has unknown property "nicknames"`],
  ['an invalid value that is not digits', { ...EXAMPLE, fields: [{ name: 'ssn', kind: 'ssn', invalidValues: ['n/a'] }] }, `${invalid}/fields/0/invalidValues/0 must be digits only`],
  ['empty levels', withLevels([]), `${invalid}/comparisons/0/levels must not be empty`],
  ['a Jaro-Winkler threshold above 1', withLevels([{ kind: 'jaro_winkler', threshold: 1.5 }, { kind: 'else' }]), `${invalid}/comparisons/0/levels/0/threshold must be <= 1`],
  ['a Jaro-Winkler threshold of 0', withLevels([{ kind: 'jaro_winkler', threshold: 0 }, { kind: 'else' }]), `${invalid}/comparisons/0/levels/0/threshold must be > 0`],
  ['a distance of 0', withLevels([{ kind: 'levenshtein', maxDistance: 0 }, { kind: 'else' }]), `${invalid}/comparisons/0/levels/0/maxDistance must be >= 1`],
  ['a fractional number of days', withLevels([{ kind: 'within_days', days: 1.5 }, { kind: 'else' }]), `${invalid}/comparisons/0/levels/0/days must be integer`],
  ['a level without its threshold', withLevels([{ kind: 'jaro_winkler' }, { kind: 'else' }]), `${invalid}/comparisons/0/levels/0 must have required property 'threshold'`],
  ['term frequencies on a level other than exact', withLevels([{ kind: 'jaro_winkler', threshold: 0.9, termFrequency: true }, { kind: 'else' }]),
    `${invalid}/comparisons/0/levels/0 has unknown property "termFrequency"`],
  ['a match threshold of 1', { ...EXAMPLE, matchThreshold: 1 }, `${invalid}/matchThreshold must be < 1`],
  ['a prior of 0', { ...EXAMPLE, prior: { probabilityTwoRandomRecordsMatch: 0 } }, `${invalid}/prior/probabilityTwoRandomRecordsMatch must be > 0`],
  ['a recall above 1', { ...EXAMPLE, prior: { recall: 1.2, deterministicRules: [{ on: [{ column: 'ssn' }] }] } }, `${invalid}/prior/recall must be <= 1`],
  ['a blocking prefix of 0', { ...EXAMPLE, blockingRules: [{ on: [{ column: 'surname', prefix: 0 }] }] }, `${invalid}/blockingRules/0/on/0/prefix must be >= 1`],
  ['no blocking rules', { ...EXAMPLE, blockingRules: [] }, `${invalid}/blockingRules must not be empty`],
  ['EM without a pass', { ...EXAMPLE, training: { maxIterations: 0 } }, `${invalid}/training/maxIterations must be >= 1`],
  ['a fractional seed', { ...EXAMPLE, training: { seed: 1.5 } }, `${invalid}/training/seed must be integer`],
  ['an unknown training option', { ...EXAMPLE, training: { convergence: 0.01 } }, `${invalid}/training has unknown property "convergence"`],

  ['one column as record id and source', { ...EXAMPLE, source: 'record_id' }, `${inconsistent}recordId and source must be different columns`],
  ['a column produced twice', { ...EXAMPLE, fields: [...(EXAMPLE.fields as object[]), { name: 'birth_date_year', kind: 'identifier', column: 'yob' }] },
    `${inconsistent}column birth_date_year would be produced twice (by field birth_date and by field birth_date_year)`],
  ['a field named like a fixed column', { ...EXAMPLE, fields: [...(EXAMPLE.fields as object[]), { name: 'source', kind: 'name', column: 'agency' }] },
    `${inconsistent}column source would be produced twice (by the source and by field source)`],
  ['duplicate comparison names', withComparison({ ...GIVEN_NAME }), `${inconsistent}comparison name given_name is used twice`],
  ['a comparison of an unknown column', withComparison({ name: 'middle_name', column: 'middle_name', levels: [{ kind: 'exact' }, { kind: 'else' }] }),
    `${inconsistent}comparison middle_name: column middle_name is not produced by standardization`],
  ['a level on an unknown column', withLevels([{ kind: 'exact', column: 'given_nam' }, { kind: 'else' }]),
    `${inconsistent}comparison given_name, level 1 (exact): column given_nam is not produced by standardization`],
  ['a custom level on an unknown column', withLevels([{ kind: 'custom', sql: 'l.given_name = r.nickname' }, { kind: 'else' }]),
    `${inconsistent}comparison given_name, level 1 (custom): column nickname is not produced by standardization`],
  ['a date level on a name', withLevels([{ kind: 'day_month_transposed' }, { kind: 'else' }]),
    `${inconsistent}comparison given_name, level 1 (day_month_transposed): column given_name is not a date field`],
  ['a null level after another', withLevels([{ kind: 'exact' }, { kind: 'null' }, { kind: 'else' }]), `${inconsistent}comparison given_name: a null level must be the first level`],
  ['no else level', withLevels([{ kind: 'null' }, { kind: 'exact' }]), `${inconsistent}comparison given_name: the last level must be an else level`],
  ['an else level before others', withLevels([{ kind: 'else' }, { kind: 'exact' }, { kind: 'else' }]), `${inconsistent}comparison given_name: an else level must be the last level`],
  ['only null and else', withLevels([{ kind: 'null' }, { kind: 'else' }]), `${inconsistent}comparison given_name needs a level other than null and else`],
  ['a level after a looser one', withLevels([{ kind: 'jaro_winkler', threshold: 0.8 }, { kind: 'jaro_winkler', threshold: 0.9 }, { kind: 'else' }]),
    `${inconsistent}comparison given_name, level 2 (jaro_winkler) is never reached: level 1 before it takes every pair it would`],
  ['the same level twice', withLevels([{ kind: 'exact' }, { kind: 'exact', column: 'given_name' }, { kind: 'else' }]),
    `${inconsistent}comparison given_name, level 2 (exact) is never reached: level 1 before it takes every pair it would`],
  ['a blocking rule on a column that is not produced', { ...EXAMPLE, blockingRules: [{ on: [{ column: 'birth_date' }] }, { on: [{ column: 'given_name_first' }] }] },
    `${inconsistent}blocking rule 2: column given_name_first is not produced by standardization`],
  ['a deterministic rule on a column that is not produced', { ...EXAMPLE, prior: { recall: 0.8, deterministicRules: [{ on: [{ column: 'dob' }] }] } },
    `${inconsistent}deterministic rule 1 of the prior: column dob is not produced by standardization`],
  ['both forms of the prior', { ...EXAMPLE, prior: { probabilityTwoRandomRecordsMatch: 0.01, recall: 0.8 } },
    `${inconsistent}the prior takes either probabilityTwoRandomRecordsMatch or recall with deterministicRules, not both`],
  ['recall without deterministic rules', { ...EXAMPLE, prior: { recall: 0.8 } }, `${inconsistent}the prior needs probabilityTwoRandomRecordsMatch, or recall with deterministicRules`],
  ['a same-source threshold below the match threshold', { ...EXAMPLE, clustering: { sameSourceThreshold: 0.9 } },
    `${inconsistent}clustering.sameSourceThreshold (0.9) must be at least matchThreshold (0.95)`],
])('parseLinkageSettings rejects %s', (_, document, message) => {
  expect(() => parseLinkageSettings(document)).toThrow(new LinkageSettingsError(message));
});

test('every problem is named at once', () => {
  const document = { ...withLevels([{ kind: 'exact', column: 'nick' }]), blockingRules: [{ on: [{ column: 'zip' }] }] };

  expect(() => parseLinkageSettings(document)).toThrow(new LinkageSettingsError(`${inconsistent}blocking rule 1: column zip is not produced by standardization; ` +
    'comparison given_name: the last level must be an else level; comparison given_name, level 1 (exact): column nick is not produced by standardization'));
});
