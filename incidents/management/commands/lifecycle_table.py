"""Print the lifecycle's table of moves as Markdown, for the README (a test keeps them in step)."""

from django.core.management.base import BaseCommand

from incidents.lifecycle import markdown_table


class Command(BaseCommand):
    help = "README の「状態の遷移」表を、lifecycle.TRANSITIONS から出力します。"

    def handle(self, *args, **options):
        self.stdout.write(markdown_table())
