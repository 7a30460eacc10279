{#- The big one: camera × day. Incremental: each run recomputes the trailing
    var('camera_days_rebuild_days') days, and any older day that rows ingested since the last
    run touch (a late status file, a corrected registry entry); whole days are replaced
    (macros/replace_whole_days.sql), so a rerun gives the same rows. -#}
{{ config(alias='camera_days') }}
{{ replace_whole_days() }}

with

cameras as (

    select * from {{ ref('dim_cameras') }}
    where is_commissioned

),

outage_days as (

    select * from {{ ref('int_camera_outages_split_by_day') }}

),

statuses as (

    select * from {{ ref('stg_lake__camera_statuses') }}

),

camera_registry as (

    select * from {{ ref('stg_lake__cameras') }}

),

dates as (

    select * from {{ ref('dim_dates') }}
    where date_day <= {{ as_of_date() }}

),

{#- the rebuild window (macros/rebuild_window.sql), read from the previous build's rows when this
    model runs: a date literal, so the status filter below reads only the lake files of those days -#}
{%- set first_day = camera_days_rebuild_first_day(this) if is_incremental() else none %}

monitoring as (

    -- before the status feed's first day nothing is known about a camera's uptime: no rows.
    -- The first local day is among the observations of the first UTC day or two (no time zone
    -- shifts by more), so only the lake's first files are read.
    select min(status_date) as first_day
    from statuses
    where status_at_utc <= (select min(status_at_utc) from statuses) + interval 2 day

),

lake_mark as (

    -- how far the lake had been ingested when this build read it; the next run rebuilds any
    -- older day that later writes touch
    select greatest(
        (select max(ingested_at) from statuses),
        (select max(ingested_at) from camera_registry)
    ) as ingested_through

),

camera_dates as (

    select
        cameras.camera_id,
        dates.date_day,
        cameras.region_code,
        cameras.district_code,
        cameras.site_id,
        cameras.contractor,
        cameras.programme,
        -- the as-of day itself ends at the as-of moment (now, when as_of is not pinned)
        epoch(least(dates.date_day + interval 1 day, {{ as_of_timestamp() }}) - cast(dates.date_day as timestamp))
            / 60 as day_minutes
    from cameras
    inner join dates on dates.date_day >= cameras.commissioned_on
    where dates.date_day >= (select first_day from monitoring)
        {%- if first_day %}
        and dates.date_day >= {{ first_day }}
        {%- endif %}

),

downtime as (

    select
        camera_id,
        date_day,
        sum(minutes) filter (where outage_kind = 'planned_maintenance') as maintenance_minutes,
        sum(minutes) filter (where outage_kind = 'unplanned') as down_minutes,
        {%- for cause in ['power', 'network', 'hardware', 'maintenance', 'vandalism', 'unknown'] %}
        sum(minutes) filter (where outage_kind = 'unplanned' and cause = '{{ cause }}')
            as down_minutes_{{ cause }}{{ "," if not loop.last }}
        {%- endfor %}
    from outage_days
    {%- if first_day %}
    where date_day >= {{ first_day }}
        and last_day >= {{ first_day }}
    {%- endif %}
    group by camera_id, date_day

),

observed as (

    select
        camera_id,
        status_date as date_day,
        count(*) as observations,
        max(status_at) as last_observation_at
    from statuses
    where status_at < {{ as_of_timestamp() }}
        {%- if first_day %}
        and status_date >= {{ first_day }}
        and status_at_utc >= {{ utc_lower_bound(first_day) }}
        {%- endif %}
    group by camera_id, status_date

),

final as (

    select
        camera_dates.date_day,
        camera_dates.camera_id,
        camera_dates.region_code,
        camera_dates.district_code,
        camera_dates.site_id,
        camera_dates.contractor,
        camera_dates.programme,
        round(camera_dates.day_minutes - coalesce(downtime.maintenance_minutes, 0), 2) as expected_minutes,
        round(camera_dates.day_minutes - coalesce(downtime.maintenance_minutes, 0)
            - coalesce(downtime.down_minutes, 0), 2) as up_minutes,
        round(coalesce(downtime.down_minutes, 0), 2) as down_minutes,
        round(coalesce(downtime.maintenance_minutes, 0), 2) as maintenance_minutes,
        {%- for cause in ['power', 'network', 'hardware', 'maintenance', 'vandalism', 'unknown'] %}
        round(coalesce(downtime.down_minutes_{{ cause }}, 0), 2) as down_minutes_{{ cause }},
        {%- endfor %}
        {{ safe_ratio(
            'camera_dates.day_minutes - coalesce(downtime.maintenance_minutes, 0) - coalesce(downtime.down_minutes, 0)',
            'camera_dates.day_minutes - coalesce(downtime.maintenance_minutes, 0)',
            100, 3) }} as availability_pct,
        coalesce(observed.observations, 0) as observations,
        coalesce(observed.observations, 0) > 0 as is_reporting,
        observed.last_observation_at,
        (select ingested_through from lake_mark) as lake_ingested_through,
        cast('{{ run_started_at }}' as timestamptz) as rebuilt_at
    from camera_dates
    left join downtime
        on camera_dates.camera_id = downtime.camera_id
        and camera_dates.date_day = downtime.date_day
    left join observed
        on camera_dates.camera_id = observed.camera_id
        and camera_dates.date_day = observed.date_day

)

select * from final
