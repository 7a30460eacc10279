{#- A lake table, read at the lake snapshot the build pinned in its own file (meta.lake_pin, written
    by `safelake build` before dbt runs and read when the model runs, so the pin is no parse input)
    so every model of one build sees the same data even while ingestion keeps appending.
    Without a pin: the newest snapshot. -#}
{% macro lake_source(table_name) -%}
    {{ source('lake', table_name) }}
    {%- set snapshot = pinned_lake_snapshot() -%}
    {%- if snapshot is not none %} at (version => {{ snapshot | int }}){% endif -%}
{%- endmacro %}

{% macro pinned_lake_snapshot() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set pin = adapter.get_relation(database=target.database, schema='meta', identifier='lake_pin') -%}
    {%- if pin is none -%}{{ return(none) }}{%- endif -%}
    {{ return(run_query('select lake_snapshot from ' ~ pin).columns[0].values()[0]) }}
{%- endmacro %}
