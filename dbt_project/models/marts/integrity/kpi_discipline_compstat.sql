with

cases as (

    select * from {{ ref('fct_disciplinary_cases') }}

),

units as (

    select * from {{ ref('unit_staffing') }}

),

discipline_daily as (

    select
        opened_date as date_day,
        region_code,
        district_code,
        breach_type,
        count(*) as disciplinary_cases,
        count(*) filter (where sanction = 'dismissal') as dismissals
    from cases
    group by all

),

staff as (

    select 'district' as area_level, region_code, district_code, sum(staff) as staff
    from units group by region_code, district_code
    union all
    select 'region', region_code, null, sum(staff) from units group by region_code
    union all
    select 'nation', null, null, sum(staff) from units

),

compstat as (

    {{ compstat('discipline_daily', ['disciplinary_cases', 'dismissals'], dimension='breach_type') }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as breach_type,
        staff.staff,
        compstat.disciplinary_cases_current,
        compstat.disciplinary_cases_prior,
        compstat.disciplinary_cases_change,
        compstat.disciplinary_cases_pct_change,
        case when compstat.prior_is_complete then
            compstat.disciplinary_cases_current > compstat.disciplinary_cases_prior
        end as is_worse,
        -- cases opened in the window per 100 authorised staff of the area (not annualised)
        {{ safe_ratio('compstat.disciplinary_cases_current', 'staff.staff', 100, 2) }} as cases_per_100_staff,
        {{ safe_ratio('compstat.disciplinary_cases_prior', 'staff.staff', 100, 2) }} as cases_per_100_staff_prior,
        compstat.dismissals_current,
        compstat.dismissals_prior
    from compstat
    left join staff
        on compstat.area_level = staff.area_level
        and compstat.region_code is not distinct from staff.region_code
        and compstat.district_code is not distinct from staff.district_code

)

select * from final
