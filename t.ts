import { DuckDbEngine } from './adapters/sql/duckdb-engine';
import { contractFor } from './core/contracts/catalog';
import { readCsvSql, typedValueSql, sqlIdentifier, fieldRuleSql } from './core/validation/sql';
(async () => {
  const f = '/tmp/k12_enrollment_2019-20.txt'; const c = contractFor('cde', 'k12_enrollment');
  const e = await DuckDbEngine.open({ threads: 1, memoryLimit: '300MB', tempDirectory: '/tmp/duckspill' });
  const src = readCsvSql(f, c, false).replace('parallel=false', 'parallel=true');
  const cols = c.schema.fields.map((x) => `${typedValueSql(x, [''])} AS ${sqlIdentifier(x.name)}`).join(', ');
  let t = Date.now(); await e.query(`SELECT count(*) FROM (SELECT ${cols} FROM ${src})`); console.log('typed select only', Date.now() - t);
  for (const opt of ['COMPRESSION zstd', 'COMPRESSION snappy', 'COMPRESSION lz4', 'COMPRESSION uncompressed', 'COMPRESSION zstd, PARQUET_VERSION V2', 'COMPRESSION zstd, COMPRESSION_LEVEL 1']) {
    t = Date.now(); await e.run(`COPY (SELECT ${cols} FROM ${src}) TO '/tmp/o.parquet' (FORMAT parquet, ${opt})`); console.log(opt, Date.now() - t);
  }
  const rules = c.schema.fields.map((x) => fieldRuleSql(x, ['']));
  t = Date.now(); await e.query(`SELECT count(*) FROM ${src} WHERE ${rules.map((r) => `(${r}) IS NOT NULL`).join(' OR ')}`); console.log('rules', Date.now() - t);
  e.close();
})();
