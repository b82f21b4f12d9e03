"""Local Spark sessions for tests and local runs (never used inside AWS Glue)."""

from __future__ import annotations

import os
import sys
import tempfile

from pyspark.sql import SparkSession

#: The Spark version of the AWS Glue 5.0 runtime; requirements.txt pins PySpark to it.
GLUE_SPARK_VERSION = "3.5.4"

_LOOPBACK = "127.0.0.1"


def local_spark_session(app_name: str, *, warehouse_dir: str | None = None) -> SparkSession:
    """Start a small in-process Spark for tests on a 2-core machine.

    ``local[2]``, 4 shuffle partitions, UTC session time zone, no UI, no Hive (in-memory
    catalog), driver bound to the loopback interface, logging at ERROR. ``warehouse_dir`` is
    where managed tables would go (a fresh temporary directory by default), so nothing is
    written to the current directory.

    Python workers (for UDFs) run the same interpreter as the caller. Only one SparkContext can
    exist per process: this fails if a session is already active rather than silently returning
    one built with other settings.
    """
    if SparkSession.getActiveSession() is not None:
        raise RuntimeError("a SparkSession is already active in this process; stop it first")

    # Workers must be the driver's interpreter (same Python version, same pinned packages).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    # Resolve the local address to loopback without probing the machine's network interfaces.
    os.environ.setdefault("SPARK_LOCAL_IP", _LOOPBACK)

    if warehouse_dir is None:
        warehouse_dir = tempfile.mkdtemp(prefix="c2c-spark-warehouse-")

    session = (
        SparkSession.builder.appName(app_name)
        .master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.driver.bindAddress", _LOOPBACK)
        .config("spark.driver.host", _LOOPBACK)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
