-- Outage episodes (offline or planned maintenance) with the site incident they belong to:
-- outages of cameras on one site that start within var('mass_outage_window_minutes') of the
-- previous one are a single incident (a switch or a power feed failing takes them all down).
{{ config(materialized='table') }}

with

changes as (

    -- the newest lake write behind each episode: its start's or its end's (late-arrival detection)
    select * replace (greatest(ingested_at, lead(ingested_at) over (partition by camera_id order by changed_at))
        as ingested_at)
    from {{ ref('int_camera_status_changes') }}
    qualify status in ('offline', 'maintenance')

),

cameras as (

    select * from {{ ref('dim_cameras') }}

),

outages as (

    select
        changes.camera_id || '@' || strftime(changes.changed_at, '%Y%m%dT%H%M%S') as camera_outage_id,
        changes.camera_id,
        cameras.site_id,
        cameras.region_code,
        cameras.district_code,
        cameras.contractor,
        case when changes.status = 'maintenance' then 'planned_maintenance' else 'unplanned' end as outage_kind,
        coalesce(changes.cause, 'unknown') as cause,
        changes.changed_at as started_at,
        changes.next_changed_at as ended_at,
        changes.observed_by,
        changes.ingested_at
    from changes
    inner join cameras on changes.camera_id = cameras.camera_id

),

flagged as (

    select
        *,
        coalesce(
            started_at > lag(started_at) over by_site
                + to_minutes({{ var('mass_outage_window_minutes') }}),
            true
        ) as starts_incident
    from outages
    window by_site as (partition by coalesce(site_id, camera_id), outage_kind order by started_at, camera_id)

),

sequenced as (

    select
        *,
        sum(case when starts_incident then 1 else 0 end) over (
            partition by coalesce(site_id, camera_id), outage_kind
            order by started_at, camera_id
            rows unbounded preceding
        ) as incident_seq
    from flagged

),

final as (

    select
        camera_outage_id,
        camera_id,
        site_id,
        region_code,
        district_code,
        contractor,
        outage_kind,
        cause,
        started_at,
        ended_at,
        observed_by,
        ingested_at,
        -- stable across builds: site (or camera), kind and the incident's first start
        coalesce(site_id, camera_id) || ':' || outage_kind || '@' || strftime(
            min(started_at) over (partition by coalesce(site_id, camera_id), outage_kind, incident_seq),
            '%Y%m%dT%H%M%S'
        ) as camera_incident_id
    from sequenced

)

select * from final
