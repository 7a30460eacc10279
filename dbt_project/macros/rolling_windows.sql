{#- Trailing windows ending on the as-of day for the camera KPIs, var('camera_windows_days')
    (1, 7 and 30 days by default). -#}
{% macro rolling_windows(days=none) %}
    {%- set days = days or var('camera_windows_days') -%}
    {%- for d in days %}
    select
        '{{ d }}d' as rolling_window,
        {{ loop.index }} as window_order,
        {{ as_of_date() }} - {{ d - 1 }} as window_start,
        {{ as_of_date() }} as window_end
    {{ "union all" if not loop.last }}
    {%- endfor %}
{% endmacro %}

{#- The first day of the widest of those windows: a model filters its inputs on it before joining
    them to the windows, so the join handles the windows' days, not the whole history. -#}
{% macro rolling_windows_first_day(days=none) -%}
    ({{ as_of_date() }} - {{ (days or var('camera_windows_days')) | max - 1 }})
{%- endmacro %}
