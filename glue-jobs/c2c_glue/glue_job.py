"""The AWS Glue job: run one plan with the Spark runner (docs/spark-runner.md).

Job arguments, given as ``--name value`` (Glue's getResolvedOptions wants underscores, not
hyphens, in names):

``--plan``            the plan document (JSON): an s3:// URI or a local path
``--bindings``        a JSON object, plan location → URI: where each input is read and each output
                      written, e.g. ``{"records.parquet": "s3://lake/curated/records/"}``
``--run_id``          this run's id; ``{run_id}`` in bindings, ``--root`` and ``--scratch_dir`` is
                      replaced by it, and the run summary carries it
``--root``            optional: a URI prefix (or folder) for the locations without a binding
``--scratch_dir``     optional: where the steps' rows are kept during the run (an s3:// prefix),
                      removed after a successful run; by default ``<--TempDir>/c2c-plans/<run_id>``
                      (the job's temporary directory, which Glue passes), or a local temporary
                      folder outside Glue

The run summary is printed as one JSON line. Under Glue the arguments are read with
``awsglue.utils.getResolvedOptions``; where ``awsglue`` cannot be imported (plain PySpark,
tests) with argparse, so the job runs the same way on a laptop:

    python -m c2c_glue.glue_job --plan plan.json --bindings '{}' --run_id local-1 --root /tmp/lake

This module is the only one that imports ``awsglue``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import SparkSession

from c2c_glue.functions import register_functions
from c2c_glue.plan_runner import PlanError, bound_locations, load_plan, remove_location, run_plan

_REQUIRED = ("plan", "bindings", "run_id")
_OPTIONAL = ("root", "scratch_dir", "TempDir")


@dataclass(frozen=True)
class JobArguments:
    plan: str
    bindings: dict[str, str]
    run_id: str
    root: str | None = None
    scratch_dir: str | None = None


def _glue_options(argv: Sequence[str]) -> dict[str, str] | None:
    """The job's arguments as Glue resolves them, or None outside Glue."""
    try:
        from awsglue.utils import getResolvedOptions  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    # getResolvedOptions insists on every name it is given, so optional ones are asked for only if present.
    names = [*_REQUIRED, *(name for name in _OPTIONAL if f"--{name}" in argv)]
    options = getResolvedOptions(list(argv), names)
    return {name: str(options[name]) for name in names}


def _argparse_options(argv: Sequence[str]) -> dict[str, str]:
    parser = argparse.ArgumentParser(prog="c2c_glue.glue_job", description="Run a plan on Spark.")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--bindings", required=True)
    parser.add_argument("--run_id", "--run-id", dest="run_id", required=True)
    parser.add_argument("--root")
    parser.add_argument("--scratch_dir", "--scratch-dir", dest="scratch_dir")
    parsed = vars(parser.parse_args(list(argv)))
    return {name: value for name, value in parsed.items() if value is not None}


def parse_arguments(argv: Sequence[str]) -> JobArguments:
    """The job arguments from ``argv`` (without the program name), through Glue when it is there."""
    options = _glue_options(argv)
    under_glue = options is not None
    if options is None:
        options = _argparse_options(argv)
    run_id = options["run_id"]
    try:
        bindings = json.loads(options["bindings"])
    except json.JSONDecodeError as error:
        raise PlanError(f"--bindings is not JSON: {error.msg}") from None
    if not isinstance(bindings, dict) or not all(isinstance(v, str) for v in bindings.values()):
        raise PlanError("--bindings must be a JSON object of plan location → URI")

    def with_run_id(text: str | None) -> str | None:
        return None if text is None else text.replace("{run_id}", run_id)

    scratch = with_run_id(options.get("scratch_dir"))
    if scratch is None and "TempDir" in options:
        scratch = f"{options['TempDir'].rstrip('/')}/c2c-plans/{run_id}"
    if scratch is None and under_glue:
        # A folder on the driver would not be seen by the executors.
        raise PlanError("the job needs --scratch_dir or a temporary directory (--TempDir) for the steps' rows")
    return JobArguments(
        plan=options["plan"],
        bindings={location: uri.replace("{run_id}", run_id) for location, uri in bindings.items()},
        run_id=run_id,
        root=with_run_id(options.get("root")),
        scratch_dir=scratch,
    )


def read_text(spark: SparkSession, location: str) -> str:
    """A whole text file, local or on any file system Spark reaches (s3://)."""
    try:
        rows = spark.read.text(location, wholetext=True).collect()
    except Exception as error:
        raise PlanError(f"cannot read the plan at {location}") from error
    if len(rows) != 1:
        raise PlanError(f"the plan at {location} is not one file")
    return str(rows[0][0])


def run_job(spark: SparkSession, arguments: JobArguments) -> dict[str, object]:
    """Run the plan the arguments name; returns the run summary (with the run id)."""
    plan = load_plan(read_text(spark, arguments.plan))
    register_functions(spark)
    scratch = arguments.scratch_dir or tempfile.mkdtemp(prefix="c2c-plan-")
    summary = run_plan(
        spark,
        plan,
        bound_locations(arguments.bindings, arguments.root),
        scratch=scratch,
        on_progress=lambda event: print(json.dumps({"run_id": arguments.run_id, **event}), flush=True),
    )
    # After a failure the scratch is left for inspection (a lifecycle rule on the bucket expires it).
    remove_location(spark, scratch)
    return {"run_id": arguments.run_id, **summary.to_json()}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.appName(f"c2c-plan-{arguments.run_id}").getOrCreate()
    # Plans are written for UTC (as the local runs and the tests are).
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    print(json.dumps(run_job(spark, arguments)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
