"""The interactive consultation: ask only what still matters, explain why, lose nothing.

The loop sits outside the engine (a prompt inside a rule action would break
experta's run): plan the next question from the rules (planner.py), ask it,
save the answer, plan again.  The final report comes from the same
``consult()`` as an answers file, so both give the same report.
"""

from __future__ import annotations

import sys
from typing import Any

from ..errors import AnswerProblem
from ..language.model import KnowledgeBase, Question
from ..text import WIDTH, did_you_mean, stderr_width, wrap
from .answers import NO, YES, contradictions, parse_typed
from .consultation import Result, consult
from .planner import (
    Plan,
    claim_text,
    describe,
    next_question,
    plan,
    reasons,
    still_to_ask,
    verify,
)
from .session import Session

PROMPT = "> "
COMMANDS = ("why", "back", "unknown", "help", "quit")
REVIEW = "Type a number to change that answer, or press Enter to see your report."


class Quit(Exception):
    """The user typed quit."""


class TerminalIO:
    """Reads answers from stdin; writes the dialogue to stderr, keeping stdout for the report."""

    def __init__(self) -> None:
        self.width = stderr_width() or WIDTH  # the dialogue is on stderr: wrap to it

    def say(self, text: str = "") -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def ask(self, prompt: str) -> str:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        if sys.stdin is None or sys.stdin.closed:  # started with standard input closed
            raise EOFError
        return input()


def render_question(question: Question, width: int = WIDTH) -> list[str]:
    """The question as shown at the prompt: its text, its range or numbered choices."""
    text = question.text
    if question.type == "boolean":
        text += " [yes/no]"
    elif question.type in ("integer", "number"):
        unit = f" {question.unit}" if question.unit else ""
        text += f" [{question.allowed().split(' from ')[1]}{unit}]"
    lines = [wrap(text, width=width)]
    if question.type == "choice":
        inline = "   " + "   ".join(f"{i}) {c.text}" for i, c in enumerate(question.choices, 1))
        if len(inline) <= width:
            lines.append(inline)
        else:
            lines += [wrap(c.text, "      ", f"   {i}) ", width)
                      for i, c in enumerate(question.choices, 1)]
    elif question.type == "multi":
        digits = len(str(len(question.choices)))
        group = None
        for i, choice in enumerate(question.choices, 1):
            if question.red_flags and bool(choice.red_flag) != group:
                group = bool(choice.red_flag)
                lines.append("  Warning signs:" if group else "  Other symptoms:")
            lines.append(wrap(choice.text, " " * (digits + 4), f"  {i:>{digits}}) ", width))
        lines.append(wrap("Type the numbers or names, separated by commas, or none.", "  ",
                          width=width))
    return lines


class Dialogue:
    """One interactive consultation over a session."""

    def __init__(self, kb: KnowledgeBase, session: Session, io: Any = None,
                 report_follows: bool = False):
        """``report_follows``: the text report comes next on the same screen, and says
        itself which warning signs were left unknown (grouped by what each would lead
        to), so the dialogue does not say them first."""
        self.kb = kb
        self.session = session
        self.io = io or TerminalIO()
        self.report_follows = report_follows
        self.width = getattr(self.io, "width", WIDTH)
        self.asked = 0
        self._again: str | None = None  # a question undone with back: asked next
        self._told: set[str] = set()  # conflicts already pointed out
        self.current: Question | None = None  # the question being asked

    def run(self) -> Result:
        """Ask until nothing left can change the report; Quit, KeyboardInterrupt or
        EOFError leave every answer given so far in the session file."""
        section = None
        state: Plan | None = None
        while True:
            question, state = next_question(self.kb, self.session.answers, state)
            self._tell_conflicts(state)
            if self._again and not state.emergency:
                question, self._again = self.kb.questions[self._again], None
            if question is None:
                if state.emergency or not self._review():
                    break
                state = None  # an answer changed: plan again, asking what it made relevant
                continue
            if question.section and question.section != section:
                section = question.section
                self.io.say("")
                self.say(f"[{self.kb.section_title(section)}]", "")
            if self._ask(question, state):
                state = None  # the answers changed: plan again
        if state.emergency:
            self.io.say("")
            self.say("!!! " + state.result.level.label.upper(), "")
            self.say(state.result.level.action)
            self.io.say("")
        self.session.finish()
        result = consult(self.kb, self.session.answers)
        self._tell_unchecked(result)
        return result

    def _tell_unchecked(self, result: Result) -> None:
        """Warning signs left unknown: the advice holds only if none of them is present."""
        if not result.unchecked or not self.kb.voice or self.report_follows:
            return
        self.io.say("")
        self.say(self.kb.voice.unchecked_heading, "")
        self.say(self.kb.voice.unchecked_text, "  ")
        for item in result.unchecked:
            self.say(item.text, "    ", "  - ")

    def tell_answers(self, heading: str) -> list[str]:
        """The answers so far, numbered in the questions' order (so a number stays with its
        answer when another is changed), in the words of the questions and choices;
        returns the question ids by number."""
        given = [q.id for q in self.kb.askable if q.id in self.session.answers]
        self.io.say("")
        self.say(heading, "")
        digits = len(str(len(given)))
        for number, qid in enumerate(given, 1):
            question = self.kb.questions[qid]
            self.say(f"{question.short_text} — "
                     f"{question.answer_text(self.session.answers[qid])}",
                     " " * (digits + 4), f"  {number:>{digits}}. ")
        return given

    def _review(self) -> bool:
        """Every answer, numbered, before the report: True when the person changed one."""
        given = self.tell_answers("Your answers:")
        if not given:
            return False
        self.say(REVIEW)
        while True:
            try:
                text = self.io.ask(PROMPT).strip()
            except EOFError:  # the input ended: the answers are complete, report them
                return False
            if not text:
                return False
            if text.lower() == "quit":
                raise Quit
            if text.isdigit() and 1 <= int(text) <= len(given):
                question = self.kb.questions[given[int(text) - 1]]
                self._ask(question, plan(self.kb, self.session.answers))
                return True
            self.say(f"Not accepted: type a number from 1 to {len(given)}, or press Enter "
                     "for your report.", "  ")

    def _progress(self, question: Question, state: Plan) -> str:
        """Where the person is: an estimate, said again (and changed) at every question."""
        answered = len(self.session.answers)
        if question.id in self.session.answers:
            return "Changing an answer"
        ahead = still_to_ask(self.kb, self.session.answers, state)
        total = answered + len(ahead) + (0 if question in ahead else 1)
        return f"Question {answered + 1} of about {total}"

    def _ask(self, question: Question, state: Plan) -> bool:
        """Ask one question until it is answered (True) or an earlier one is undone (True)."""
        self.current = question
        self.io.say("")
        self.say(self._progress(question, state), "")
        for line in render_question(question, self.width):
            self.io.say(line)
        while True:
            text = self.io.ask(PROMPT).strip()
            command = text.lower()
            if command == "why":
                self._why(question, state)
            elif command in ("help", "?"):
                self._help(question)
            elif command == "quit":
                raise Quit
            elif command == "back":
                undone = self.session.undo()
                if undone is None:
                    self.say("Nothing to go back to: this is the first answer.", "  ")
                    continue
                self.say(f"Undone: {self.kb.questions[undone].text} Asking it again.", "  ")
                self._again = undone
                return True
            elif command == "unknown":
                self.session.answer(question.id, None)
                self.asked += 1
                return True
            else:
                try:
                    value = parse_typed(question, text)
                except AnswerProblem as problem:
                    hint = "" if "did you mean" in problem.reason else self._hint(question,
                                                                                   command)
                    self.say(f"Not accepted: {problem.reason}{hint}. "
                             "(Type help for help.)", "  ")
                    continue
                clash = contradictions(self.kb, {**self.session.answers, question.id: value})
                if clash:
                    for problem in clash:
                        self.say(f"Not accepted: {problem}.", "  ")
                    continue
                self.session.answer(question.id, value)
                self.asked += 1
                return True

    @staticmethod
    def _hint(question: Question, typed: str) -> str:
        """A near miss of a command, or of yes or no: "did you mean back?"."""
        if " " in typed:
            return ""
        words = list(COMMANDS) + (sorted(YES | NO) if question.type == "boolean" else [])
        return did_you_mean(typed, words)

    def _tell_conflicts(self, state: Plan) -> None:
        """Say, once each, where answers disagree and which reading was taken."""
        for rule_id, text in state.result.conflicts:
            if rule_id not in self._told:
                self._told.add(rule_id)
                self.io.say("")
                self.say(f"Note: {text}", "  ")

    def _why(self, question: Question, state: Plan) -> None:
        for _, text in state.result.conflicts:  # the reading taken shapes what matters next
            self.say(f"Your answers so far disagree: {text}", "  ")
        claims = verify(self.kb, state, question.id)
        if claims:
            self.say("This question matters because", "  ")
            for claim in claims[:4]:
                self.say(claim_text(self.kb, claim), "      ", "    - ")
            rule = self.kb.rules_by_id.get(claims[0].rule)
            if rule:
                self.say(f"Why: {rule.because} (sources: {', '.join(rule.sources)})", "  ")
            return
        found = reasons(self.kb, state, question.id)
        if question.core and not found:
            self.say("Age and sex are asked of everyone: risk factors, nutrient needs and "
                     "several rules depend on them.", "  ")
            return
        if not found:  # a warning-sign question: asked first, always
            floor = self.kb.level_rank[self.kb.warning_level]
            rules = [r for r in self.kb.rules if question.id in r.questions
                     and r.then.referral and self.kb.level_rank[r.then.referral] >= floor]
            self.say("Warning signs are asked first: any of them changes how soon you should "
                     "see a doctor.", "  ")
            for rule in rules[:4]:
                self.say(f"- {rule.title}: {self.kb.level(rule.then.referral).label}", "    ")
            return
        self.say("This question matters because your answer, together with answers still to "
                 "come,", "  ")
        for impact in found[:4]:
            self.say(describe(self.kb, impact), "      ", "    - ")
        rule = self.kb.rules_by_id[found[0].rule]
        self.say(f"Why: {rule.because} (sources: {', '.join(rule.sources)})", "  ")

    def say(self, text: str, indent: str = "", first: str | None = None) -> None:
        """Say ``text`` wrapped to the terminal's width."""
        self.io.say(wrap(text, indent, first, self.width))

    def _help(self, question: Question) -> None:
        if question.help:
            self.say(question.help, "  ")
        if question.type == "multi":
            expected = "the numbers or names of any of the choices above, or none"
        elif question.type == "choice":
            expected = "the number or name of one of the choices above"
        else:
            expected = question.allowed()
        self.say(f"Expected: {expected}.", "  ")
        self.say("Commands: why (why this question), back (undo the last answer), unknown "
                 "(leave it unknown), help, quit (stop; your answers are kept).", "  ")
