"""The secret formats the service recognises by rules of its own, written for this service
after the shapes the common scanners look for (gitleaks' rule set as the reference).

Every quantifier is bounded, so one attempt at a position reads a bounded number of
characters and a pass over a text costs at most a constant times its length; a format
whose length varies by issuer matches its shortest form and grows over the characters that
follow (`Rule.grow`), so a longer key never leaves a tail behind its marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One format: the kind its marker names, its pattern (the secret is group `s`, `q` or
    `u` when the pattern has one, else the whole match), whether the match grows over the
    token characters after it, and how many characters before the match the secret starts
    (a pattern opens on its literal part, which the regex engine finds fastest)."""

    kind: str
    pattern: str
    grow: bool = False
    back: int = 0


def _after(prefix: str, width: int, alphabet: str = "A-Za-z0-9_") -> str:
    """`prefix` (`width` characters) where no character of a token's alphabet precedes it."""
    return f"{prefix}(?<![{alphabet}].{{{width}}})"


TOKEN_RULES = (
    Rule("AWS Access Key", _after("(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])", 4, "A-Za-z0-9")
         + r"[A-Z0-9]{16}(?![A-Za-z0-9])"),
    Rule("AWS Secret Access Key", r"(?i:aws[A-Za-z0-9_. -]{0,20}?(?:secret|key)[A-Za-z0-9_. \"'-]"
         r"{0,20}?)(?::=|=>|[=:])[ \t]{0,4}[\"']?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
    Rule("Google API Key", _after("AIza", 4, "A-Za-z0-9_-") + "[A-Za-z0-9_-]{35}", grow=True),
    Rule("Google OAuth Client Secret", _after("GOCSPX-", 7, "A-Za-z0-9_-") + "[A-Za-z0-9_-]{28}",
         grow=True),
    Rule("Azure Storage Key", r"(?i:account[_-]?key|shared[_-]?access[_-]?key)[ \t]{0,3}[=:]"
         r"[ \t]{0,3}[\"']?(?P<s>[A-Za-z0-9+/]{40,120}={0,2})", grow=True),
    Rule("Azure AD Client Secret", r"(?<=(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9])Q~"
         r"[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])", back=4),
    Rule("Azure SAS Token", r"[?&]sig=(?P<s>[A-Za-z0-9%+/]{30,200}={0,2})"),
    Rule("GitHub Token", "(?:" + _after("gh[pousr]_", 4) + "[A-Za-z0-9]{36}|"
         + _after("github_pat_", 11) + "[A-Za-z0-9_]{70})", grow=True),
    Rule("GitLab Token", "(?:" + _after("gl", 2, "A-Za-z0-9_-") + "(?:pat|dt|ft|soat|rt|ptt|imt|"
         "agent|oas|cbt|ffct)-[A-Za-z0-9_-]{20}|" + _after("GR1348941", 9, "A-Za-z0-9_-")
         + "[A-Za-z0-9_-]{20})", grow=True),
    Rule("Slack Webhook", r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/"
         r"[A-Za-z0-9_/+-]{20,300}"),
    Rule("Slack Token", _after("x", 1, "A-Za-z0-9_-") + r"(?:oxe\.xox[abposre]|ox[abposre]|app)"
         r"-[0-9]{1,16}-[A-Za-z0-9-]{8}", grow=True),
    Rule("Stripe Access Key", "(?:" + _after("[sr]k_", 3) + "(?:live|test|prod)_[A-Za-z0-9]{10}|"
         + _after("whsec_", 6) + "[A-Za-z0-9]{24})", grow=True),
    Rule("Anthropic API Key", _after("sk-ant-", 7, "A-Za-z0-9_-")
         + "[a-z]{3,8}[0-9]{2}-[A-Za-z0-9_-]{80}", grow=True),
    Rule("OpenAI Token", _after("sk-", 3, "A-Za-z0-9_-") + "(?:(?:proj|svcacct|admin)-"
         "[A-Za-z0-9_-]{40}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})", grow=True),
    Rule("Hugging Face Token", "(?:" + _after("hf_", 3) + "|" + _after("api_org_", 8)
         + ")[A-Za-z0-9]{30}", grow=True),
    Rule("npm Token", _after("npm_", 4) + "[A-Za-z0-9]{36}", grow=True),
    Rule("PyPI Token", _after("pypi-AgE", 8, "A-Za-z0-9_-") + "[A-Za-z0-9_-]{50}", grow=True),
    Rule("SendGrid API Key", _after(r"SG\.", 3, "A-Za-z0-9_-")
         + r"[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,60}", grow=True),
    Rule("Twilio API Key", _after("(?:SK|AC)", 2, "A-Za-z0-9") + "[0-9a-f]{32}(?![A-Za-z0-9])"),
    Rule("DigitalOcean Token", _after("do[opr]_v1_", 7) + "[a-f0-9]{64}(?![A-Za-z0-9])"),
    Rule("JSON Web Token", _after("eyJ", 3, "A-Za-z0-9_-") + r"[A-Za-z0-9_-]{8,2048}\.ey"
         r"[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,2048}", grow=True),
)  # fmt: skip

# Words that name a secret when a key ends with them: DB_PASSWORD, apiKey, client_secret.
_WORDS = (
    "password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "api_key", "apikey",
    "access_key", "secret_key", "private_key", "auth_key", "client_secret",
)  # fmt: skip


def _spelled(words: tuple[str, ...], case: str) -> str:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        pieces = word.split("_")
        if case == "camel":
            pieces = [p.capitalize() for p in pieces]
        elif case == "upper":
            pieces = [p.upper() for p in pieces]
        parts.append("[_.-]?".join(pieces))
    return "|".join(parts)


# As a word of its own (any case), after a lowercase letter in camelCase, or after capitals
# in an all-caps name (PGPASSWORD); never inside a word (bypass, tokens, token_count).
KEYWORD = (
    rf"(?:(?<![A-Za-z])(?i:{_spelled(_WORDS, 'lower')})|(?<=[a-z])(?:{_spelled(_WORDS, 'camel')})"
    rf"|(?<=[A-Z])(?:{_spelled(_WORDS, 'upper')}))(?![A-Za-z0-9_])"
)
_QUOTED = r"(?:\"(?P<s>(?:[^\"\\\r\n]|\\.){1,512})\"|'(?P<q>[^'\r\n]{1,512})')"
# Unquoted: up to a space or a quote, not ending on the punctuation that closes code.
_BARE = r"(?P<u>[^\s\"'`<>{}$(\[,;&][^\s\"'`,;&]{1,510}[^\s\"'`,;&).\]}:])"
_TOKEN = r"[A-Za-z0-9._~+/=-]"

CONTEXT_RULES = (
    Rule("Authorization Header",
         r"(?i:authorization|x-api-key|api-key|x-auth-token|private-token|x-access-token)"
         r"[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?(?:(?i:bearer|basic|token|digest|bot|apikey)"
         rf"[ \t]{{1,3}}(?={_TOKEN}{{4}})|(?={_TOKEN}{{12}}))(?P<s>{_TOKEN}{{4,4096}})"),
    # env, shell, code, JSON, JS: KEY=value, KEY := "value", "key": "value", "key" => "v"
    Rule("Secret Keyword", KEYWORD + r"[\"'\]]{0,2}[ \t]{0,3}(?:(?::=|=>|=(?![=>])|:)[ \t]{0,3}"
         rf"{_QUOTED}|(?::=|=>|=(?![=>]))[ \t]{{0,3}}{_BARE})"),
    # YAML and headers, a key opening its line: `key: value` with a value of one word
    Rule("Secret Keyword", r"(?<![^\n])[ \t]{0,40}(?:-[ \t]{1,4})?[\"']?[A-Za-z0-9_.-]{0,40}?"
         + KEYWORD + r"[\"']?[ \t]{0,3}:[ \t]{1,4}(?=\S{0,511}[^a-z\s])"
         r"(?P<u>[^\s\"'#`<>{}$|&*!\[(]\S{2,511})(?=[ \t]{0,40}(?:#|(?![^\r\n])))"),
)  # fmt: skip

KEY_NAMES_SECRET = re.compile(r"[A-Za-z0-9_. -]{0,64}?" + KEYWORD)
# Values that stand for a secret kept elsewhere: a variable, a template, a placeholder.
PLACEHOLDER = re.compile(
    r"\$\{?[A-Za-z_][\w.]{0,80}\}?|\{\{.{0,200}\}\}|\{[\w.]{1,80}\}|<[^>]{0,200}>|%\(?[\w.]{0,80}"
    r"\)?s?|[*.x-]{1,512}|[A-Z]{1,40}(?:_[A-Z0-9]{1,40}){1,8}|[0-9]{1,7}|(?i:null|none|nil|true|"
    r"false|undefined|changeme|redacted|secret|password|token|your[\w-]{0,40}|example[\w-]{0,40})",
    re.DOTALL,
)
# An unquoted value that is code: a call or an index, a dotted name, a lowercase variable.
CODE = re.compile(r"[^(\[]{0,512}[(\[]")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63}){1,8}|[a-z_]{1,64}")
PEM_HEADER = re.compile(
    r"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-[0-9]:"
)
PEM_END = re.compile(r"-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----")
# scheme://user: — what follows, up to the last @ before the host, is a password.
URL_USER = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/@?#]{0,128}:")
URL_PORT = re.compile(r"[0-9]{1,5}(?![^/?#\s])")
URL_STOP = re.compile(r"[\r\n\"'`<>]|://")
URL_REACH = 256
HOST_START = re.compile(r"[A-Za-z0-9\[]")
MARKER_RE = re.compile(r"\[REDACTED:[A-Za-z0-9 ()._-]{1,64}\]")
LAYOUT = re.compile(r"\\[nrt]|\s")
# The characters a token grows over after its shortest form (no '.': it ends sentences).
GROW_RUN = re.compile(r"[A-Za-z0-9_\-+/=]+")


@dataclass(frozen=True)
class Compiled:
    """A rule ready to run."""

    rule: Rule
    regex: re.Pattern[str]

    def secret_span(self, match: re.Match[str]) -> tuple[int, int]:
        """The span of the secret in `match`."""
        for name in ("s", "q", "u"):
            if name in self.regex.groupindex and match.group(name) is not None:
                return match.start(name), match.end(name)
        return match.start() - self.rule.back, match.end()


def compiled(rules: tuple[Rule, ...], flags: int = 0) -> tuple[Compiled, ...]:
    """`rules` compiled, each on its own: one regex per rule runs faster than their union,
    whose every branch the engine would try at every position."""
    return tuple(Compiled(rule, re.compile(rule.pattern, flags)) for rule in rules)
