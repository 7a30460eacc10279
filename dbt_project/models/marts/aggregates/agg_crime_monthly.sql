-- Crimes per month, region and offence from the row-level reports where a region sent any for the month,
-- else from the published statistics: one KPI source for regions with either.
with

reports as (

    select
        date_trunc('month', date_day)::date as month_start,
        region_code,
        offence_code,
        sum(crimes_registered)::bigint as crimes_registered,
        sum(crimes_cleared)::bigint as crimes_solved
    from {{ ref('agg_crime_daily') }}
    group by all

),

statistics as (

    select s.month_start, s.region_code, s.offence_group as offence_code, s.crimes_registered, s.crimes_solved
    from {{ ref('agg_crime_aggregate_monthly') }} as s
    where s.month_start <= {{ as_of_date() }}
        and not exists (
            select 1 from reports as r where r.month_start = s.month_start and r.region_code = s.region_code
        )

),

final as (

    select *, 'reports' as source from reports
    union all
    select *, 'statistics' as source from statistics

)

select * from final
