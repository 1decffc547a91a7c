"""The default questions: Oshu City's 職員アンケート of May 2025 (the council briefing of 2025-06-18 in
the seeds): experienced カスハラ in the last 3 years, how often, which kinds (the briefing's six
categories, multiple choice) and free text. The frequencies 「年に数回」 and 「直近３年間に数回」 are
the briefing's; the others complete the scale."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import QuestionKind

#: key, kind, required, text, help text, choices
DEFAULT_QUESTIONS = [
    ("experienced", QuestionKind.SINGLE, True,
     _("直近3年以内に、市民等からカスタマーハラスメントを受けたことがありますか。"),
     _("受けたと感じた経験も含めてお答えください。"),
     [_("ある"), _("ない")]),
    ("frequency", QuestionKind.SINGLE, False,
     _("カスハラを受けた頻度はどのくらいですか。"),
     _("前の質問で「ある」と答えた方がお答えください。"),
     [_("月に1回以上"), _("年に数回"), _("直近3年間に数回"), _("直近3年間に1回")]),
    ("kinds", QuestionKind.MULTIPLE, False,
     _("受けたカスハラの内容は何ですか（複数選択可）。"),
     _("「ある」と答えた方がお答えください。当てはまるものをすべて選んでください。"),
     [_("長時間の拘束（電話、窓口など）"),
      _("怒鳴り声をあげる、侮辱的発言などの暴言"),
      _("理不尽な要望等の繰り返し"),
      _("権威を振りかざして要求を通そうとする"),
      _("脅迫的な発言をし、職員を怖がらせる"),
      _("その他（庁舎外での拘束、セクハラ、暴力等）")]),
    ("free", QuestionKind.TEXT, False,
     _("カスハラへの対策について、ご意見やご要望があれば書いてください。"),
     "",
     []),
]
