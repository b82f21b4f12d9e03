/** The C2C linkage settings are valid and read only columns the identity records have. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHOSEN_COLUMNS } from '../../core/identity/plan';
import { parseLinkageSettings } from '../../core/linkage/settings';

const document = JSON.parse(readFileSync(path.join(__dirname, '../../core/identity/c2c-linkage-settings.json'), 'utf8')) as unknown;

test('parseLinkageSettings accepts them as they are', () => {
  expect(parseLinkageSettings(document)).toEqual(document);
});

test('they read identity_records: its record id, its source and identity columns', () => {
  const settings = parseLinkageSettings(document);
  const inputs = [settings.recordId, settings.source, ...settings.fields.map((f) => f.column ?? f.name)];
  expect(inputs.filter((c) => !['record_id', 'source', ...CHOSEN_COLUMNS].includes(c))).toEqual([]);
  expect(settings.linkType).toBe('link_and_dedupe');
});

test('sources without a birth date (wage records) are paired by SSN, SSID or names', () => {
  const settings = parseLinkageSettings(document);
  const withoutBirthDate = settings.blockingRules.filter((rule) => rule.on.every((c) => !c.column.startsWith('birth_date')));
  expect(withoutBirthDate.map((rule) => rule.on.map((c) => c.column))).toEqual([['ssn'], ['ssid'], ['first_name_canonical', 'last_name']]);
});
