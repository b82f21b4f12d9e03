"""PySpark side of the cradle-to-career data platform: the runner that executes plans in AWS Glue.

Nothing here imports ``awsglue``; the Glue job entry point will isolate it.
"""
