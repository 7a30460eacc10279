{#- A UTC timestamp from the lake as local wall-clock time (no offset) in the geography's time
    zone: days, hours and weekdays are counted the way the regions count them. -#}
{% macro to_local(column) -%}
    timezone('{{ var("timezone") }}', {{ column }})
{%- endmacro %}
