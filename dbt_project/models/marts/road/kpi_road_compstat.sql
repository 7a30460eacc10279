with

road_daily as (

    select * from {{ ref('agg_road_daily') }}

),

compstat as (

    {{ compstat(
        'road_daily',
        ['incidents', 'killed', 'injured', 'ksi', 'children_hurt',
         'incidents_with_camera_coverage', 'incidents_without_camera_coverage', 'incidents_coverage_unknown'],
        dimension='cause'
    ) }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as cause,
        compstat.incidents_current,
        compstat.incidents_prior,
        compstat.incidents_change,
        compstat.incidents_pct_change,
        compstat.killed_current,
        compstat.killed_prior,
        compstat.killed_pct_change,
        compstat.injured_current,
        compstat.injured_prior,
        compstat.injured_pct_change,
        compstat.ksi_current,
        compstat.ksi_prior,
        compstat.ksi_change,
        compstat.ksi_pct_change,
        case when compstat.prior_is_complete then
            compstat.ksi_current > compstat.ksi_prior
        end as is_worse,
        compstat.children_hurt_current,
        compstat.children_hurt_prior,
        compstat.children_hurt_pct_change,
        {{ safe_ratio('compstat.incidents_current', 'compstat.population', 100000) }} as incidents_per_100k,
        {{ safe_ratio('compstat.killed_current', 'compstat.population', 100000) }} as killed_per_100k,
        {{ safe_ratio('compstat.ksi_current', 'compstat.population', 100000) }} as ksi_per_100k,
        {{ safe_ratio('compstat.ksi_current', 'compstat.population', 10000) }} as ksi_per_10k,
        compstat.incidents_with_camera_coverage_current,
        compstat.incidents_without_camera_coverage_current,
        compstat.incidents_coverage_unknown_current,
        -- share among incidents with coordinates
        {{ safe_ratio('compstat.incidents_with_camera_coverage_current',
                      'compstat.incidents_with_camera_coverage_current + compstat.incidents_without_camera_coverage_current',
                      100, 1) }} as camera_covered_share_pct
    from compstat

)

select * from final
