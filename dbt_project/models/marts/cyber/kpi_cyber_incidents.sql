with

incidents as (

    select * from {{ ref('fct_cyber_incidents') }}

),

incidents_daily as (

    select
        detected_date as date_day,
        region_code,
        null::varchar as district_code,
        incident_type,
        count(*) as incidents,
        count(*) filter (where impact in ('high', 'critical')) as high_impact_incidents,
        count(*) filter (where hours_to_contain <= 24) as contained_within_24h
    from incidents
    group by all

),

compstat as (

    {{ compstat('incidents_daily', ['incidents', 'high_impact_incidents', 'contained_within_24h'],
                dimension='incident_type') }}

),

windows as (

    {{ compstat_windows() }}

),

in_window as (

    select windows.compstat_window, incidents.region_code, incidents.incident_type, incidents.hours_to_contain,
        incidents.is_contained
    from incidents
    inner join windows
        on incidents.detected_date between windows.window_start and windows.window_end

),

containment as (

    -- time to contain of the incidents detected in the window (those contained by now)
    select
        compstat_window,
        case when grouping(region_code) = 1 then 'nation' else 'region' end as area_level,
        region_code,
        case when grouping(incident_type) = 1 then 'all' else incident_type end as incident_type,
        round(median(hours_to_contain), 1) as median_hours_to_contain,
        round(quantile_cont(hours_to_contain, 0.9), 1) as p90_hours_to_contain,
        count(*) filter (where not is_contained) as open_incidents
    from in_window
    group by grouping sets (
        (compstat_window, region_code, incident_type),
        (compstat_window, region_code),
        (compstat_window, incident_type),
        (compstat_window)
    )

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as incident_type,
        compstat.incidents_current,
        compstat.incidents_prior,
        compstat.incidents_change,
        compstat.incidents_pct_change,
        case when compstat.prior_is_complete then
            compstat.incidents_current > compstat.incidents_prior
        end as is_worse,
        compstat.high_impact_incidents_current,
        compstat.high_impact_incidents_prior,
        {{ safe_ratio('compstat.contained_within_24h_current', 'compstat.incidents_current', 100, 1) }}
            as contained_within_24h_pct,
        containment.median_hours_to_contain,
        containment.p90_hours_to_contain,
        coalesce(containment.open_incidents, 0) as open_incidents
    from compstat
    left join containment
        on compstat.compstat_window = containment.compstat_window
        and compstat.area_level = containment.area_level
        and compstat.region_code is not distinct from containment.region_code
        and compstat.dimension_value = containment.incident_type
    -- the incidents have no district: the macro's district level would repeat the regions
    where compstat.area_level != 'district'

)

select * from final
