{#- The lineage every lake row carries (file checksum, line, source profile, ingest time):
    lake_lineage() selects it under the staging models' names, lineage_columns() lists those names
    (for the marts, which leave it out). -#}
{% macro lineage_names() -%}
    {{ return({
        '_file_sha256': 'source_file_sha256',
        '_line': 'source_line',
        '_profile': 'source_profile',
        '_ingested_at': 'ingested_at',
    }) }}
{%- endmacro %}

{% macro lake_lineage() -%}
    {%- for column, name in lineage_names().items() %}
        {{ column }} as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro lineage_columns() -%}
    {{ lineage_names().values() | join(', ') }}
{%- endmacro %}
