-- Holiday and mass-event periods against ordinary days: the daily rate of incidents and KSI in
-- each period vs the 28 ordinary (non-special) days before it.
with

holidays as (

    select * from {{ ref('holidays') }}
    where start_date <= {{ as_of_date() }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

road_daily as (

    select
        date_day,
        sum(incidents) as incidents,
        sum(killed) as killed,
        sum(ksi) as ksi
    from {{ ref('agg_road_daily') }}
    group by date_day

),

days as (

    select
        dates.date_day,
        dates.is_special_period,
        coalesce(road_daily.incidents, 0) as incidents,
        coalesce(road_daily.killed, 0) as killed,
        coalesce(road_daily.ksi, 0) as ksi
    from dates
    left join road_daily on dates.date_day = road_daily.date_day
    where dates.date_day <= {{ as_of_date() }}
        and dates.date_day >= (select min(date_day) from road_daily)

),

in_period as (

    select
        holidays.period_id,
        count(*) as days_observed,
        sum(days.incidents) as incidents,
        sum(days.killed) as killed,
        sum(days.ksi) as ksi
    from holidays
    inner join days on days.date_day between holidays.start_date and least(holidays.end_date, {{ as_of_date() }})
    group by holidays.period_id

),

ordinary_before as (

    select
        holidays.period_id,
        count(*) as baseline_days,
        avg(days.incidents) as baseline_incidents_per_day,
        avg(days.ksi) as baseline_ksi_per_day
    from holidays
    inner join days
        on days.date_day between holidays.start_date - 28 and holidays.start_date - 1
        and not days.is_special_period
    group by holidays.period_id

),

final as (

    select
        holidays.period_id,
        holidays.name_en as period_name,
        holidays.kind as period_kind,
        holidays.start_date,
        holidays.end_date,
        in_period.days_observed,
        in_period.incidents,
        in_period.killed,
        in_period.ksi,
        round(in_period.incidents / in_period.days_observed, 2) as incidents_per_day,
        round(ordinary_before.baseline_incidents_per_day, 2) as baseline_incidents_per_day,
        {{ safe_ratio('in_period.incidents / in_period.days_observed', 'ordinary_before.baseline_incidents_per_day') }}
            as incidents_ratio_to_ordinary,
        round(in_period.ksi / in_period.days_observed, 2) as ksi_per_day,
        round(ordinary_before.baseline_ksi_per_day, 2) as baseline_ksi_per_day,
        {{ safe_ratio('in_period.ksi / in_period.days_observed', 'ordinary_before.baseline_ksi_per_day') }}
            as ksi_ratio_to_ordinary,
        ordinary_before.baseline_days
    from holidays
    inner join in_period on holidays.period_id = in_period.period_id
    left join ordinary_before on holidays.period_id = ordinary_before.period_id

)

select * from final
