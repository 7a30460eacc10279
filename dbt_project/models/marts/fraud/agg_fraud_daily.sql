with

fraud_reports as (

    select * from {{ ref('fct_fraud_reports') }}
    where reported_date <= {{ as_of_date() }}

),

final as (

    select
        reported_date as date_day,
        region_code,
        district_code,
        scheme,
        count(*) as fraud_reports,
        count(*) filter (where has_loss) as reports_with_loss,
        sum(victims) as victims,
        coalesce(sum(loss_amount_reporting), 0) as loss_amount,
        coalesce(sum(recovered_amount_reporting), 0) as recovered_amount
    from fraud_reports
    group by all

)

select * from final
