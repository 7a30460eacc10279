{{ config(alias='districts') }}

{{ area_dimension('district', ['district_code', 'region_code', 'name_en', 'name_ru', 'name_ky', 'name_kk']) }}
