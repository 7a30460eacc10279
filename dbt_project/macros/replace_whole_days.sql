{#- The config of the incremental camera × day tables: each run replaces whole days (delete+insert
    on date_day) and drops days after the as-of day, so a build pinned to an earlier as_of never
    keeps newer days. -#}
{% macro replace_whole_days() %}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='date_day',
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where date_day > {{ as_of_date() }}{% endif %}"
    ) }}
{% endmacro %}
