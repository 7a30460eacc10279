{{ reference_csv({
    'article': 'varchar',
    'title_en': 'varchar',
    'title_ru': 'varchar'
}) }}
