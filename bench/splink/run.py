"""Splink 4 (DuckDB backend) on the same linkage problems as bench/link-splink.ts, with the model
our settings describe, written with Splink's comparison library. Prints one line of JSON:
seconds (from the input to clusters), candidate pairs scored, clusters, pairwise precision,
recall and F1. Runs in the bench-only virtualenv of bench/splink/setup.sh; not a test.

  run.py febrl4 <dataset4a.csv> <dataset4b.csv>
  run.py c2c <standardized.parquet> <truth.parquet>

FEBRL 4 is read and standardized as `c2c link-files` does (names upper-case words, identifiers
digits only). The C2C model reads our own `standardized` table (core/linkage/sql/standardize.ts),
so both compare the same values; its time leaves out standardization (0.3 s for 100,000 records
in ours).
"""
import json
import sys
import time

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

THRESHOLD = 0.95


def quality(con, clusters_table, truth_table):
    """Pairwise precision, recall and F1 from cluster x entity cells, as core/linkage/quality.ts."""
    row = con.sql(f"""
        WITH cells AS (SELECT c.cluster_id, t.person_id, count(*) AS n FROM {clusters_table} c JOIN {truth_table} t USING (record_id) GROUP BY ALL),
        pairs AS (SELECT
          (SELECT sum(n * (n - 1) / 2) FROM (SELECT sum(n) AS n FROM cells GROUP BY cluster_id)) AS linked,
          (SELECT sum(n * (n - 1) / 2) FROM (SELECT sum(n) AS n FROM cells GROUP BY person_id)) AS truth,
          (SELECT sum(n * (n - 1) / 2) FROM cells) AS tp)
        SELECT tp / linked, tp / truth, 2 * tp / (linked + truth) FROM pairs""").fetchone()
    return {"precision": row[0], "recall": row[1], "f1": row[2]}


def name(column):
    """Our `name` standardization: apostrophes dropped, other non-alphanumerics separate words, upper-case."""
    cleaned = f"upper(trim(regexp_replace(regexp_replace(strip_accents({column}), '[''’‘`]', '', 'g'), '[^A-Za-z0-9]+', ' ', 'g')))"
    return f"NULLIF({cleaned}, '') AS {column.strip()}"


def digits(column, alias):
    return f"NULLIF(regexp_replace({column}, '[^0-9]', '', 'g'), '') AS {alias}"


def febrl4(file_a, file_b):
    started = time.perf_counter()
    con = duckdb.connect()
    for table, file in (("a", file_a), ("b", file_b)):
        con.sql(f"""CREATE TABLE {table} AS SELECT
            row_number() OVER () + {0 if table == 'a' else 1_000_000} AS record_id,
            regexp_extract(trim(rec_id), 'rec-(\\d+)-', 1) AS person_id,
            {name('given_name')}, {name('surname')}, {digits('date_of_birth', 'dob')}, {digits('soc_sec_id', 'soc_sec_id')},
            {digits('street_number', 'street_number')}, {name('address_1')}, {name('suburb')}, {digits('postcode', 'postcode')}, {name('state')}
            FROM read_csv('{file}', header = true, all_varchar = true, delim = ',', quote = '"', normalize_names = true)""")
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("dob", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("suburb", [0.9]).configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"), block_on("dob"), block_on("soc_sec_id"),
            block_on("state", "address_1"), block_on("street_number", "address_1"), block_on("postcode"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([con.table("a"), con.table("b")], settings, DuckDBAPI(con))
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "dob"), block_on("soc_sec_id", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
    # Splink trains m in sessions, each blocked on some columns it cannot then estimate.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    return finish(con, linker, started, "(SELECT record_id, person_id FROM a UNION ALL SELECT record_id, person_id FROM b)")


def c2c(standardized, truth):
    started = time.perf_counter()
    con = duckdb.connect()
    con.sql(f"CREATE TABLE records AS SELECT * EXCLUDE (birth_date), CAST(birth_date AS VARCHAR) AS birth_date FROM read_parquet('{standardized}')")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.CustomComparison(output_column_name="first_name", comparison_levels=[
                cll.NullLevel("first_name"), cll.ExactMatchLevel("first_name", term_frequency_adjustments=True),
                cll.ExactMatchLevel("first_name_canonical"), cll.JaroWinklerLevel("first_name", 0.92), cll.JaroWinklerLevel("first_name", 0.8),
                cll.ElseLevel()]),
            cl.CustomComparison(output_column_name="last_name", comparison_levels=[
                cll.NullLevel("last_name"), cll.ExactMatchLevel("last_name", term_frequency_adjustments=True),
                cll.CustomLevel("last_name_first_l IN (last_name_first_r, last_name_last_r) OR last_name_last_l IN (last_name_first_r, last_name_last_r)"),
                cll.DamerauLevenshteinLevel("last_name", 1), cll.JaroWinklerLevel("last_name", 0.88), cll.ElseLevel()]),
            cl.CustomComparison(output_column_name="birth_date", comparison_levels=[
                cll.NullLevel("birth_date"), cll.ExactMatchLevel("birth_date"),
                cll.CustomLevel("birth_date_year_l = birth_date_year_r AND birth_date_month_l = birth_date_day_r AND birth_date_day_l = birth_date_month_r"),
                cll.DamerauLevenshteinLevel("birth_date", 1),
                cll.CustomLevel("birth_date_year_l = birth_date_year_r"), cll.ElseLevel()]),
            cl.DamerauLevenshteinAtThresholds("ssn", [1]),
            cl.DamerauLevenshteinAtThresholds("ssid", [1]),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("ssn"), block_on("ssid"), block_on("first_name", "birth_date"),
            block_on("substr(last_name, 1, 3)", "birth_date"), block_on("first_name_canonical", "substr(last_name, 1, 3)"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(con.table("records"), settings, DuckDBAPI(con))
    linker.training.estimate_probability_two_random_records_match(
        [block_on("ssn", "birth_date"), block_on("ssid", "birth_date"), block_on("first_name", "last_name", "birth_date")], recall=0.5)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("ssn"))
    con.sql(f"CREATE TABLE truth AS SELECT * FROM read_parquet('{truth}')")
    return finish(con, linker, started, "truth")


def finish(con, linker, started, truth_table):
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=THRESHOLD)
    con.sql(f"CREATE TABLE clusters AS SELECT record_id, cluster_id FROM {clusters.physical_name}")
    seconds = time.perf_counter() - started
    links = con.sql(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()[0]
    n_clusters = con.sql("SELECT count(DISTINCT cluster_id) FROM clusters").fetchone()[0]
    return {"seconds": seconds, "links": links, "clusters": n_clusters, **quality(con, "clusters", truth_table)}


if __name__ == "__main__":
    kind, first, second = sys.argv[1:4]
    result = febrl4(first, second) if kind == "febrl4" else c2c(first, second)
    print(json.dumps(result))
