{{ reference_csv({
    'region_code': 'varchar',
    'name_en': 'varchar',
    'name_ru': 'varchar',
    'name_ky': 'varchar',
    'name_kk': 'varchar',
    'kind': 'varchar'
}, optional=['name_ky', 'name_kk']) }}
