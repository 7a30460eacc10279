-- One row per road incident with coordinates: the nearest camera that was commissioned by the
-- incident's day, and whether it is within var('camera_coverage_meters').
-- Cameras are bucketed into ~0.01° cells and each incident looks only at its own and the eight
-- neighbouring cells (a cell is ≥ 700 m wide in these latitudes, wider than any coverage radius).
with

incidents as (

    select * from {{ ref('stg_lake__road_incidents') }}
    where latitude is not null and longitude is not null

),

cameras as (

    select * from {{ ref('stg_lake__cameras') }}
    where latitude is not null
        and longitude is not null
        and commissioned_on is not null
        and lifecycle_state = 'commissioned'

),

camera_cells as (

    select
        cameras.camera_id,
        cameras.latitude,
        cameras.longitude,
        cameras.commissioned_on,
        cast(floor(cameras.latitude * 100) as integer) + d_lat as cell_lat,
        cast(floor(cameras.longitude * 100) as integer) + d_lon as cell_lon
    from cameras
    cross join (values (-1), (0), (1)) as lat_offsets (d_lat)
    cross join (values (-1), (0), (1)) as lon_offsets (d_lon)

),

candidate_pairs as (

    select
        incidents.road_incident_id,
        camera_cells.camera_id,
        -- haversine distance in metres
        2 * 6371000 * asin(sqrt(
            pow(sin(radians(camera_cells.latitude - incidents.latitude) / 2), 2)
            + cos(radians(incidents.latitude)) * cos(radians(camera_cells.latitude))
            * pow(sin(radians(camera_cells.longitude - incidents.longitude) / 2), 2)
        )) as distance_m
    from incidents
    inner join camera_cells
        on cast(floor(incidents.latitude * 100) as integer) = camera_cells.cell_lat
        and cast(floor(incidents.longitude * 100) as integer) = camera_cells.cell_lon
        and camera_cells.commissioned_on <= incidents.occurred_date

),

final as (

    select
        road_incident_id,
        arg_min(camera_id, distance_m) as nearest_camera_id,
        round(min(distance_m), 1) as nearest_camera_distance_m,
        min(distance_m) <= {{ var('camera_coverage_meters') }} as has_camera_coverage
    from candidate_pairs
    group by road_incident_id

)

select * from final
