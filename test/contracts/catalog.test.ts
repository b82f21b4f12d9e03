import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allContracts, CONTRACT_DOCUMENTS, ContractError, contractFor, parseContract } from '../../core/contracts/catalog';

const CONTRACTS_DIR = path.join(__dirname, '..', '..', 'contracts');

/** Every `contracts/<partner>/<dataset>.v<N>.json` file on disk, parsed. */
function contractFilesOnDisk(): Array<{ file: string; document: { id: string; version: string } }> {
  const found: Array<{ file: string; document: { id: string; version: string } }> = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.v\d+\.json$/.test(entry.name)) {
        found.push({ file: path.relative(CONTRACTS_DIR, full), document: JSON.parse(readFileSync(full, 'utf8')) });
      }
    }
  };
  walk(CONTRACTS_DIR);
  return found;
}

type Mutable = Record<string, unknown> & {
  id: string;
  partner: string;
  dataset: string;
  schema: { fields: Array<Record<string, unknown> & { name: string; type: string; constraints?: Record<string, unknown> }>; primaryKey: string[] };
};

/** A fresh, editable copy of a valid contract document. */
function validDocument(): Mutable {
  const document = CONTRACT_DOCUMENTS.find((d) => (d as { id: string }).id === 'cde/k12_enrollment');
  return JSON.parse(JSON.stringify(document)) as Mutable;
}

function fieldOf(document: Mutable, name: string): Mutable['schema']['fields'][number] {
  const field = document.schema.fields.find((f) => f.name === name);
  if (!field) throw new Error(`test setup: no field ${name}`);
  return field;
}

/** The ContractError message parseContract throws for the document. */
function rejection(document: unknown): string {
  try {
    parseContract(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return (error as Error).message;
  }
  throw new Error('parseContract accepted the document');
}

describe('the catalog and the files on disk', () => {
  const onDisk = contractFilesOnDisk();

  it('finds the 15 contract files', () => {
    expect(onDisk).toHaveLength(15);
  });

  it('every file on disk is in CONTRACT_DOCUMENTS', () => {
    for (const { file, document } of onDisk) {
      const inCatalog = CONTRACT_DOCUMENTS.find((d) => (d as { id: string }).id === document.id);
      expect({ file, inCatalog }).toEqual({ file, inCatalog: document });
    }
  });

  it('every document in CONTRACT_DOCUMENTS is a file on disk', () => {
    expect(CONTRACT_DOCUMENTS).toHaveLength(onDisk.length);
    for (const document of CONTRACT_DOCUMENTS) {
      expect(onDisk.map((f) => f.document)).toContainEqual(document);
    }
  });

  it('each file lives at <partner>/<dataset>.v<major>.json', () => {
    for (const { file, document } of onDisk) {
      const major = document.version.split('.')[0];
      expect(file).toBe(path.join(...document.id.split('/')) + `.v${major}.json`);
    }
  });
});

describe('allContracts', () => {
  const contracts = allContracts();

  it('parses all 15 contracts', () => {
    expect(contracts).toHaveLength(15);
  });

  it('is computed once', () => {
    expect(allContracts()).toBe(contracts);
  });

  it('has unique ids, and each id is partner/dataset', () => {
    const ids = contracts.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of contracts) expect(c.id).toBe(`${c.partner}/${c.dataset}`);
  });

  it('primary key fields exist and are required', () => {
    for (const c of contracts) {
      expect(c.schema.primaryKey.length).toBeGreaterThan(0);
      for (const key of c.schema.primaryKey) {
        const field = c.schema.fields.find((f) => f.name === key);
        expect({ contract: c.id, key, required: field?.constraints?.required }).toEqual({ contract: c.id, key, required: true });
      }
    }
  });

  it('pii is only ever ssn, name, birth_date or source_id', () => {
    const kinds = new Set<string>();
    for (const c of contracts) for (const f of c.schema.fields) if (f.pii !== undefined) kinds.add(f.pii);
    expect([...kinds].every((k) => ['ssn', 'name', 'birth_date', 'source_id'].includes(k))).toBe(true);
    expect(kinds.size).toBeGreaterThan(0);
  });

  it('every contract marks its birth date and names as pii', () => {
    for (const c of contracts) {
      for (const f of c.schema.fields) {
        if (f.name === 'birth_date') expect({ contract: c.id, pii: f.pii }).toEqual({ contract: c.id, pii: 'birth_date' });
        if (/(^|_)(first|last|middle)_name$/.test(f.name)) expect({ contract: c.id, field: f.name, pii: f.pii }).toEqual({ contract: c.id, field: f.name, pii: 'name' });
        if (f.name === 'ssn') expect({ contract: c.id, pii: f.pii }).toEqual({ contract: c.id, pii: 'ssn' });
      }
    }
  });

  it('contractFor finds a contract by partner and dataset', () => {
    const c = contractFor('cde', 'k12_enrollment');
    expect(c.id).toBe('cde/k12_enrollment');
    expect(contracts).toContain(c);
  });

  it.each([
    ['nope', 'k12_enrollment'],
    ['cde', 'nope'],
    ['', ''],
    ['CDE', 'k12_enrollment'],
  ])('contractFor(%j, %j) throws a ContractError', (partner, dataset) => {
    expect(() => contractFor(partner, dataset)).toThrow(ContractError);
    expect(() => contractFor(partner, dataset)).toThrow(`no contract for ${partner}/${dataset}`);
  });
});

describe('parseContract', () => {
  it('accepts every contract document and returns it', () => {
    for (const document of CONTRACT_DOCUMENTS) expect(parseContract(document)).toBe(document);
  });

  it('accepts a copy of a valid document (the test base is valid)', () => {
    expect(parseContract(validDocument()).id).toBe('cde/k12_enrollment');
  });

  it.each([null, 'text', 42, []])('rejects %j, which is no object', (document) => {
    expect(rejection(document)).toMatch(/\(contract without id\) is invalid: \/ must be object/);
  });

  it.each(['id', 'version', 'partner', 'dataset', 'title', 'description', 'domain', 'file', 'dialect', 'schema'])(
    'rejects a contract without %s, naming it',
    (property) => {
      const document = validDocument();
      delete document[property];
      expect(rejection(document)).toContain(`must have required property '${property}'`);
    },
  );

  it('rejects a field without a description', () => {
    const document = validDocument();
    delete fieldOf(document, 'ssid').description;
    expect(rejection(document)).toMatch(/\/schema\/fields\/1 must have required property 'description'/);
  });

  it('rejects an unknown top-level property, naming it', () => {
    const document = validDocument();
    document.owner = 'someone';
    expect(rejection(document)).toContain('/ has unknown property "owner"');
  });

  it('rejects an unknown field property, naming the field and the property', () => {
    const document = validDocument();
    fieldOf(document, 'ssid').sensitive = true;
    expect(rejection(document)).toContain('/schema/fields/1 has unknown property "sensitive"');
  });

  it('rejects an unknown constraint, naming it', () => {
    const document = validDocument();
    (fieldOf(document, 'ssid').constraints as Record<string, unknown>).exclusiveMinimum = 3;
    expect(rejection(document)).toContain('/schema/fields/1/constraints has unknown property "exclusiveMinimum"');
  });

  it('rejects an unknown pii kind, listing the allowed ones', () => {
    const document = validDocument();
    fieldOf(document, 'ssid').pii = 'email';
    expect(rejection(document)).toContain('/schema/fields/1/pii must be one of "ssn", "name", "birth_date", "source_id"');
  });

  it('rejects an unknown delimiter', () => {
    const document = validDocument();
    (document.dialect as Record<string, unknown>).delimiter = ':';
    expect(rejection(document)).toContain('/dialect/delimiter must be one of');
  });

  it('names every schema problem at once', () => {
    const document = validDocument();
    delete document.title;
    document.owner = 'someone';
    const message = rejection(document);
    expect(message).toContain("required property 'title'");
    expect(message).toContain('unknown property "owner"');
  });

  it('rejects duplicate field names', () => {
    const document = validDocument();
    document.schema.fields.push({ ...fieldOf(document, 'middle_name') });
    expect(rejection(document)).toContain('duplicate field names: middle_name');
  });

  it('rejects a primary key naming a non-field', () => {
    const document = validDocument();
    document.schema.primaryKey = ['academic_year', 'student_id'];
    expect(rejection(document)).toContain('primary key field student_id is not a field');
  });

  it('rejects a primary key field that is not required', () => {
    const document = validDocument();
    document.schema.primaryKey = ['academic_year', 'middle_name'];
    expect(rejection(document)).toContain('primary key field middle_name must be required');
  });

  it('rejects a date format with an unsupported directive', () => {
    const document = validDocument();
    fieldOf(document, 'birth_date').format = '%Y%m%e';
    const message = rejection(document);
    expect(message).toContain('field birth_date');
    expect(message).toContain('unsupported directive %e');
  });

  it('rejects a date format without a day', () => {
    const document = validDocument();
    fieldOf(document, 'birth_date').format = '%Y%m';
    expect(rejection(document)).toMatch(/field birth_date: .*exactly one each of %Y, %m and %d/);
  });

  it('rejects an invalid regular expression in a pattern', () => {
    const document = validDocument();
    (fieldOf(document, 'ssid').constraints as Record<string, unknown>).pattern = '\\d{10';
    expect(rejection(document)).toMatch(/field ssid: Invalid regular expression/);
  });

  it('rejects an invalid file name pattern', () => {
    const document = validDocument();
    (document.file as Record<string, unknown>).namePattern = '^k12_(\\d{4}\\.txt$';
    expect(rejection(document)).toMatch(/file\.namePattern: Invalid regular expression/);
  });

  it.each([
    ['without {records}', 'TRAILER', /\/file\/trailer must match pattern/],
    ['with {records} twice', 'T{records}|{records}', /file\.trailer must hold \{records\} exactly once/],
    ['with the quote character', '"TRAILER"\t{records}', /file\.trailer must not contain the quote character/],
    ['with a line break', 'TRAILER\n{records}', /\/file\/trailer must match pattern/],
  ])('rejects a control trailer %s', (_what, trailer, message) => {
    const document = validDocument();
    (document.file as Record<string, unknown>).trailer = trailer;
    expect(rejection(document)).toMatch(message);
  });

  it('rejects a boolean field without trueValues', () => {
    const document = validDocument();
    delete fieldOf(document, 'hispanic_ind').trueValues;
    expect(rejection(document)).toContain('field hispanic_ind: trueValues and falseValues are for boolean fields, and boolean fields need both');
  });

  it('rejects a boolean field without falseValues', () => {
    const document = validDocument();
    delete fieldOf(document, 'hispanic_ind').falseValues;
    expect(rejection(document)).toContain('field hispanic_ind: trueValues and falseValues');
  });

  it('rejects trueValues on a field that is not boolean', () => {
    const document = validDocument();
    Object.assign(fieldOf(document, 'gender'), { trueValues: ['M'], falseValues: ['F'] });
    expect(rejection(document)).toContain('field gender: trueValues and falseValues');
  });

  it('rejects an id that is not partner/dataset', () => {
    const document = validDocument();
    document.id = 'cde/k12_graduation';
    const message = rejection(document);
    expect(message).toContain('contract cde/k12_graduation is inconsistent');
    expect(message).toContain('id must be "cde/k12_enrollment"');
  });

  it('rejects a partner that does not match the id', () => {
    const document = validDocument();
    document.partner = 'cccco';
    expect(rejection(document)).toContain('id must be "cccco/k12_enrollment"');
  });

  it('names every consistency problem at once', () => {
    const document = validDocument();
    document.id = 'cde/other';
    document.schema.primaryKey = ['nothing'];
    const message = rejection(document);
    expect(message).toContain('id must be');
    expect(message).toContain('primary key field nothing is not a field');
  });

  describe('bounds the field checker can use', () => {
    it('rejects a date bound that is not an ISO date', () => {
      const document = validDocument();
      fieldOf(document, 'birth_date').constraints = { required: true, minimum: '19800101' };
      expect(rejection(document)).toContain('field birth_date: minimum must be an ISO date (YYYY-MM-DD)');
    });

    it('rejects a numeric bound on a date', () => {
      const document = validDocument();
      fieldOf(document, 'birth_date').constraints = { required: true, maximum: 2026 };
      expect(rejection(document)).toContain('field birth_date: maximum must be an ISO date');
    });

    it('rejects a text bound on a number', () => {
      const document = validDocument();
      document.schema.fields.push({ name: 'units', type: 'number', description: 'Units.', constraints: { minimum: '0' } });
      expect(rejection(document)).toContain('field units: minimum must be a number');
    });

    it('rejects a bound on a string field', () => {
      const document = validDocument();
      fieldOf(document, 'ssid').constraints = { required: true, maximum: 5 };
      expect(rejection(document)).toContain('field ssid: maximum is only for integer, number and date fields');
    });

    it('rejects a minimum above the maximum', () => {
      const document = validDocument();
      fieldOf(document, 'birth_date').constraints = { required: true, minimum: '2026-12-31', maximum: '1980-01-01' };
      expect(rejection(document)).toContain('field birth_date: minimum is above maximum');
    });

    it('rejects a minLength above the maxLength', () => {
      const document = validDocument();
      fieldOf(document, 'last_name').constraints = { required: true, minLength: 10, maxLength: 5 };
      expect(rejection(document)).toContain('field last_name: minLength is above maxLength');
    });

    it('accepts well-typed bounds', () => {
      const document = validDocument();
      fieldOf(document, 'birth_date').constraints = { required: true, minimum: '1980-01-01', maximum: '1980-01-01' };
      document.schema.fields.push({ name: 'units', type: 'integer', description: 'Units.', constraints: { minimum: -1, maximum: 40 } });
      expect(parseContract(document).id).toBe('cde/k12_enrollment');
    });
  });
});
