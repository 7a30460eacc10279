with

source as (

    select * from {{ lake_source('_quarantine') }}

),

final as (

    select
        file_sha256,
        file_name,
        dataset,
        line as source_line,
        column_name,
        reason,
        -- detail and raw hold only pseudonymised personal data (done at ingestion)
        detail,
        raw as raw_record,
        quarantined_at

    from source
    where {{ this_geography('geography') }}

)

select * from final
