{#- A reference table, read from safelake/reference/<geography>/<model name>.csv where it lies (the
    `reference_dir` var, an absolute path: the project runs from any copy of itself, and the file
    is only read). `types`: every column's type, by name; a file whose header lacks one of them is
    refused, except the `optional` ones (names in a language the geography does not use), which are
    null. A file the reference set does not have (not in the `reference_files` var: a geography
    without a plan, or without districts) is an empty table of these columns. -#}
{% macro reference_csv(types, optional=[]) %}
    {%- set present = model.name in var('reference_files') -%}
    {%- set blank = optional if present else types.keys() | list -%}
    select
        {%- for column, type in types.items() %}
        cast({{ column }} as {{ type }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        {%- if blank %}
        select {% for column in blank %}null::{{ types[column] }} as {{ column }}{{ ", " if not loop.last }}{% endfor %}
        where false
        {%- endif %}
        {%- if blank and present %}
        union all by name
        {%- endif %}
        {%- if present %}
        select * from read_csv('{{ var("reference_dir") }}/{{ model.name }}.csv', header = true, all_varchar = true)
        {%- endif %}
    )
{% endmacro %}
