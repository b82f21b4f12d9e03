"""The plan interpreter on Spark: the same plan documents core/plan/run.ts runs on DuckDB.

Inputs become temporary views over their Parquet; each sql step's rows are materialized (written
to a scratch folder and read back, below) and registered as a temporary view under the step's
name; a loop runs its
body, then its ``until`` query (one row, one boolean column; NULL is an error), then its
``carry`` copies, and stops once ``until`` held, or fails naming the loop at ``maxIterations``;
outputs are written as Parquet, replacing what is at their location. docs/plans.md gives the
semantics, docs/spark-runner.md what differs on Spark.

Every failure is a ``PlanError`` naming the input, step (with loop and iteration), ``until``
condition or output; an engine's error can quote data values, so it is the exception's
``__cause__``, never part of its message.

**Materialization.** Each sql step's rows are written as Parquet to a folder of its own under a
scratch location (a local folder, or an S3 prefix in Glue) and read back; the view reads those
files. So the step is computed once (``uuid()``, ``rand()`` take one value per row that every
later reader sees), its lineage is cut (a loop's carry does not grow the plan Spark analyzes on
every pass), and its statistics are those of real files. That last point is why it is not
``localCheckpoint()``/``checkpoint()``: a checkpointed DataFrame keeps the *estimated* size of
the plan it came from, and a loop whose body joins its state with itself multiplies that estimate
on every pass (the digits grow about sixfold per pass in the linkage's EM loop, and the driver
ran out of memory on pass 8 over 434 rows). A version no table name refers to any more (a loop
replaced it) is deleted at once. docs/spark-runner.md says more.
"""

from __future__ import annotations

import atexit
import json
import os
import posixpath
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, NullType

NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_GLOB = re.compile(r"[*?\[\]{}]")
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

Access = Literal["read", "write"]
#: Binds a plan location to a place Spark can reach: a local path or a URI (s3://...).
LocationResolver = Callable[[str, Access], str]
T = TypeVar("T")


class PlanError(Exception):
    """A plan that is malformed, or a step that failed; engine errors are the cause, not quoted."""


# --- The plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputBinding:
    location: str
    hive_partitioning: bool = False


@dataclass(frozen=True)
class OutputBinding:
    location: str
    partition_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class SqlStep:
    name: str
    sql: str


@dataclass(frozen=True)
class LoopStep:
    name: str
    body: tuple[Step, ...]
    until: str
    carry: Mapping[str, str]
    max_iterations: int


Step = SqlStep | LoopStep


@dataclass(frozen=True)
class Plan:
    name: str
    inputs: Mapping[str, InputBinding]
    steps: tuple[Step, ...]
    outputs: Mapping[str, OutputBinding]
    description: str | None = None


def load_plan(text: str) -> Plan:
    """Parse a plan document's JSON text and check it (``parse_plan``)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanError(f"the plan is not JSON: {error.msg} at line {error.lineno}") from None
    return parse_plan(document)


def parse_plan(document: object) -> Plan:
    """Check a plan document's shape and meaning as core/plan/plan.ts does, naming every problem."""
    label = (
        str(document.get("name"))
        if isinstance(document, dict) and document.get("name") is not None
        else "(plan without name)"
    )
    problems: list[str] = []
    _check_shape(document, problems)
    if problems:
        raise PlanError(f"plan {label} is invalid: {'; '.join(dict.fromkeys(problems))}")
    assert isinstance(document, dict)
    plan = Plan(
        name=document["name"],
        description=document.get("description"),
        inputs={
            table: InputBinding(spec["location"], spec.get("hivePartitioning", False))
            for table, spec in document["inputs"].items()
        },
        steps=tuple(_step(step) for step in document["steps"]),
        outputs={
            table: OutputBinding(spec["location"], tuple(spec.get("partitionBy", ())))
            for table, spec in document["outputs"].items()
        },
    )
    problems = _name_problems(plan) + _output_problems(plan)
    if problems:
        raise PlanError(f"plan {plan.name} is inconsistent: {'; '.join(problems)}")
    return plan


def _step(document: dict[str, Any]) -> Step:
    if document["kind"] == "sql":
        return SqlStep(document["name"], document["sql"])
    return LoopStep(
        name=document["name"],
        body=tuple(_step(step) for step in document["body"]),
        until=document["until"],
        carry=dict(document["carry"]),
        max_iterations=int(document["maxIterations"]),
    )


def _check_object(
    value: object, where: str, required: Sequence[str], optional: Sequence[str], problems: list[str]
) -> dict[str, Any] | None:
    """The object at ``where`` with its properties checked, or None (and a problem) if it is none."""
    if not isinstance(value, dict):
        problems.append(f"{where or '/'} must be an object")
        return None
    for key in required:
        if key not in value:
            problems.append(f"{where or '/'} must have property {json.dumps(key)}")
    for key in value:
        if key not in required and key not in optional:
            problems.append(f"{where or '/'} has unknown property {json.dumps(key)}")
    return value


def _check_name(value: object, where: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not NAME.match(value):
        problems.append(f"{where} must be a lowercase SQL identifier ({NAME.pattern})")


def _check_text(value: object, where: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not value:
        problems.append(f"{where} must be a non-empty string")


def _check_tables(
    value: object, where: str, check: Callable[[object, str, list[str]], None], problems: list[str]
) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where} must be an object")
        return
    for table, spec in value.items():
        _check_name(table, f"{where}: {json.dumps(table)}", problems)
        check(spec, f"{where}/{table}", problems)


def _check_binding(value: object, where: str, optional: list[str], problems: list[str]) -> dict[str, object] | None:
    """What inputs and outputs share: an object with a Parquet format and a location."""
    spec = _check_object(value, where, ["format", "location"], optional, problems)
    if spec is None:
        return None
    if "format" in spec and spec["format"] != "parquet":
        problems.append(f'{where}/format must be "parquet"')
    if "location" in spec:
        _check_text(spec["location"], f"{where}/location", problems)
    return spec


def _check_input(value: object, where: str, problems: list[str]) -> None:
    spec = _check_binding(value, where, ["hivePartitioning"], problems)
    if spec is None:
        return
    if "hivePartitioning" in spec and not isinstance(spec["hivePartitioning"], bool):
        problems.append(f"{where}/hivePartitioning must be boolean")


def _check_output(value: object, where: str, problems: list[str]) -> None:
    spec = _check_binding(value, where, ["partitionBy"], problems)
    if spec is None:
        return
    if "partitionBy" in spec:
        columns = spec["partitionBy"]
        if not isinstance(columns, list) or not columns or len(set(map(str, columns))) != len(columns):
            problems.append(f"{where}/partitionBy must be a non-empty list of distinct columns")
        else:
            for i, column in enumerate(columns):
                _check_name(column, f"{where}/partitionBy/{i}", problems)


def _check_step(value: object, where: str, problems: list[str]) -> None:
    kind = value.get("kind") if isinstance(value, dict) else None
    if kind == "sql":
        spec = _check_object(value, where, ["kind", "name", "sql"], [], problems)
    elif kind == "loop":
        spec = _check_object(value, where, ["kind", "name", "body", "until", "carry", "maxIterations"], [], problems)
    else:
        problems.append(f'{where}/kind must be one of "sql", "loop"' if isinstance(value, dict) else f"{where} must be an object")
        return
    assert spec is not None
    if "name" in spec:
        _check_name(spec["name"], f"{where}/name", problems)
    if kind == "sql":
        if "sql" in spec:
            _check_text(spec["sql"], f"{where}/sql", problems)
        return
    if "body" in spec:
        body = spec["body"]
        if not isinstance(body, list) or not body:
            problems.append(f"{where}/body must be a non-empty array")
        else:
            for i, step in enumerate(body):
                _check_step(step, f"{where}/body/{i}", problems)
    if "until" in spec:
        _check_text(spec["until"], f"{where}/until", problems)
    if "carry" in spec:
        carry = spec["carry"]
        if not isinstance(carry, dict) or not carry:
            problems.append(f"{where}/carry must be a non-empty object")
        else:
            for target, source in carry.items():
                _check_name(target, f"{where}/carry: {json.dumps(target)}", problems)
                _check_name(source, f"{where}/carry/{target}", problems)
    if "maxIterations" in spec:
        limit = spec["maxIterations"]
        # JSON has one number type: 5.0 is the integer 5 (as for ajv).
        whole = (isinstance(limit, int) and not isinstance(limit, bool)) or (isinstance(limit, float) and limit.is_integer())
        if not whole or not 1 <= limit <= 1000:
            problems.append(f"{where}/maxIterations must be an integer from 1 to 1000")


def _check_shape(document: object, problems: list[str]) -> None:
    spec = _check_object(
        document, "", ["name", "inputs", "steps", "outputs"], ["$schema", "description"], problems
    )
    if spec is None:
        return
    if "name" in spec:
        _check_name(spec["name"], "/name", problems)
    if "description" in spec and not isinstance(spec["description"], str):
        problems.append("/description must be a string")
    if "inputs" in spec:
        _check_tables(spec["inputs"], "/inputs", _check_input, problems)
    if "outputs" in spec:
        _check_tables(spec["outputs"], "/outputs", _check_output, problems)
    if "steps" in spec:
        if not isinstance(spec["steps"], list):
            problems.append("/steps must be an array")
        else:
            for i, step in enumerate(spec["steps"]):
                _check_step(step, f"/steps/{i}", problems)


def _name_problems(plan: Plan) -> list[str]:
    """Every name is defined once; each loop carries from its body into a table made before it."""
    problems: list[str] = []
    defined: dict[str, str] = {}

    def define(name: str, producer: str) -> None:
        if name in defined:
            problems.append(f"name {name} is defined twice (by {defined[name]} and by {producer})")
        else:
            defined[name] = producer

    def sql_tables() -> set[str]:
        return {name for name, producer in defined.items() if producer == "a sql step"}

    def walk(steps: Sequence[Step]) -> None:
        for step in steps:
            define(step.name, "a sql step" if isinstance(step, SqlStep) else "a loop")
            if isinstance(step, SqlStep):
                continue
            before = sql_tables()
            walk(step.body)
            from_body = sql_tables() - before
            for target, source in step.carry.items():
                if target not in before:
                    problems.append(f"loop {step.name}: carry target {target} must be a table a sql step produces before the loop")
                if source not in from_body:
                    problems.append(f"loop {step.name}: carry source {source} must be a table the loop's body produces")

    for name in plan.inputs:
        define(name, "an input")
    walk(plan.steps)
    for table in plan.outputs:
        producer = defined.get(table)
        if producer is None:
            problems.append(f"output {table} names no input or sql step")
        elif producer == "a loop":
            problems.append(f"output {table} names a loop, which produces no table")
    return problems


def _output_problems(plan: Plan) -> list[str]:
    """Two writes to one location, or a write where an input reads, would silently lose rows."""
    problems: list[str] = []
    readers = {spec.location: f"input {table}" for table, spec in plan.inputs.items()}
    writers: dict[str, str] = {}
    for table, spec in plan.outputs.items():
        other = writers.get(spec.location) or readers.get(spec.location)
        if other:
            problems.append(f"output {table} writes to the location of {other}")
        writers[spec.location] = f"output {table}"
    return problems


# --- Locations -----------------------------------------------------------------------------------


def join_location(root: str, location: str) -> str:
    """``location`` under ``root``, a local folder or a URI prefix (s3://bucket/prefix)."""
    if _URI.match(root):
        return f"{root.rstrip('/')}/{posixpath.normpath(location.lstrip('/'))}"
    return os.path.normpath(os.path.join(root, location))


def under_root(root: str) -> LocationResolver:
    """Plan locations as places under one folder or URI prefix (Spark creates what it writes)."""
    return lambda location, _access: join_location(root, location)


def bound_locations(bindings: Mapping[str, str], root: str | None = None) -> LocationResolver:
    """Each location bound to a URI by ``bindings``, else placed under ``root``; else an error."""

    def resolve(location: str, _access: Access) -> str:
        if location in bindings:
            return bindings[location]
        if root is not None:
            return join_location(root, location)
        raise PlanError(f"location {location} has no binding and there is no root to place it under")

    return resolve


# --- The run summary (as core/plan/run.ts reports it) --------------------------------------------


@dataclass(frozen=True)
class SqlStepRun:
    name: str
    rows: int
    ms: int

    def to_json(self) -> dict[str, object]:
        return {"kind": "sql", "name": self.name, "rows": self.rows, "ms": self.ms}


@dataclass(frozen=True)
class IterationRun:
    iteration: int
    steps: tuple[StepRun, ...]
    ms: int

    def to_json(self) -> dict[str, object]:
        return {"iteration": self.iteration, "steps": [s.to_json() for s in self.steps], "ms": self.ms}


@dataclass(frozen=True)
class LoopRun:
    name: str
    #: One per pass of the body; the last is the one after which ``until`` held.
    iterations: tuple[IterationRun, ...]
    ms: int

    def to_json(self) -> dict[str, object]:
        return {"kind": "loop", "name": self.name, "iterations": [i.to_json() for i in self.iterations], "ms": self.ms}


StepRun = SqlStepRun | LoopRun


@dataclass(frozen=True)
class OutputRun:
    table: str
    #: As resolved.
    location: str
    rows: int
    ms: int

    def to_json(self) -> dict[str, object]:
        return {"table": self.table, "location": self.location, "rows": self.rows, "ms": self.ms}


@dataclass(frozen=True)
class PlanRun:
    plan: str
    steps: tuple[StepRun, ...]
    outputs: tuple[OutputRun, ...]
    ms: int

    def to_json(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "steps": [s.to_json() for s in self.steps],
            "outputs": [o.to_json() for o in self.outputs],
            "ms": self.ms,
        }


# --- Running -------------------------------------------------------------------------------------


def _since(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)


def _in_engine(label: str, work: Callable[[], T]) -> T:
    """An engine's message may quote values from the data, so it is the cause, never the message."""
    try:
        return work()
    except Exception as error:
        raise PlanError(f"{label} failed in the engine (its error, which may quote data, is the cause)") from error


def remove_location(spark: SparkSession, location: str) -> None:
    """Delete a folder (local or on any file system Spark reaches: s3://), best effort."""
    try:
        jvm, jsc = spark.sparkContext._jvm, spark.sparkContext._jsc
        assert jvm is not None and jsc is not None
        path = jvm.org.apache.hadoop.fs.Path(location)
        path.getFileSystem(jsc.hadoopConfiguration()).delete(path, True)
    except Exception:  # cleaning up; never worth failing a run
        pass


@dataclass
class _Tables:
    """The run's tables (a temporary view each) and the scratch folder behind each sql step's."""

    spark: SparkSession
    scratch: str
    frames: dict[str, DataFrame] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    versions: int = 0

    def materialize(self, name: str, frame: DataFrame) -> tuple[DataFrame, str]:
        """The frame's rows written once to a new folder, and read back from there."""
        self.versions += 1
        folder = join_location(self.scratch, f"{self.versions:05d}_{name}")
        # An untyped NULL column is INTEGER in DuckDB; Spark's VOID cannot be written.
        voids = {f.name for f in frame.schema.fields if isinstance(f.dataType, NullType)}
        if voids:
            quoted = {c: F.col("`" + c.replace("`", "``") + "`") for c in frame.columns}
            frame = frame.select(*(quoted[c].cast(IntegerType()).alias(c) if c in voids else quoted[c] for c in frame.columns))
        frame.write.mode("overwrite").parquet(folder)
        return self.spark.read.parquet(folder), folder

    def register(self, name: str, frame: DataFrame, folder: str | None = None) -> None:
        previous = self.folders.pop(name, None)
        frame.createOrReplaceTempView(name)
        self.frames[name] = frame
        if folder is not None:
            self.folders[name] = folder
        if previous is not None and previous not in self.folders.values():
            remove_location(self.spark, previous)


def _read_parquet(spark: SparkSession, uri: str, binding: InputBinding) -> DataFrame:
    # Only the Parquet files: a raw/ folder also holds each drop's validation reports, which
    # DuckDB's reader passes over and Spark's would fail on.
    reader = spark.read.option("pathGlobFilter", "*.parquet")
    if binding.hive_partitioning:
        glob = _GLOB.search(uri)
        if glob is not None and "/" in uri[: glob.start()]:
            # Partition columns are discovered below basePath: the folder above the first glob.
            reader = reader.option("basePath", uri[: glob.start()].rsplit("/", 1)[0] or "/")
    else:
        # Without it Spark reads key=value folders as columns, which DuckDB does not.
        reader = reader.option("recursiveFileLookup", "true")
    return reader.parquet(uri)


def run_plan(
    spark: SparkSession,
    plan: Plan,
    resolve_location: LocationResolver | None = None,
    *,
    scratch: str | None = None,
    on_progress: Callable[[dict[str, object]], None] | None = None,
) -> PlanRun:
    """Run a plan in the session; its tables stay there as temporary views afterwards.

    ``scratch`` is where the sql steps' rows are kept (a folder, or a URI prefix every executor
    reaches). Its content is the session's tables; the caller removes it when they are no longer
    needed. By default it is a new temporary local folder, which only suits a local Spark and is
    removed when the process exits.
    """
    started = time.perf_counter()
    resolve = resolve_location or (lambda location, _access: location)
    notify = on_progress or (lambda _event: None)
    if scratch is None:
        scratch = tempfile.mkdtemp(prefix="c2c-plan-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    tables = _Tables(spark, scratch)

    def run_sql(step: SqlStep, where: str) -> SqlStepRun:
        begun = time.perf_counter()
        label = f"step {step.name}{where}"
        query = _in_engine(label, lambda: spark.sql(step.sql))
        named = [c.lower() for c in query.columns]
        if len(set(named)) != len(named):
            repeated = sorted({c for c in named if named.count(c) > 1})
            # DuckDB would quietly rename the second one (a_1); Spark could not write the table.
            raise PlanError(f"{label} makes more than one column named {', '.join(repeated)}: give each its own name")
        frame, folder = _in_engine(label, lambda: tables.materialize(step.name, query))
        tables.register(step.name, frame, folder)
        rows = _in_engine(label, frame.count)
        run = SqlStepRun(step.name, rows, _since(begun))
        notify(run.to_json())
        return run

    def run_loop(loop: LoopStep) -> LoopRun:
        begun = time.perf_counter()
        iterations: list[IterationRun] = []
        for iteration in range(1, loop.max_iterations + 1):
            iteration_begun = time.perf_counter()
            where = f" (loop {loop.name}, iteration {iteration})"
            steps = run_steps(loop.body, where)
            done = until_holds(loop, iteration)
            for target, source in loop.carry.items():
                # Tables are immutable files, so the copy is the same rows under a second name.
                tables.register(target, tables.frames[source], tables.folders[source])
            ms = _since(iteration_begun)
            iterations.append(IterationRun(iteration, tuple(steps), ms))
            notify({"kind": "iteration", "loop": loop.name, "iteration": iteration, "done": done, "ms": ms})
            if done:
                return LoopRun(loop.name, tuple(iterations), _since(begun))
        # Stopping here would pass off an unconverged state as the result.
        raise PlanError(
            f"loop {loop.name} reached maxIterations ({loop.max_iterations}) without its until condition holding"
        )

    def until_holds(loop: LoopStep, iteration: int) -> bool:
        label = f"the until condition of loop {loop.name} (iteration {iteration})"
        rows = _in_engine(label, lambda: spark.sql(loop.until).take(2))
        values = list(rows[0]) if len(rows) == 1 else []
        # NULL (say, a maximum over no rows) is more likely a mistake than a reason to go on.
        if len(values) != 1 or not isinstance(values[0], bool):
            raise PlanError(f"{label} must return one row of one boolean column, not NULL")
        return values[0]

    def run_steps(steps: Sequence[Step], where: str) -> list[StepRun]:
        return [run_sql(step, where) if isinstance(step, SqlStep) else run_loop(step) for step in steps]

    for table, binding in plan.inputs.items():
        label = f"input {table}"
        uri = resolve(binding.location, "read")
        frame = _in_engine(label, lambda: _read_parquet(spark, uri, binding))
        tables.register(table, frame)

    steps = run_steps(plan.steps, "")

    outputs: list[OutputRun] = []
    for table, output in plan.outputs.items():
        begun = time.perf_counter()
        label = f"output {table}"
        uri = resolve(output.location, "write")
        writer = tables.frames[table].write.mode("overwrite").option("compression", "zstd")
        if output.partition_by:
            writer = writer.partitionBy(*output.partition_by)
        _in_engine(label, lambda: writer.parquet(uri))
        run = OutputRun(table, uri, _in_engine(label, tables.frames[table].count), _since(begun))
        notify({"kind": "output", **run.to_json()})
        outputs.append(run)

    return PlanRun(plan.name, tuple(steps), tuple(outputs), _since(started))
