"""The service's two HTTP listeners, each named by a setting: the public one (the API, the
mailed links' pages, the contracts, readiness) and the operators' one (health detail, metrics)."""

PUBLIC_ADDRESS_KEY, DEFAULT_PUBLIC_ADDRESS = "WEB_SERVER_ADDRESS", "0.0.0.0:8000"
MANAGEMENT_ADDRESS_KEY, DEFAULT_MANAGEMENT_ADDRESS = "MANAGEMENT_ADDRESS", "0.0.0.0:9000"
