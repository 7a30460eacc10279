with

source as (

    select * from {{ lake_source('disciplinary_case') }}
    where {{ this_geography() }}

),

final as (

    select
        case_id,
        officer as officer_pseudonym,
        unit_id,
        region_code,
        district_code,
        breach_type,
        opened_on as opened_date,
        decided_on as decided_date,
        sanction,
        {{ to_local('updated_at') }} as updated_at,
        {{ lake_lineage() }}

    from source

)

select * from final
