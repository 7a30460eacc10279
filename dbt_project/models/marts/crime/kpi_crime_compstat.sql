with

crime_daily as (

    select * from {{ ref('agg_crime_daily') }}

),

compstat as (

    {{ compstat(
        'crime_daily',
        ['crimes_registered', 'crimes_cleared', 'crimes_against_minors', 'dv_crimes',
         'public_place_crimes', 'public_place_crimes_cleared', 'public_place_cleared_with_camera'],
        dimension='offence_code'
    ) }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as offence_code,
        compstat.crimes_registered_current,
        compstat.crimes_registered_prior,
        compstat.crimes_registered_change,
        compstat.crimes_registered_pct_change,
        case when compstat.prior_is_complete then
            compstat.crimes_registered_current > compstat.crimes_registered_prior
        end as is_worse,
        {{ safe_ratio('compstat.crimes_registered_current', 'compstat.population', 100000) }} as rate_per_100k,
        {{ safe_ratio('compstat.crimes_registered_current', 'compstat.population', 10000) }} as rate_per_10k,
        compstat.crimes_cleared_current,
        -- clearance counts offences: cleared ÷ registered among the window's registrations
        {{ safe_ratio('compstat.crimes_cleared_current', 'compstat.crimes_registered_current', 100, 1) }}
            as clearance_rate_pct,
        {{ safe_ratio('compstat.crimes_cleared_prior', 'compstat.crimes_registered_prior', 100, 1) }}
            as clearance_rate_pct_prior,
        compstat.crimes_against_minors_current,
        compstat.crimes_against_minors_prior,
        compstat.crimes_against_minors_pct_change,
        compstat.dv_crimes_current,
        compstat.dv_crimes_prior,
        compstat.dv_crimes_pct_change,
        compstat.public_place_crimes_current,
        compstat.public_place_crimes_prior,
        compstat.public_place_crimes_pct_change,
        compstat.public_place_cleared_with_camera_current,
        {{ safe_ratio('compstat.public_place_cleared_with_camera_current',
                      'compstat.public_place_crimes_cleared_current', 100, 1) }}
            as public_place_cleared_camera_share_pct,
        -- "top districts by change": 1 = the largest rise in the window
        case when compstat.area_level = 'district' and compstat.prior_is_complete then
            row_number() over (
                partition by compstat.compstat_window, compstat.area_level, compstat.dimension_value
                order by compstat.crimes_registered_change desc, compstat.region_code, compstat.district_code
            )
        end as district_change_rank
    from compstat

)

select * from final
