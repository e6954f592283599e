"""A notification campaign to N subjects through a local SMTP sink, next to a bare SMTP baseline.

Run:  .venv/bin/python bench/campaign.py [--subjects 1000000] [--url sqlite:///bench/campaign-N.db]
The data (bench/datagen.py) is generated once and kept; the campaign's rows are removed after.
``--subjects`` scales the run down (the figures say how many were used).

Path: the campaign is created in this process by the service the CLI calls (``mamori campaigns
create``), which builds the audience (one delivery row per person) and queues the first
``campaigns.send`` job; then a real worker process (``mamori worker run``) runs the chain of jobs
through the durable queue, as in production: each job claims a batch, decrypts the addresses,
renders each person's language, hands the messages to SMTP and records them.

The sink (bench/smtp_sink.py) is a lean SMTP server in 2 processes on one port that keeps every
Message-ID it accepts. Figures: audience build time; messages per second from the record of the
first batch to that of the last; the worker's peak memory (VmHWM); and the baseline measured in
the same run: the same number of ready-made messages handed over the same SMTP transport with no
database, no queue and no rendering. Targets (issue 22): >= 2,000 messages/s on two cores,
<= 300 MB peak. The run checks it did the work: every e-mail delivery is recorded as sent, and
the sink received exactly one message per delivery, each Message-ID once.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, func, select

from mamori.campaigns import service
from mamori.campaigns.models import Campaign, CampaignDelivery
from mamori.campaigns.sender import BATCH, SmtpTransport, Template
from mamori.db.queue_models import Job
from mamori.db.session import make_engine, make_session_factory, unit_of_work

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smtp_sink import Sink

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FULL = 1_000_000  # the size


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(port: int, count: int) -> float:
    """Messages per second: one ready-made message over the same transport, no database."""
    body = "Version 2 of our privacy policy makes these changes.\n" * 4
    template = Template.of("privacy@example.jp", "Changes to our privacy policy", body)
    transport = SmtpTransport("127.0.0.1", port)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        stop = min(count, start + BATCH)
        messages = [
            template.message("someone@bench.example.jp", f"<b{n}@example.jp>") for n in range(start, stop)
        ]
        transport.send_all("privacy@example.jp", messages)
        transport.close()  # as a campaign batch does
    return count / (time.perf_counter() - started)


def worker_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_worker(url: str, port: int, factory: object) -> float:
    """Run ``mamori worker run`` until no campaign job is left; its peak memory in MB."""
    env = {
        **os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_MAIL_BACKEND": "smtp",
        "MAMORI_SMTP_HOST": "127.0.0.1", "MAMORI_SMTP_PORT": str(port),
        "MAMORI_MAIL_FROM": "privacy@example.jp", "MAMORI_ALLOW_DEV_KEYS": "true",
    }  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "mamori", "worker", "run", "--poll", "0.05", "--concurrency", "1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while worker.poll() is None:
            time.sleep(1.0)
            with unit_of_work(factory) as session:  # type: ignore[arg-type]
                queued = session.scalar(select(func.count()).where(
                    Job.kind == service.SEND, Job.state.in_(("pending", "running"))))  # fmt: skip
            if not queued:
                break
        peak = worker_peak_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(60)
    if worker.returncode not in (0, -15):
        raise SystemExit(f"the worker failed ({worker.returncode})")
    return peak


def campaign(url: str, port: int) -> tuple[float, float, int, float]:
    """(audience seconds, messages per second, e-mails sent, worker peak MB) of one notification campaign."""
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        session.execute(delete(Job).where(Job.kind == service.SEND))  # left by an interrupted run
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        made = service.create_campaign(
            session, actor="bench", kind="notification", purpose_id="customer.sales", rate_per_second=10**6
        )
    audience = time.perf_counter() - started
    peak = run_worker(url, port, factory)
    with unit_of_work(factory) as session:
        sent_at = CampaignDelivery.sent_at
        mine = CampaignDelivery.campaign_id == made.id
        recorded = session.scalar(select(func.count()).where(mine, CampaignDelivery.status == "sent"))
        emails = session.scalar(select(func.count()).where(mine, CampaignDelivery.channel == "email"))
        first, last = session.execute(select(func.min(sent_at), func.max(sent_at)).where(mine)).one()
        in_first = session.scalar(select(func.count()).where(mine, sent_at == first))
        assert recorded == emails, (recorded, emails)
        session.execute(delete(CampaignDelivery).where(mine))
        session.execute(delete(Campaign).where(Campaign.id == made.id))
        session.execute(delete(Job).where(Job.kind == service.SEND))
    seconds = (last - first).total_seconds()
    rate = (recorded - in_first) / seconds if seconds > 0 else float("nan")
    return audience, rate, int(recorded or 0), peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=FULL)
    parser.add_argument("--url", default=None, help="default: sqlite:///bench/campaign-<N>.db")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{HERE}/campaign-{args.subjects}.db"
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        print(f"generating {args.subjects:,} subjects ...", flush=True)  # in its own process: memory
        datagen = [sys.executable, str(HERE / "datagen.py"), "--url", url, "--subjects", str(args.subjects)]
        subprocess.run(datagen, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own script
    load = os.getloadavg()[0]
    sink = Sink(Path(tempfile.gettempdir()) / f"mamori-bench-sink-{os.getpid()}")
    try:
        audience, rate, sent, worker_peak = campaign(url, sink.port)
        received = sink.stop()
        assert len(received) == sent == len(set(received)), (len(received), sent, len(set(received)))
        sink = Sink(Path(tempfile.gettempdir()) / f"mamori-bench-sink-{os.getpid()}")
        bare = baseline(sink.port, min(sent, 200_000))
    finally:
        sink.stop()
    scaled = "" if args.subjects == FULL else "  (scaled down from 1,000,000 with --subjects)"
    print(f"subjects {args.subjects:,}{scaled}; e-mails sent, recorded and received once each {sent:,}")
    print(f"load average (1 min) at start {load:.1f} on {os.cpu_count()} cores; now {os.getloadavg()[0]:.1f}")
    print(f"audience built (deliveries)   {audience:8.1f} s       (this process, peak {peak_mb():,.0f} MB)")
    print(f"campaign through the worker   {rate:8,.0f} messages/s   (goal >= 2,000)")
    print(f"bare SMTP baseline            {bare:8,.0f} messages/s   (campaign at {rate / bare:.0%} of it)")
    print(f"worker peak memory (VmHWM)    {worker_peak:8,.0f} MB          (goal <= 300)")


if __name__ == "__main__":
    main()
