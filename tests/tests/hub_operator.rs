//! What an operator watches on a running hub (issue 24 item 3): `/healthz` answers
//! anyone; `/readyz` is 503 until the channel runtime runs, 200 while it does and 503
//! again once it stopped; `/metrics` is refused without its token and with a wrong one,
//! and with it counts the webhook delivery, the request by route and status with its
//! latency, the open push stream, the outbox and the store's size, while no label or
//! value holds the customer's text, number or name, nor a user's name.
//!
//! Real parts: the hub's router and TLS listener on loopback, a real channel runtime,
//! rustls, SQLCipher.

use appcare_hub::team::MetricsToken;
use appcare_tests::hub_setup::TestHub;
use appcare_tests::TestResult;

const TOKEN: &str = "metrics-token-for-the-test-0123";
const MARKER: &str = "zebra-crossing-marker-7731";
const CUSTOMER_NUMBER: &str = "4917612398765";

fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> TestResult<(u16, String)> {
    let mut request = agent.get(url);
    if let Some(token) = token {
        request = request.set("authorization", &format!("Bearer {token}"));
    }
    Ok(match request.call() {
        Ok(r) => (r.status(), r.into_string()?),
        Err(ureq::Error::Status(status, r)) => (status, r.into_string()?),
        Err(e) => return Err(e.into()),
    })
}

#[test]
fn health_readiness_and_metrics_answer_the_operator_and_reveal_no_customer() -> TestResult {
    let hub = TestHub::start_with(|o| o.metrics_token = MetricsToken::new(TOKEN).ok())?;
    let agent = hub.trusting_agent()?;
    let base = hub.address.base().to_owned();

    let (status, body) = get(&agent, &format!("{base}/healthz"), None)?;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));

    // Not ready until a channel runtime runs, ready while it does, not after it stopped.
    let readiness = |agent: &ureq::Agent| -> TestResult<(u16, serde_json::Value)> {
        let (status, body) = get(agent, &format!("{base}/readyz"), None)?;
        Ok((status, serde_json::from_str(&body)?))
    };
    let (status, body) = readiness(&agent)?;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["channel_runtime"], false);
    assert_eq!(body["checks"]["store"], true);
    let channels = hub.start_channel_runtime()?;
    let (status, body) = readiness(&agent)?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ready"], true);
    assert_eq!(body["checks"]["audit_chain_head"], true);

    // A customer writes (the marker in their text) and a desktop listens.
    assert_eq!(
        hub.customer_writes(&agent, CUSTOMER_NUMBER, "wamid.OPERATOR1", MARKER)?,
        200
    );
    let _stream = hub.client().events(&hub.admin, None)?;

    let metrics = format!("{base}/metrics");
    assert_eq!(get(&agent, &metrics, None)?.0, 401);
    assert_eq!(
        get(&agent, &metrics, Some("metrics-token-for-the-test-0124"))?.0,
        401
    );
    let mut text = String::new();
    for _ in 0..50 {
        let (status, body) = get(&agent, &metrics, Some(TOKEN))?;
        assert_eq!(status, 200, "{body}");
        text = body;
        if text.contains("appcare_push_streams_open 1") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    for expected in [
        "appcare_webhook_deliveries_total{channel=\"whatsapp\",outcome=\"accepted\"} 1\n",
        "appcare_http_requests_total{method=\"POST\",route=\"/webhooks/whatsapp\",status=\"200\"} 1\n",
        "appcare_http_request_duration_seconds_count{method=\"GET\",route=\"/readyz\"} 2\n",
        "appcare_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"401\"} 2\n",
        "appcare_push_streams_open 1\n",
        "appcare_channel_runtime_up 1\n",
        "appcare_outbox_messages{state=\"failed\"} 0\n",
    ] {
        assert!(text.contains(expected), "{expected} missing from\n{text}");
    }
    let store_bytes: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("appcare_store_bytes "))
        .ok_or("no store size")?
        .parse()?;
    assert!(store_bytes > 0.0);
    for secret in [MARKER, CUSTOMER_NUMBER, "Webhook Customer", "wamid", TOKEN] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }

    hub.stop_channel_runtime(channels)?;
    let (status, body) = readiness(&agent)?;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["channel_runtime"], false);
    Ok(())
}
