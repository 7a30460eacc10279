-- The national plan, one row per target; the rule is in int_plan_progress.
with

progress as (

    select * from {{ ref('int_plan_progress') }}

),

final as (

    select * exclude (area_level, region_code)
    from progress
    where area_level = 'nation'

)

select * from final
