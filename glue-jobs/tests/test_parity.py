"""DuckDB ↔ Spark parity: every plan runs on both engines over the same files, with the same results.

For each case (every plan in test/plan/plans/, the parity plans in tests/parity/plans/, and the
linkage example's whole linkage plan), ``scripts/run-plan.ts`` writes the fixture Parquet with DuckDB
(tests/parity/fixtures/<case>.json), runs the plan with the TypeScript interpreter on DuckDB and
dumps every sql-step table; then the Spark runner runs the very same plan document over the very
same input files into another folder. Then:

- the run summaries agree (each step's rows, each loop's iterations, each output's rows);
- every sql-step table, as the run leaves it, and every output has the same column names,
  compatible types and the same rows, as multisets, with floating point within 1e-9 (relative to
  the magnitude, for magnitudes above 1); partitioned outputs have the same partition folders.

Needs ``node`` on PATH and the repository's node_modules (``npm ci``); runs from the repo root.
docs/spark-runner.md describes the cases and the differences between the engines found so far.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from c2c_glue.functions import register_functions
from c2c_glue.plan_runner import Access, LoopStep, SqlStep, Step, join_location, load_plan, run_plan

GLUE_DIR = Path(__file__).resolve().parent.parent
REPO = GLUE_DIR.parent
PLANS = REPO / "test" / "plan" / "plans"
PARITY = Path(__file__).resolve().parent / "parity"
LINKAGE_SETTINGS = REPO / "test" / "linkage" / "example-settings.json"

#: Floating point agrees within this, relative to the magnitude above 1.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Case:
    id: str
    #: What run-plan.ts runs: ["--plan", file] or ["--linkage", settings].
    source: tuple[str, ...]
    fixtures: Path


def _cases() -> list[Case]:
    cases = [
        Case(plan.stem, ("--plan", str(plan)), PARITY / "fixtures" / f"{plan.stem}.json")
        for folder in (PLANS, PARITY / "plans")
        for plan in sorted(folder.glob("*.json"))
    ]
    if LINKAGE_SETTINGS.exists():
        cases.append(Case("linkage-example", ("--linkage", str(LINKAGE_SETTINGS)), PARITY / "fixtures" / "linkage-example.json"))
    return cases


CASES = _cases()


def test_every_plan_of_the_typescript_tests_is_a_case() -> None:
    # A new plan in test/plan/plans/ becomes a parity case by itself (and needs fixtures if it has inputs).
    assert {c.id for c in CASES} >= {p.stem for p in PLANS.glob("*.json")}
    assert len(list(PLANS.glob("*.json"))) >= 5


# --- Running both engines ------------------------------------------------------------------------


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("the parity tests need `node` on PATH (and `npm ci` in the repository) to run plans on DuckDB")
    return node


def run_on_duckdb(case: Case, plan_file: Path, inputs: Path, root: Path, tables: Path) -> dict[str, Any]:
    command = [
        _node(), "--import", "tsx", "scripts/run-plan.ts", *case.source,
        "--inputs", str(inputs), "--root", str(root), "--tables", str(tables), "--write-plan", str(plan_file),
    ]
    if case.fixtures.exists():
        command += ["--setup", str(case.fixtures)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"run-plan.ts failed on DuckDB:\n{result.stderr}"
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def _drop_temp_views(spark: SparkSession) -> None:
    for table in spark.catalog.listTables():
        if table.isTemporary:
            spark.catalog.dropTempView(table.name)


def _sql_tables(steps: Sequence[Step]) -> list[str]:
    names: list[str] = []
    for step in steps:
        if isinstance(step, SqlStep):
            names.append(step.name)
        elif isinstance(step, LoopStep):
            names.extend(_sql_tables(step.body))
    return list(dict.fromkeys(names))


def _without_timing(summary: Any, roots: Sequence[Path]) -> Any:
    """The summary without times, and with output locations relative to the run's root."""
    if isinstance(summary, dict):
        kept = {k: _without_timing(v, roots) for k, v in summary.items() if k != "ms"}
        if isinstance(kept.get("location"), str):
            for root in roots:
                kept["location"] = kept["location"].replace(str(root) + os.sep, "")
        return kept
    if isinstance(summary, list):
        return [_without_timing(v, roots) for v in summary]
    return summary


# --- Comparing -----------------------------------------------------------------------------------

_INTEGRAL = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}


def duckdb_family(duckdb_type: str) -> str:
    """A DuckDB column type as a family of types the engines may each spell their own way."""
    t = duckdb_type.upper()
    if t.endswith("[]"):
        return f"array<{duckdb_family(t[:-2])}>"
    if t in _INTEGRAL:
        return "integer"
    if t in {"FLOAT", "DOUBLE"}:
        return "float"
    if t.startswith("DECIMAL"):
        return "decimal"
    if t in {"VARCHAR", "UUID"}:
        return "string"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t.startswith("STRUCT"):
        return "struct"
    return {"BOOLEAN": "boolean", "DATE": "date", "BLOB": "binary"}.get(t, t.lower())


def spark_family(data_type: T.DataType) -> str:
    if isinstance(data_type, T.ArrayType):
        return f"array<{spark_family(data_type.elementType)}>"
    if isinstance(data_type, T.IntegralType):
        return "integer"
    if isinstance(data_type, (T.FloatType, T.DoubleType)):
        return "float"
    if isinstance(data_type, T.DecimalType):
        return "decimal"
    if isinstance(data_type, (T.TimestampType, T.TimestampNTZType)):
        return "timestamp"
    if isinstance(data_type, T.StructType):
        return "struct"
    if isinstance(data_type, T.StringType):
        return "string"
    if isinstance(data_type, T.BooleanType):
        return "boolean"
    if isinstance(data_type, T.DateType):
        return "date"
    if isinstance(data_type, T.BinaryType):
        return "binary"
    return data_type.simpleString()


def _number(value: int | float | Decimal) -> int | float:
    """Integers as int (a HUGEINT that Parquet carried as DOUBLE included), the rest as float."""
    if isinstance(value, int):
        return value
    as_float = float(value)
    if math.isfinite(as_float) and as_float.is_integer() and abs(as_float) < 2**53:
        return int(as_float)
    return as_float


def normalize(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (str, datetime.date)):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, dict):
        return tuple(sorted((normalize(k), normalize(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):  # arrays, and Rows (tuples) for structs
        return tuple(normalize(v) for v in value)
    raise TypeError(f"no comparison for {type(value).__name__}")


def sort_key(value: Any) -> tuple[Any, ...]:
    """A total order over normalized values; floats rounded so that tiny differences sort alike."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float)):
        return (2, float(f"{value:.9g}") if isinstance(value, float) else value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, datetime.date):
        return (4, value.isoformat())
    if isinstance(value, bytes):
        return (5, value)
    return (6, tuple(sort_key(v) for v in value))


def same(left: Any, right: Any) -> bool:
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not isinstance(left, bool) and not isinstance(right, bool):
        if isinstance(left, int) and isinstance(right, int):
            return left == right
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right or abs(left - right) <= TOLERANCE * max(1.0, abs(left), abs(right))
    return bool(type(left) is type(right) and left == right)


def rows_of(frame: DataFrame) -> list[tuple[Any, ...]]:
    rows = [tuple(normalize(v) for v in row) for row in frame.collect()]
    return sorted(rows, key=lambda row: tuple(sort_key(v) for v in row))


def assert_same_rows(what: str, duckdb: DataFrame, spark: DataFrame) -> None:
    assert duckdb.columns == spark.columns, f"{what}: columns differ"
    expected, actual = rows_of(duckdb), rows_of(spark)
    assert len(expected) == len(actual), f"{what}: DuckDB has {len(expected)} rows, Spark {len(actual)}"
    differing = [(e, a) for e, a in zip(expected, actual) if not same(e, a)]
    shown = "\n".join(f"  DuckDB {e}\n  Spark  {a}" for e, a in differing[:5])
    assert not differing, f"{what}: {len(differing)} rows differ (columns {spark.columns}), first ones:\n{shown}"


def partition_folders(location: Path) -> set[str]:
    """The key=value folders holding a partitioned output's files, with escapes decoded."""
    return {
        unquote(str(file.parent.relative_to(location)))
        for file in location.rglob("*.parquet")
    }


# --- The test ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def udf_spark(spark: SparkSession) -> Iterator[SparkSession]:
    register_functions(spark)
    yield spark


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_duckdb_and_spark_agree(udf_spark: SparkSession, tmp_path: Path, case: Case) -> None:
    spark = udf_spark
    inputs, duckdb_root, duckdb_tables, spark_root = (tmp_path / n for n in ("inputs", "duckdb", "duckdb-tables", "spark"))
    plan_file = tmp_path / "plan.json"

    duckdb_summary = run_on_duckdb(case, plan_file, inputs, duckdb_root, duckdb_tables)
    plan = load_plan(plan_file.read_text())
    assert case.fixtures.exists() or not plan.inputs, f"plan {plan.name} has inputs: add fixtures at {case.fixtures.relative_to(REPO)}"

    def resolve(location: str, access: Access) -> str:
        # The files DuckDB read; written elsewhere.
        return join_location(str(inputs if access == "read" else spark_root), location)

    _drop_temp_views(spark)
    spark_summary = run_plan(spark, plan, resolve).to_json()

    assert _without_timing(spark_summary, [spark_root]) == _without_timing(duckdb_summary, [duckdb_root])

    duckdb_types: dict[str, list[list[str]]] = json.loads((duckdb_tables / "schema.json").read_text())
    for table in _sql_tables(plan.steps):
        from_spark = spark.table(table)
        families = [spark_family(f.dataType) for f in from_spark.schema.fields]
        assert [c for c, _ in duckdb_types[table]] == from_spark.columns, f"table {table}: columns differ"
        assert [duckdb_family(t) for _, t in duckdb_types[table]] == families, (
            f"table {table}: types differ: DuckDB {duckdb_types[table]}, Spark {from_spark.schema.simpleString()}"
        )
        assert_same_rows(f"table {table}", spark.read.parquet(str(duckdb_tables / f"{table}.parquet")), from_spark)

    for table, output in plan.outputs.items():
        duckdb_output, spark_output = duckdb_root / output.location, spark_root / output.location
        if output.partition_by:
            assert partition_folders(duckdb_output) == partition_folders(spark_output), f"output {table}: partitions differ"
        assert_same_rows(f"output {table}", spark.read.parquet(str(duckdb_output)), spark.read.parquet(str(spark_output)))
