{#- Schemas are named exactly as configured (staging, intermediate, marts, analytics, reference),
    not prefixed with the target schema as dbt does by default: analysts and dashboards query
    `marts.kpi_plan_progress`, whatever the profile's default schema is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
