with

crime_reports as (

    select * from {{ ref('fct_crime_reports') }}
    where registered_date between {{ as_of_date() }} - 364 and {{ as_of_date() }}

),

regions as (

    select * from {{ ref('regions') }}

),

slots as (

    -- every area × weekday × hour, so quiet hours show as zero rather than missing
    select areas.area_level, areas.region_code, weekdays.day_of_week, hours.hour_of_day
    from (
        select 'nation' as area_level, null as region_code
        union all
        select 'region', region_code from regions
    ) as areas
    cross join (select unnest(range(1, 8)) as day_of_week) as weekdays
    cross join (select unnest(range(0, 24)) as hour_of_day) as hours

),

counted as (

    select
        case when grouping(region_code) = 1 then 'nation' else 'region' end as area_level,
        region_code,
        day_of_week,
        hour_of_day,
        count(*) as crimes_registered
    from crime_reports
    group by grouping sets ((region_code, day_of_week, hour_of_day), (day_of_week, hour_of_day))

),

final as (

    select
        slots.area_level,
        slots.region_code,
        slots.day_of_week,
        slots.hour_of_day,
        coalesce(counted.crimes_registered, 0) as crimes_registered,
        {{ safe_ratio('coalesce(counted.crimes_registered, 0)',
                      'sum(counted.crimes_registered) over (partition by slots.area_level, slots.region_code)',
                      100, 2) }} as share_of_week_pct
    from slots
    left join counted
        on slots.area_level = counted.area_level
        and slots.region_code is not distinct from counted.region_code
        and slots.day_of_week = counted.day_of_week
        and slots.hour_of_day = counted.hour_of_day

)

select * from final
