"""The interactive consultation: ask only what still matters, explain why, lose nothing.

The loop sits outside the engine (a prompt inside a rule action would break
experta's run): plan the next question from the rules (planner.py), ask it,
save the answer, plan again.  The final report comes from the same
``consult()`` as an answers file, so both give the same report.
"""

from __future__ import annotations

import re
import sys
import textwrap
from typing import Any

from .answers import coerce, contradictions
from .consultation import Result, consult
from .model import KnowledgeBase, Question
from .planner import Plan, claim_text, describe, next_question, reasons, verify
from .session import Session

COMMANDS = ("why", "back", "unknown", "help", "quit")
PROMPT = "> "
WIDTH = 78


class Quit(Exception):
    """The user typed quit."""


class TerminalIO:
    """Reads answers from stdin; writes the dialogue to stderr, keeping stdout for the report."""

    def say(self, text: str = "") -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def ask(self, prompt: str) -> str:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        return input()


def _fill(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def parse_answer(question: Question, text: str) -> Any:
    """A typed answer in canonical form, or ValueError saying what is expected."""
    text = text.strip()
    if question.type in ("choice", "multi"):
        if question.type == "multi" and text.lower() in ("none", "0", "-", "no"):
            return ()
        picked = []
        for token in [t for t in re.split(r"[,\s]+", text) if t]:
            picked.append(_choice(question, token))
        if not picked:
            raise ValueError("type a number or a name" + (", or none" if question.type == "multi"
                                                           else ""))
        if question.type == "choice" and len(picked) > 1:
            raise ValueError("choose exactly one")
        return coerce(question, picked[0] if question.type == "choice" else picked)
    if not text:
        raise ValueError(f"expected {question.allowed()}")
    if question.type in ("integer", "number"):
        try:
            number = float(text)
        except ValueError:
            return coerce(question, text)
        return coerce(question, int(number) if number.is_integer() else number)
    return coerce(question, text)


def _choice(question: Question, token: str) -> str:
    number = _number(token)
    ids = question.choice_ids
    if number is not None:
        if 1 <= number <= len(ids):
            return ids[number - 1]
        raise ValueError(f"{token} is not a number from 1 to {len(ids)}")
    lowered = token.lower()
    if lowered in ids:
        return lowered
    matches = [c for c in ids if c.startswith(lowered)]
    if len(matches) == 1:
        return matches[0]
    hint = f"; did you mean {', '.join(matches)}?" if matches else ""
    raise ValueError(f"{token!r} is not one of the choices{hint}")


def render_question(question: Question) -> list[str]:
    lines = [_fill(question.text)]
    if question.type == "boolean":
        lines[-1] += " [yes/no]"
    elif question.type in ("integer", "number"):
        unit = f" {question.unit}" if question.unit else ""
        lines[-1] += f" [{question.allowed().split(' from ')[1]}{unit}]"
    elif question.type == "choice":
        lines.append("   " + "   ".join(f"{i}) {c.text}"
                                         for i, c in enumerate(question.choices, 1)))
    else:
        width = len(str(len(question.choices)))
        group = None
        for i, choice in enumerate(question.choices, 1):
            if question.red_flags and bool(choice.red_flag) != group:
                group = bool(choice.red_flag)
                lines.append("  Warning signs:" if group else "  Other symptoms:")
            lines.append(f"  {i:>{width}}) {choice.text}")
        lines.append("  Type the numbers or names, separated by commas, or none.")
    return lines


class Dialogue:
    """One interactive consultation over a session."""

    def __init__(self, kb: KnowledgeBase, session: Session, io: Any = None):
        self.kb = kb
        self.session = session
        self.io = io or TerminalIO()
        self.asked = 0
        self._again: str | None = None  # a question undone with back: asked next
        self._told: set[str] = set()  # conflicts already pointed out

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
                break
            if question.section and question.section != section:
                section = question.section
                self.io.say(f"\n[{section.replace('_', ' ').capitalize()}]")
            if self._ask(question, state):
                state = None  # the answers changed: plan again
        if state.emergency:
            self.io.say("")
            self.io.say("!!! " + state.result.level.label.upper())
            self.io.say(_fill(state.result.level.action))
            self.io.say("")
        self.session.finish()
        return consult(self.kb, self.session.answers)

    def _ask(self, question: Question, state: Plan) -> bool:
        """Ask one question until it is answered (True) or an earlier one is undone (True)."""
        self.io.say("")
        for line in render_question(question):
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
                    self.io.say("  Nothing to go back to: this is the first answer.")
                    continue
                self.io.say(f"  Undone: {undone}. Asking it again.")
                self._again = undone
                return True
            elif command == "unknown":
                self.session.answer(question.id, None)
                self.asked += 1
                return True
            else:
                try:
                    value = parse_answer(question, text)
                except ValueError as exc:
                    message = str(exc).split(": ", 1)[-1] if str(exc).startswith(
                        question.id + ":") else str(exc)
                    self.io.say(f"  Not accepted: {message}. (Type help for help.)")
                    continue
                clash = contradictions(self.kb, {**self.session.answers, question.id: value})
                if clash:
                    for line in clash:
                        self.io.say(_fill(f"Not accepted: {line}.", "  "))
                    continue
                self.session.answer(question.id, value)
                self.asked += 1
                return True

    def _tell_conflicts(self, state: Plan) -> None:
        """Say, once each, where answers disagree and which reading was taken."""
        for rule_id, text in state.result.conflicts:
            if rule_id not in self._told:
                self._told.add(rule_id)
                self.io.say("")
                self.io.say(_fill(f"Note: {text}", "  "))

    def _why(self, question: Question, state: Plan) -> None:
        for _, text in state.result.conflicts:  # the reading taken shapes what matters next
            self.io.say(_fill(f"Your answers so far disagree: {text}", "  "))
        claims = verify(self.kb, state, question.id, first_conclusion=True)
        if claims:
            self.io.say("  This question matters because")
            for claim in claims[:4]:
                self.io.say(textwrap.fill("- " + claim_text(self.kb, claim), WIDTH,
                                          initial_indent="    ", subsequent_indent="      "))
            rule = self.kb.rules_by_id.get(claims[0].rule)
            if rule:
                self.io.say(_fill(f"Rule {rule.id} says: {rule.because} (sources: "
                                  f"{', '.join(rule.sources)})", "  "))
            return
        found = reasons(self.kb, state, question.id)
        if question.core and not found:
            self.io.say("  Age and sex are asked of everyone: risk factors, nutrient needs and "
                        "several rules depend on them.")
            return
        if not found:  # a warning-sign question: asked first, always
            rules = [r for r in self.kb.rules if question.id in r.questions
                     and r.then.referral and self.kb.level_rank[r.then.referral] >= 3]
            self.io.say("  Warning signs are asked first: any of them changes how soon you "
                        "should see a doctor.")
            for rule in rules[:4]:
                self.io.say(_fill(f"- rule {rule.id}: {rule.title} -> {rule.then.referral}",
                                  "    "))
            return
        self.io.say("  This question matters because your answer, together with answers still "
                    "to come,")
        for impact in found[:4]:
            self.io.say(textwrap.fill("- " + describe(self.kb, impact), WIDTH,
                                      initial_indent="    ", subsequent_indent="      "))
        rule = self.kb.rules_by_id[found[0].rule]
        self.io.say(_fill(f"Rule {rule.id} says: {rule.because} (sources: "
                          f"{', '.join(rule.sources)})", "  "))

    def _help(self, question: Question) -> None:
        if question.help:
            self.io.say(_fill(question.help, "  "))
        if question.type == "multi":
            expected = "the numbers or names of any of the choices above, or none"
        elif question.type == "choice":
            expected = "the number or name of one of the choices above"
        else:
            expected = question.allowed()
        self.io.say(_fill(f"Expected: {expected}.", "  "))
        self.io.say("  Commands: why (why this question), back (undo the last answer), unknown "
                    "(leave it unknown), help, quit (stop; your answers are kept).")
