{{ reference_csv({'target_id': 'varchar', 'region_code': 'varchar', 'target_value': 'double'}) }}
