-- One row per change of a camera's status: state changes and daily snapshots are read as
-- observations of the status, consecutive observations of the same status are folded into one
-- episode (a snapshot that finds a camera offline without a state change starts an outage of
-- unknown cause). Heartbeats are left to the "offline now" check. Observations after the as-of
-- moment are ignored, so a pinned as_of always gives the same episodes.
{#- Incremental: four other nodes read this window over every status observation in the lake.
    Each run deletes the episodes that start on or after the first day to redo (the trailing
    var('camera_days_rebuild_days') days before the as-of day and before the last episode already
    built, and the oldest day of any observation ingested since the last run), then refolds every
    camera's observations from the start of its last kept episode, so that episode's end is redone
    too (delete+insert on camera_id × changed_at replaces it). The same rows as a full rebuild. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['camera_id', 'changed_at'],
    on_schema_change='fail',
    pre_hook="""{% if is_incremental() %}
        delete from {{ this }}
        where changed_at >= cast(least(
            cast((select max(changed_at) from {{ this }}) as date) - {{ var('camera_days_rebuild_days') }} + 1,
            {{ as_of_date() }} - {{ var('camera_days_rebuild_days') }} + 1,
            (select min(status_date) from {{ ref('stg_lake__camera_statuses') }}
             where ingested_at > (select max(lake_ingested_through) from {{ this }}))
        ) as timestamp)
    {% endif %}"""
) }}

with

statuses as (

    select * from {{ ref('stg_lake__camera_statuses') }}

),

{% if is_incremental() %}
kept as (

    -- each camera's last episode left by the pre-hook: refolded from its start
    select camera_id, max(changed_at) as refold_from
    from {{ this }}
    group by camera_id

),
{% endif %}

observations as (

    select statuses.*
    from statuses
    {% if is_incremental() %}
    left join kept on statuses.camera_id = kept.camera_id
    {% endif %}
    where statuses.observation_kind in ('state_change', 'snapshot')
        and statuses.status_at < {{ as_of_timestamp() }}
        {% if is_incremental() %}
        and (kept.refold_from is null or statuses.status_at >= kept.refold_from)
        {% endif %}

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
        greatest(ingested_at, lead(ingested_at) over by_time) as ingested_at,
        -- how far the lake had been ingested when this run read it: later writes are redone next run
        (select max(ingested_at) from statuses) as lake_ingested_through
    from changes
    window by_time as (partition by camera_id order by changed_at)

)

select * from final
