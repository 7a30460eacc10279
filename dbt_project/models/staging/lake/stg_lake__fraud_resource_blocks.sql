with

source as (

    select * from {{ lake_source('fraud_resource_block') }}
    where {{ this_geography() }}

),

final as (

    select
        block_id,
        resource_type,
        resource as resource_pseudonym,
        fraud_report_id,
        region_code,
        {{ to_local('reported_at') }} as reported_at,
        cast({{ to_local('reported_at') }} as date) as reported_date,
        {{ to_local('blocked_at') }} as blocked_at,
        cast({{ to_local('blocked_at') }} as date) as blocked_date,
        {{ to_local('updated_at') }} as updated_at,
        {{ lake_lineage() }}

    from source

)

select * from final
