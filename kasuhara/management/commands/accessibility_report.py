"""Print the README's accessibility results (from kasuhara/accessibility_results.json) as Markdown,
or write them into README.md with ``--write``; a test keeps the two in step."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kasuhara import accessibility


class Command(BaseCommand):
    help = "アクセシビリティ試験の結果（kasuhara/accessibility_results.json）から README の節を出力します。"

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="README.md の該当部分を書き換えます。")

    def handle(self, *args, write: bool = False, **options):
        section = accessibility.readme_section(accessibility.load())
        if not write:
            self.stdout.write(section)
            return
        readme = Path(settings.BASE_DIR) / "README.md"
        text = readme.read_text(encoding="utf-8")
        readme.write_text(accessibility.replace_readme_section(text, section), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS("README.md のアクセシビリティの節を更新しました。"))
