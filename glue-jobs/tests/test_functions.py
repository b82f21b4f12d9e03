"""The UDFs registered under DuckDB's names match FUNCTIONS_SPARK_MUST_REGISTER (core/linkage/sql/functions.ts).

The list, its types and its examples are read from the TypeScript source itself (through node),
so a function added there fails here until the runner registers it. The parity test
(test_parity.py, plan string-functions) compares the UDFs with DuckDB on thousands of inputs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from pyspark.sql.types import StructField, StructType, _parse_datatype_string

from c2c_glue.functions import (
    SPARK_FUNCTIONS,
    array_to_string,
    damerau_levenshtein,
    jaro_winkler_similarity,
    register_functions,
    strip_accents,
)

REPO = Path(__file__).resolve().parent.parent.parent

_PRINT_FUNCTIONS = (
    "const { FUNCTIONS_SPARK_MUST_REGISTER } = require('./core/linkage/sql/functions');"
    "process.stdout.write(JSON.stringify(FUNCTIONS_SPARK_MUST_REGISTER));"
)


def _contract() -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("these tests read core/linkage/sql/functions.ts and need `node` on PATH")
    result = subprocess.run(
        [node, "--import", "tsx", "-e", _PRINT_FUNCTIONS], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    functions: list[dict[str, Any]] = json.loads(result.stdout)
    return functions


@pytest.fixture(scope="module")
def contract() -> list[dict[str, Any]]:
    return _contract()


def test_every_function_spark_must_register_is_registered(spark: SparkSession, contract: list[dict[str, Any]]) -> None:
    names = register_functions(spark)

    assert names == sorted(f["name"] for f in contract)
    assert set(SPARK_FUNCTIONS) == set(names)
    assert all(spark.catalog.functionExists(name) for name in names)


def test_each_function_gives_the_examples_of_the_contract_through_spark_sql(
    spark: SparkSession, contract: list[dict[str, Any]]
) -> None:
    register_functions(spark)
    for function in contract:
        name = function["name"]
        schema = StructType(
            [StructField(f"a{i}", _parse_datatype_string(t)) for i, t in enumerate(function["arguments"])]
        )
        examples = function["examples"]
        frame = spark.createDataFrame([tuple(e["arguments"]) for e in examples], schema)
        arguments = ", ".join(schema.names)
        result = frame.selectExpr(f"{name}({arguments}) AS result")

        assert result.schema["result"].dataType == _parse_datatype_string(function["returns"]), name
        # Exactly: the UDFs follow DuckDB's arithmetic step by step.
        assert [row.result for row in result.collect()] == [e["result"] for e in examples], name


def test_null_gives_null(spark: SparkSession) -> None:
    register_functions(spark)
    (row,) = spark.sql(
        "SELECT strip_accents(CAST(NULL AS STRING)) AS s, array_to_string(CAST(NULL AS ARRAY<STRING>), ' ') AS a,"
        " jaro_winkler_similarity('A', CAST(NULL AS STRING)) AS j, damerau_levenshtein(CAST(NULL AS STRING), 'A') AS d"
    ).collect()
    assert row.asDict() == {"s": None, "a": None, "j": None, "d": None}


def test_strip_accents_removes_marks_and_keeps_what_does_not_decompose() -> None:
    assert strip_accents("José Núñez-García") == "Jose Nunez-Garcia"
    assert strip_accents("Ø ß ﬁ Ǆ") == "Ø ß ﬁ Ǆ"
    assert strip_accents("Tiếng Việt") == "Tieng Viet"
    assert strip_accents("한국어") == "한국어"  # recomposed, as DuckDB (utf8proc) leaves it
    assert strip_accents("हिन्दी") == "हनद"  # spacing marks (Mc) go too


def test_array_to_string_follows_duckdb_on_nulls() -> None:
    assert array_to_string(["JOSE", "MARIA"], " ") == "JOSE MARIA"
    assert array_to_string([], " ") == ""
    assert array_to_string(["A", None, "B"], "-") == "A-B"
    assert array_to_string([None], "-") is None
    assert array_to_string(["A", "B"], None) == "A,B"
    assert array_to_string(None, " ") is None


def test_jaro_winkler_follows_duckdb() -> None:
    assert jaro_winkler_similarity("MARTHA", "MARHTA") == 0.9611111111111111
    assert jaro_winkler_similarity("AB", "BA") == 0.0  # no match within the window of 0
    assert jaro_winkler_similarity("A", "A") == 1.0
    # Three out-of-order matches count as one transposition (integer halving), not 1.5.
    assert jaro_winkler_similarity("BBDDBBAD", "BDDBBADB") == 0.9249999999999999
    # Bytes, not characters: é is two bytes that match nothing in e.
    assert jaro_winkler_similarity("é", "e") == 0.0


def test_damerau_levenshtein_is_unrestricted_over_bytes() -> None:
    assert damerau_levenshtein("CA", "ABC") == 2
    assert damerau_levenshtein("SMITH", "SMIHT") == 1
    assert damerau_levenshtein("", "") == 0
    assert damerau_levenshtein("é", "e") == 2
