{{ config(alias='dates') }}

with

holidays as (

    select * from {{ ref('holidays') }}

),

plan_targets as (

    select * from {{ ref('plan_targets') }}

),

bounds as (

    -- three years of history for prior-year comparisons and the camera backlog, through the
    -- end of the as-of year or the last plan due date, whichever is later
    select
        cast(date_trunc('year', {{ as_of_date() }}) - interval 3 year as date) as first_day,
        greatest(
            cast(date_trunc('year', {{ as_of_date() }}) + interval 1 year as date) - 1,
            (select max(due_date) from plan_targets)
        ) as last_day

),

spine as (

    select cast(generate_series as date) as date_day
    from bounds, generate_series(bounds.first_day, bounds.last_day, interval 1 day)

),

special_periods as (

    select
        spine.date_day,
        min(holidays.period_id) as special_period_id,
        min(holidays.name_en) as special_period_name,
        bool_or(holidays.kind = 'public_holiday') as is_public_holiday,
        bool_or(holidays.kind = 'mass_event') as is_mass_event
    from spine
    inner join holidays
        on spine.date_day between holidays.start_date and holidays.end_date
    group by spine.date_day

),

final as (

    select
        spine.date_day,
        year(spine.date_day) as calendar_year,
        month(spine.date_day) as calendar_month,
        cast(date_trunc('month', spine.date_day) as date) as month_start,
        last_day(spine.date_day) as month_end,
        cast(date_trunc('week', spine.date_day) as date) as week_start,
        isoyear(spine.date_day) as iso_year,
        weekofyear(spine.date_day) as iso_week,
        isodow(spine.date_day) as day_of_week,
        dayname(spine.date_day) as day_name,
        dayofyear(spine.date_day) as day_of_year,
        isodow(spine.date_day) in (6, 7) as is_weekend,
        coalesce(special_periods.is_public_holiday, false) as is_public_holiday,
        coalesce(special_periods.is_mass_event, false) as is_mass_event,
        special_periods.special_period_id is not null as is_special_period,
        special_periods.special_period_id,
        special_periods.special_period_name,
        spine.date_day <= {{ as_of_date() }} as is_to_date
    from spine
    left join special_periods on spine.date_day = special_periods.date_day

)

select * from final
