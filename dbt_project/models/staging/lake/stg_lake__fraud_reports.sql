with

source as (

    select * from {{ lake_source('fraud_report') }}

),

final as (

    select
        report_id as fraud_report_id,
        region_code,
        district_code,
        scheme,
        channel,
        payment_method,
        victim_age_group,
        coalesce(victims, 1) as victims,
        currency,
        loss_amount,
        coalesce(recovered_amount, 0) as recovered_amount,
        {{ to_local('reported_at') }} as reported_at,
        cast({{ to_local('reported_at') }} as date) as reported_date,
        {{ to_local('updated_at') }} as updated_at,
        victim_name as victim_name_pseudonym,
        victim_phone as victim_phone_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
