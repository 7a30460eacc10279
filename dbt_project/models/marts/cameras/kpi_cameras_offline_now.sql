-- Cameras down at the as-of moment: the current status episode is offline or maintenance, or
-- the live heartbeat stream has gone quiet for more than var('offline_after_minutes').
with

cameras as (

    select * from {{ ref('dim_cameras') }}
    where is_commissioned

),

changes as (

    select * from {{ ref('int_camera_status_changes') }}
    where next_changed_at is null
        and status in ('offline', 'maintenance')

),

heartbeats as (

    select camera_id, max(status_at) as last_heartbeat_at
    from {{ ref('stg_lake__camera_statuses') }}
    where observation_kind = 'heartbeat'
        and status_at < {{ as_of_timestamp() }}
        and status_at >= {{ as_of_timestamp() }} - interval 2 day
    group by camera_id

),

silent as (

    select * from heartbeats
    where last_heartbeat_at < {{ as_of_timestamp() }} - to_minutes({{ var('offline_after_minutes') }})

),

down as (

    select
        cameras.camera_id,
        case
            when changes.status = 'maintenance' then 'maintenance'
            when changes.status = 'offline' then 'offline'
            else 'no_heartbeat'
        end as offline_status,
        coalesce(changes.cause, 'unknown') as cause,
        least(changes.changed_at, silent.last_heartbeat_at) as offline_since,
        heartbeats.last_heartbeat_at
    from cameras
    left join changes on cameras.camera_id = changes.camera_id
    left join silent on cameras.camera_id = silent.camera_id
    left join heartbeats on cameras.camera_id = heartbeats.camera_id
    where changes.camera_id is not null or silent.camera_id is not null

),

final as (

    select
        down.camera_id,
        cameras.region_code,
        cameras.district_code,
        cameras.site_id,
        cameras.contractor,
        down.offline_status,
        down.cause,
        down.offline_since,
        round(epoch({{ as_of_timestamp() }} - down.offline_since) / 60, 0) as offline_minutes,
        {{ as_of_timestamp() }} - down.offline_since > interval 24 hour as is_offline_over_24h,
        down.last_heartbeat_at
    from down
    inner join cameras on down.camera_id = cameras.camera_id

)

select * from final
