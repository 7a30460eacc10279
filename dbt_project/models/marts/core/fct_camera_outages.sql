{{ config(alias='camera_outages') }}

with

outages as (

    select * from {{ ref('int_camera_outages_clustered') }}

),

incident_sizes as (

    select camera_incident_id, count(distinct camera_id) as cameras_in_incident
    from outages
    group by camera_incident_id

),

final as (

    select
        outages.camera_outage_id,
        outages.camera_id,
        outages.site_id,
        outages.region_code,
        outages.district_code,
        outages.contractor,
        outages.outage_kind,
        outages.cause,
        outages.started_at,
        cast(outages.started_at as date) as started_date,
        outages.ended_at,
        outages.ended_at is null as is_ongoing,
        round(
            epoch(coalesce(outages.ended_at, {{ as_of_timestamp() }}) - outages.started_at) / 60, 1
        ) as duration_minutes,
        outages.observed_by,
        outages.camera_incident_id,
        incident_sizes.cameras_in_incident >= {{ var('mass_outage_min_cameras') }} as is_part_of_mass_outage,
        outages.ingested_at as source_ingested_at
    from outages
    inner join incident_sizes on outages.camera_incident_id = incident_sizes.camera_incident_id

)

select * from final
