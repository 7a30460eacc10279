-- Each holiday or mass-event period against ordinary days, per holiday-operations measure, for the nation and
-- each region: the measure's daily rate in the period vs its daily rate on the 28 ordinary (non-special) days
-- before it. A measure counts from its first to its last day of data nationally (a source that stopped sending
-- has no zeros after its last day); a day without rows in between is a zero.
with

holidays as (

    select * from {{ ref('holidays') }}
    where start_date <= {{ as_of_date() }}

),

dates as (

    select * from {{ ref('dim_dates') }}
    where date_day <= {{ as_of_date() }}

),

daily as (

    select * from {{ ref('agg_holiday_ops_daily') }}

),

data_days as (

    select metric, min(date_day) as first_day, max(date_day) as last_day
    from daily
    group by metric

),

area_days as (

    select
        data_days.metric,
        areas.area_level,
        areas.region_code,
        dates.date_day,
        dates.is_special_period
    from data_days
    inner join (
        select distinct metric, 'region' as area_level, region_code from daily
        union all
        select distinct metric, 'nation', null from daily
    ) as areas on data_days.metric = areas.metric
    inner join dates on dates.date_day between data_days.first_day and data_days.last_day

),

days as (

    select
        area_days.metric,
        area_days.area_level,
        area_days.region_code,
        area_days.date_day,
        area_days.is_special_period,
        coalesce(sum(daily.value), 0) as value
    from area_days
    left join daily
        on area_days.metric = daily.metric
        and area_days.date_day = daily.date_day
        and (area_days.area_level = 'nation' or area_days.region_code = daily.region_code)
    group by all

),

in_period as (

    select
        holidays.period_id,
        days.metric,
        days.area_level,
        days.region_code,
        count(*) as days_observed,
        sum(days.value) as value
    from holidays
    inner join days on days.date_day between holidays.start_date and least(holidays.end_date, {{ as_of_date() }})
    group by all

),

ordinary_before as (

    select
        holidays.period_id,
        days.metric,
        days.area_level,
        days.region_code,
        count(*) as baseline_days,
        avg(days.value) as ordinary_per_day
    from holidays
    inner join days
        on days.date_day between holidays.start_date - 28 and holidays.start_date - 1
        and not days.is_special_period
    group by all

),

final as (

    select
        holidays.period_id,
        holidays.name_en as period_name,
        holidays.kind as period_kind,
        holidays.start_date,
        holidays.end_date,
        in_period.area_level,
        in_period.region_code,
        in_period.metric,
        in_period.days_observed,
        cast(in_period.value as bigint) as value,
        round(in_period.value / in_period.days_observed, 2) as per_day,
        round(ordinary_before.ordinary_per_day, 2) as ordinary_per_day,
        {{ safe_ratio('in_period.value / in_period.days_observed', 'ordinary_before.ordinary_per_day') }}
            as ratio_to_ordinary,
        ordinary_before.baseline_days
    from holidays
    inner join in_period on holidays.period_id = in_period.period_id
    left join ordinary_before
        on in_period.period_id = ordinary_before.period_id
        and in_period.metric = ordinary_before.metric
        and in_period.area_level = ordinary_before.area_level
        and in_period.region_code is not distinct from ordinary_before.region_code

)

select * from final
