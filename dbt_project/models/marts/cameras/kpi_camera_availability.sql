-- Availability and reliability over the trailing 1, 7 and 30 days, for the nation, each region,
-- district, contractor and camera. MTTR = mean repair time of unplanned outages that ended in
-- the window; MTBF = up-time ÷ unplanned outages that started in the window;
-- A = MTBF ÷ (MTBF + MTTR), the steady-state availability those two imply.
with

camera_days as (

    select * from {{ ref('fct_camera_days') }}
    where date_day >= {{ rolling_windows_first_day() }}

),

outages as (

    select * from {{ ref('fct_camera_outages') }}
    where outage_kind = 'unplanned'
        and (ended_at is null or cast(ended_at as date) >= {{ rolling_windows_first_day() }})

),

windows as (

    {{ rolling_windows() }}

),

camera_minutes as (

    select
        windows.rolling_window,
        windows.window_order,
        windows.window_start,
        windows.window_end,
        camera_days.camera_id,
        any_value(camera_days.region_code) as region_code,
        any_value(camera_days.district_code) as district_code,
        any_value(camera_days.contractor) as contractor,
        sum(camera_days.expected_minutes) as expected_minutes,
        sum(camera_days.up_minutes) as up_minutes,
        sum(camera_days.down_minutes) as down_minutes,
        sum(camera_days.maintenance_minutes) as maintenance_minutes
    from camera_days
    inner join windows on camera_days.date_day between windows.window_start and windows.window_end
    group by all

),

camera_outages as (

    select
        windows.rolling_window,
        outages.camera_id,
        count(*) filter (where outages.started_date between windows.window_start and windows.window_end)
            as failures,
        count(*) filter (where cast(outages.ended_at as date) between windows.window_start and windows.window_end)
            as repairs,
        sum(outages.duration_minutes) filter (
            where cast(outages.ended_at as date) between windows.window_start and windows.window_end
        ) as repair_minutes
    from outages
    inner join windows
        on outages.started_date <= windows.window_end
        and coalesce(cast(outages.ended_at as date), windows.window_end) >= windows.window_start
    group by all

),

per_camera as (

    select
        camera_minutes.*,
        coalesce(camera_outages.failures, 0) as failures,
        coalesce(camera_outages.repairs, 0) as repairs,
        coalesce(camera_outages.repair_minutes, 0) as repair_minutes
    from camera_minutes
    left join camera_outages
        on camera_minutes.rolling_window = camera_outages.rolling_window
        and camera_minutes.camera_id = camera_outages.camera_id

),

rolled_up as (

    select
        rolling_window,
        window_order,
        window_start,
        window_end,
        case
            when grouping(camera_id) = 0 then 'camera'
            when grouping(contractor) = 0 then 'contractor'
            when grouping(district_code) = 0 then 'district'
            when grouping(region_code) = 0 then 'region'
            else 'nation'
        end as group_level,
        region_code,
        district_code,
        contractor,
        camera_id,
        count(*) filter (where expected_minutes > 0) as cameras,
        sum(expected_minutes) as expected_minutes,
        sum(up_minutes) as up_minutes,
        sum(down_minutes) as down_minutes,
        sum(maintenance_minutes) as maintenance_minutes,
        sum(failures) as failures,
        sum(repairs) as repairs,
        sum(repair_minutes) as repair_minutes
    from per_camera
    group by grouping sets (
        (rolling_window, window_order, window_start, window_end),
        (rolling_window, window_order, window_start, window_end, region_code),
        (rolling_window, window_order, window_start, window_end, region_code, district_code),
        (rolling_window, window_order, window_start, window_end, contractor),
        (rolling_window, window_order, window_start, window_end, camera_id, region_code, district_code, contractor)
    )

),

final as (

    select
        rolling_window,
        window_order,
        window_start,
        window_end,
        group_level,
        region_code,
        district_code,
        contractor,
        camera_id,
        cameras,
        round(expected_minutes, 1) as expected_minutes,
        round(up_minutes, 1) as up_minutes,
        round(down_minutes, 1) as down_minutes,
        round(maintenance_minutes, 1) as maintenance_minutes,
        {{ safe_ratio('up_minutes', 'expected_minutes', 100, 2) }} as availability_pct,
        failures,
        repairs,
        {{ safe_ratio('repair_minutes', 'repairs', 1, 1) }} as mttr_minutes,
        {{ safe_ratio('up_minutes', 'failures * 60', 1, 1) }} as mtbf_hours,
        {{ safe_ratio('up_minutes / nullif(failures, 0)',
                      'up_minutes / nullif(failures, 0) + repair_minutes / nullif(repairs, 0)', 100, 2) }}
            as availability_from_mtbf_mttr_pct
    from rolled_up

)

select * from final
