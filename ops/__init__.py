"""Operations: the `safelake` command line, data-freshness alerts, lake maintenance, status, Airflow's environment."""
