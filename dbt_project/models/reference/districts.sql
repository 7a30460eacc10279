{{ reference_csv({
    'district_code': 'varchar',
    'region_code': 'varchar',
    'name_en': 'varchar',
    'name_ru': 'varchar',
    'name_ky': 'varchar',
    'area_type': 'varchar'
}) }}
