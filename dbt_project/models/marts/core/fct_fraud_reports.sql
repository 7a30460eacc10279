{{ config(alias='fraud_reports') }}

with

fraud_reports as (

    select * from {{ ref('stg_lake__fraud_reports') }}

),

final as (

    select
        * exclude (updated_at, {{ lineage_columns() }}),
        loss_amount > 0 as has_loss,
        -- money KPIs add up amounts in the reporting currency only (no exchange rates in the lake)
        case when currency = '{{ var("reporting_currency") }}' then loss_amount end as loss_amount_reporting,
        case when currency = '{{ var("reporting_currency") }}' then recovered_amount end as recovered_amount_reporting
    from fraud_reports

)

select * from final
