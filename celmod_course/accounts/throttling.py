def username(request, credentials):
    """Count failed log-ins per email whatever its case, as the log-in itself matches it."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return value.strip().lower()
