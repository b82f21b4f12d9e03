from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from c2c_glue.spark import GLUE_SPARK_VERSION

GLUE_DIR = Path(__file__).resolve().parent.parent


def test_sql_group_by_and_levenshtein(spark: SparkSession) -> None:
    pairs = spark.createDataFrame(
        [
            ("a", "kitten", "sitting"),
            ("a", "flaw", "lawn"),
            ("b", "", "abc"),
            ("b", "same", "same"),
            ("c", "x", None),
        ],
        schema="grp STRING, name_a STRING, name_b STRING",
    )
    pairs.createOrReplaceTempView("pairs")

    rows = spark.sql(
        """
        SELECT grp,
               count(*) AS n,
               sum(levenshtein(name_a, name_b)) AS total_distance,
               max(levenshtein(name_a, name_b)) AS max_distance
        FROM pairs
        GROUP BY grp
        ORDER BY grp
        """
    ).collect()

    assert [r.asDict() for r in rows] == [
        {"grp": "a", "n": 2, "total_distance": 5, "max_distance": 3},
        {"grp": "b", "n": 2, "total_distance": 3, "max_distance": 3},
        {"grp": "c", "n": 1, "total_distance": None, "max_distance": None},
    ]


def test_session_matches_glue_runtime(spark: SparkSession) -> None:
    # Same Spark as AWS Glue 5.0, and the pin in requirements.txt agrees.
    assert spark.version == GLUE_SPARK_VERSION
    assert spark.version.startswith("3.5.")
    pins = (GLUE_DIR / "requirements.txt").read_text().split()
    assert f"pyspark=={GLUE_SPARK_VERSION}" in pins

    # Session time zone is UTC, in configuration and in behaviour.
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    (row,) = spark.sql(
        "SELECT unix_timestamp(TIMESTAMP '2024-03-10 12:00:00') AS epoch,"
        " date_format(timestamp_seconds(0), 'yyyy-MM-dd HH:mm:ss XXX') AS zero"
    ).collect()
    assert row.epoch == 1_710_072_000
    assert row.zero == "1970-01-01 00:00:00 Z"

    # Small, local, loopback-only settings.
    assert spark.sparkContext.master == "local[2]"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"
    assert spark.conf.get("spark.driver.host") == "127.0.0.1"
    assert spark.conf.get("spark.sql.catalogImplementation") == "in-memory"
