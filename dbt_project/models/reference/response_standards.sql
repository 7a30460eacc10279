{{ reference_csv({
    'region_code': 'varchar',
    'dispatch_minutes': 'integer',
    'arrival_minutes': 'integer'
}) }}
