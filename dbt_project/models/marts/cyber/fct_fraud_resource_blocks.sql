with

blocks as (

    select * from {{ ref('stg_lake__fraud_resource_blocks') }}

),

fraud_reports as (

    select * from {{ ref('fct_fraud_reports') }}

),

final as (

    select
        blocks.block_id,
        blocks.resource_type,
        blocks.resource_pseudonym,
        blocks.fraud_report_id,
        fraud_reports.fraud_report_id is not null as has_fraud_report,
        fraud_reports.scheme,
        blocks.region_code,
        blocks.reported_at,
        blocks.reported_date,
        blocks.blocked_at,
        blocks.blocked_date,
        blocks.blocked_at is not null as is_blocked,
        round(date_diff('minute', blocks.reported_at, blocks.blocked_at) / 60.0, 2) as hours_to_block
    from blocks
    left join fraud_reports
        on blocks.fraud_report_id = fraud_reports.fraud_report_id

)

select * from final
