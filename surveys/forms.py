"""The answer form, made from the survey's questions: radios for one choice, checkboxes for several,
a text area for free text (with the warning not to write names)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question, QuestionKind, Survey
from .services import TEXT_MAX

NAMES_WARNING = _("個人が特定される内容（相手方や職員の氏名など）は書かないでください。"
                  "自由記述は相談窓口が読みます。")


class AnswerForm(forms.Form):
    def __init__(self, *args, survey: Survey, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = questions
        for question in questions:
            name = self.name_of(question)
            common = {"label": question.text, "required": question.required, "help_text": question.help_text}
            if question.kind == QuestionKind.TEXT:
                help_text = f"{question.help_text} {NAMES_WARNING}".strip()
                self.fields[name] = forms.CharField(
                    **{**common, "help_text": help_text}, max_length=TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 5}),
                    error_messages={"max_length": _("%(limit_value)d 文字以内で書いてください（いま %(show_value)d 文字）。")},
                )
            else:
                choices = [(c.pk, c.label) for c in question.choices.all()]
                if question.kind == QuestionKind.SINGLE:
                    self.fields[name] = forms.TypedChoiceField(**common, choices=choices, coerce=int,
                                                               widget=forms.RadioSelect)
                else:
                    self.fields[name] = forms.TypedMultipleChoiceField(**common, choices=choices, coerce=int,
                                                                       widget=forms.CheckboxSelectMultiple)
            self.fields[name].error_messages["required"] = _("この質問に答えてください。")
            self.fields[name].error_messages["invalid_choice"] = _("選択肢から選んでください。")

    @staticmethod
    def name_of(question: Question) -> str:
        return f"q{question.pk}"

    def answers(self) -> dict[int, object]:
        """question id → what was answered, for ``services.answer``."""
        return {q.pk: self.cleaned_data.get(self.name_of(q)) for q in self.questions}

    def items(self):
        """(question, bound field) in order, for the template."""
        return [(q, self[self.name_of(q)]) for q in self.questions]
