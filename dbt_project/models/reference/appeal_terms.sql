{{ reference_csv({
    'category': 'varchar',
    'term_days': 'integer',
    'max_extension_days': 'integer'
}) }}
