with

tracked as (

    select * from {{ ref('int_plan_targets_tracked_daily') }}
    where area_level = 'nation'

),

final as (

    select
        target_id,
        date_day,
        measure_kind,
        round(actual_to_date, 2) as actual_to_date,
        case when prior_year_complete then round(prior_year_to_date, 2) end as prior_year_to_date,
        round(milestone_value, 2) as milestone_value,
        milestone_source,
        target_value,
        baseline_value
    from tracked

)

select * from final
