with

source as (

    select * from {{ lake_source('citizen_appeal') }}
    where {{ this_geography() }}

),

final as (

    select
        appeal_id,
        region_code,
        district_code,
        unit_id,
        channel,
        category,
        received_on as received_date,
        due_on as recorded_due_date,
        coalesce(extended, false) as is_extended,
        answered_on as answered_date,
        outcome,
        coalesce(repeat_appeal, false) as is_repeat_appeal,
        {{ to_local('updated_at') }} as updated_at,
        applicant_name as applicant_name_pseudonym,
        applicant_phone as applicant_phone_pseudonym,
        {{ lake_lineage() }}

    from source

)

select * from final
