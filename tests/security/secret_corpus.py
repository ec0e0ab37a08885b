"""A corpus of fake secrets in the shapes the common scanners know (gitleaks' rule set as
the reference), each as an agent would paste it, and of ordinary text that must be left
alone. The secrets are generated from a fixed seed, never written out, so no scanner takes
this file for a leak and no example is a real key.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass

rng = random.Random(20261127)
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"


def chars(alphabet: str, n: int) -> str:
    """`n` characters drawn from `alphabet`."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _jwt(subject: str) -> str:
    header = _b64url({"alg": "RS256", "typ": "JWT", "kid": chars(HEX, 8)})
    payload = _b64url({"sub": subject, "iat": rng.randrange(1_700_000_000, 1_800_000_000)})
    return f"{header}.{payload}.{chars(URLSAFE, 86)}"


def _pem(label: str, lines: int, newline: str = "\n") -> str:
    body = newline.join(chars(B64, 64) for _ in range(lines))
    return f"-----BEGIN {label}-----{newline}{body}{newline}-----END {label}-----"


@dataclass(frozen=True)
class Example:
    """`before` + secret + `after`: stored, it must read `before[REDACTED:kind]after`."""

    format: str
    kind: str
    before: str
    secret: str
    after: str = ""
    as_tag: bool = False  # short and slug-shaped: an agent could paste it as a tag or topic

    @property
    def text(self) -> str:
        return f"{self.before}{self.secret}{self.after}"

    @property
    def redacted(self) -> str:
        return f"{self.before}[REDACTED:{self.kind}]{self.after}"


_password = "p@ss w#rd" + chars(ALNUM, 6)
POSITIVES = [
    Example("aws-access-key-id", "AWS Access Key", "Deploy with key id ",
            "AKIA" + chars(UPPER, 16), " for the CI role.", as_tag=True),
    Example("aws-access-key-id", "AWS Access Key", "export AWS_ACCESS_KEY_ID=",
            "ASIA" + chars(UPPER, 16)),
    Example("aws-secret-access-key", "AWS Secret Access Key", "AWS_SECRET_ACCESS_KEY=",
            chars(B64, 40), " for the deploy role"),
    Example("aws-secret-access-key", "AWS Secret Access Key",
            "[default]\naws_secret_access_key = ", chars(B64, 40), "\n"),
    Example("gcp-api-key", "Google API Key", "Maps key ", "AIza" + chars(URLSAFE, 35),
            " is in the frontend bundle.", as_tag=True),
    Example("gcp-api-key", "Google API Key", '{"apiKey": "', "AIza" + chars(URLSAFE, 35), '"}'),
    Example("gcp-oauth-client-secret", "Google OAuth Client Secret", "client secret ",
            "GOCSPX-" + chars(URLSAFE, 28), " for the admin login"),
    Example("gcp-oauth-client-secret", "Google OAuth Client Secret", "GOOGLE_OAUTH=",
            "GOCSPX-" + chars(URLSAFE, 28)),
    Example("gcp-service-account", "Private Key", '{"type": "service_account", "private_key": "',
            _pem("PRIVATE KEY", 26, "\\n"),
            '\\n", "client_email": "ci@shop.iam.gserviceaccount.com"}'),
    Example("gcp-service-account", "Private Key", "key.json holds:\n",
            _pem("PRIVATE KEY", 20), "\nand nothing else"),
    Example("azure-storage-key", "Azure Storage Key",
            "DefaultEndpointsProtocol=https;AccountName=shopdata;AccountKey=",
            chars(B64, 86) + "==", ";EndpointSuffix=core.windows.net"),
    Example("azure-storage-key", "Azure Storage Key",
            "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=",
            chars(B64, 43) + "=", ""),
    Example("azure-ad-client-secret", "Azure AD Client Secret", "AZURE_CLIENT_SECRET: ",
            chars(ALNUM, 3) + "8Q~" + chars(ALNUM + "_~.-", 33) + chars(ALNUM, 1), " (expires)"),
    Example("azure-ad-client-secret", "Azure AD Client Secret", "app registration secret ",
            chars(ALNUM, 3) + "7Q~" + chars(ALNUM, 34), " in the portal"),
    Example("azure-sas-token", "Azure SAS Token", "https://shop.blob.core.windows.net/exports?sv="
            "2022-11-02&ss=b&srt=o&sp=r&se=2026-12-01T00:00:00Z&sig=", chars(ALNUM, 43) + "%3D",
            " expires monthly"),
    Example("azure-sas-token", "Azure SAS Token", "SAS query: ?sp=racwdl&st=2026-01-01&sig=",
            chars(ALNUM, 30) + "%2B" + chars(ALNUM, 12) + "%3D"),
    Example("github-classic-pat", "GitHub Token", "git remote set-url origin https://",
            "ghp_" + chars(ALNUM, 36), "@github.com/shop/orders.git", as_tag=True),
    Example("github-classic-pat", "GitHub Token", "GITHUB_TOKEN=", "ghp_" + chars(ALNUM, 36)),
    Example("github-fine-grained-pat", "GitHub Token", "fine-grained token ",
            "github_pat_" + chars(ALNUM, 22) + "_" + chars(ALNUM, 59), " for the release bot"),
    Example("github-fine-grained-pat", "GitHub Token", "gh auth login --with-token <<< ",
            "github_pat_" + chars(ALNUM, 22) + "_" + chars(ALNUM, 59)),
    Example("github-oauth", "GitHub Token", "OAuth token ", "gho_" + chars(ALNUM, 36), "."),
    Example("github-oauth", "GitHub Token", "app installation token ", "ghs_" + chars(ALNUM, 36),
            " (1h)"),
    Example("gitlab-pat", "GitLab Token", "GITLAB_TOKEN=", "glpat-" + chars(URLSAFE, 20),
            as_tag=True),
    Example("gitlab-pat", "GitLab Token", "runner token ", "glrt-" + chars(URLSAFE, 20),
            " registered"),
    Example("gitlab-pat", "GitLab Token", "registration ", "GR1348941" + chars(URLSAFE, 20)),
    Example("slack-bot-token", "Slack Token", "SLACK_BOT_TOKEN=",
            f"xoxb-{chars(string.digits, 12)}-{chars(string.digits, 13)}-{chars(ALNUM, 24)}",
            as_tag=True),
    Example("slack-user-token", "Slack Token", "user token ",
            f"xoxp-{chars(string.digits, 12)}-{chars(string.digits, 12)}-"
            f"{chars(string.digits, 13)}-{chars(HEX, 32)}", " for the export"),
    Example("slack-app-token", "Slack Token", "socket mode: ",
            f"xapp-1-A0{chars(UPPER, 9)}-{chars(string.digits, 13)}-{chars(HEX, 64)}"),
    Example("slack-webhook", "Slack Webhook", "alerts go to ",
            f"https://hooks.slack.com/services/T{chars(UPPER, 8)}/B{chars(UPPER, 10)}/"
            f"{chars(ALNUM, 24)}", " (channel #orders)"),
    Example("slack-webhook", "Slack Webhook", "SLACK_WEBHOOK_URL: ",
            f"https://hooks.slack.com/workflows/T{chars(UPPER, 8)}/A{chars(UPPER, 10)}/"
            f"{chars(string.digits, 18)}/{chars(ALNUM, 24)}"),
    Example("stripe-secret-key", "Stripe Access Key", "charge with ",
            "sk_live_" + chars(ALNUM, 99), " only from the worker"),
    Example("stripe-secret-key", "Stripe Access Key", "restricted key ",
            "rk_live_" + chars(ALNUM, 24), " for refunds", as_tag=True),
    Example("stripe-secret-key", "Stripe Access Key", "STRIPE_KEY=", "sk_test_" + chars(ALNUM, 24)),
    Example("stripe-webhook-secret", "Stripe Access Key", "webhook signing secret ",
            "whsec_" + chars(ALNUM, 32), "."),
    Example("openai-project-key", "OpenAI Token", "OPENAI_API_KEY=",
            "sk-proj-" + chars(URLSAFE, 74) + "T3BlbkFJ" + chars(URLSAFE, 74)),
    Example("openai-legacy-key", "OpenAI Token", "old key ",
            "sk-" + chars(ALNUM, 20) + "T3BlbkFJ" + chars(ALNUM, 20), " was revoked?"),
    Example("openai-service-account-key", "OpenAI Token", "svc ",
            "sk-svcacct-" + chars(URLSAFE, 58) + "T3BlbkFJ" + chars(URLSAFE, 58)),
    Example("anthropic-api-key", "Anthropic API Key", "ANTHROPIC_API_KEY=",
            "sk-ant-api03-" + chars(URLSAFE, 93) + "AA"),
    Example("anthropic-admin-key", "Anthropic API Key", "admin key ",
            "sk-ant-admin01-" + chars(URLSAFE, 93) + "AA", " for usage reports"),
    Example("huggingface-token", "Hugging Face Token", "HF token ",
            "hf_" + chars(string.ascii_letters, 34), " for the model download", as_tag=True),
    Example("huggingface-token", "Hugging Face Token", "HUGGING_FACE_HUB_TOKEN=",
            "api_org_" + chars(string.ascii_letters, 34)),
    Example("npm-token", "npm Token", "//registry.npmjs.org/:_authToken=",
            "npm_" + chars(ALNUM, 36), "\n", as_tag=True),
    Example("npm-token", "npm Token", "publish with ", "npm_" + chars(ALNUM, 36), " from CI"),
    Example("pypi-token", "PyPI Token", "TWINE_PASSWORD=",
            "pypi-AgEIcHlwaS5vcmc" + chars(URLSAFE, 150)),
    Example("pypi-token", "PyPI Token", "[pypi]\nusername = __token__\npassword = ",
            "pypi-AgEIcHlwaS5vcmc" + chars(URLSAFE, 120), "\n"),
    Example("sendgrid-key", "SendGrid API Key", "SENDGRID_API_KEY=",
            f"SG.{chars(URLSAFE, 22)}.{chars(URLSAFE, 43)}"),
    Example("sendgrid-key", "SendGrid API Key", "mail via ",
            f"SG.{chars(URLSAFE, 22)}.{chars(URLSAFE, 43)}", " (transactional)"),
    Example("twilio-api-key", "Twilio API Key", "twilio key ", "SK" + chars(HEX, 32),
            " and its secret", as_tag=True),
    Example("twilio-account-sid", "Twilio API Key", "account ", "AC" + chars(HEX, 32), "."),
    Example("digitalocean-pat", "DigitalOcean Token", "DIGITALOCEAN_TOKEN=",
            "dop_v1_" + chars(HEX, 64)),
    Example("digitalocean-oauth", "DigitalOcean Token", "doctl uses ", "doo_v1_" + chars(HEX, 64),
            " today"),
    Example("jwt", "JSON Web Token", "session cookie ", _jwt("svc-orders"), "; HttpOnly"),
    Example("jwt", "JSON Web Token", "id_token: ", _jwt("user-42")),
    Example("pem-private-key", "Private Key", "deploy key:\n", _pem("RSA PRIVATE KEY", 25),
            "\nkeep it safe"),
    Example("pem-private-key", "Private Key", "", _pem("EC PRIVATE KEY", 4)),
    Example("pem-private-key", "Private Key", "pkcs8: ", _pem("ENCRYPTED PRIVATE KEY", 16)),
    Example("openssh-private-key", "Private Key", "~/.ssh/id_ed25519:\n",
            _pem("OPENSSH PRIVATE KEY", 7), "\n"),
    Example("openssh-private-key", "Private Key", "the bastion key ",
            _pem("OPENSSH PRIVATE KEY", 12), " (ed25519)"),
    Example("password-in-url", "Basic Auth Credentials", "DATABASE_URL=postgres://orders:",
            _password, "@db.internal:5432/orders"),
    Example("password-in-url", "Basic Auth Credentials", "cache at redis://:",
            chars(ALNUM + "!$&*", 24), "@cache:6379/0 for sessions"),
    Example("password-in-url", "Basic Auth Credentials", "mongodb+srv://app:",
            chars(ALNUM, 16) + "@" + chars(ALNUM, 4),
            "@cluster0.example.net/shop?retryWrites=true"),
    Example("password-in-url", "Basic Auth Credentials", "registry https://deploy:",
            chars(ALNUM + "%#?", 20), "@registry.example.com/v2/"),
    Example("env-password", "Secret Keyword", "DB_PASSWORD=", chars(ALNUM + "!%^", 18)),
    Example("env-password", "Secret Keyword", "export PGPASSWORD=", chars(ALNUM, 14), " && psql"),
    Example("env-secret", "Secret Keyword", "JWT_SECRET=", chars(ALNUM, 32), "\nPORT=8080"),
    Example("env-token", "Secret Keyword", "API_TOKEN='", chars(ALNUM + " -", 20) + "x", "'"),
    Example("json-password", "Secret Keyword", '{"user": "app", "password": "',
            "p@ss w0rd " + chars(ALNUM, 8), '"}'),
    Example("json-secret", "Secret Keyword", '"client_secret": "', chars(ALNUM, 40), '",'),
    Example("json-token", "Secret Keyword", "{'token': '", chars(ALNUM, 24), "'}"),
    Example("yaml-password", "Secret Keyword", "database:\n  host: db\n  password: ",
            chars(ALNUM, 12) + "&3", "\n  port: 5432\n"),
    Example("yaml-api-key", "Secret Keyword", "api_key: '", chars(ALNUM, 30), "'\n"),
    Example("yaml-token", "Secret Keyword", "- name: deploy\n  token: ", chars(ALNUM, 20) + "1",
            "  # rotated monthly\n"),
    Example("authorization-bearer", "Authorization Header", "Authorization: Bearer ",
            chars(ALNUM, 40), "\nAccept: application/json"),
    Example("authorization-basic", "Authorization Header",
            "curl -H 'Authorization: Basic ",
            base64.b64encode(f"admin:{chars(ALNUM, 12)}".encode()).decode(),
            "' https://api.example.com/orders"),
    Example("authorization-token", "Authorization Header", '{"Authorization": "Token ',
            chars(HEX, 40), '"}'),
    Example("api-key-header", "Authorization Header", "X-Api-Key: ", chars(ALNUM, 32)),
    Example("token-in-query", "Secret Keyword", "GET https://api.example.com/v1/orders?access_token=",
            chars(ALNUM, 40), "&page=2"),
    Example("telegram-bot-token", "Telegram Bot Token", "bot ",
            chars(string.digits, 9) + ":AA" + chars(URLSAFE, 33), " posts releases"),
    Example("mailchimp-key", "Mailchimp Access Key", "mailchimp ",
            chars(string.ascii_lowercase + string.digits, 32) + "-us12", " for the newsletter"),
]  # fmt: skip

NEGATIVES = [
    "Fixed in commit 3f786850e387550fdab836ed7e6dc881de23001b (PR #42).",
    "See memory 01JD3N8Y5QK2ZC8W3X7V6B4T9M and request 9f1c2d3e-4b5a-6789-abcd-ef0123456789.",
    "The password field is validated server-side; tokens expire after 15 minutes.",
    "Connect to postgres://db.internal:5432/orders with the vault credentials.",
    "See https://example.com:8080/docs or mail ops@example.org about it.",
    "Set max_tokens=256 and token_count=12 in the completion request.",
    "The app reads password=${DB_PASSWORD} from the environment.",
    "Send `Authorization: Bearer <token>` with every call.",
    "Our secret: keep the cache warm before the sale.",
    "Password: required for the admin UI only.",
    "Image digest sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.",
    "[REDACTED:GitHub Token] was rotated on Monday.",
    "api_key = os.environ['SHOP_API_KEY']",
    "token = get_token(scope)",
    "The bypass flag is set; compass=north in the map config.",
    "Email jane.doe@example.com about the outage at 10:30.",
    "Keys are rotated by the rotate-keys job: AKIA keys older than 90 days are disabled.",
    "docker run -e PASSWORD_FILE=/run/secrets/db postgres",
    "export AWS_PROFILE=shop-prod",
    "The Stripe test card 4242 4242 4242 4242 works in sk_test mode.",
    "A session lasts 15 minutes; the refresh token lasts 30 days.",
    "| token | expires |\n|---|---|\n| access | 15 min |",
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 deploy@ci (public key, fine to share)",
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
    "Orders live in PostgreSQL, one table per aggregate; the API returns cursor pages of 50.",
    "Use the secret_key setting from Vault (path kv/shop/web) and never commit it.",
    "Auth flow: the client exchanges its code for a token at /oauth/token, then calls /orders.",
    "Run pip install --index-url https://pypi.org/simple shop-client==1.4.2",
    "git clone https://github.com/shop/orders.git && cd orders",
]
