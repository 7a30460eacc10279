{{ config(alias='fraud_reports') }}

with

fraud_reports as (

    select * from {{ ref('stg_lake__fraud_reports') }}

),

final as (

    select
        fraud_report_id,
        reported_at,
        reported_date,
        region_code,
        district_code,
        scheme,
        channel,
        payment_method,
        victim_age_group,
        victims,
        currency,
        loss_amount,
        recovered_amount,
        loss_amount > 0 as has_loss,
        -- money KPIs add up amounts in the reporting currency only (no exchange rates in the lake)
        case when currency = '{{ var("reporting_currency") }}' then loss_amount end as loss_amount_reporting,
        case when currency = '{{ var("reporting_currency") }}' then recovered_amount end as recovered_amount_reporting,
        victim_name_pseudonym,
        victim_phone_pseudonym
    from fraud_reports

)

select * from final
