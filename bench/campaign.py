"""A notification campaign to N subjects through a local SMTP sink, next to a bare SMTP baseline.

Run:  .venv/bin/python bench/campaign.py [--subjects 1000000] [--url sqlite:///bench/campaign-N.db]
The data (bench/datagen.py) is generated once and kept; the campaign's rows are removed after.
The sink is aiosmtpd's discarding handler in its own process, as a mail relay would be.

Figures: the time to build the audience (one delivery row per person), messages per second
rendered and handed to SMTP by the campaign (batches as the ``campaigns.send`` job runs them:
read, decrypt the address, render in the person's language, send, record), peak memory (RSS) of
this process, and the baseline: the same number of ready-made messages sent over one SMTP
connection with no database at all. Targets (issue 22): >= 2,000 messages/s on two cores,
<= 300 MB peak. The run checks it did the work: every e-mail delivery is recorded as sent.
"""

from __future__ import annotations

import argparse
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import delete, func, select

from mamori.campaigns import service
from mamori.campaigns.models import Campaign, CampaignDelivery
from mamori.campaigns.sender import BATCH, SmtpTransport, send_batch
from mamori.config import Settings
from mamori.db.queue_models import Job
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.notify.backends import Email

HERE = Path(__file__).resolve().parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_sink() -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    sink = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return sink, port
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise SystemExit("the SMTP sink did not start")


def baseline(port: int, count: int) -> float:
    """Messages per second: one ready-made text sent over the same connections, no database."""
    body = "Version 2 of our privacy policy makes these changes.\n" * 4
    email = Email("someone@bench.example.jp", "Changes to our privacy policy", body, "privacy@example.jp")
    transport = SmtpTransport("127.0.0.1", port)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        transport.send_all(email.sender, [template.message(email.to, f"<b{n}@example.jp>") for n in range(start, min(count, start + BATCH))])
        transport.close()  # as a campaign batch does
    return count / (time.perf_counter() - started)


def campaign(url: str, port: int, settings: Settings) -> tuple[float, float, int]:
    """(audience seconds, messages per second, e-mails sent) of one notification campaign."""
    factory = make_session_factory(make_engine(url))
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        made = service.create_campaign(
            session, actor="bench", kind="notification", purpose_id="customer.sales", rate_per_second=10**6
        )
        session.execute(delete(Job).where(Job.kind == service.SEND))  # this run sends in-process
    audience = time.perf_counter() - started
    sent, started, more = 0, time.perf_counter(), True
    while more:
        with unit_of_work(factory) as session:  # one unit of work per batch, as the job
            batch = send_batch(session, settings, made.id, transport=SmtpTransport("127.0.0.1", port))
        sent, more = sent + batch.sent, batch.more
    rate = sent / (time.perf_counter() - started)
    with unit_of_work(factory) as session:
        recorded = session.scalar(select(func.count()).where(
            CampaignDelivery.campaign_id == made.id, CampaignDelivery.status == "sent"))  # fmt: skip
        emails = session.scalar(select(func.count()).where(
            CampaignDelivery.campaign_id == made.id, CampaignDelivery.channel == "email"))  # fmt: skip
        assert recorded == emails == sent, (recorded, emails, sent)
        session.execute(delete(CampaignDelivery).where(CampaignDelivery.campaign_id == made.id))
        session.execute(delete(Campaign).where(Campaign.id == made.id))
    return audience, rate, sent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="default: sqlite:///bench/campaign-<N>.db")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{HERE}/campaign-{args.subjects}.db"
    settings = Settings(database_url=url, _env_file=None, mail_from="privacy@example.jp")
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        print(f"generating {args.subjects:,} subjects ...", flush=True)  # in its own process: memory
        datagen = [sys.executable, str(HERE / "datagen.py"), "--url", url, "--subjects", str(args.subjects)]
        subprocess.run(datagen, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own script
    sink, port = start_sink()
    try:
        audience, rate, sent = campaign(url, port, settings)
        memory = peak_mb()
        bare = baseline(port, min(sent, 200_000))
    finally:
        sink.terminate()
        sink.wait()
    print(f"subjects {args.subjects:,}; e-mails sent and recorded {sent:,}")
    print(f"audience built (deliveries)   {audience:8.1f} s")
    print(f"campaign                      {rate:8,.0f} messages/s   (goal >= 2,000)")
    print(f"bare SMTP baseline            {bare:8,.0f} messages/s   (campaign at {rate / bare:.0%} of it)")
    print(f"peak memory (RSS)             {memory:8,.0f} MB          (goal <= 300)")


if __name__ == "__main__":
    main()
