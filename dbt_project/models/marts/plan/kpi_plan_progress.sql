{#- Status rule (written down in _plan__models.yml too):
    1. Decided ("missed or met"): on or after the due date the target is met or missed by the
       actual; earlier, a flow target is already missed when a "down" ceiling is exceeded and
       already met when an "up" total is reached (flows only grow).
    2. Otherwise the year-end forecast is compared with the planned change from the baseline:
       p = (forecast − baseline) ÷ (target − baseline).
       p ≥ 1 on_track · 0.9 ≤ p < 1 minor_risk · 0.75 ≤ p < 0.9 at_risk · p < 0.75 off_track.
       (With target = baseline: on_track when the forecast is on the right side of the target.)
    3. Behind the milestone due by today (against the target's direction) moves the status one
       level down (on_track → minor_risk → at_risk → off_track). -#}

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

measured as (

    select
        targets.*,
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
        targets.due_date - today.period_start + 1 as days_in_period,
        targets.due_date - today.date_day as days_remaining
    from targets
    left join today on targets.target_id = today.target_id

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
        end as forecast_seasonal
    from measured

),

assessed as (

    select
        *,
        coalesce(forecast_seasonal, forecast_run_rate) as forecast_year_end,
        case when forecast_seasonal is not null then 'seasonal' else 'run_rate' end as forecast_method,
        (direction = 'up' and actual_to_date < milestone_value)
            or (direction = 'down' and actual_to_date > milestone_value) as is_behind_milestone,
        (direction = 'up' and actual_to_date >= target_value)
            or (direction = 'down' and actual_to_date <= target_value) as is_target_met_now
    from forecast

),

scored as (

    select
        *,
        case
            when target_value <> baseline_value then
                (forecast_year_end - baseline_value) / (target_value - baseline_value)
            when (direction = 'up' and forecast_year_end >= target_value)
                or (direction = 'down' and forecast_year_end <= target_value) then 1.0
            else 0.0
        end as forecast_share_of_planned_change,
        case
            when actual_to_date is null then null
            when as_of_date >= due_date then case when is_target_met_now then 'met' else 'missed' end
            when measure_kind = 'flow' and direction = 'down' and not is_target_met_now then 'missed'
            when measure_kind = 'flow' and direction = 'up' and is_target_met_now then 'met'
        end as decided_status
    from assessed

),

leveled as (

    select
        *,
        case
            when forecast_share_of_planned_change >= 1 then 1
            when forecast_share_of_planned_change >= 0.9 then 2
            when forecast_share_of_planned_change >= 0.75 then 3
            else 4
        end + case when is_behind_milestone then 1 else 0 end as risk_level
    from scored

),

final as (

    select
        target_id,
        area,
        kpi,
        unit,
        direction,
        owner,
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
        round(milestone_value, 2) as milestone_due_value,
        milestone_source,
        round(actual_to_date - milestone_value, 2) as gap_to_milestone,
        coalesce(is_behind_milestone, false) as is_behind_milestone,
        round(forecast_run_rate, 2) as forecast_run_rate,
        round(forecast_seasonal, 2) as forecast_seasonal,
        round(forecast_year_end, 2) as forecast_year_end,
        forecast_method,
        round(forecast_share_of_planned_change, 3) as forecast_share_of_planned_change,
        round(days_remaining / 30.4375, 2) as months_remaining,
        case when measure_kind in ('flow', 'stock') then
            round((actual_to_date - case when measure_kind = 'stock' then prior_year_total else 0 end)
                / (days_elapsed / 30.4375), 2)
        end as current_pace_per_month,
        -- a percentage has no monthly pace; for "down" flows this is the monthly allowance left
        case when measure_kind in ('flow', 'stock') and days_remaining > 0 then
            round((target_value - actual_to_date) / (days_remaining / 30.4375), 2)
        end as pace_per_month_needed,
        case
            when actual_to_date is null then null
            when decided_status is not null then decided_status
            when risk_level = 1 then 'on_track'
            when risk_level = 2 then 'minor_risk'
            when risk_level = 3 then 'at_risk'
            else 'off_track'
        end as status,
        case
            when actual_to_date is null then 'no data yet'
            when decided_status is not null then 'decided: target ' || decided_status
            else 'forecast delivers ' || cast(round(100 * forecast_share_of_planned_change) as integer)
                || '% of the planned change'
                || case when is_behind_milestone then '; behind the milestone due by today' else '' end
        end as status_reason
    from leveled

)

select * from final
