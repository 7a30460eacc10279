-- One row per plan target per area (the nation, and each region the target is split to) per day of
-- its plan period (the calendar year of the due date): the KPI's value to date, the same day a year
-- earlier, and the milestone due by that day.
-- A region's share of a target (plan_targets.regional_split): `plan` - the plan's own regional
-- figure (plan_region_targets); `population` - the national target × the region's share of the
-- national population (derived: the plan sets the figure nationally); `national_rate` - a rate
-- target, the same rate in every region; `national_only` - no regional share. Baselines and the
-- plan's monthly milestones scale by the same share.
-- The plan's own monthly milestones where it has them; otherwise a pro-rata line: for flows the
-- target times the share of last year's total reached by that date (the calendar share when last
-- year is incomplete), for stocks and ratios the straight line from baseline to target.
with

plan_targets as (

    select * from {{ ref('plan_targets') }}

),

region_targets as (

    select * from {{ ref('plan_region_targets') }}

),

regions as (

    select * from {{ ref('regions') }}

),

populations as (

    select * from {{ ref('int_area_populations') }}
    where area_level in ('nation', 'region')

),

plan_milestones as (

    select * from {{ ref('plan_milestones') }}

),

region_shares as (

    select
        plan_targets.target_id,
        regions.region_code,
        case plan_targets.regional_split
            when 'plan' then region_targets.target_value / plan_targets.target_value
            when 'population' then region_population.population / nation_population.population
        end as share
    from plan_targets
    cross join regions
    left join region_targets
        on plan_targets.target_id = region_targets.target_id
        and regions.region_code = region_targets.region_code
    left join populations as region_population
        on region_population.area_level = 'region' and regions.region_code = region_population.region_code
    cross join (select population from populations where area_level = 'nation') as nation_population
    where plan_targets.regional_split <> 'plan' or region_targets.target_value is not null

),

targets as (

    select
        target_id,
        kpi,
        'nation' as area_level,
        null as region_code,
        1.0 as share,
        baseline_value,
        target_value,
        cast(date_trunc('year', due_date) as date) as period_start,
        due_date
    from plan_targets
    union all
    -- a share of a count is rounded to whole units; a rate target is the same rate; a national-only
    -- target is tracked in the region without a target of its own
    select
        plan_targets.target_id,
        plan_targets.kpi,
        'region',
        region_shares.region_code,
        region_shares.share,
        case when plan_targets.regional_split <> 'national_only' then
            coalesce(round(plan_targets.baseline_value * region_shares.share), plan_targets.baseline_value)
        end,
        case when plan_targets.regional_split <> 'national_only' then
            coalesce(round(plan_targets.target_value * region_shares.share), plan_targets.target_value)
        end,
        cast(date_trunc('year', plan_targets.due_date) as date),
        plan_targets.due_date
    from plan_targets
    inner join region_shares on plan_targets.target_id = region_shares.target_id

),

milestones as (

    select
        targets.target_id,
        targets.area_level,
        targets.region_code,
        plan_milestones.month_end,
        coalesce(round(plan_milestones.cumulative_target * targets.share), plan_milestones.cumulative_target)
            as cumulative_target
    from plan_milestones
    inner join targets on plan_milestones.target_id = targets.target_id
    where targets.area_level = 'nation' or targets.share is not null

),

kpi_daily as (

    select * from {{ ref('int_plan_kpis_measured_daily') }}

),

kpi_coverage as (

    select
        kpi,
        any_value(measure_kind) as measure_kind,
        min(first_data_date) as first_data_date
    from kpi_daily
    group by kpi

),

targets_with_milestones as (

    select distinct target_id from plan_milestones

),

valued as (

    -- the KPI's value on each day as the plan counts it: flows and ratios from 1 January
    select
        kpi,
        area_level,
        region_code,
        measure_kind,
        first_data_date,
        date_day,
        case measure_kind
            when 'stock' then numerator
            when 'flow' then sum(numerator) over year_to_date
            when 'ratio' then
                {{ safe_ratio('sum(numerator) over year_to_date', 'sum(denominator) over year_to_date', 100, 2) }}
        end as value_to_date
    from kpi_daily
    window year_to_date as (
        partition by kpi, area_level, region_code, year(date_day) order by date_day rows unbounded preceding
    )

),

target_days as (

    select
        targets.target_id,
        targets.kpi,
        targets.area_level,
        targets.region_code,
        targets.baseline_value,
        targets.target_value,
        targets.period_start,
        targets.due_date,
        cast(day_start as date) as date_day
    from targets,
        unnest(generate_series(targets.period_start, targets.due_date, interval 1 day)) as t(day_start)

),

plan_milestone_due as (

    select
        target_days.target_id,
        target_days.area_level,
        target_days.region_code,
        target_days.date_day,
        arg_max(milestones.cumulative_target, milestones.month_end) as milestone_value
    from target_days
    inner join milestones
        on target_days.target_id = milestones.target_id
        and target_days.area_level = milestones.area_level
        and target_days.region_code is not distinct from milestones.region_code
        and milestones.month_end <= target_days.date_day
    group by all

),

tracked as (

    select
        target_days.*,
        {{ as_of_date() }} as as_of_date,
        kpi_coverage.measure_kind,
        kpi_coverage.first_data_date <= cast(target_days.period_start - interval 1 year as date)
            as prior_year_complete,
        case when target_days.date_day <= {{ as_of_date() }} then today.value_to_date end as actual_to_date,
        year_ago.value_to_date as prior_year_to_date,
        -- flows and ratios: last year's full-year value; stocks: the level at the end of last year
        prior_year_end.value_to_date as prior_year_total,
        prior_year_start.value_to_date as prior_year_opening,
        plan_milestone_due.milestone_value as plan_milestone_value,
        targets_with_milestones.target_id is not null as has_plan_milestones,
        (target_days.date_day - target_days.period_start + 1)
            / (target_days.due_date - target_days.period_start + 1) as calendar_share
    from target_days
    left join kpi_coverage on target_days.kpi = kpi_coverage.kpi
    left join targets_with_milestones on target_days.target_id = targets_with_milestones.target_id
    left join valued as today
        on target_days.kpi = today.kpi
        and target_days.area_level = today.area_level
        and target_days.region_code is not distinct from today.region_code
        and target_days.date_day = today.date_day
    left join valued as year_ago
        on target_days.kpi = year_ago.kpi
        and target_days.area_level = year_ago.area_level
        and target_days.region_code is not distinct from year_ago.region_code
        and cast(target_days.date_day - interval 1 year as date) = year_ago.date_day
    left join valued as prior_year_end
        on target_days.kpi = prior_year_end.kpi
        and target_days.area_level = prior_year_end.area_level
        and target_days.region_code is not distinct from prior_year_end.region_code
        and target_days.period_start - 1 = prior_year_end.date_day
    left join valued as prior_year_start
        on target_days.kpi = prior_year_start.kpi
        and target_days.area_level = prior_year_start.area_level
        and target_days.region_code is not distinct from prior_year_start.region_code
        and cast(target_days.period_start - interval 1 year as date) - 1 = prior_year_start.date_day
    left join plan_milestone_due
        on target_days.target_id = plan_milestone_due.target_id
        and target_days.area_level = plan_milestone_due.area_level
        and target_days.region_code is not distinct from plan_milestone_due.region_code
        and target_days.date_day = plan_milestone_due.date_day

),

final as (

    select
        target_id,
        kpi,
        area_level,
        region_code,
        date_day,
        as_of_date,
        measure_kind,
        period_start,
        due_date,
        baseline_value,
        target_value,
        actual_to_date,
        prior_year_to_date,
        prior_year_total,
        prior_year_opening,
        coalesce(prior_year_complete, false) as prior_year_complete,
        case
            when has_plan_milestones then plan_milestone_value
            when measure_kind = 'flow' then target_value * coalesce(
                case when prior_year_complete and prior_year_total > 0
                    then prior_year_to_date / prior_year_total end,
                calendar_share
            )
            else baseline_value + (target_value - baseline_value) * calendar_share
        end as milestone_value,
        case when has_plan_milestones then 'plan' else 'pro_rata' end as milestone_source
    from tracked

)

select * from final
