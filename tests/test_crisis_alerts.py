"""Crisis alerts are not best-effort: signed, kept until staff's receiver acknowledges them, and a server
without a receiver does not start unless alerts are off by name. (Kept across a restart of the server:
tests/test_server_restart.py.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from brokers.alert_outbox import pending_alerts
from brokers.crisis_alert import AlertReceiverMissing, CrisisAlertBroker
from scripts.stack import LOGS, start_rasa
from tests.test_crisis import CRISIS_MESSAGE

# more refusals than the four tries (over about 27 s) after which an alert was once dropped
LONG_OUTAGE_REFUSALS = 5


def pending_in(db) -> list:
    with sa.create_engine(f"sqlite:///{db}").connect() as connection:
        return connection.execute(sa.select(pending_alerts)).all()


def test_every_alert_is_signed_with_the_shared_secret(rasa, alert_receiver, sender):
    rasa.say(sender, CRISIS_MESSAGE)
    assert len(alert_receiver.wait_for(sender)) == 1  # the receiver records only alerts whose signature holds
    assert not any(sender.encode() in body for body in alert_receiver.forged)


def test_an_alert_the_receiver_refuses_is_sent_again_until_it_is_acknowledged(rasa, alert_receiver, sender):
    alert_receiver.refusals[sender] = LONG_OUTAGE_REFUSALS
    rasa.say(sender, CRISIS_MESSAGE)
    alerts = alert_receiver.wait_for(sender, seconds=90)
    assert len(alert_receiver.refused_for(sender)) == LONG_OUTAGE_REFUSALS
    assert len(alerts) == 1 and alerts[0]["alert_id"] == alert_receiver.refused_for(sender)[0]["alert_id"]
    assert not [row for row in pending_in(rasa.db) if sender in row.body]  # acknowledged: no longer pending


def test_a_server_with_no_alert_receiver_set_does_not_start(action_server, tmp_path):
    with pytest.raises(RuntimeError, match="exited early"):
        start_rasa("rasa-no-alert-receiver", tmp_path, f"{action_server.url}/webhook", alert_url="")
    log = " ".join((LOGS / "test-rasa-no-alert-receiver.log").read_text().split())
    assert "CRISIS_ALERT_URL is not set" in log and "'off'" in log


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_a_receiver_without_a_secret_long_enough_to_sign_with_is_refused(secret):
    with pytest.raises(AlertReceiverMissing, match="CRISIS_ALERT_SECRET"):
        CrisisAlertBroker("http://127.0.0.1:9/alerts", secret=secret)


@pytest.mark.parametrize("url", ["off", "OFF", " off "])
def test_alerts_turned_off_by_name_need_no_secret(url):
    assert CrisisAlertBroker(url).url is None
