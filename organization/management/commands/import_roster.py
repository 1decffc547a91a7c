"""``manage.py import_roster FILE [--apply] [--partial] [--actor USERNAME]``: the 職員名簿 import.

Without ``--apply`` a dry run: prints what the file would change (counts per kind, the changes,
every row refused with its row number) and writes nothing. With ``--apply`` it writes the changes
in one transaction and records a ``RosterImport``. An unreadable file (not CSV/XLSX, no header,
a required column missing) ends with a non-zero exit status; refused rows do not (the rest applies).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organization import roster
from organization.models import User


class Command(BaseCommand):
    help = "職員名簿（CSV・XLSX）から部・課・職員を取り込みます。--apply がなければ試行のみです。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="職員名簿のファイル（CSV: UTF-8 / Shift_JIS、または XLSX）")
        parser.add_argument("--apply", action="store_true", help="変更を反映する（ないときは試行のみ）")
        parser.add_argument("--partial", action="store_true",
                            help="部分更新：ファイルにない職員を退職扱いにしない（「在籍」が退職の行だけ利用停止）")
        parser.add_argument("--actor", default="", help="取込みを記録する操作者のユーザー名")
        parser.add_argument("--limit", type=int, default=50, help="種類ごとに表示する変更の件数（既定 50、0 で件数のみ）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"ファイルを読めません：{path}（{error.strerror}）") from None
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"操作者「{options['actor']}」という利用者はいません。")
        try:
            parsed = roster.read_roster(data, path.name)
        except roster.RosterError as error:
            raise CommandError(f"{path.name}：{error}") from None
        plan = roster.plan_import(parsed, partial=options["partial"])
        self.stdout.write(f"ファイル：{path.name}（{parsed.encoding_label}、{len(parsed.rows) + len(parsed.errors)} 行）")
        self.stdout.write(f"取込み方：{'部分更新' if options['partial'] else '全件（名簿にない職員は利用停止）'}")
        if parsed.ignored_columns:
            self.stdout.write(f"使わない列：{'、'.join(parsed.ignored_columns)}")
        self.write_plan(plan, options["limit"])
        if not options["apply"]:
            self.stdout.write("試行のみです。反映するには --apply を付けてください。")
            return
        try:
            record = roster.apply_import(data=data, actor=actor, filename=path.name, partial=options["partial"],
                                         expected_fingerprint=plan.fingerprint)
        except roster.StalePlan as stale:
            raise CommandError("確認の間に組織が変わりました。もう一度実行してください。") from stale
        except roster.RosterError as error:
            raise CommandError(str(error)) from None
        total = sum(record.counts.values())
        self.stdout.write(self.style.SUCCESS(f"反映しました：変更 {total} 件（取込み記録 #{record.pk}）。"))

    def write_plan(self, plan: roster.Plan, limit: int) -> None:
        self.stdout.write("")
        self.stdout.write("変更の件数：")
        for line in plan.summary_lines():
            self.stdout.write(f"  {line}")
        if limit:
            for _kind, name, changes in plan.by_kind():
                self.stdout.write(f"\n{name}：")
                for change in changes[:limit]:
                    where = f"{change.line}行目 " if change.line else ""
                    move = f"：{change.before} → {change.after}" if change.before or change.after else ""
                    self.stdout.write(f"  {where}{change.key} {change.label}{move}")
                if len(changes) > limit:
                    self.stdout.write(f"  ほか {len(changes) - limit} 件")
        for title, problems in (("取り込めなかった行", plan.errors), ("注意", plan.warnings)):
            if problems:
                self.stdout.write(f"\n{title}（{len(problems)} 件）：")
                for problem in problems:
                    self.stdout.write(f"  {problem.line}行目 職員番号 {problem.employee_number or '（空）'}：{problem.message}")
