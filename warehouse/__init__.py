"""The warehouse: DuckDB files built by dbt from the lake, published only when every test passed."""
