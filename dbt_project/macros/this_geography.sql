{#- The filter every staging model puts on its lake table: the lake holds several geographies, a build is
    for one (var geography, from SAFELAKE_GEOGRAPHY). -#}
{% macro this_geography() -%}
    _geography = '{{ var("geography") }}'
{%- endmacro %}
