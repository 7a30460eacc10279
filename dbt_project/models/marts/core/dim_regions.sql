{{ config(alias='regions') }}

{{ area_dimension('region', ['region_code', 'name_en', 'name_ru', 'name_ky', 'name_kk', 'kind as region_kind']) }}
