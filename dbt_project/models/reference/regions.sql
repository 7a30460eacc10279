{{ reference_csv({
    'region_code': 'varchar',
    'name_en': 'varchar',
    'name_ru': 'varchar',
    'name_ky': 'varchar',
    'kind': 'varchar'
}) }}
