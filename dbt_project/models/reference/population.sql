{{ reference_csv({'area_code': 'varchar', 'year': 'integer', 'population': 'bigint'}) }}
