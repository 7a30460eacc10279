-- The holiday-operations measures per day and region, one row per measure (long, so that a geography without
-- a dataset simply has no rows for its measures): mass events and their incidents, pyrotechnics raids,
-- fire-safety inspections, fire alarm sensors, children's group trips (Kazakhstan's "Law and Order" plan), and
-- for every geography road incidents and casualties (all roads and highways) and crimes in streets and public places.
with

dates as (

    select * from {{ ref('dim_dates') }}

),

mass_events as (

    select * from {{ ref('stg_lake__mass_events') }}

),

seizures as (

    select * from {{ ref('stg_lake__pyrotechnics_seizures') }}

),

inspections as (

    select * from {{ ref('stg_lake__fire_inspections') }}

),

alarms as (

    select * from {{ ref('stg_lake__fire_alarm_installations') }}

),

trips as (

    select * from {{ ref('stg_lake__child_trip_escorts') }}

),

road_incidents as (

    select
        *,
        -- a highway or heavily loaded route: the road's index as the road registers write it (Kazakhstan's
        -- М-/А-/Р- roads and E-routes, Kyrgyzstan's ЭМ-/ЭАЭ-/ЭЛ- roads), or the words for one
        coalesce(
            regexp_matches(road_name, '^\s*(ЭМ|ЭАЭ|ЭЛ|EM|М|M|А|A|Р|R|Е|E)\s?-?\s?\d+', 'i')
            or regexp_matches(road_name, '(трасс|автодорог|автомагистрал|highway|motorway)', 'i'),
            false
        ) as is_highway
    from {{ ref('fct_road_incidents') }}

),

crime_reports as (

    select * from {{ ref('fct_crime_reports') }}

),

measures as (

    select event_date as date_day, region_code, 'mass_events' as metric, count(*) as value
    from mass_events group by all
    union all
    select event_date, region_code, 'mass_events_with_children', count(*) filter (where has_children)
    from mass_events group by all
    union all
    select event_date, region_code, 'mass_events_secured', count(*) filter (where is_secured)
    from mass_events group by all
    union all
    select event_date, region_code, 'mass_events_round_the_clock', count(*) filter (where has_round_the_clock_duty)
    from mass_events group by all
    union all
    select event_date, region_code, 'police_assigned', sum(coalesce(police_assigned, 0))
    from mass_events group by all
    union all
    select event_date, region_code, 'event_attendance', sum(coalesce(actual_attendance, expected_attendance, 0))
    from mass_events group by all
    union all
    select event_date, region_code, 'event_incidents', sum(coalesce(incidents, 0))
    from mass_events group by all
    union all
    select raid_date, region_code, 'pyrotechnics_raids', count(*)
    from seizures group by all
    union all
    select raid_date, region_code, 'retail_points_checked', sum(coalesce(retail_points_checked, 0))
    from seizures group by all
    union all
    select raid_date, region_code, 'pyrotechnics_units_seized', sum(units_seized)
    from seizures group by all
    union all
    select raid_date, region_code, 'pyrotechnics_boxes_seized', sum(boxes_seized)
    from seizures group by all
    union all
    select inspected_on, region_code, 'fire_inspections', count(*)
    from inspections group by all
    union all
    select inspected_on, region_code, 'fire_inspections_with_violations', count(*) filter (where violations > 0)
    from inspections group by all
    union all
    select inspected_on, region_code, 'fire_violations', sum(violations)
    from inspections group by all
    union all
    select installed_on, region_code, 'fire_alarm_sensors', sum(sensors)
    from alarms group by all
    union all
    select installed_on, region_code, 'fire_alarm_households', sum(coalesce(households, 0))
    from alarms group by all
    union all
    select departure_date, region_code, 'child_trips', count(*)
    from trips group by all
    union all
    select departure_date, region_code, 'child_trips_escorted', count(*) filter (where is_escorted)
    from trips group by all
    union all
    select departure_date, region_code, 'children_on_trips', sum(children)
    from trips group by all
    union all
    select occurred_date, region_code, 'road_incidents', count(*)
    from road_incidents group by all
    union all
    select occurred_date, region_code, 'road_killed', sum(killed)
    from road_incidents group by all
    union all
    select occurred_date, region_code, 'road_ksi', sum(killed_or_seriously_injured)
    from road_incidents group by all
    union all
    select occurred_date, region_code, 'highway_road_incidents', count(*)
    from road_incidents where is_highway group by all
    union all
    select occurred_date, region_code, 'highway_road_deaths', sum(killed)
    from road_incidents where is_highway group by all
    union all
    select occurred_date, region_code, 'highway_ksi', sum(killed_or_seriously_injured)
    from road_incidents where is_highway group by all
    union all
    select registered_date, region_code, 'street_crimes', count(*)
    from crime_reports where is_public_place group by all

),

final as (

    select
        measures.date_day,
        measures.region_code,
        measures.metric,
        cast(measures.value as bigint) as value,
        coalesce(dates.is_special_period, false) as is_special_period,
        dates.special_period_id
    from measures
    left join dates on measures.date_day = dates.date_day
    where measures.date_day <= {{ as_of_date() }}

)

select * from final
