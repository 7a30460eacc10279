-- Downtime by cause over the trailing 1, 7 and 30 days, nationally and per region. Camera
-- minutes add up every camera's downtime; incidents count a mass outage of one site once.
with

outage_days as (

    select * from {{ ref('int_camera_outages_split_by_day') }}
    where date_day >= {{ rolling_windows_first_day() }}
        and last_day >= {{ rolling_windows_first_day() }}

),

outages as (

    select * from {{ ref('fct_camera_outages') }}
    where ended_at is null or cast(ended_at as date) >= {{ rolling_windows_first_day() }}

),

incidents as (

    select * from {{ ref('fct_camera_incidents') }}
    where started_date >= {{ rolling_windows_first_day() }}

),

windows as (

    {{ rolling_windows() }}

),

minutes as (

    select
        windows.rolling_window,
        outages.region_code,
        outage_days.outage_kind,
        outage_days.cause,
        sum(outage_days.minutes) as camera_minutes_down,
        count(distinct outage_days.camera_id) as cameras_affected
    from outage_days
    inner join outages on outage_days.camera_outage_id = outages.camera_outage_id
    inner join windows on outage_days.date_day between windows.window_start and windows.window_end
    group by grouping sets (
        (windows.rolling_window, outage_days.outage_kind, outage_days.cause),
        (windows.rolling_window, outages.region_code, outage_days.outage_kind, outage_days.cause)
    )

),

incident_counts as (

    select
        windows.rolling_window,
        incidents.region_code,
        incidents.outage_kind,
        incidents.cause,
        count(*) as incidents,
        count(*) filter (where incidents.is_mass_outage) as mass_outages
    from incidents
    inner join windows on incidents.started_date between windows.window_start and windows.window_end
    group by grouping sets (
        (windows.rolling_window, incidents.outage_kind, incidents.cause),
        (windows.rolling_window, incidents.region_code, incidents.outage_kind, incidents.cause)
    )

),

final as (

    select
        windows.rolling_window,
        windows.window_order,
        windows.window_start,
        windows.window_end,
        case when minutes.region_code is null then 'nation' else 'region' end as area_level,
        minutes.region_code,
        minutes.outage_kind,
        minutes.cause,
        round(minutes.camera_minutes_down, 1) as camera_minutes_down,
        round(minutes.camera_minutes_down / 60, 1) as camera_hours_down,
        {{ safe_ratio('minutes.camera_minutes_down',
                      'sum(minutes.camera_minutes_down) over (partition by minutes.rolling_window, minutes.region_code)',
                      100, 1) }} as share_of_downtime_pct,
        minutes.cameras_affected,
        coalesce(incident_counts.incidents, 0) as incidents,
        coalesce(incident_counts.mass_outages, 0) as mass_outages
    from minutes
    inner join windows on minutes.rolling_window = windows.rolling_window
    left join incident_counts
        on minutes.rolling_window = incident_counts.rolling_window
        and minutes.region_code is not distinct from incident_counts.region_code
        and minutes.outage_kind = incident_counts.outage_kind
        and minutes.cause = incident_counts.cause

)

select * from final
