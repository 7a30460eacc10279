{#- Quantiles over CompStat's windows, beside compstat()'s sums: the same windows (compstat_windows()),
    areas (nation, each region, each district) and dimension values (and 'all'), for measures that do
    not add up across days (medians, 90th percentiles).

    facts     - relation or CTE with region_code, district_code, the dimension column (optional), the
                date column and the measured columns; a NULL value is not measured;
    date      - the column that places a fact in a window;
    quantiles - list of [output name, measured column, fraction]: <name>_current and <name>_prior
                (quantile_cont, linear interpolation between the two nearest values).
    Join it to compstat()'s rows with compstat_match(); show the prior ones only where compstat() says
    prior_is_complete. -#}
{% macro compstat_quantiles(facts, date, quantiles, dimension=none) %}
    with

    windows as (
        {{ compstat_windows() }}
    ),

    in_window as (
        {{ compstat_in_window(facts, date, dimension, quantiles | map(attribute=1) | unique | list) }}
    )

    select
        compstat_window,
        {{ compstat_area_level() }} as area_level,
        region_code,
        district_code,
        {{ compstat_dimension() }} as dimension_value,
        {%- for name, column, fraction in quantiles %}
        quantile_cont({{ column }}, {{ fraction }}) filter (where is_current) as {{ name }}_current,
        quantile_cont({{ column }}, {{ fraction }}) filter (where not is_current) as {{ name }}_prior
            {{- "," if not loop.last }}
        {%- endfor %}
    from in_window
    {{ compstat_rollup('compstat_window', dimension) }}
{% endmacro %}
