{#- Percent change from `prior` to `current`, one decimal. A zero or missing baseline has no
    percent change: null, never a division error or an "infinite" rise. -#}
{% macro pct_change(current, prior) -%}
    round(100.0 * ({{ current }} - {{ prior }}) / nullif({{ prior }}, 0), 1)
{%- endmacro %}

{#- numerator ÷ denominator × scale, null when the denominator is zero or missing. -#}
{% macro safe_ratio(numerator, denominator, scale=1, digits=2) -%}
    round({{ scale }} * cast({{ numerator }} as double) / nullif({{ denominator }}, 0), {{ digits }})
{%- endmacro %}
