with

fraud_daily as (

    select * from {{ ref('agg_fraud_daily') }}

),

compstat as (

    {{ compstat(
        'fraud_daily',
        ['fraud_reports', 'reports_with_loss', 'loss_amount', 'recovered_amount'],
        dimension='scheme'
    ) }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as scheme,
        compstat.fraud_reports_current,
        compstat.fraud_reports_prior,
        compstat.fraud_reports_change,
        compstat.fraud_reports_pct_change,
        case when compstat.prior_is_complete then
            compstat.fraud_reports_current > compstat.fraud_reports_prior
        end as is_worse,
        {{ safe_ratio('compstat.fraud_reports_current', 'compstat.population', 100000) }} as reports_per_100k,
        compstat.loss_amount_current,
        compstat.loss_amount_prior,
        compstat.loss_amount_pct_change,
        compstat.reports_with_loss_current,
        {{ safe_ratio('compstat.reports_with_loss_current', 'compstat.fraud_reports_current', 100, 1) }}
            as share_with_loss_pct,
        compstat.recovered_amount_current,
        compstat.recovered_amount_prior,
        {{ safe_ratio('compstat.recovered_amount_current', 'compstat.loss_amount_current', 100, 1) }}
            as recovered_share_pct
    from compstat

)

select * from final
