{#- Quantiles over CompStat's windows, beside compstat()'s sums: the same windows (compstat_windows()),
    areas (nation, each region, each district) and dimension values (and 'all'), for measures that do
    not add up across days (medians, 90th percentiles).

    facts     - relation or CTE with region_code, district_code, the dimension column (optional), the
                date column and the measured columns; a NULL value is not measured;
    date      - the column that places a fact in a window;
    quantiles - list of [output name, measured column, fraction]: <name>_current and <name>_prior
                (quantile_cont, linear interpolation between the two nearest values).
    Join it to compstat()'s rows on compstat_window, area_level, region_code, district_code and
    dimension_value; show the prior ones only where compstat() says prior_is_complete. -#}
{% macro compstat_quantiles(facts, date, quantiles, dimension=none) %}
    {%- set dim = ('facts.' ~ dimension) if dimension else "'all'" -%}
    {%- set grouping_sets = [] -%}
    {%- for geo in ["region_code, district_code", "region_code", none] -%}
        {%- set cols = "compstat_window" ~ (", " ~ geo if geo else "") -%}
        {%- if dimension %}{% do grouping_sets.append(cols ~ ", dimension_value") %}{% endif -%}
        {%- do grouping_sets.append(cols) -%}
    {%- endfor -%}
    with

    windows as (
        {{ compstat_windows() }}
    ),

    in_window as (

        select
            windows.compstat_window,
            facts.{{ date }} between windows.window_start and windows.window_end as is_current,
            facts.region_code,
            facts.district_code,
            {{ dim }} as dimension_value,
            {%- for name, column, fraction in quantiles %}
            facts.{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ facts }} as facts
        inner join windows
            on facts.{{ date }} between windows.window_start and windows.window_end
            or facts.{{ date }} between windows.prior_start and windows.prior_end

    )

    select
        compstat_window,
        case
            when grouping(region_code) = 1 then 'nation'
            when grouping(district_code) = 1 then 'region'
            else 'district'
        end as area_level,
        region_code,
        district_code,
        case when grouping(dimension_value) = 1 then 'all' else dimension_value end as dimension_value,
        {%- for name, column, fraction in quantiles %}
        quantile_cont({{ column }}, {{ fraction }}) filter (where is_current) as {{ name }}_current,
        quantile_cont({{ column }}, {{ fraction }}) filter (where not is_current) as {{ name }}_prior
            {{- "," if not loop.last }}
        {%- endfor %}
    from in_window
    group by grouping sets (
        {%- for s in grouping_sets %}
        ({{ s }}){{ "," if not loop.last }}
        {%- endfor %}
    )
{% endmacro %}
