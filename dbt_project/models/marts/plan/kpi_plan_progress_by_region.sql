-- Each region's share of the plan, one row per target the plan splits to regions; the rule is in
-- int_plan_progress, the split in int_plan_targets_tracked_daily.
with

progress as (

    select * from {{ ref('int_plan_progress') }}

),

final as (

    select * exclude (area_level)
    from progress
    where area_level = 'region'

)

select * from final
