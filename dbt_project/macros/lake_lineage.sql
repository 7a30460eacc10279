{#- The lineage every lake row carries (contracts: file checksum, line, source profile, ingest time),
    under the names the staging models give it. -#}
{% macro lake_lineage() -%}
        _file_sha256 as source_file_sha256,
        _line as source_line,
        _profile as source_profile,
        _ingested_at as ingested_at
{%- endmacro %}
