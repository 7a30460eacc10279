-- One row per change of a camera's status: state changes and daily snapshots are read as
-- observations of the status, consecutive observations of the same status are folded into one
-- episode (a snapshot that finds a camera offline without a state change starts an outage of
-- unknown cause). Heartbeats are left to the "offline now" check. Observations after the as-of
-- moment are ignored, so a pinned as_of always gives the same episodes.
{#- Incremental: four other nodes read this window over every status observation in the lake.
    Each run deletes the episodes that start on or after the first moment to redo
    (status_changes_redo_from, macros/rebuild_window.sql), then resumes each camera's fold from its
    last kept episode: that episode stands in for the observations that made it (they all carry its
    status, or they would have started another episode), so only the observations from the first
    moment to redo on are read, and the lake skips the files before it. The kept episode's end is
    redone too (delete+insert on camera_id × changed_at replaces it). The same rows as a full
    rebuild, whatever the length of the history. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['camera_id', 'changed_at'],
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where changed_at >= {{ status_changes_redo_from(this) }}{% endif %}"
) }}

{#- computed when the model runs, before the pre-hook deletes: the same moment the pre-hook uses -#}
{%- set redo_from = status_changes_redo_from(this) if is_incremental() else none %}

with

statuses as (

    select * from {{ ref('stg_lake__camera_statuses') }}

),

{% if is_incremental() %}
kept as (

    -- each camera's last episode left by the pre-hook, as the observation that started it
    select camera_id, changed_at as status_at, status, cause, observed_by as observation_kind, ingested_at
    from {{ this }}
    qualify row_number() over (partition by camera_id order by changed_at desc) = 1

),
{% endif %}

observations as (

    select camera_id, status_at, status, cause, observation_kind, ingested_at
    from statuses
    where observation_kind in ('state_change', 'snapshot')
        and status_at < {{ as_of_timestamp() }}
        {%- if redo_from %}
        and status_at >= {{ redo_from }}
        and status_at_utc >= {{ utc_lower_bound(redo_from) }}
        {%- endif %}
    {%- if is_incremental() %}
    union all
    select * from kept
    {%- endif %}

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
        -- the lake write of the observation that started this episode (int_camera_outages_clustered
        -- adds its end's): a kept episode carries it into the next run unchanged
        ingested_at,
        -- how far the lake had been ingested when this run read it: later writes are redone next run
        (select max(ingested_at) from statuses) as lake_ingested_through
    from changes
    window by_time as (partition by camera_id order by changed_at)

)

select * from final
