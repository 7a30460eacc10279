{#- A reference table, read from safelake/reference/<geography>/<model name>.csv where it lies (the
    `reference_dir` var, an absolute path: the project runs from any copy of itself, and the file
    is only read). `types`: every column's type, by name; DuckDB refuses a file whose header lacks
    one of them. -#}
{% macro reference_csv(types) %}
    select * from read_csv(
        '{{ var("reference_dir") }}/{{ model.name }}.csv',
        header = true,
        types = {
            {%- for column, type in types.items() %}
            '{{ column }}': '{{ type }}'{{ "," if not loop.last }}
            {%- endfor %}
        }
    )
{% endmacro %}
