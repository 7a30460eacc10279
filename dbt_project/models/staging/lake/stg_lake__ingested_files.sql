with

source as (

    select * from {{ lake_source('_ingest_ledger') }}

),

final as (

    select
        file_sha256,
        file_name,
        profile as source_profile,
        dataset,
        rows_in,
        inserted as rows_inserted,
        corrected as rows_corrected,
        duplicates as rows_duplicate,
        quarantined as rows_quarantined,
        ingested_at

    from source
    where {{ this_geography('geography') }}

)

select * from final
