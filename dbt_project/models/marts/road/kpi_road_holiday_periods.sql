-- The road measures of kpi_holiday_ops_periods for the nation, one row per period: incidents and KSI per day in
-- each holiday or mass-event period vs the 28 ordinary (non-special) days before it.
with

periods as (

    select * from {{ ref('kpi_holiday_ops_periods') }}
    where area_level = 'nation' and metric in ('road_incidents', 'road_killed', 'road_ksi')

),

final as (

    select
        period_id,
        period_name,
        period_kind,
        start_date,
        end_date,
        max(days_observed) as days_observed,
        max(value) filter (where metric = 'road_incidents') as incidents,
        max(value) filter (where metric = 'road_killed') as killed,
        max(value) filter (where metric = 'road_ksi') as ksi,
        max(per_day) filter (where metric = 'road_incidents') as incidents_per_day,
        max(ordinary_per_day) filter (where metric = 'road_incidents') as baseline_incidents_per_day,
        max(ratio_to_ordinary) filter (where metric = 'road_incidents') as incidents_ratio_to_ordinary,
        max(per_day) filter (where metric = 'road_ksi') as ksi_per_day,
        max(ordinary_per_day) filter (where metric = 'road_ksi') as baseline_ksi_per_day,
        max(ratio_to_ordinary) filter (where metric = 'road_ksi') as ksi_ratio_to_ordinary,
        max(baseline_days) as baseline_days
    from periods
    group by period_id, period_name, period_kind, start_date, end_date

)

select * from final
