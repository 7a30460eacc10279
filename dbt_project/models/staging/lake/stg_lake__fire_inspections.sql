with

source as (

    select * from {{ lake_source('fire_inspection') }}
    -- this build's geography only: other countries' rows in the lake have regions outside its reference set
    where region_code in (select region_code from {{ ref('regions') }})

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

)

select * from final
