"""Developer scripts run with ``python -m scripts.<name>`` (the benchmark, the Neo4j server helper)."""
