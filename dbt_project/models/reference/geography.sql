{{ reference_csv({'name_en': 'varchar', 'name_ru': 'varchar', 'timezone': 'varchar', 'currency': 'varchar'}) }}
