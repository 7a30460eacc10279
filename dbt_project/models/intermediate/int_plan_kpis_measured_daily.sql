-- One row per plan KPI per area (the nation and each region) per day (three years back to the
-- as-of day): how each KPI named in plan_targets is measured. measure_kind says how days add up:
--   flow  - numerator is the day's count or amount; the year's value is the sum;
--   ratio - numerator ÷ denominator × 100 over the days summed (clearance, availability);
--   stock - numerator is the level at the end of the day (cameras installed).
with

dates as (

    select * from {{ ref('dim_dates') }}
    where date_day <= {{ as_of_date() }}

),

crime_reports as (

    select * from {{ ref('fct_crime_reports') }}

),

road_incidents as (

    select * from {{ ref('fct_road_incidents') }}

),

fraud_reports as (

    select * from {{ ref('fct_fraud_reports') }}

),

cameras as (

    select * from {{ ref('dim_cameras') }}

),

camera_days as (

    select * from {{ ref('fct_camera_days') }}

),

disciplinary_cases as (

    select * from {{ ref('fct_disciplinary_cases') }}

),

corruption_offences as (

    select crime_reports.*
    from {{ ref('stg_lake__crime_reports') }} as crime_reports
    inner join {{ ref('corruption_articles') }} as articles
        on crime_reports.article = articles.article

),

cyber_incidents as (

    select * from {{ ref('fct_cyber_incidents') }}

),

fraud_resource_blocks as (

    select * from {{ ref('fct_fraud_resource_blocks') }}

),

citizen_appeals as (

    select * from {{ ref('fct_citizen_appeals') }}

),

reception_sessions as (

    select * from {{ ref('fct_reception_sessions') }}

),

dispatch_calls as (

    select * from {{ ref('fct_dispatch_calls') }}

),

holiday_ops as (

    select * from {{ ref('agg_holiday_ops_daily') }}

),

measures_by_region as (

    -- every measure is a sum of counts, so a region's rows add up to the nation's
    select 'crimes_registered' as kpi, 'flow' as measure_kind, region_code, registered_date as date_day,
        count(*) as numerator, null as denominator
    from crime_reports group by all
    union all
    select 'clearance_rate_pct', 'ratio', region_code, registered_date,
        count(*) filter (where is_cleared), count(*)
    from crime_reports group by all
    union all
    select 'crimes_against_minors', 'flow', region_code, registered_date,
        count(*) filter (where is_victim_minor), null
    from crime_reports group by all
    union all
    select 'dv_crimes_registered', 'flow', region_code, registered_date,
        count(*) filter (where is_domestic_violence), null
    from crime_reports group by all
    union all
    select 'road_deaths', 'flow', region_code, occurred_date, sum(killed), null
    from road_incidents group by all
    union all
    select 'ksi', 'flow', region_code, occurred_date, sum(killed_or_seriously_injured), null
    from road_incidents group by all
    union all
    select 'fraud_reports', 'flow', region_code, reported_date, count(*), null
    from fraud_reports group by all
    union all
    select 'fraud_loss_kgs', 'flow', region_code, reported_date, sum(loss_amount_reporting), null
    from fraud_reports group by all
    union all
    select 'availability_pct', 'ratio', region_code, date_day, sum(up_minutes), sum(expected_minutes)
    from camera_days group by all
    union all
    -- personnel data: measured for the nation only (no region), so no region's small count reaches the plan
    select 'disciplinary_cases', 'flow', null, opened_date, count(*), null
    from disciplinary_cases group by all
    union all
    select 'corruption_clearance_pct', 'ratio', region_code, registered_date,
        count(*) filter (where is_cleared), count(*)
    from corruption_offences group by all
    union all
    select 'cyber_contained_24h_pct', 'ratio', null, detected_date,
        count(*) filter (where hours_to_contain <= 24), count(*)
    from cyber_incidents group by all
    union all
    select 'fraud_resources_blocked', 'flow', null, blocked_date, count(*), null
    from fraud_resource_blocks where is_blocked group by all
    union all
    -- service to citizens: appeals answered on time (on the day that was settled), receptions held as
    -- scheduled, 102 calls with the first unit on scene within the response standard
    select 'appeals_on_time_pct', 'ratio', region_code, settled_date,
        count(*) filter (where is_answered_on_time), count(*)
    from citizen_appeals group by all
    union all
    select 'receptions_held_pct', 'ratio', region_code, scheduled_date, count(*) filter (where is_held), count(*)
    from reception_sessions group by all
    union all
    select 'arrival_within_standard_pct', 'ratio', region_code, received_date,
        count(*) filter (where is_arrival_within_standard), count(arrived_at)
    from dispatch_calls group by all
    union all
    -- installations per day; turned into the installed stock below
    select 'cameras_installed', 'stock', region_code, installed_on, count(*), null
    from cameras where is_installed group by all
    union all
    -- Kazakhstan's "Law and Order" plan: holiday operations, highway deaths, street crime (agg_holiday_ops_daily)
    select metric, 'flow', region_code, date_day, sum(value), null
    from holiday_ops
    where metric in (
        'mass_events_secured', 'pyrotechnics_units_seized', 'pyrotechnics_boxes_seized', 'fire_inspections',
        'fire_alarm_sensors', 'highway_road_deaths', 'street_crimes'
    )
    group by all
    union all
    select 'child_trips_escorted_pct', 'ratio', region_code, date_day,
        sum(value) filter (where metric = 'child_trips_escorted'), sum(value) filter (where metric = 'child_trips')
    from holiday_ops where metric in ('child_trips', 'child_trips_escorted') group by all

),

measures as (

    select kpi, measure_kind, 'region' as area_level, region_code, date_day, numerator, denominator
    from measures_by_region
    where region_code is not null
    union all
    select kpi, measure_kind, 'nation', null, date_day, sum(numerator), sum(denominator)
    from measures_by_region
    group by kpi, measure_kind, date_day

),

kpis as (

    -- first_data_date: the source's first day nationally, so every area of a KPI is judged alike
    select
        areas.kpi,
        areas.measure_kind,
        areas.area_level,
        areas.region_code,
        sources.first_data_date
    from (select distinct kpi, measure_kind, area_level, region_code from measures) as areas
    inner join (select kpi, min(date_day) as first_data_date from measures group by kpi) as sources
        on areas.kpi = sources.kpi

),

opening_stock as (

    -- installations before the calendar's first day
    select kpi, area_level, region_code, sum(numerator) as opening_stock
    from measures
    where measure_kind = 'stock' and date_day < (select min(date_day) from dates)
    group by all

),

filled as (

    select
        kpis.kpi,
        kpis.measure_kind,
        kpis.area_level,
        kpis.region_code,
        kpis.first_data_date,
        dates.date_day,
        coalesce(measures.numerator, 0) as numerator,
        coalesce(measures.denominator, 0) as denominator,
        coalesce(opening_stock.opening_stock, 0) as opening_stock
    from kpis
    cross join dates
    left join measures
        on kpis.kpi = measures.kpi
        and kpis.area_level = measures.area_level
        and kpis.region_code is not distinct from measures.region_code
        and dates.date_day = measures.date_day
    left join opening_stock
        on kpis.kpi = opening_stock.kpi
        and kpis.area_level = opening_stock.area_level
        and kpis.region_code is not distinct from opening_stock.region_code

),

final as (

    select
        kpi,
        measure_kind,
        area_level,
        region_code,
        first_data_date,
        date_day,
        case
            when measure_kind = 'stock' then opening_stock + sum(numerator) over (
                partition by kpi, area_level, region_code order by date_day rows unbounded preceding
            )
            else numerator
        end as numerator,
        case when measure_kind = 'ratio' then denominator end as denominator
    from filled

)

select * from final
