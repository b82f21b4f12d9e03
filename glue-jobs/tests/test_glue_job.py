"""The Glue entry point: its arguments through awsglue when it is there, argparse when not."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from c2c_glue import glue_job
from c2c_glue.glue_job import JobArguments, parse_arguments
from c2c_glue.plan_runner import PlanError

REPO = Path(__file__).resolve().parent.parent.parent
PLANS = REPO / "test" / "plan" / "plans"


@pytest.fixture()
def fake_awsglue(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """An ``awsglue.utils`` whose getResolvedOptions records what it is asked for."""
    asked: list[list[str]] = []

    def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
        asked.append(names)
        return {name: argv[argv.index(f"--{name}") + 1] for name in names}

    utils = types.ModuleType("awsglue.utils")
    utils.getResolvedOptions = get_resolved_options  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "awsglue", types.ModuleType("awsglue"))
    monkeypatch.setitem(sys.modules, "awsglue.utils", utils)
    yield asked


GLUE_ARGV: Sequence[str] = (
    "--JOB_ID", "j_1", "--plan", "s3://plans/p.json", "--bindings", '{"records.parquet": "s3://lake/{run_id}/records/"}',
    "--run_id", "run-7", "--TempDir", "s3://tmp/", "--root", "s3://work/{run_id}",
)


def test_under_glue_the_arguments_come_from_get_resolved_options(fake_awsglue: list[list[str]]) -> None:
    arguments = parse_arguments(GLUE_ARGV)

    assert fake_awsglue == [["plan", "bindings", "run_id", "root", "TempDir"]]
    assert arguments == JobArguments(
        plan="s3://plans/p.json",
        bindings={"records.parquet": "s3://lake/run-7/records/"},
        run_id="run-7",
        root="s3://work/run-7",
        scratch_dir="s3://tmp/c2c-plans/run-7",
    )


def test_under_glue_a_scratch_dir_is_required(fake_awsglue: list[list[str]]) -> None:
    argv = ["--plan", "s3://plans/p.json", "--bindings", "{}", "--run_id", "r"]
    with pytest.raises(PlanError, match="needs --scratch_dir or a temporary directory"):
        parse_arguments(argv)
    assert parse_arguments([*argv, "--scratch_dir", "s3://scratch/{run_id}"]).scratch_dir == "s3://scratch/r"


def test_without_awsglue_argparse_reads_the_same_arguments() -> None:
    assert "awsglue" not in sys.modules
    argv = ["--plan", "p.json", "--bindings", "{}", "--run-id", "r1", "--root", "/lake/{run_id}"]

    assert parse_arguments(argv) == JobArguments(plan="p.json", bindings={}, run_id="r1", root="/lake/r1")


def test_bindings_must_be_a_json_object_of_uris() -> None:
    with pytest.raises(PlanError, match="--bindings is not JSON"):
        parse_arguments(["--plan", "p.json", "--bindings", "{", "--run_id", "r"])
    with pytest.raises(PlanError, match="--bindings must be a JSON object"):
        parse_arguments(["--plan", "p.json", "--bindings", '{"a": 1}', "--run_id", "r"])


def test_the_job_runs_a_plan_under_plain_pyspark(spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spark.sql("SELECT * FROM VALUES (1, 'Lincoln', 9), (2, 'Roosevelt', 10) AS t(student_id, school, grade)").write.parquet(
        str(tmp_path / "in" / "students")
    )
    argv = [
        "--plan", str(PLANS / "partitioned.json"),
        "--bindings", json.dumps({"students.parquet": str(tmp_path / "in" / "students")}),
        "--run_id", "local-1",
        "--root", str(tmp_path / "runs" / "{run_id}"),
    ]

    assert glue_job.main(argv) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    summary = lines[-1]
    assert summary["run_id"] == "local-1" and summary["plan"] == "partitioned"
    assert [(o["table"], o["rows"], o["location"]) for o in summary["outputs"]] == [
        ("enrolled", 2, str(tmp_path / "runs" / "local-1" / "out" / "enrolled"))
    ]
    assert [e["kind"] for e in lines[:-1]] == ["sql", "output"]
    assert spark.read.parquet(str(tmp_path / "runs" / "local-1" / "out" / "enrolled")).count() == 2


def test_a_plan_that_cannot_be_read_is_a_plan_error(spark: SparkSession, tmp_path: Path) -> None:
    arguments = JobArguments(plan=str(tmp_path / "nope.json"), bindings={}, run_id="r")

    with pytest.raises(PlanError, match="cannot read the plan at"):
        glue_job.run_job(spark, arguments)
