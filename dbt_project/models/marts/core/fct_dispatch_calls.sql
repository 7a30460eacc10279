{{ config(alias='dispatch_calls') }}

with

calls as (

    select * from {{ ref('stg_lake__dispatch_calls') }}

),

districts as (

    select * from {{ ref('districts') }}

),

standards as (

    select * from {{ ref('response_standards') }}

),

region_standards as (

    -- a call without a district is held to its region's strictest standard
    select region_code, min(dispatch_minutes) as dispatch_minutes, min(arrival_minutes) as arrival_minutes
    from standards
    group by region_code

),

segments as (

    select
        calls.* exclude (updated_at, {{ lineage_columns() }}),
        districts.area_type,
        coalesce(standards.dispatch_minutes, region_standards.dispatch_minutes) as dispatch_standard_minutes,
        coalesce(standards.arrival_minutes, region_standards.arrival_minutes) as arrival_standard_minutes,
        date_diff('second', calls.received_at, calls.created_at) / 60.0 as answer_to_entry_minutes,
        date_diff('second', calls.created_at, calls.dispatched_at) / 60.0 as entry_to_dispatch_minutes,
        date_diff('second', calls.dispatched_at, calls.arrived_at) / 60.0 as dispatch_to_arrival_minutes,
        date_diff('second', calls.received_at, calls.dispatched_at) / 60.0 as minutes_to_dispatch,
        date_diff('second', calls.received_at, calls.arrived_at) / 60.0 as minutes_to_arrival
    from calls
    left join districts on calls.district_code = districts.district_code
    left join standards
        on calls.region_code = standards.region_code
        and districts.area_type = standards.area_type
    left join region_standards on calls.region_code = region_standards.region_code

),

final as (

    select
        *,
        minutes_to_dispatch <= dispatch_standard_minutes as is_dispatch_within_standard,
        minutes_to_arrival <= arrival_standard_minutes as is_arrival_within_standard
    from segments

)

select * from final
