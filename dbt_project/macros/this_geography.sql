{#- The filter every staging model puts on its lake table: the lake holds several geographies, a build is
    for one (var geography, from SAFELAKE_GEOGRAPHY). Rows carry it in `_geography`; the ledger and the
    quarantine in `geography`. -#}
{% macro this_geography(column='_geography') -%}
    {{ column }} = '{{ var("geography") }}'
{%- endmacro %}
