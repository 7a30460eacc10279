{#- CompStat: the one implementation of the week-to-date / 28-day / year-to-date comparison
    against the same period a year earlier, used by crime, road safety and fraud.

    compstat_windows(): one row per window with its current and prior-year day ranges, ending on
      the last whole day (last_whole_day(): the pinned as_of day, else yesterday).
      wtd and 28d compare with the same weekdays 52 weeks (364 days) earlier, so a Monday is
      compared with a Monday; ytd compares 1 Jan..that day with 1 Jan..the same date a year earlier.

    compstat(daily, measures, dimension):
      daily     - relation or CTE with date_day, region_code, district_code, the dimension column
                  (optional) and additive daily measures;
      measures  - measure columns to sum;
      dimension - optional category column (offence_code, cause, scheme); totals get 'all'.
    Returns one row per window × area (nation, each region, each district) × dimension value
    (and 'all'), with the area's population (int_area_populations, for rates),
    <m>_current, <m>_prior, <m>_change and <m>_pct_change for each measure, and
    prior_is_complete: whether the data reaches back to the prior period's first day (`daily`'s
    first date is on or before it). When it does not, as in a lake's first year, the prior counts
    cover only part of their period: <m>_change and <m>_pct_change are NULL, and readers show no
    comparison rather than a rise of thousands of per cent. Only areas with a record in either
    period appear.

    compstat_columns(relation): the leading columns of every CompStat mart (window, prior period,
    area), qualified by `relation`. -#}

{% macro compstat_columns(relation) -%}
    {%- for column in ["compstat_window", "window_order", "window_start", "window_end", "prior_start", "prior_end",
                       "prior_is_complete", "area_level", "region_code", "district_code"] %}
        {{ relation }}.{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro compstat_windows() %}
    select
        compstat_window,
        window_order,
        window_start,
        window_end,
        prior_start,
        prior_end
    from (
        select 'wtd' as compstat_window, 1 as window_order,
            cast(date_trunc('week', {{ last_whole_day() }}) as date) as window_start,
            {{ last_whole_day() }} as window_end,
            cast(date_trunc('week', {{ last_whole_day() }}) as date) - 364 as prior_start,
            {{ last_whole_day() }} - 364 as prior_end
        union all
        select '28d', 2,
            {{ last_whole_day() }} - 27,
            {{ last_whole_day() }},
            {{ last_whole_day() }} - 27 - 364,
            {{ last_whole_day() }} - 364
        union all
        select 'ytd', 3,
            cast(date_trunc('year', {{ last_whole_day() }}) as date),
            {{ last_whole_day() }},
            cast(date_trunc('year', {{ last_whole_day() }}) - interval 1 year as date),
            cast({{ last_whole_day() }} - interval 1 year as date)
    ) as windows
{% endmacro %}

{#- The pieces compstat() and compstat_quantiles() share.
    compstat_rollup(columns, dimension): `group by grouping sets` for `columns` (text; may be empty) × district,
      region and nation, each with the dimension value and without (its total) when there is a dimension;
    compstat_area_level(): the level of such a group; compstat_dimension(): its dimension value, 'all' for totals;
    compstat_in_window(relation, date_column, dimension, columns): the relation's rows in a window or its prior
      year (one row per window they fall in), with is_current, the area and dimension_value;
    compstat_match(left, right, window): the join condition of two relations on the window (unless
      window=false: a level at the as-of day), area and dimension value. -#}
{% macro compstat_rollup(columns, dimension) -%}
    {%- set sets = [] -%}
    {%- for geo in ["region_code, district_code", "region_code", none] -%}
        {%- set cols = [columns, geo] | select | join(", ") -%}
        {%- if dimension %}{% do sets.append([cols, "dimension_value"] | select | join(", ")) %}{% endif -%}
        {%- do sets.append(cols) -%}
    {%- endfor -%}
    group by grouping sets (
        {%- for s in sets %}
        ({{ s }}){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro compstat_area_level() -%}
    case
        when grouping(region_code) = 1 then 'nation'
        when grouping(district_code) = 1 then 'region'
        else 'district'
    end
{%- endmacro %}

{% macro compstat_dimension() -%}
    case when grouping(dimension_value) = 1 then 'all' else dimension_value end
{%- endmacro %}

{% macro compstat_in_window(relation, date_column, dimension, columns) %}
        select
            windows.*,
            rel.{{ date_column }} between windows.window_start and windows.window_end as is_current,
            rel.region_code,
            rel.district_code,
            {{ ('rel.' ~ dimension) if dimension else "'all'" }} as dimension_value,
            {%- for c in columns %}
            rel.{{ c }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }} as rel
        inner join windows
            on rel.{{ date_column }} between windows.window_start and windows.window_end
            or rel.{{ date_column }} between windows.prior_start and windows.prior_end
{% endmacro %}

{% macro compstat_match(left, right, window=true) -%}
    {%- for column in (["compstat_window"] if window else []) + ["area_level", "dimension_value"] %}
        {{ "and " if not loop.first }}{{ left }}.{{ column }} = {{ right }}.{{ column }}
    {%- endfor %}
    {%- for column in ["region_code", "district_code"] %}
        and {{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}

{#- compstat_share(numerator, denominator, name): a percentage of two of compstat()'s measures, one decimal, in
    the current window (`name`) and a year earlier (`name`_prior, NULL unless prior_is_complete). -#}
{% macro compstat_share(numerator, denominator, name) -%}
    {{ safe_ratio('compstat.' ~ numerator ~ '_current', 'compstat.' ~ denominator ~ '_current', 100, 1) }} as {{ name }},
        case when compstat.prior_is_complete then
            {{ safe_ratio('compstat.' ~ numerator ~ '_prior', 'compstat.' ~ denominator ~ '_prior', 100, 1) }}
        end as {{ name }}_prior
{%- endmacro %}

{% macro compstat(daily, measures, dimension=none) %}
    {%- set window_cols = "compstat_window, window_order, window_start, window_end, prior_start, prior_end" -%}
    {%- set complete = "coalesce(coverage.first_day <= prior_start, false)" -%}
    with

    windows as (
        {{ compstat_windows() }}
    ),

    coverage as (
        select min(date_day) as first_day from {{ daily }}
    ),

    populations as (
        select * from {{ ref('int_area_populations') }}
    ),

    in_window as (
        {{ compstat_in_window(daily, 'date_day', dimension, measures) }}
    ),

    rolled_up as (

        select
            {{ window_cols }},
            {{ compstat_area_level() }} as area_level,
            region_code,
            district_code,
            {{ compstat_dimension() }} as dimension_value,
            {%- for m in measures %}
            coalesce(sum({{ m }}) filter (where is_current), 0) as {{ m }}_current,
            coalesce(sum({{ m }}) filter (where not is_current), 0) as {{ m }}_prior{{ "," if not loop.last }}
            {%- endfor %}
        from in_window
        {{ compstat_rollup(window_cols, dimension) }}

    )

    select
        {{ window_cols }},
        {{ complete }} as prior_is_complete,
        rolled_up.area_level,
        rolled_up.region_code,
        rolled_up.district_code,
        dimension_value,
        populations.population,
        {%- for m in measures %}
        {{ m }}_current,
        {{ m }}_prior,
        case when {{ complete }} then {{ m }}_current - {{ m }}_prior end as {{ m }}_change,
        case when {{ complete }} then {{ pct_change(m ~ '_current', m ~ '_prior') }} end
            as {{ m }}_pct_change{{ "," if not loop.last }}
        {%- endfor %}
    from rolled_up
    cross join coverage
    left join populations
        on rolled_up.area_level = populations.area_level
        and rolled_up.region_code is not distinct from populations.region_code
        and rolled_up.district_code is not distinct from populations.district_code
{% endmacro %}
