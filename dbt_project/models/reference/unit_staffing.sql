{{ reference_csv({
    'unit_id': 'varchar',
    'name_en': 'varchar',
    'name_ru': 'varchar',
    'region_code': 'varchar',
    'district_code': 'varchar',
    'staff': 'integer'
}) }}
