with

appeals as (

    select * from {{ ref('fct_citizen_appeals') }}

),

appeals_daily as (

    select * from {{ ref('agg_appeals_daily') }}

),

compstat as (

    {{ compstat(
        'appeals_daily',
        ['appeals_received', 'repeat_appeals', 'appeals_answered', 'appeals_settled', 'appeals_on_time'],
        dimension='category'
    ) }}

),

answered as (

    select * from appeals where answered_date <= {{ as_of_date() }}

),

medians as (

    {{ compstat_quantiles('answered', 'answered_date', [['days_to_answer', 'days_to_answer', 0.5]],
        dimension='category') }}

),

open_now as (

    -- a level at the as-of day, the same in every window: open appeals, and those past their due date
    select
        case
            when grouping(region_code) = 1 then 'nation'
            when grouping(district_code) = 1 then 'region'
            else 'district'
        end as area_level,
        region_code,
        district_code,
        case when grouping(category) = 1 then 'all' else category end as dimension_value,
        count(*) as open_appeals,
        count(*) filter (where due_date < {{ as_of_date() }}) as overdue_open_appeals
    from appeals
    where received_date <= {{ as_of_date() }}
        and (answered_date is null or answered_date > {{ as_of_date() }})
        and not is_answer_date_missing
    group by grouping sets (
        (region_code, district_code, category), (region_code, district_code),
        (region_code, category), (region_code), (category), ()
    )

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as category,
        compstat.appeals_received_current,
        compstat.appeals_received_prior,
        compstat.appeals_received_change,
        compstat.appeals_received_pct_change,
        compstat.appeals_answered_current,
        compstat.appeals_answered_prior,
        compstat.appeals_settled_current,
        compstat.appeals_settled_prior,
        compstat.appeals_on_time_current,
        compstat.appeals_on_time_prior,
        {{ safe_ratio('compstat.appeals_on_time_current', 'compstat.appeals_settled_current', 100, 1) }}
            as on_time_pct,
        case when compstat.prior_is_complete then
            {{ safe_ratio('compstat.appeals_on_time_prior', 'compstat.appeals_settled_prior', 100, 1) }}
        end as on_time_pct_prior,
        compstat.repeat_appeals_current,
        {{ safe_ratio('compstat.repeat_appeals_current', 'compstat.appeals_received_current', 100, 1) }}
            as repeat_share_pct,
        medians.days_to_answer_current as median_days_to_answer,
        case when compstat.prior_is_complete then medians.days_to_answer_prior end as median_days_to_answer_prior,
        coalesce(open_now.open_appeals, 0) as open_appeals,
        coalesce(open_now.overdue_open_appeals, 0) as overdue_open_appeals,
        case when compstat.prior_is_complete then
            compstat.appeals_on_time_current * compstat.appeals_settled_prior
                < compstat.appeals_on_time_prior * compstat.appeals_settled_current
        end as is_worse
    from compstat
    left join medians
        on compstat.compstat_window = medians.compstat_window
        and compstat.area_level = medians.area_level
        and compstat.region_code is not distinct from medians.region_code
        and compstat.district_code is not distinct from medians.district_code
        and compstat.dimension_value = medians.dimension_value
    left join open_now
        on compstat.area_level = open_now.area_level
        and compstat.region_code is not distinct from open_now.region_code
        and compstat.district_code is not distinct from open_now.district_code
        and compstat.dimension_value = open_now.dimension_value

)

select * from final
