{#- Every plan target for the nation and for each region it is split to, as of the as-of day.
    The marts kpi_plan_progress (the nation) and kpi_plan_progress_by_region (the regions) are its
    two halves. The state rule (written down in _plan__models.yml and docs/plan.md too):
    1. Decided: on or after the due date the target is `met` or `missed` by the actual; earlier,
       a flow target is already `missed` when a "down" ceiling is exceeded and already `met` when
       an "up" total is reached (flows only grow).
    2. Otherwise the actual is set against the plan to date (the milestone due by today):
       plan_score_pct = 100 × actual ÷ milestone for "up" targets and 100 × (2 − actual ÷
       milestone) for "down" targets, so for both directions 100 is exactly on the plan to date
       and more is better. Within var('plan_on_pace_band_pct') (2) points of 100 the target is
       `on_pace`, above `ahead`, below `behind`. -#}

with

targets as (

    select * from {{ ref('plan_targets') }}

),

tracked as (

    select * from {{ ref('int_plan_targets_tracked_daily') }}

),

today as (

    -- the plan's state on the as-of day (on the due date once the plan period is over)
    select * from tracked
    where date_day = least(as_of_date, due_date)

),

whole_days as (

    -- the last two whole days: today's exports are still arriving
    select
        target_id,
        area_level,
        region_code,
        {{ last_whole_day() }} as last_whole_day,
        max(actual_to_date) filter (where date_day = {{ last_whole_day() }}) as actual_last_whole_day,
        max(actual_to_date) filter (where date_day = {{ last_whole_day() }} - 1) as actual_day_before
    from tracked
    where date_day between {{ last_whole_day() }} - 1 and {{ last_whole_day() }}
    group by all

),

measured as (

    select
        targets.target_id,
        targets.area,
        targets.kpi,
        targets.unit,
        targets.direction,
        targets.owner,
        targets.owner_ru,
        targets.regional_split,
        targets.baseline_year,
        today.area_level,
        today.region_code,
        today.baseline_value,
        today.target_value,
        today.due_date,
        today.as_of_date,
        today.date_day as measured_through,
        today.period_start,
        today.measure_kind,
        today.actual_to_date,
        today.prior_year_to_date,
        today.prior_year_total,
        today.prior_year_opening,
        today.prior_year_complete,
        today.milestone_value,
        today.milestone_source,
        today.date_day - today.period_start + 1 as days_elapsed,
        today.due_date - today.period_start + 1 as days_in_period,
        today.due_date - today.date_day as days_remaining,
        whole_days.last_whole_day,
        whole_days.actual_last_whole_day - whole_days.actual_day_before as change_on_last_whole_day
    from targets
    inner join today on targets.target_id = today.target_id
    left join whole_days
        on today.target_id = whole_days.target_id
        and today.area_level = whole_days.area_level
        and today.region_code is not distinct from whole_days.region_code

),

forecast as (

    select
        *,
        case measure_kind
            when 'flow' then actual_to_date * days_in_period / days_elapsed
            -- stocks keep growing at this year's average daily net additions
            when 'stock' then actual_to_date
                + (actual_to_date - prior_year_total) / days_elapsed * days_remaining
            -- a rate is forecast to stay where it is
            when 'ratio' then actual_to_date
        end as forecast_run_rate,
        case
            when not prior_year_complete then null
            -- YTD ÷ the share of last year's total reached by the same date
            when measure_kind = 'flow' then
                actual_to_date / nullif(prior_year_to_date / nullif(prior_year_total, 0), 0)
            when measure_kind = 'stock' then prior_year_total
                + (actual_to_date - prior_year_total)
                / nullif((prior_year_to_date - prior_year_opening) / nullif(prior_year_total - prior_year_opening, 0), 0)
        end as forecast_seasonal,
        -- the plan's baseline year set against the same part of this year: a flow's baseline total
        -- pro rata by days, a stock's year-end level, a rate as it is
        case measure_kind
            when 'flow' then baseline_value * days_elapsed / days_in_period
            else baseline_value
        end as baseline_to_date
    from measured

),

assessed as (

    select
        *,
        coalesce(forecast_seasonal, forecast_run_rate) as forecast_year_end,
        case when forecast_seasonal is not null then 'seasonal' else 'run_rate' end as forecast_method,
        (direction = 'up' and actual_to_date >= target_value)
            or (direction = 'down' and actual_to_date <= target_value) as is_target_met_now,
        100 * case direction
            when 'up' then actual_to_date / nullif(milestone_value, 0)
            else 2 - actual_to_date / nullif(milestone_value, 0)
        end as raw_score
    from forecast

),

scored as (

    select
        *,
        case when raw_score is not null then greatest(0, least(200, raw_score)) end as plan_score_pct,
        case
            when actual_to_date is null or target_value is null then null
            when as_of_date >= due_date then case when is_target_met_now then 'met' else 'missed' end
            when measure_kind = 'flow' and direction = 'down' and not is_target_met_now then 'missed'
            when measure_kind = 'flow' and direction = 'up' and is_target_met_now then 'met'
        end as decided_status
    from assessed

),

final as (

    select
        target_id,
        area_level,
        region_code,
        area,
        kpi,
        unit,
        direction,
        owner,
        owner_ru,
        regional_split,
        baseline_value,
        baseline_year,
        target_value,
        due_date,
        as_of_date,
        measured_through,
        measure_kind,
        round(actual_to_date, 2) as actual_to_date,
        {{ safe_ratio('actual_to_date', 'target_value', 100, 1) }} as pct_of_target,
        -- last year's values only where the data covers last year from its start: a part of a year is
        -- no comparison (the forecast above falls back to the run rate then)
        case when prior_year_complete then round(prior_year_to_date, 2) end as prior_year_to_date,
        case when prior_year_complete then round(prior_year_total, 2) end as prior_year_total,
        round(baseline_to_date, 2) as baseline_to_date,
        round(milestone_value, 2) as milestone_due_value,
        milestone_source,
        round(actual_to_date - milestone_value, 2) as gap_to_milestone,
        coalesce(
            (direction = 'up' and actual_to_date < milestone_value)
            or (direction = 'down' and actual_to_date > milestone_value),
            false
        ) as is_behind_milestone,
        round(plan_score_pct, 1) as plan_score_pct,
        round(target_value - actual_to_date, 2) as remaining_to_target,
        round(forecast_run_rate, 2) as forecast_run_rate,
        round(forecast_seasonal, 2) as forecast_seasonal,
        round(forecast_year_end, 2) as forecast_year_end,
        forecast_method,
        round(case
            when target_value <> baseline_value then
                (forecast_year_end - baseline_value) / (target_value - baseline_value)
        end, 3) as forecast_share_of_planned_change,
        round(days_remaining / 30.4375, 2) as months_remaining,
        case when measure_kind in ('flow', 'stock') then
            round((actual_to_date - case when measure_kind = 'stock' then prior_year_total else 0 end)
                / (days_elapsed / 30.4375), 2)
        end as current_pace_per_month,
        -- a percentage has no monthly pace; for "down" flows this is the monthly allowance left; a
        -- decided target has none (its headroom or overshoot is remaining_to_target)
        case when measure_kind in ('flow', 'stock') and days_remaining > 0 and decided_status is null then
            round((target_value - actual_to_date) / (days_remaining / 30.4375), 2)
        end as pace_per_month_needed,
        case
            when actual_to_date is null or target_value is null then null
            when decided_status is not null then decided_status
            when plan_score_pct > 100 + {{ var('plan_on_pace_band_pct', 2) }} then 'ahead'
            when plan_score_pct >= 100 - {{ var('plan_on_pace_band_pct', 2) }} then 'on_pace'
            else 'behind'
        end as status,
        last_whole_day,
        round(change_on_last_whole_day, 2) as change_on_last_whole_day
    from scored

)

select * from final
