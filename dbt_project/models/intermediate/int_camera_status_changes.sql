-- One row per change of a camera's status: state changes and daily snapshots are read as
-- observations of the status, consecutive observations of the same status are folded into one
-- episode (a snapshot that finds a camera offline without a state change starts an outage of
-- unknown cause). Heartbeats are left to the "offline now" check. Observations after the as-of
-- moment are ignored, so a pinned as_of always gives the same episodes.
with

observations as (

    select * from {{ ref('stg_lake__camera_statuses') }}
    where observation_kind in ('state_change', 'snapshot')
        and status_at < {{ as_of_timestamp() }}

),

ordered as (

    select
        camera_id,
        status_at,
        status,
        cause,
        observation_kind,
        ingested_at,
        lag(status) over by_time as previous_status
    from observations
    window by_time as (
        partition by camera_id
        -- a state change and a snapshot at the same instant: the state change (with its cause) first
        order by status_at, observation_kind = 'snapshot'
    )

),

changes as (

    select
        camera_id,
        status_at as changed_at,
        status,
        coalesce(cause, case when status = 'maintenance' then 'maintenance' end) as cause,
        observation_kind as observed_by,
        ingested_at
    from ordered
    where previous_status is distinct from status

),

final as (

    select
        camera_id,
        changed_at,
        lead(changed_at) over by_time as next_changed_at,
        status,
        cause,
        observed_by,
        -- the newest lake write behind this episode (its start or its end): late-arrival detection
        greatest(ingested_at, lead(ingested_at) over by_time) as ingested_at
    from changes
    window by_time as (partition by camera_id order by changed_at)

)

select * from final
