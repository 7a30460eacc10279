-- Which regions stopped sending a dataset: last record per dataset and region over the last 90
-- days, and whether the region has been silent longer than the dataset's late-data threshold.
with

regions as (select * from {{ ref('regions') }}),
cameras as (select * from {{ ref('stg_lake__cameras') }}),

crime_reports as (
    select region_code, registered_date as record_date from {{ ref('stg_lake__crime_reports') }}
),

road_incidents as (
    select region_code, occurred_date as record_date from {{ ref('stg_lake__road_incidents') }}
),

fraud_reports as (
    select region_code, reported_date as record_date from {{ ref('stg_lake__fraud_reports') }}
),

camera_statuses as (

    select cameras.region_code, camera_statuses.status_date as record_date
    from {{ ref('stg_lake__camera_statuses') }} as camera_statuses
    inner join cameras on camera_statuses.camera_id = cameras.camera_id
    where camera_statuses.status_date > {{ as_of_date() }} - 90
        -- the same days by the lake's UTC time: only those days' lake files are read
        and camera_statuses.status_at_utc >= {{ utc_lower_bound(as_of_date() ~ ' - 89') }}

),

records as (

    select 'crime_report' as dataset, * from crime_reports
    union all
    select 'road_incident', * from road_incidents
    union all
    select 'fraud_report', * from fraud_reports
    union all
    select 'camera_status', * from camera_statuses

),

last_seen as (

    select
        dataset,
        region_code,
        max(record_date) as last_record_date,
        count(*) filter (where record_date > {{ as_of_date() }} - 28) as records_last_28d
    from records
    where record_date <= {{ as_of_date() }}
    group by dataset, region_code

),

datasets as (

    select distinct dataset from records

),

final as (

    select
        datasets.dataset,
        regions.region_code,
        last_seen.last_record_date,
        {{ as_of_date() }} - last_seen.last_record_date as days_since_last_record,
        coalesce(last_seen.records_last_28d, 0) as records_last_28d,
        {{ is_late(as_of_date() ~ ' - last_seen.last_record_date', 'datasets.dataset') }} as is_silent
    from datasets
    cross join regions
    left join last_seen
        on datasets.dataset = last_seen.dataset
        and regions.region_code = last_seen.region_code

)

select * from final
