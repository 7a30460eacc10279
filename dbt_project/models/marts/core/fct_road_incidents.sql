{{ config(alias='road_incidents') }}

with

road_incidents as (

    select * from {{ ref('stg_lake__road_incidents') }}

),

camera_matches as (

    select * from {{ ref('int_road_incidents_matched_to_cameras') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select
        road_incidents.road_incident_id,
        road_incidents.occurred_at,
        road_incidents.occurred_date,
        hour(road_incidents.occurred_at) as hour_of_day,
        isodow(road_incidents.occurred_at) as day_of_week,
        road_incidents.region_code,
        road_incidents.district_code,
        road_incidents.road_name,
        road_incidents.incident_type,
        road_incidents.cause,
        road_incidents.killed,
        road_incidents.injured,
        road_incidents.seriously_injured,
        road_incidents.killed + road_incidents.seriously_injured as killed_or_seriously_injured,
        road_incidents.children_hurt,
        road_incidents.vehicles,
        road_incidents.killed > 0 as is_fatal,
        -- unknown without coordinates; no camera within ~1 km means not covered
        case
            when road_incidents.latitude is null or road_incidents.longitude is null then null
            else coalesce(camera_matches.has_camera_coverage, false)
        end as has_camera_coverage,
        camera_matches.nearest_camera_distance_m,
        coalesce(dates.is_special_period, false) as is_special_period,
        dates.special_period_id,
        road_incidents.latitude,
        road_incidents.longitude,
        road_incidents.driver_name_pseudonym
    from road_incidents
    left join camera_matches on road_incidents.road_incident_id = camera_matches.road_incident_id
    left join dates on road_incidents.occurred_date = dates.date_day

)

select * from final
