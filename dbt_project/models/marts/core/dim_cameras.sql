{{ config(alias='cameras') }}

with

cameras as (

    select * from {{ ref('stg_lake__cameras') }}

),

final as (

    select
        * exclude (updated_at, {{ lineage_columns() }}),
        lifecycle_state in ('installed', 'commissioned') and installed_on is not null as is_installed,
        lifecycle_state = 'commissioned' and commissioned_on is not null as is_commissioned
    from cameras

)

select * from final
