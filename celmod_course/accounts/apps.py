from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "celmod_course.accounts"
    label = "accounts"
    verbose_name = "Accounts"
