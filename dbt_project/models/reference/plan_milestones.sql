{{ reference_csv({'target_id': 'varchar', 'month_end': 'date', 'cumulative_target': 'double'}) }}
