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
        {{ compstat_area_level() }} as area_level,
        region_code,
        district_code,
        {{ compstat_dimension() }} as dimension_value,
        count(*) as open_appeals,
        count(*) filter (where due_date < {{ as_of_date() }}) as overdue_open_appeals
    from (select *, category as dimension_value from appeals) as appeals
    where received_date <= {{ as_of_date() }}
        and (answered_date is null or answered_date > {{ as_of_date() }})
        and not is_answer_date_missing
    {{ compstat_rollup('', 'category') }}

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
        {{ compstat_share('appeals_on_time', 'appeals_settled', 'on_time_pct') }},
        compstat.repeat_appeals_current,
        {{ safe_ratio('compstat.repeat_appeals_current', 'compstat.appeals_received_current', 100, 1) }}
            as repeat_share_pct,
        medians.days_to_answer_current as median_days_to_answer,
        case when compstat.prior_is_complete then medians.days_to_answer_prior end as median_days_to_answer_prior,
        coalesce(open_now.open_appeals, 0) as open_appeals,
        coalesce(open_now.overdue_open_appeals, 0) as overdue_open_appeals,
        on_time_pct < on_time_pct_prior as is_worse
    from compstat
    left join medians on {{ compstat_match('compstat', 'medians') }}
    left join open_now on {{ compstat_match('compstat', 'open_now', window=false) }}

)

select * from final
