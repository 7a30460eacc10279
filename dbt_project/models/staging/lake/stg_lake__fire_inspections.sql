with

source as (

    select * from {{ lake_source('fire_inspection') }}

),

final as (

    select
        inspection_id as fire_inspection_id,
        inspected_on,
        region_code,
        district_code,
        facility,
        facility_type,
        result,
        violations,
        {{ to_local('updated_at') }} as updated_at,
        responsible_person as responsible_person_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
