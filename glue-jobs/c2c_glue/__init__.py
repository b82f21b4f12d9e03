"""PySpark side of the cradle-to-career data platform: the runner that executes plans in AWS Glue.

``plan_runner`` runs plan documents on Spark, ``functions`` registers the functions Spark lacks
under DuckDB's names, and ``glue_job`` is the AWS Glue entry point, the only module that imports
``awsglue`` (docs/spark-runner.md).
"""
