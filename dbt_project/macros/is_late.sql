{#- Late data, with the one set of thresholds that the on-call alerts use (SAFELAKE_FRESHNESS_HOURS,
    passed as the `freshness_hours` var: hours per dataset). True when `days_since` whole days
    exceed the dataset's threshold, or nothing ever arrived; a dataset without a threshold is never late. -#}
{% macro is_late(days_since, dataset) -%}
    coalesce(
        ({{ days_since }}) * 24 > case {{ dataset }}
            {%- for name, hours in var('freshness_hours').items() %}
            when '{{ name }}' then {{ hours }}
            {%- endfor %}
        end,
        ({{ days_since }}) is null
    )
{%- endmacro %}
