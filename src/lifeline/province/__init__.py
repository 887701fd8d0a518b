"""A province: many cities' 110 and 12345 deployments and a hub that routes between them and rolls up figures."""
