from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from c2c_glue.spark import local_spark_session

# PySpark turns TimestampType values into naive datetimes in the Python process's local time
# zone; pin it to UTC so collected results match the Spark session (and AWS Glue).
os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    session = local_spark_session(
        "c2c-glue-tests", warehouse_dir=str(tmp_path_factory.mktemp("spark-warehouse"))
    )
    try:
        yield session
    finally:
        session.stop()
