"""The Spark runner's own behaviour: checking plans, loops, errors, materialization, writing.

What the results are is the parity test's business (test_parity.py); these tests pin down what
core/plan/run.ts's tests pin down for DuckDB, on Spark.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from c2c_glue.plan_runner import (
    LoopRun,
    PlanError,
    SqlStepRun,
    bound_locations,
    join_location,
    load_plan,
    parse_plan,
    run_plan,
    under_root,
)

REPO = Path(__file__).resolve().parent.parent.parent
PLANS = REPO / "test" / "plan" / "plans"


def plan_document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((PLANS / name).read_text())
    return document


def with_loop(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    steps = [{**s, **changes} if s["kind"] == "loop" else s for s in document["steps"]]
    return {**document, "steps": steps}


@pytest.fixture()
def lake(spark: SparkSession, tmp_path: Path) -> Iterator[Path]:
    """A folder with the inputs of test/plan/plans/ as test/plan/run-plan.test.ts writes them."""
    spark.sql(
        "SELECT * FROM VALUES (1, 'Lincoln', 9), (2, 'Lincoln', 10), (3, 'Roosevelt', 9), (4, 'Roosevelt', 9),"
        " (5, 'Lincoln', 9) AS t(student_id, school, grade)"
    ).coalesce(1).write.parquet(str(tmp_path / "students.parquet"))
    spark.sql("SELECT * FROM VALUES (1), (2), (3), (4), (10), (11), (12), (20) AS t(person_id)").write.parquet(
        str(tmp_path / "people.parquet")
    )
    spark.sql("SELECT * FROM VALUES (1, 2), (2, 3), (3, 4), (10, 11), (12, 11) AS t(left_id, right_id)").write.parquet(
        str(tmp_path / "links.parquet")
    )
    yield tmp_path


def persistent_rdds(spark: SparkSession) -> int:
    jsc = spark.sparkContext._jsc
    assert jsc is not None
    return int(jsc.sc().getPersistentRDDs().size())


# --- Checking plans ------------------------------------------------------------------------------


def test_the_plans_of_the_typescript_tests_are_valid() -> None:
    for file in sorted(PLANS.glob("*.json")):
        plan = load_plan(file.read_text())
        assert plan.name == json.loads(file.read_text())["name"]


def test_a_malformed_plan_is_rejected_naming_every_problem() -> None:
    with pytest.raises(PlanError) as raised:
        parse_plan(
            {
                "name": "Bad Name",
                "inputs": {"x": {"format": "csv", "location": ""}},
                "steps": [{"kind": "sql", "name": "a"}, {"kind": "loop", "name": "l", "body": [], "until": "SELECT TRUE", "carry": {}, "maxIterations": 0}],
                "outputs": {},
                "extra": 1,
            }
        )
    assert str(raised.value) == (
        "plan Bad Name is invalid: / has unknown property \"extra\"; /name must be a lowercase SQL identifier (^[a-z_][a-z0-9_]*$); "
        '/inputs/x/format must be "parquet"; /inputs/x/location must be a non-empty string; /steps/0 must have property "sql"; '
        "/steps/1/body must be a non-empty array; /steps/1/carry must be a non-empty object; "
        "/steps/1/maxIterations must be an integer from 1 to 1000"
    )


def test_an_inconsistent_plan_is_rejected_as_parse_plan_rejects_it() -> None:
    with pytest.raises(PlanError) as raised:
        parse_plan(
            {
                "name": "inconsistent",
                "inputs": {"people": {"format": "parquet", "location": "people.parquet"}},
                "steps": [
                    {"kind": "sql", "name": "people", "sql": "SELECT 1 AS x"},
                    {"kind": "loop", "name": "l", "body": [{"kind": "sql", "name": "n", "sql": "SELECT 1 AS x"}],
                     "until": "SELECT TRUE", "carry": {"missing": "people"}, "maxIterations": 3},
                ],
                "outputs": {
                    "l": {"format": "parquet", "location": "a"},
                    "nothing": {"format": "parquet", "location": "people.parquet"},
                },
            }
        )
    assert str(raised.value) == (
        "plan inconsistent is inconsistent: name people is defined twice (by an input and by a sql step); "
        "loop l: carry target missing must be a table a sql step produces before the loop; "
        "loop l: carry source people must be a table the loop's body produces; "
        "output l names a loop, which produces no table; output nothing names no input or sql step; "
        "output nothing writes to the location of input people"
    )


_SQL = {"kind": "sql", "name": "a", "sql": "SELECT 1 AS x"}
_LOOP = {"kind": "loop", "name": "l", "body": [{"kind": "sql", "name": "b", "sql": "SELECT 1 AS x"}], "until": "SELECT TRUE", "carry": {"a": "b"}, "maxIterations": 5}
_OUT = {"format": "parquet", "location": "out"}
_BASE = {"name": "p", "inputs": {"i": {"format": "parquet", "location": "in"}}, "steps": [_SQL, _LOOP], "outputs": {"a": _OUT}}

#: Documents parse_plan and core/plan/plan.ts's parsePlan must both accept (first) or both reject.
DOCUMENTS: list[object] = [
    _BASE,
    {**_BASE, "$schema": "x", "description": "d", "inputs": {"i": {"format": "parquet", "location": "in/*.parquet", "hivePartitioning": True}}},
    {**_BASE, "outputs": {"a": {**_OUT, "partitionBy": ["x"]}, "i": {"format": "parquet", "location": "copy"}}},
    [],
    {**_BASE, "name": "P"},
    {**_BASE, "name": 1},
    {**_BASE, "inputs": {"i": {"format": "parquet", "location": ""}}},
    {**_BASE, "inputs": {"i": {"format": "parquet", "location": "in", "hivePartitioning": "yes"}}},
    {**_BASE, "inputs": {"I": {"format": "parquet", "location": "in"}}},
    {**_BASE, "steps": [{**_SQL, "sql": ""}]},
    {**_BASE, "steps": [{**_SQL, "kind": "python"}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "maxIterations": 1001}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "maxIterations": 2.5}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "maxIterations": 5.0}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "maxIterations": True}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "body": []}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "carry": {}}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "carry": {"b": "a"}}]},
    {**_BASE, "steps": [_SQL, {**_LOOP, "until": 1}]},
    {**_BASE, "steps": [_SQL, _SQL]},
    {**_BASE, "outputs": {"a": {**_OUT, "partitionBy": []}}},
    {**_BASE, "outputs": {"a": {**_OUT, "partitionBy": ["x", "x"]}}},
    {**_BASE, "outputs": {"a": {**_OUT, "format": "csv"}}},
    {**_BASE, "outputs": {"l": _OUT}},
    {**_BASE, "outputs": {"a": {"format": "parquet", "location": "in"}}},
    {**_BASE, "outputs": {"a": _OUT, "b": _OUT}},
    {**_BASE, "extra": True},
]


def test_plans_are_accepted_and_rejected_as_parse_plan_does() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("this test runs core/plan/plan.ts's parsePlan and needs `node` on PATH")
    script = (
        "const { parsePlan } = require('./core/plan/plan');"
        "const documents = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(documents.map((d) => { try { parsePlan(d); return true; } catch { return false; } })));"
    )
    result = subprocess.run(
        [node, "--import", "tsx", "-e", script], cwd=REPO, input=json.dumps(DOCUMENTS),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr

    def accepted(document: object) -> bool:
        try:
            parse_plan(document)
        except PlanError:
            return False
        return True

    typescript: list[bool] = json.loads(result.stdout)
    assert typescript[:3] == [True, True, True]
    assert [accepted(d) for d in DOCUMENTS] == typescript


def test_text_that_is_not_json_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match=r"^the plan is not JSON"):
        load_plan("{ nope")


def test_locations_are_joined_under_a_folder_or_a_uri_prefix_or_bound_one_by_one() -> None:
    assert join_location("/lake", "out/x.parquet") == "/lake/out/x.parquet"
    assert join_location("s3://bucket/runs/7/", "out/x.parquet") == "s3://bucket/runs/7/out/x.parquet"
    assert under_root("s3://bucket")("a/b", "read") == "s3://bucket/a/b"
    resolve = bound_locations({"records.parquet": "s3://curated/records/"}, "s3://work/run-1")
    assert resolve("records.parquet", "read") == "s3://curated/records/"
    assert resolve("out/x", "write") == "s3://work/run-1/out/x"
    with pytest.raises(PlanError, match="location out/x has no binding"):
        bound_locations({})("out/x", "write")


# --- Running -------------------------------------------------------------------------------------


def test_a_loop_runs_until_its_condition_holds_reporting_each_pass(spark: SparkSession, lake: Path) -> None:
    events: list[dict[str, object]] = []
    summary = run_plan(spark, load_plan((PLANS / "connected-components.json").read_text()), under_root(str(lake)), on_progress=events.append)

    components = spark.read.parquet(str(lake / "out" / "components.parquet"))
    assert sorted((r.person_id, r.component) for r in components.collect()) == [
        (1, 1), (2, 1), (3, 1), (4, 1), (10, 10), (11, 10), (12, 10), (20, 20),
    ]
    loop = summary.steps[2]
    assert isinstance(loop, LoopRun) and loop.name == "propagate"
    assert [i.iteration for i in loop.iterations] == [1, 2, 3, 4]
    assert all(i.steps == (SqlStepRun("next_labels", 8, i.steps[0].ms),) for i in loop.iterations)
    assert [(e.get("loop", e.get("table", e.get("name"))), e["kind"], e.get("iteration")) for e in events] == [
        ("neighbours", "sql", None), ("labels", "sql", None),
        ("next_labels", "sql", None), ("propagate", "iteration", 1), ("next_labels", "sql", None), ("propagate", "iteration", 2),
        ("next_labels", "sql", None), ("propagate", "iteration", 3), ("next_labels", "sql", None), ("propagate", "iteration", 4),
        ("components", "sql", None), ("components", "output", None),
    ]
    assert [e["done"] for e in events if e["kind"] == "iteration"] == [False, False, False, True]
    assert summary.to_json()["outputs"] == [
        {"table": "components", "location": str(lake / "out" / "components.parquet"), "rows": 8, "ms": summary.outputs[0].ms}
    ]


def test_reaching_max_iterations_is_an_error_naming_the_loop_and_writes_nothing(spark: SparkSession, lake: Path) -> None:
    plan = parse_plan(with_loop(plan_document("connected-components.json"), maxIterations=3))

    with pytest.raises(PlanError) as raised:
        run_plan(spark, plan, under_root(str(lake)))

    assert str(raised.value) == "loop propagate reached maxIterations (3) without its until condition holding"
    assert not (lake / "out").exists()


def test_loops_nest_and_replaced_versions_of_their_tables_are_deleted(spark: SparkSession, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"

    summary = run_plan(spark, load_plan((PLANS / "nested-loops.json").read_text()), under_root(str(tmp_path)), scratch=str(scratch))

    assert [r.asDict() for r in spark.table("counter").collect()] == [{"passes": 3, "inner_total": 6}]
    outer = summary.steps[1]
    assert isinstance(outer, LoopRun) and len(outer.iterations) == 3
    for iteration in outer.iterations:
        assert [s.name for s in iteration.steps] == ["inner_state", "inner", "next_counter"]
        inner = iteration.steps[1]
        assert isinstance(inner, LoopRun) and len(inner.iterations) == 2
    # Thirteen steps ran; what is left are the versions the tables name: counter (= next_counter,
    # the 13th) and inner_state (= next_inner, the 12th).
    assert sorted(p.name for p in scratch.iterdir()) == ["00012_next_inner", "00013_next_counter"]


def test_statistics_do_not_compound_over_the_passes_of_a_loop(spark: SparkSession, tmp_path: Path) -> None:
    # The body joins the state with itself: Spark estimates a join's size as the product of its
    # inputs', so carrying estimates from pass to pass (as a checkpoint does) multiplies them
    # until the driver runs out of memory. Files have real sizes.
    plan = parse_plan(
        {
            "name": "self_joins",
            "inputs": {},
            "steps": [
                {"kind": "sql", "name": "state", "sql": "SELECT id AS k, 1.0D AS w, 0 AS pass FROM range(20)"},
                {
                    "kind": "loop", "name": "iterate", "maxIterations": 10,
                    "body": [{
                        "kind": "sql", "name": "next_state",
                        "sql": "SELECT a.k, a.w * 0.5 + COALESCE(b.w, 0) * 0.25 + COALESCE(c.w, 0) * 0.25 AS w, a.pass + 1 AS pass"
                               " FROM state a LEFT JOIN state b ON b.k = a.k + 1 LEFT JOIN state c ON c.k = a.k - 1"
                               " LEFT JOIN state d ON d.k = a.k CROSS JOIN (SELECT MAX(pass) AS m FROM state) e",
                    }],
                    "until": "SELECT MAX(pass) >= 5 AS done FROM next_state",
                    "carry": {"state": "next_state"},
                },
            ],
            "outputs": {},
        }
    )

    run_plan(spark, plan, under_root(str(tmp_path)))

    size = spark.table("state")._jdf.queryExecution().optimizedPlan().stats().sizeInBytes()
    assert int(str(size)) < 10**9
    assert spark.table("state").count() == 20


@pytest.mark.parametrize(
    ("until", "why"),
    [("SELECT passes FROM next_counter", "an integer"), ("SELECT CAST(NULL AS BOOLEAN) AS done", "NULL"),
     ("SELECT TRUE AS a, TRUE AS b", "two columns"), ("SELECT TRUE AS done FROM VALUES (1), (2)", "two rows")],
)
def test_an_until_condition_must_return_one_boolean(spark: SparkSession, tmp_path: Path, until: str, why: str) -> None:
    plan = parse_plan(with_loop(plan_document("nested-loops.json"), until=until))

    with pytest.raises(PlanError) as raised:
        run_plan(spark, plan, under_root(str(tmp_path)))

    assert str(raised.value) == "the until condition of loop outer (iteration 1) must return one row of one boolean column, not NULL", why


def test_an_engine_error_names_the_step_and_keeps_the_engine_message_as_its_cause(spark: SparkSession, lake: Path) -> None:
    plan = parse_plan(
        {
            "name": "failing",
            "inputs": {"students": {"format": "parquet", "location": "students.parquet"}},
            "steps": [{"kind": "sql", "name": "checked", "sql": "SELECT raise_error(concat('bad school ', school)) AS n FROM students"}],
            "outputs": {},
        }
    )

    with pytest.raises(PlanError) as raised:
        run_plan(spark, plan, under_root(str(lake)))

    assert str(raised.value) == "step checked failed in the engine (its error, which may quote data, is the cause)"
    assert re.search(r"Lincoln|Roosevelt", str(raised.value.__cause__))


def test_a_step_inside_a_loop_is_named_with_its_loop_and_iteration(spark: SparkSession, tmp_path: Path) -> None:
    document = plan_document("nested-loops.json")
    document["steps"][1]["body"][2]["sql"] = "SELECT c.passes + 1 AS passes, no_such_column AS inner_total FROM counter c"

    with pytest.raises(PlanError) as raised:
        run_plan(spark, parse_plan(document), under_root(str(tmp_path)))

    assert str(raised.value) == "step next_counter (loop outer, iteration 1) failed in the engine (its error, which may quote data, is the cause)"


def test_a_step_with_two_columns_of_one_name_is_an_error(spark: SparkSession, tmp_path: Path) -> None:
    plan = parse_plan(
        {
            "name": "twice",
            "inputs": {},
            "steps": [{"kind": "sql", "name": "pairs", "sql": "SELECT * FROM (SELECT 1 AS id) a JOIN (SELECT 1 AS ID) b ON a.id = b.id"}],
            "outputs": {},
        }
    )

    with pytest.raises(PlanError) as raised:
        run_plan(spark, plan, under_root(str(tmp_path)))

    assert str(raised.value) == "step pairs makes more than one column named id: give each its own name"


def test_an_input_that_cannot_be_read_is_an_error_naming_the_input(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    plan = parse_plan({"name": "missing", "inputs": {"nothing": {"format": "parquet", "location": "empty"}}, "steps": [], "outputs": {}})

    with pytest.raises(PlanError) as raised:
        run_plan(spark, plan, under_root(str(tmp_path)))

    assert str(raised.value) == "input nothing failed in the engine (its error, which may quote data, is the cause)"


def test_a_partitioned_output_replaces_what_was_there_and_reads_back_the_same(spark: SparkSession, lake: Path) -> None:
    # A file from an earlier run in a partition this run does not write.
    spark.sql("SELECT 99 AS student_id").write.parquet(str(lake / "out" / "enrolled" / "school=Closed" / "grade=12"))

    summary = run_plan(spark, load_plan((PLANS / "partitioned.json").read_text()), under_root(str(lake)))
    run_plan(spark, load_plan((PLANS / "read-partitioned.json").read_text()), under_root(str(lake)))

    assert [(o.table, o.rows) for o in summary.outputs] == [("enrolled", 5)]
    folders = {str(f.parent.relative_to(lake / "out" / "enrolled")) for f in (lake / "out" / "enrolled").rglob("*.parquet")}
    assert folders == {"school=Lincoln/grade=10", "school=Lincoln/grade=9", "school=Roosevelt/grade=9"}
    roster = sorted(tuple(r) for r in spark.table("roster").collect())
    students = sorted(tuple(r) for r in spark.read.parquet(str(lake / "students.parquet")).collect())
    assert roster == students


def test_without_hive_partitioning_folder_names_are_not_columns_and_globs_read_partitions(
    spark: SparkSession, lake: Path
) -> None:
    run_plan(spark, load_plan((PLANS / "partitioned.json").read_text()), under_root(str(lake)))
    plan = parse_plan(
        {
            "name": "globs",
            "inputs": {
                "flat": {"format": "parquet", "location": "out/enrolled"},
                "globbed": {"format": "parquet", "location": "out/enrolled/school=*/grade=9/*.parquet", "hivePartitioning": True},
            },
            "steps": [],
            "outputs": {},
        }
    )

    run_plan(spark, plan, under_root(str(lake)))

    assert spark.table("flat").columns == ["student_id"]
    assert spark.table("flat").count() == 5
    assert sorted(tuple(r) for r in spark.table("globbed").select("student_id", "school", "grade").collect()) == [
        (1, "Lincoln", 9), (3, "Roosevelt", 9), (4, "Roosevelt", 9), (5, "Lincoln", 9),
    ]


def test_only_parquet_files_are_read_as_in_duckdb(spark: SparkSession, tmp_path: Path) -> None:
    # A raw/ folder holds each drop's validation reports beside its Parquet.
    folder = tmp_path / "raw" / "k12_enrollment" / "partner=cde" / "ingest_date=2026-11-30"
    spark.sql("SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(id, code)").coalesce(1).write.parquet(str(tmp_path / "staging"))
    folder.mkdir(parents=True)
    shutil.copy(next((tmp_path / "staging").glob("*.parquet")), folder / "drop.parquet")
    (folder / "drop.report.json").write_text('{"verdict": "accepted"}')
    (folder / "drop.report.txt").write_text("accepted")
    plan = parse_plan(
        {
            "name": "raw",
            "inputs": {"raw_rows": {"format": "parquet", "location": "raw/k12_enrollment", "hivePartitioning": True}},
            "steps": [],
            "outputs": {},
        }
    )

    run_plan(spark, plan, under_root(str(tmp_path)))

    rows = sorted(tuple(r) for r in spark.table("raw_rows").select("id", "code", "partner", "ingest_date").collect())
    assert [r[:3] for r in rows] == [(1, "a", "cde"), (2, "b", "cde")]


def test_a_step_is_computed_once_so_random_values_stay_put(spark: SparkSession, tmp_path: Path) -> None:
    plan = parse_plan(
        {
            "name": "random",
            "inputs": {},
            "steps": [
                {"kind": "sql", "name": "ids", "sql": "SELECT id, uuid() AS token, rand() AS r FROM range(200)"},
                {"kind": "sql", "name": "matched", "sql": "SELECT COUNT(*) AS n FROM ids a JOIN ids b ON a.token = b.token AND a.r = b.r"},
            ],
            "outputs": {"ids": {"format": "parquet", "location": "ids"}},
        }
    )

    run_plan(spark, plan, under_root(str(tmp_path)))

    first, second = (sorted(tuple(r) for r in spark.table("ids").collect()) for _ in range(2))
    assert first == second
    assert spark.table("matched").first() == (200,)
    assert sorted(tuple(r) for r in spark.read.parquet(str(tmp_path / "ids")).collect()) == first


def test_an_untyped_null_column_is_an_integer_as_in_duckdb(spark: SparkSession, tmp_path: Path) -> None:
    plan = parse_plan({"name": "nulls", "inputs": {}, "steps": [{"kind": "sql", "name": "t", "sql": "SELECT NULL AS x, 1 AS y"}], "outputs": {}})

    run_plan(spark, plan, under_root(str(tmp_path)))

    assert spark.table("t").schema.simpleString() == "struct<x:int,y:int>"
