{{ config(alias='camera_incidents') }}

with

outages as (

    select
        *,
        count(*) over (partition by camera_incident_id, cause) as cause_outages
    from {{ ref('fct_camera_outages') }}

),

final as (

    select
        camera_incident_id,
        any_value(site_id) as site_id,
        any_value(region_code) as region_code,
        -- a site sits in one district; min() keeps the choice stable if the registry disagrees
        min(district_code) as district_code,
        any_value(outage_kind) as outage_kind,
        -- the most frequent cause; a tie goes to the first name, so rebuilds agree
        first(cause order by cause_outages desc, cause) as cause,
        min(started_at) as started_at,
        cast(min(started_at) as date) as started_date,
        case when bool_and(not is_ongoing) then max(ended_at) end as ended_at,
        bool_or(is_ongoing) as is_ongoing,
        count(distinct camera_id) as cameras_affected,
        count(distinct camera_id) >= {{ var('mass_outage_min_cameras') }} as is_mass_outage,
        sum(duration_minutes) as camera_minutes_down
    from outages
    group by camera_incident_id

)

select * from final
