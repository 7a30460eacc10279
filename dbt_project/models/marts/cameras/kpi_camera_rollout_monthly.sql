-- The camera programme month by month, nationally and per region: installed, commissioned and
-- reporting cameras (cumulative, at each month end or the as-of day) against the plan, and
-- cameras per 10,000 residents. The regional monthly plan is the region's year-end target
-- scaled by the national milestone curve (the plan sets regional targets for the year only).
with

cameras as (

    select * from {{ ref('dim_cameras') }}

),

camera_days as (

    select * from {{ ref('fct_camera_days') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

targets as (

    select * from {{ ref('plan_targets') }}
    where kpi = 'cameras_installed'

),

milestones as (

    select plan_milestones.*
    from {{ ref('plan_milestones') }} as plan_milestones
    inner join targets on plan_milestones.target_id = targets.target_id

),

region_targets as (

    select plan_region_targets.region_code, plan_region_targets.target_value
    from {{ ref('plan_region_targets') }} as plan_region_targets
    inner join targets on plan_region_targets.target_id = targets.target_id

),

regions as (

    select * from {{ ref('dim_regions') }}

),

populations as (

    select * from {{ ref('int_area_populations') }}
    where area_level in ('nation', 'region')

),

months as (

    -- every month from the first installation to the plan's last due date
    select distinct
        month_end,
        least(month_end, {{ as_of_date() }}) as measured_on,
        month_start <= {{ as_of_date() }} as is_measured,
        month_end >= (select min(month_end) from milestones) as is_plan_month,
        -- before the status feed's first observation the count of reporting cameras is unknown, not 0
        least(month_end, {{ as_of_date() }}) >= (select min(date_day) from camera_days where is_reporting)
            as is_feed_measured
    from dates
    where month_end >= (select min(installed_on) from cameras)
        and month_start <= (select max(due_date) from targets)

),

stock as (

    select
        months.month_end,
        cameras.region_code,
        count(*) filter (where cameras.is_installed and cameras.installed_on <= months.measured_on)
            as cameras_installed,
        count(*) filter (where cameras.is_commissioned and cameras.commissioned_on <= months.measured_on)
            as cameras_commissioned
    from months
    cross join cameras
    where months.is_measured
    group by grouping sets ((months.month_end, cameras.region_code), (months.month_end))

),

reporting_days as (

    -- the 7 days up to each measured month end, one row each (an equality join below, not a
    -- range join over camera_days)
    select months.month_end, months.measured_on - cast(days_back as integer) as date_day
    from months
    cross join range(7) as t(days_back)
    where months.is_measured

),

reporting as (

    -- reporting = sent at least one status observation in the 7 days up to the month end
    select
        reporting_days.month_end,
        camera_days.region_code,
        count(distinct camera_days.camera_id) as cameras_reporting
    from reporting_days
    inner join camera_days
        on camera_days.date_day = reporting_days.date_day
        and camera_days.is_reporting
    group by grouping sets ((reporting_days.month_end, camera_days.region_code), (reporting_days.month_end))

),

plan as (

    select
        milestones.month_end,
        region_targets.region_code,
        round(region_targets.target_value * milestones.cumulative_target / targets.target_value) as planned_installed
    from milestones
    cross join targets
    cross join region_targets
    union all
    select milestones.month_end, null, milestones.cumulative_target
    from milestones

),

year_end_targets as (

    select region_code, target_value from region_targets
    union all
    select null, target_value from targets

),

areas as (

    select 'nation' as area_level, null as region_code
    union all
    select 'region', region_code from regions

),

final as (

    select
        months.month_end,
        areas.area_level,
        areas.region_code,
        months.is_measured,
        months.is_plan_month,
        case when months.is_measured then coalesce(stock.cameras_installed, 0) end as cameras_installed,
        case when months.is_measured then coalesce(stock.cameras_commissioned, 0) end as cameras_commissioned,
        case when months.is_feed_measured then coalesce(reporting.cameras_reporting, 0) end as cameras_reporting,
        plan.planned_installed,
        year_end_targets.target_value as year_end_target,
        case when months.is_measured then coalesce(stock.cameras_installed, 0) end - plan.planned_installed
            as installed_vs_plan,
        {{ safe_ratio('case when months.is_measured then coalesce(stock.cameras_installed, 0) end',
                      'populations.population', 10000, 2) }} as cameras_per_10k_residents
    from months
    cross join areas
    left join stock
        on months.month_end = stock.month_end
        and areas.region_code is not distinct from stock.region_code
    left join reporting
        on months.month_end = reporting.month_end
        and areas.region_code is not distinct from reporting.region_code
    left join plan
        on months.month_end = plan.month_end
        and areas.region_code is not distinct from plan.region_code
    left join year_end_targets on areas.region_code is not distinct from year_end_targets.region_code
    left join populations
        on areas.area_level = populations.area_level
        and areas.region_code is not distinct from populations.region_code

)

select * from final
