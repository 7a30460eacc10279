with

cases as (

    select * from {{ ref('stg_lake__disciplinary_cases') }}

),

units as (

    select * from {{ ref('unit_staffing') }}

),

final as (

    select
        cases.case_id,
        cases.officer_pseudonym,
        cases.unit_id,
        -- the unit's place in the staffing table, so that cases and staff are counted in the same area
        coalesce(units.region_code, cases.region_code) as region_code,
        coalesce(units.district_code, cases.district_code) as district_code,
        cases.breach_type,
        cases.opened_date,
        cases.decided_date,
        cases.sanction,
        cases.decided_date is null as is_open,
        cases.decided_date - cases.opened_date as days_to_decision
    from cases
    left join units
        on cases.unit_id = units.unit_id

)

select * from final
