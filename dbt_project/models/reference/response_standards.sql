{{ reference_csv({
    'region_code': 'varchar',
    'area_type': 'varchar',
    'dispatch_minutes': 'integer',
    'arrival_minutes': 'integer'
}) }}
