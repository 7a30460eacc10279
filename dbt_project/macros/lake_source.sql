{#- A lake table, read at the lake snapshot the build pinned (SAFELAKE_LAKE_SNAPSHOT, set by
    `safelake build`) so every model of one build sees the same data even while ingestion
    keeps appending. Without the variable: the newest snapshot. -#}
{% macro lake_source(table_name) -%}
    {{ source('lake', table_name) }}
    {%- set snapshot = env_var('SAFELAKE_LAKE_SNAPSHOT', '') -%}
    {%- if snapshot %} at (version => {{ snapshot | int }}){% endif -%}
{%- endmacro %}
