from django.utils.cache import patch_cache_control


def private_pages(get_response):
    """Every page shown to a logged-in person is theirs alone: no shared proxy may keep it, and
    the browser keeps no copy a later user of a shared workstation could bring back."""

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
