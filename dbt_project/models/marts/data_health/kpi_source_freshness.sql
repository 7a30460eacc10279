with

crime_reports as (select * from {{ ref('stg_lake__crime_reports') }}),
road_incidents as (select * from {{ ref('stg_lake__road_incidents') }}),
cameras as (select * from {{ ref('stg_lake__cameras') }}),
camera_statuses as (select * from {{ ref('stg_lake__camera_statuses') }}),
fraud_reports as (select * from {{ ref('stg_lake__fraud_reports') }}),
ingested_files as (select * from {{ ref('stg_lake__ingested_files') }}),
quarantined_rows as (

    select
        *,
        count(*) over (partition by dataset, reason) as reason_rows
    from {{ ref('stg_lake__quarantined_rows') }}

),

newest_status as (

    -- the newest local time is among the last two UTC days (no time zone shifts by more): only
    -- the lake's newest files are read (from the view itself: a CTE read more than once would be
    -- materialised whole first)
    select max(status_at) as newest_at
    from {{ ref('stg_lake__camera_statuses') }}
    where status_at_utc >= (select max(status_at_utc) from {{ ref('stg_lake__camera_statuses') }}) - interval 2 day

),

records as (

    -- newest record by each dataset's own record time (contracts.yaml `time:`)
    select 'crime_report' as dataset, count(*) as row_count, max(registered_at) as newest_record_at
    from crime_reports
    union all
    select 'road_incident', count(*), max(occurred_at) from road_incidents
    union all
    select 'camera', count(*), cast(max(installed_on) as timestamp) from cameras
    union all
    select 'camera_status', (select count(*) from camera_statuses), (select newest_at from newest_status)
    union all
    select 'fraud_report', count(*), max(reported_at) from fraud_reports

),

files as (

    select
        dataset,
        count(*) as files_ingested,
        max(ingested_at) as last_ingested_at,
        sum(rows_in) as rows_received
    from ingested_files
    group by dataset

),

quarantine as (

    select
        dataset,
        count(*) as rows_quarantined,
        -- the most frequent reason; a tie goes to the first name, so rebuilds agree
        first(reason order by reason_rows desc, reason) as top_quarantine_reason
    from quarantined_rows
    group by dataset

),

final as (

    select
        records.dataset,
        records.row_count,
        records.newest_record_at,
        files.last_ingested_at,
        coalesce(files.files_ingested, 0) as files_ingested,
        coalesce(quarantine.rows_quarantined, 0) as rows_quarantined,
        {{ safe_ratio('coalesce(quarantine.rows_quarantined, 0)', 'files.rows_received', 100, 2) }}
            as quarantined_share_pct,
        quarantine.top_quarantine_reason,
        {{ as_of_date() }} - cast(records.newest_record_at as date) as days_since_newest_record,
        {{ is_late(as_of_date() ~ ' - cast(records.newest_record_at as date)', 'records.dataset') }} as is_silent,
        cast('{{ run_started_at }}' as timestamptz) as warehouse_built_at,
        {{ as_of_date() }} as as_of_date
    from records
    left join files on records.dataset = files.dataset
    left join quarantine on records.dataset = quarantine.dataset

)

select * from final
