{#- "Today" for every KPI: the `as_of` var (YYYY-MM-DD) when given, else the current local date.
    as_of_timestamp() is the moment the numbers stand at: the end of the as_of day when it is
    pinned, else the current local time (today is then a partial day). -#}
{% macro as_of_date() -%}
    {%- if var('as_of', none) -%}
        date '{{ var("as_of") }}'
    {%- else -%}
        cast({{ to_local('current_timestamp') }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro as_of_timestamp() -%}
    {%- if var('as_of', none) -%}
        (date '{{ var("as_of") }}' + interval 1 day)
    {%- else -%}
        cast({{ to_local('current_timestamp') }} as timestamp)
    {%- endif -%}
{%- endmacro %}

{#- The last day whose data is whole: the as_of day when it is pinned (the numbers stand at its end),
    else yesterday, since today's exports are still arriving. Comparisons with a year earlier
    (CompStat) end there, so a part of today is never set against a whole day a year ago. -#}
{% macro last_whole_day() -%}
    {%- if var('as_of', none) -%}
        date '{{ var("as_of") }}'
    {%- else -%}
        (cast({{ to_local('current_timestamp') }} as date) - 1)
    {%- endif -%}
{%- endmacro %}
