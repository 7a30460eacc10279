with

receptions_daily as (

    select * from {{ ref('agg_receptions_daily') }}

),

compstat as (

    {{ compstat(
        'receptions_daily',
        ['sessions_scheduled', 'sessions_held', 'citizens_received'],
        dimension='leader_position'
    ) }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as leader_position,
        compstat.sessions_scheduled_current,
        compstat.sessions_scheduled_prior,
        compstat.sessions_held_current,
        compstat.sessions_held_prior,
        compstat.sessions_held_change,
        compstat.sessions_held_pct_change,
        {{ compstat_share('sessions_held', 'sessions_scheduled', 'held_pct') }},
        compstat.citizens_received_current,
        compstat.citizens_received_prior,
        compstat.citizens_received_pct_change,
        held_pct < held_pct_prior as is_worse
    from compstat

)

select * from final
