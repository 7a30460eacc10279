{{ reference_csv({
    'period_id': 'varchar',
    'name_en': 'varchar',
    'kind': 'varchar',
    'start_date': 'date',
    'end_date': 'date'
}) }}
