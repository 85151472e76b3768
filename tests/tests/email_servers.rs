//! The e-mail channel against real mail servers: a customer's mail sent over SMTP is
//! synced (left unread in the mailbox), the agent's reply reaches the customer's
//! mailbox with In-Reply-To, References, Reply-To and subject, a copy lands in Sent,
//! and the customer's answer joins the same conversation; an initial sync with
//! progress, an incremental one, nothing when nothing is new, and a UIDVALIDITY change
//! resynced without a duplicate; IDLE picks up each delivery within a second, and
//! without IDLE the mailbox is polled; the sync reconnects after the server goes away
//! and says why meanwhile; the awkward-MIME corpus plus an oversized attachment, each
//! mail stored or set aside as `EXPECT` says while the sync goes on; a reply during an
//! SMTP outage is retried and arrives exactly once; the CLI syncs a mailbox once,
//! showing its progress; a thread with three people copied in stays one conversation,
//! a signed reply-all (plus a blind copy) reaches each of them exactly once, and a
//! copied-in person's answer joins the thread; a forward of the whole conversation
//! reaches its address as a new thread with the customer's file; a wrong password typed
//! into the mailbox's settings stops the sync with a reason, and the right one starts it
//! again at once; `appcare channel mail-password` replaces the password without
//! printing it; "Test connection" signs in to both servers and opens both folders (a
//! wrong password fails both sign-ins, the folders are skipped), also from `appcare
//! channel test`; a disabled mailbox stops syncing until enabled, a removed one for good
//! while its conversations stay; a mail the server refused is fetched again by folder and
//! UID when an admin tries it again, and filed, the folder's counts still adding up.
//!
//! Real parts: Dovecot (IMAP) and Postfix (SMTP) on loopback, started by
//! `tests/mail/servers.sh`; SQLCipher; the `appcare` binary.

use appcare_channels::email::sync::sync_once;
use appcare_channels::ChannelRuntime;
use appcare_core::{Timestamp, Workspace};
use appcare_tests::channel_setup::{eventually, query_i64, query_text};
use appcare_tests::mail_servers::{MailServers, BENCH, COPIED};
use appcare_tests::mail_setup::{
    customer_mail, header, mail_options, mail_runtime_options, mail_world, mail_world_at, CUSTOMER,
    MAIL_PASSWORD, SUPPORT,
};
use appcare_tests::TestResult;
use std::time::{Duration, Instant};

/// The customer's own mail client: SMTP submission with STARTTLS and a login, like any
/// mail program would do.
async fn customer_sends(servers: &MailServers, raw: &[u8]) -> TestResult {
    send_from(servers, CUSTOMER, SUPPORT, raw).await
}

/// Someone's mail client submits `raw` from `from` to `to` (the envelope).
async fn send_from(servers: &MailServers, from: &str, to: &str, raw: &[u8]) -> TestResult {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let tls = TlsParameters::builder("127.0.0.1".into())
        .add_root_certificate(Certificate::from_pem(servers.ca_pem.as_bytes())?)
        .build_rustls()?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(servers.smtp_port)
        .tls(Tls::Required(tls))
        .credentials(Credentials::new(from.into(), MAIL_PASSWORD.into()))
        .build();
    let envelope = lettre::address::Envelope::new(Some(from.parse()?), vec![to.parse()?])?;
    transport.send_raw(&envelope, raw).await?;
    Ok(())
}

fn messages(ws: &Workspace) -> i64 {
    query_i64(ws, "SELECT count(*) FROM messages WHERE direction = 'in'")
}

fn conversation_with(ws: &Workspace, header_id: &str) -> i64 {
    query_i64(
        ws,
        &format!(
            "SELECT m.conversation_id FROM email_messages e JOIN messages m ON m.id = e.message_id
             WHERE e.header_id = '{header_id}'"
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_mail_is_answered_in_the_same_thread_both_ways() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;

    customer_sends(
        &servers,
        &customer_mail(
            "q1@customer.test",
            "Where is order 42?",
            "It has not arrived.",
            None,
        ),
    )
    .await?;
    let ws = world.ws.clone();
    let conversation = eventually(20, || {
        let c = conversation_with(&ws, "q1@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    assert!(
        !servers.is_seen(SUPPORT, "q1@customer.test")?,
        "syncing must not mark the shared mailbox's mail as read"
    );

    let id = appcare_core::ConversationId::new(conversation);
    world.ws.reply(
        &world.admin,
        id,
        "It ships today, sorry for the wait.",
        None,
        Timestamp::now(),
    )?;
    let delivered = servers.wait_for_count(CUSTOMER, "INBOX", 1, Duration::from_secs(20))?;
    let reply = &delivered[0];
    let ours = header(reply, "Message-ID").ok_or("no Message-ID")?;
    assert_eq!(
        header(reply, "In-Reply-To").as_deref(),
        Some("<q1@customer.test>")
    );
    assert!(header(reply, "References")
        .unwrap_or_default()
        .contains("<q1@customer.test>"));
    assert!(header(reply, "From").unwrap_or_default().contains(SUPPORT));
    assert!(header(reply, "Reply-To")
        .unwrap_or_default()
        .starts_with("support+"));
    assert_eq!(
        header(reply, "Subject").as_deref(),
        Some("Re: Where is order 42?")
    );
    let status_ws = world.ws.clone();
    eventually(10, || {
        (query_text(
            &status_ws,
            "SELECT status FROM messages WHERE direction = 'out'",
        ) == "sent")
            .then_some(())
    })
    .await?;
    let sent = servers.wait_for_count(SUPPORT, "Sent", 1, Duration::from_secs(10))?;
    assert_eq!(header(&sent[0], "Message-ID"), Some(ours.clone()));

    // The customer answers our reply: it joins the same conversation.
    let parent = ours.trim_matches(['<', '>']).to_string();
    customer_sends(
        &servers,
        &customer_mail(
            "q2@customer.test",
            "Re: Where is order 42?",
            "Thanks!",
            Some(&parent),
        ),
    )
    .await?;
    let ws = world.ws.clone();
    let joined = eventually(20, || {
        let c = conversation_with(&ws, "q2@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    assert_eq!(joined, conversation);
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1
    );
    runtime.stop().await;
    Ok(())
}

/// The body of a raw mail (after the blank line).
fn body_of(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    text.split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_with_three_copied_in_stays_one_and_reply_all_reaches_each_once() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let now = Timestamp::now();
    world.ws.set_mail_signature(
        &world.admin,
        world.mailbox,
        "Kind regards,\n{agent}, {team}\nExample GmbH, HRB 12345 Berlin",
        now,
    )?;
    let [cc1, cc2, cc3] = COPIED;
    let first = format!(
        "From: Ana Customer <{CUSTOMER}>\r\nTo: {SUPPORT}\r\nCc: {cc1}, Two <{cc2}>, {cc3}\r\n\
         Subject: Damaged parcel\r\nMessage-ID: <cc-q1@customer.test>\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         The box arrived crushed.\r\n"
    );
    customer_sends(&servers, first.as_bytes()).await?;
    let ws = world.ws.clone();
    let conversation = eventually(20, || {
        let c = conversation_with(&ws, "cc-q1@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    let id = appcare_core::ConversationId::new(conversation);
    let context = world.ws.mail_reply_context(&world.admin, id, now)?;
    assert_eq!(context.reply_all, [cc1, cc2, cc3]);
    let signature = context.signature.clone().ok_or("signed")?;
    world.ws.reply_mail(
        &world.admin,
        id,
        &appcare_core::service::mail_recipients::MailReply {
            body: "A new one is on its way.".into(),
            cc: context.reply_all.clone(),
            bcc: vec![BENCH.into()],
            attachments: vec![],
            formatted: false,
            quote_history: false,
        },
        None,
        now,
    )?;
    // Everyone gets it once: the customer (To), the three in Cc, the one in Bcc.
    let to_customer = servers
        .wait_for_count_async(CUSTOMER, "INBOX", 1, Duration::from_secs(20))
        .await?;
    let mut copies = Vec::new();
    for who in COPIED.iter().chain([&BENCH]) {
        copies.push(
            servers
                .wait_for_count_async(who, "INBOX", 1, Duration::from_secs(20))
                .await?
                .remove(0),
        );
    }
    let cc_header = header(&to_customer[0], "Cc").ok_or("a Cc header")?;
    for who in COPIED {
        assert!(cc_header.contains(who), "{cc_header}");
    }
    for (i, raw) in to_customer.iter().chain(&copies).enumerate() {
        assert!(header(raw, "Bcc").is_none(), "no Bcc header in any copy");
        // The blind copy's own mailbox names it in Delivered-To; nobody else's does.
        if i < 4 {
            assert!(
                !String::from_utf8_lossy(raw).contains(BENCH),
                "nobody sees the blind copy"
            );
        }
        let body = body_of(raw).replace("\r\n", "\n");
        assert!(
            body.contains("A new one is on its way.") && body.contains("\n-- \nKind regards,"),
            "{body}"
        );
    }
    assert!(body_of(&to_customer[0])
        .replace("\r\n", "\n")
        .contains(&signature));

    // Cc 2 answers all: the answer joins the same conversation.
    let ours = header(&to_customer[0], "Message-ID").ok_or("Message-ID")?;
    let answer = format!(
        "From: Two <{cc2}>\r\nTo: {SUPPORT}, {CUSTOMER}\r\nCc: {cc1}, {cc3}\r\n\
         Subject: Re: Damaged parcel\r\nMessage-ID: <cc-q2@customer.test>\r\n\
         In-Reply-To: {ours}\r\nReferences: <cc-q1@customer.test> {ours}\r\n\
         Date: Tue, 24 Nov 2026 11:00:00 +0000\r\n\r\nThanks from me too.\r\n"
    );
    send_from(&servers, cc2, SUPPORT, answer.as_bytes()).await?;
    let ws = world.ws.clone();
    let joined = eventually(20, || {
        let c = conversation_with(&ws, "cc-q2@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    assert_eq!(joined, conversation);
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1
    );
    // Still exactly one copy each, now that the Sent copy is in too.
    servers
        .wait_for_count_async(SUPPORT, "Sent", 1, Duration::from_secs(10))
        .await?;
    for who in COPIED.iter().chain([&CUSTOMER, &BENCH]) {
        assert_eq!(servers.mailbox(who, "INBOX")?.len(), 1, "{who}");
    }
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_formatted_reply_arrives_as_plain_and_html_with_signature_and_quote() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let now = Timestamp::now();
    world.ws.set_mail_signature(
        &world.admin,
        world.mailbox,
        "Kind regards,\n{agent}\nExample GmbH <HRB 12345>",
        now,
    )?;
    let first = format!(
        "From: Ana Customer <{CUSTOMER}>\r\nTo: {SUPPORT}\r\n\
         Subject: Where is it?\r\nMessage-ID: <fmt-q1@customer.test>\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Where is my parcel & when?\r\n"
    );
    customer_sends(&servers, first.as_bytes()).await?;
    let ws = world.ws.clone();
    let conversation = eventually(20, || {
        let c = conversation_with(&ws, "fmt-q1@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    let id = appcare_core::ConversationId::new(conversation);
    let sent = world.ws.reply_mail(
        &world.admin,
        id,
        &appcare_core::service::mail_recipients::MailReply {
            body: "It ships **today**, see [tracking](https://track.example/?p=1&q=2).\n\n- box\n- *label*".into(),
            cc: vec![],
            bcc: vec![],
            attachments: vec![],
            formatted: true,
            quote_history: true,
        },
        None,
        now,
    )?;
    assert!(sent.has_html, "the window can show our reply formatted");
    let ours = world
        .ws
        .email_html(&world.admin, sent.id, now)?
        .ok_or("the reply's HTML is kept")?;
    let delivered = servers
        .wait_for_count_async(CUSTOMER, "INBOX", 1, Duration::from_secs(20))
        .await?;
    let raw = String::from_utf8_lossy(&delivered[0]).to_string();
    assert!(raw.contains("multipart/alternative"), "{raw}");
    let appcare_core::channel::mail::MailItem::Parsed { mail, .. } =
        appcare_channels::email::parse::parse_mail(1, &delivered[0], now)
    else {
        return Err("the reply is a readable mail".into());
    };
    // The HTML as it arrived, after the inbound sanitiser, is exactly what we sent.
    assert_eq!(mail.html.as_deref(), Some(ours.as_str()));
    for part in [
        "<strong>today</strong>",
        "<a href=\"https://track.example/?p=1&amp;q=2\" rel=\"noopener noreferrer\">tracking</a>",
        "<ul><li>box</li><li><em>label</em></li></ul>",
        "<p>-- <br>Kind regards,<br>",
        "Example GmbH &lt;HRB 12345&gt;</p>",
        "<blockquote><p>Where is my parcel &amp; when?</p></blockquote>",
    ] {
        assert!(ours.contains(part), "{part} in {ours}");
    }
    let text = mail.text.replace("\r\n", "\n");
    for part in [
        "It ships *today*, see tracking <https://track.example/?p=1&q=2>.",
        "- box\n- _label_",
        "\n-- \nKind regards,",
        "Example GmbH <HRB 12345>",
        "wrote:\n> Where is my parcel & when?",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_incremental_and_uidvalidity_resync_store_each_mail_once() -> TestResult {
    let servers = MailServers::start()?;
    servers.fill(SUPPORT, 3000)?;
    let world = mail_world(&servers, SUPPORT)?;
    let endpoint = world.endpoint()?;

    let fetched = sync_once(world.ws.clone(), &endpoint, &mail_options()).await?;
    assert_eq!(fetched, 3000);
    assert_eq!(messages(&world.ws), 3000);
    let progress = world
        .ws
        .list_channels(&world.admin, Timestamp::now())?
        .into_iter()
        .find_map(|c| c.email)
        .ok_or("no mailbox view")?;
    assert_eq!(
        (progress.folders[0].total, progress.folders[0].done),
        (3000, 3000)
    );

    for i in 0..5 {
        servers.deliver(
            SUPPORT,
            &customer_mail(&format!("late{i}@customer.test"), "Later", "One more", None),
        )?;
    }
    assert_eq!(
        sync_once(world.ws.clone(), &endpoint, &mail_options()).await?,
        5
    );
    assert_eq!(messages(&world.ws), 3005);
    assert_eq!(
        sync_once(world.ws.clone(), &endpoint, &mail_options()).await?,
        0,
        "nothing new, nothing fetched"
    );
    // A sender's client reuses a Message-ID for another mail: it is stored too.
    servers.deliver(
        SUPPORT,
        &customer_mail(
            "late0@customer.test",
            "Later",
            "Another mail, same id",
            None,
        ),
    )?;
    assert_eq!(
        sync_once(world.ws.clone(), &endpoint, &mail_options()).await?,
        1
    );
    assert_eq!(
        messages(&world.ws),
        3006,
        "a reused Message-ID is not a duplicate"
    );

    servers.change_uidvalidity(SUPPORT)?;
    let refetched = sync_once(world.ws.clone(), &endpoint, &mail_options()).await?;
    assert_eq!(refetched, 3006, "a new UIDVALIDITY means a clean resync");
    assert_eq!(messages(&world.ws), 3006, "and no mail twice");
    let folder = world
        .ws
        .list_channels(&world.admin, Timestamp::now())?
        .into_iter()
        .find_map(|c| c.email)
        .ok_or("no mailbox view")?
        .folders
        .remove(0);
    assert_eq!(
        (
            folder.offered,
            folder.stored,
            folder.set_aside,
            folder.duplicates
        ),
        (6012, 3006, 0, 3006),
        "every mail offered is accounted for"
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM audit_events WHERE kind = 'mail_folder_reset'"
        ),
        1
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_brings_new_mail_within_a_second() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    // IDLE is renewed every 2 s here (25 minutes in the product): mail must still be
    // picked up at once across renewals.
    let mut options = mail_runtime_options();
    options.mail.idle_renew = Duration::from_secs(2);
    let runtime = ChannelRuntime::start(world.ws.clone(), options)?;
    let ws = world.ws.clone();
    eventually(20, || {
        (query_text(&ws, "SELECT state FROM mail_folders") == "idle").then_some(())
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    // The poll interval is a minute: only the server's push can explain a quick pickup.
    for round in 0..3 {
        let id = format!("push{round}@customer.test");
        let delivered = Instant::now();
        servers.deliver(SUPPORT, &customer_mail(&id, "Pushed", "Hello", None))?;
        let ws = world.ws.clone();
        eventually(5, || (conversation_with(&ws, &id) > 0).then_some(())).await?;
        let took = delivered.elapsed();
        assert!(took < Duration::from_secs(1), "round {round} took {took:?}");
        let ws = world.ws.clone();
        eventually(5, || {
            (query_text(&ws, "SELECT state FROM mail_folders") == "idle").then_some(())
        })
        .await?;
    }
    runtime.stop().await;
    Ok(())
}

fn folder_state(ws: &Workspace) -> String {
    query_text(ws, "SELECT state FROM mail_folders")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_idle_the_mailbox_is_polled() -> TestResult {
    let servers = MailServers::start_without_idle()?;
    let world = mail_world(&servers, SUPPORT)?;
    let mut options = mail_runtime_options();
    options.mail.poll_interval = Duration::from_millis(500);
    let runtime = ChannelRuntime::start(world.ws.clone(), options)?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "polling").then_some(())).await?;
    servers.deliver(
        SUPPORT,
        &customer_mail("poll1@customer.test", "Polled", "Hi", None),
    )?;
    let ws = world.ws.clone();
    eventually(10, || {
        (conversation_with(&ws, "poll1@customer.test") > 0).then_some(())
    })
    .await?;
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_reconnects_after_the_server_goes_away_and_says_why_meanwhile() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "idle").then_some(())).await?;

    servers.stop_imap()?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "error").then_some(())).await?;
    let shown = world
        .ws
        .list_channels(&world.admin, Timestamp::now())?
        .into_iter()
        .find_map(|c| c.email)
        .ok_or("no mailbox view")?;
    let reason = &shown.folders[0].last_error;
    assert!(reason.contains("IMAP server"), "{reason}");
    assert!(!reason.contains(MAIL_PASSWORD));

    servers.start_imap()?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "idle").then_some(())).await?;
    servers.deliver(
        SUPPORT,
        &customer_mail("back1@customer.test", "Back", "Hello again", None),
    )?;
    let ws = world.ws.clone();
    eventually(10, || {
        (conversation_with(&ws, "back1@customer.test") > 0).then_some(())
    })
    .await?;
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_mail_is_stored_or_set_aside_and_the_sync_goes_on() -> TestResult {
    let servers = MailServers::start()?;
    let corpus = MailServers::corpus_dir();
    let expectations = std::fs::read_to_string(corpus.join("EXPECT"))?;
    let mut expected = Vec::new();
    for line in expectations
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [file, outcome, rest @ ..] = words.as_slice() else {
            return Err(format!("EXPECT line {line:?}").into());
        };
        let (file, outcome, contains) = (file.to_string(), outcome.to_string(), rest.join(" "));
        servers.deliver(SUPPORT, &std::fs::read(corpus.join(&file))?)?;
        expected.push((file, outcome, contains));
    }
    let big = servers.dir().join("big.eml");
    MailServers::big_attachment(&big, 50)?;
    servers.deliver(SUPPORT, &std::fs::read(&big)?)?;
    std::fs::remove_file(&big)?;
    // Over the 80 MB limit: not downloaded, set aside by its size with its sender.
    let huge = servers.dir().join("huge.eml");
    MailServers::big_attachment(&huge, 60)?;
    servers.deliver(SUPPORT, &std::fs::read(&huge)?)?;
    std::fs::remove_file(&huge)?;
    // A plain mail after all of them: the sync must get past every awkward one.
    servers.deliver(
        SUPPORT,
        &customer_mail("after@customer.test", "After", "still here", None),
    )?;

    let world = mail_world(&servers, SUPPORT)?;
    let fetched = sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    assert_eq!(fetched, expected.len() + 3);
    assert!(conversation_with(&world.ws, "after@customer.test") > 0);

    let stored = messages(&world.ws);
    let aside = query_i64(&world.ws, "SELECT count(*) FROM mail_set_aside");
    let notes = query_i64(&world.ws, "SELECT count(*) FROM notes");
    let ingest = expected.iter().filter(|(_, o, _)| o == "ingest").count() as i64;
    let set_aside = expected.iter().filter(|(_, o, _)| o == "set-aside").count() as i64;
    // Bounces of mail we never sent, and auto-replies to no conversation, are set aside.
    let unmatched = expected
        .iter()
        .filter(|(_, o, _)| o == "bounce" || o == "auto-reply")
        .count() as i64;
    assert_eq!(
        stored,
        ingest + 2,
        "every readable mail, the big one and the last one"
    );
    assert_eq!(aside, set_aside + unmatched + 1, "the huge one too");
    assert_eq!(notes, 0);
    for (file, outcome, contains) in &expected {
        if outcome == "ingest" && !contains.is_empty() {
            let found = query_i64(
                &world.ws,
                &format!(
                    "SELECT count(*) FROM messages WHERE body LIKE '%{}%'",
                    contains.replace('\'', "''")
                ),
            );
            assert!(found > 0, "{file}: no stored text contains {contains:?}");
        }
    }
    let big_text = query_text(
        &world.ws,
        "SELECT body FROM messages WHERE body LIKE '%was not kept%'",
    );
    assert!(
        big_text.contains("It is still in the mailbox"),
        "{big_text}"
    );
    let reasons = world
        .ws
        .set_aside_mail(&world.admin, world.mailbox, Timestamp::now())?;
    assert!(reasons.iter().all(|r| !r.reason.is_empty()));
    let huge = reasons
        .iter()
        .find(|r| r.reason.contains("the limit is 80.0 MB"))
        .ok_or("the huge mail is not set aside by size")?;
    assert!(
        !huge.from_address.is_empty(),
        "named by its headers: {huge:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_waits_out_an_smtp_outage_and_arrives_exactly_once() -> TestResult {
    let servers = MailServers::start()?;
    servers.deliver(
        SUPPORT,
        &customer_mail("o1@customer.test", "Outage", "Are you there?", None),
    )?;
    let world = mail_world(&servers, SUPPORT)?;
    sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    let conversation = conversation_with(&world.ws, "o1@customer.test");
    assert!(conversation > 0);

    servers.stop_smtp()?;
    world.ws.reply(
        &world.admin,
        appcare_core::ConversationId::new(conversation),
        "Yes, we are.",
        None,
        Timestamp::now(),
    )?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let ws = world.ws.clone();
    eventually(20, || {
        (query_i64(&ws, "SELECT attempts FROM outbox") >= 2).then_some(())
    })
    .await?;
    // Still ours to send (another attempt may be under way this instant), never failed.
    let status = query_text(
        &world.ws,
        "SELECT status FROM messages WHERE direction = 'out'",
    );
    assert!(matches!(status.as_str(), "queued" | "sending"), "{status}");
    assert!(query_text(&world.ws, "SELECT last_error FROM outbox").contains("mail server"));
    assert!(servers.mailbox(CUSTOMER, "INBOX")?.is_empty());

    servers.start_smtp()?;
    servers.wait_for_count(CUSTOMER, "INBOX", 1, Duration::from_secs(30))?;
    let ws = world.ws.clone();
    eventually(10, || {
        (query_text(&ws, "SELECT status FROM messages WHERE direction = 'out'") == "sent")
            .then_some(())
    })
    .await?;
    // Give a wrong second send every chance to show up.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        servers.mailbox(CUSTOMER, "INBOX")?.len(),
        1,
        "delivered exactly once"
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_syncs_a_mailbox_once_showing_its_progress() -> TestResult {
    let servers = MailServers::start()?;
    servers.fill(SUPPORT, 500)?;
    // Set up half a minute ago, so the CLI signs in with the current (unused) code.
    let earlier = Timestamp::now().plus_seconds(-30);
    let world = mail_world_at(&servers, SUPPORT, earlier)?;
    let (out, _dir) = channel_cli(world, "sync-email", &[])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Synced 500 new message(s)"), "{stdout}");
    assert!(stderr.contains("INBOX: 500 of 500 messages"), "{stderr}");
    assert!(!stderr.contains(MAIL_PASSWORD) && !stdout.contains(MAIL_PASSWORD));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_arrives_as_a_new_thread_with_the_customers_file() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let raw = format!(
        "From: Ana Customer <{CUSTOMER}>\r\nTo: {SUPPORT}\r\nSubject: Refund for order 42\r\n\
         Message-ID: <f1@customer.test>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe invoice is attached.\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"invoice-42.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"invoice-42.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b1--\r\n"
    );
    customer_sends(&servers, raw.as_bytes()).await?;
    let ws = world.ws.clone();
    let conversation = eventually(20, || {
        let c = conversation_with(&ws, "f1@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    let shown = world.ws.forward_mail(
        &world.admin,
        appcare_core::ConversationId::new(conversation),
        &appcare_core::service::mail_forward::MailForward {
            to: COPIED[0].into(),
            note: "Billing, can you refund this?".into(),
            message: None,
        },
        Timestamp::now(),
    )?;
    assert_eq!(
        shown.body,
        format!(
            "Forwarded the whole conversation to {}:\n\nBilling, can you refund this?",
            COPIED[0]
        )
    );
    let delivered = servers.wait_for_count(COPIED[0], "INBOX", 1, Duration::from_secs(20))?;
    let forward = &delivered[0];
    assert_eq!(
        header(forward, "Subject").as_deref(),
        Some("Fwd: Refund for order 42")
    );
    assert_eq!(header(forward, "In-Reply-To"), None, "a new thread");
    assert_eq!(header(forward, "References"), None);
    assert!(header(forward, "Reply-To").is_some_and(|r| r.contains(SUPPORT) && !r.contains('+')));
    let text = String::from_utf8_lossy(forward);
    assert!(text.contains("Billing, can you refund this?"), "{text}");
    assert!(text.contains("The invoice is attached."), "{text}");
    assert!(
        text.contains("invoice-42.pdf"),
        "the customer's file goes with it"
    );
    assert!(text.contains("JVBERi0xLjQKJcOkw7zDtsOfCg=="), "{text}");
    // The customer got nothing.
    assert!(servers
        .wait_for_count(CUSTOMER, "INBOX", 1, Duration::from_secs(2))
        .is_err());
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_password_restarts_the_sync_and_a_wrong_one_says_so() -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "idle").then_some(())).await?;

    // The admin types a wrong password: the running sync stops and the new one says why.
    let mut settings = world
        .ws
        .mail_settings(&world.admin, world.mailbox, Timestamp::now())?;
    settings.password = "not-the-mailbox-password".into();
    world
        .ws
        .update_mail_settings(&world.admin, world.mailbox, &settings, Timestamp::now())?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "error").then_some(())).await?;
    let shown = world
        .ws
        .list_channels(&world.admin, Timestamp::now())?
        .into_iter()
        .find_map(|c| c.email)
        .ok_or("no mailbox view")?;
    let reason = &shown.folders[0].last_error;
    assert!(
        !reason.is_empty() && !reason.contains("not-the-mailbox-password"),
        "{reason}"
    );
    servers.deliver(
        SUPPORT,
        &customer_mail("rot1@customer.test", "Rotated", "Hello", None),
    )?;

    // The right one: the sync starts again at once and brings the mail.
    settings.password = MAIL_PASSWORD.into();
    world
        .ws
        .update_mail_settings(&world.admin, world.mailbox, &settings, Timestamp::now())?;
    let ws = world.ws.clone();
    eventually(10, || {
        (conversation_with(&ws, "rot1@customer.test") > 0).then_some(())
    })
    .await?;
    runtime.stop().await;
    Ok(())
}

/// Runs `appcare channel SUBCOMMAND --as maria --id ID --data-dir …` on the workspace of
/// `world` (closed first), typing the admin's password, a fresh code and `more` lines;
/// returns what it printed and the workspace's folder.
fn channel_cli(
    world: appcare_tests::mail_setup::MailWorld,
    subcommand: &str,
    more: &[&str],
) -> TestResult<(std::process::Output, tempfile::TempDir)> {
    use appcare_core::auth::totp;
    use std::io::Write;
    let id = world.mailbox.get().to_string();
    let data_dir = world.dir.path().join("workspace");
    drop(world.ws);
    let code = totp::code_at(&world.admin_secret, totp::step_of(Timestamp::now()))?;
    let binary = appcare_tests::target_dir()?.join("appcare");
    if !binary.is_file() {
        return Err("the appcare binary is not built: run `cargo build -p appcare-hub` (cargo test --workspace builds it)".into());
    }
    let mut child = std::process::Command::new(binary)
        .args([
            "channel",
            subcommand,
            "--as",
            "maria",
            "--id",
            &id,
            "--data-dir",
        ])
        .arg(&data_dir)
        .env(
            "APPCARE_PASSPHRASE",
            appcare_tests::channel_setup::PASSPHRASE,
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut typed = format!(
        "{}\n{}\n",
        appcare_tests::channel_setup::ADMIN_PW,
        code.as_str()
    );
    for line in more {
        typed.push_str(line);
        typed.push('\n');
    }
    child
        .stdin
        .take()
        .ok_or("stdin")?
        .write_all(typed.as_bytes())?;
    Ok((child.wait_with_output()?, world.dir))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_replaces_a_mailbox_password_without_printing_it() -> TestResult {
    let servers = MailServers::start()?;
    let earlier = Timestamp::now().plus_seconds(-30);
    let world = mail_world_at(&servers, SUPPORT, earlier)?;
    const NEW: &str = "cli-new-mailbox-password-77";
    let (out, dir) = channel_cli(world, "mail-password", &[NEW])?;
    let data_dir = dir.path().join("workspace");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("password replaced"), "{stdout}");
    assert!(!stdout.contains(NEW) && !stderr.contains(NEW));
    let ws = Workspace::open(
        &appcare_core::WorkspaceDir::new(&data_dir),
        Some(&appcare_core::Password::new(
            appcare_tests::channel_setup::PASSPHRASE,
        )),
    )?;
    let endpoint = &ws.delivery().email_endpoints()?[0];
    assert_eq!(endpoint.password.expose(), NEW);
    assert_eq!(
        endpoint.config.imap.port, servers.imap_port,
        "the servers stay"
    );
    Ok(())
}

/// Starts a test of the mailbox and waits for its report.
async fn mailbox_tested(
    world: &appcare_tests::mail_setup::MailWorld,
) -> TestResult<appcare_core::channel::check::ConnectionCheck> {
    let started = world
        .ws
        .test_channel(&world.admin, world.mailbox, Timestamp::now())?
        .check
        .ok_or("no report started")?;
    let (ws, admin, mailbox) = (world.ws.clone(), world.admin.clone(), world.mailbox);
    eventually(20, move || {
        ws.list_channels(&admin, Timestamp::now())
            .ok()?
            .into_iter()
            .find(|c| c.id == mailbox)?
            .check
            .filter(|c| c.finished_at.is_some() && c.requested_at >= started.requested_at)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_is_tested_on_both_servers_and_a_disabled_or_removed_one_stops_syncing(
) -> TestResult {
    use appcare_core::channel::check::CheckOutcome;
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "idle").then_some(())).await?;

    let report = mailbox_tested(&world).await?;
    let names: Vec<&str> = report.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "IMAP sign-in",
            "Synced folder",
            "Sent folder",
            "SMTP sign-in",
            "Largest mail"
        ]
    );
    assert!(report.passed(), "{:?}", report.steps);

    // A wrong password: both sign-ins fail and say so, the folders are not tried, and no
    // report holds the password.
    let mut settings = world
        .ws
        .mail_settings(&world.admin, world.mailbox, Timestamp::now())?;
    settings.password = "not-the-mailbox-password".into();
    world
        .ws
        .update_mail_settings(&world.admin, world.mailbox, &settings, Timestamp::now())?;
    let report = mailbox_tested(&world).await?;
    let outcomes: Vec<CheckOutcome> = report.steps.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [
            CheckOutcome::Failed,
            CheckOutcome::Skipped,
            CheckOutcome::Skipped,
            CheckOutcome::Failed,
            // The server says what it takes before anyone signs in.
            CheckOutcome::Ok
        ]
    );
    assert!(report.steps[0]
        .detail
        .contains("refused the user name or password"));
    assert!(!serde_json::to_string(&report)?.contains("not-the-mailbox-password"));
    settings.password = MAIL_PASSWORD.into();
    world
        .ws
        .update_mail_settings(&world.admin, world.mailbox, &settings, Timestamp::now())?;
    let ws = world.ws.clone();
    eventually(20, || (folder_state(&ws) == "idle").then_some(())).await?;

    // Disabled: the sync stops, mail waits on the server; enabled: it arrives.
    world
        .ws
        .set_channel_enabled(&world.admin, world.mailbox, false, Timestamp::now())?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    servers.deliver(
        SUPPORT,
        &customer_mail("off1@customer.test", "While off", "Hello", None),
    )?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        conversation_with(&world.ws, "off1@customer.test") < 1,
        "not synced"
    );
    world
        .ws
        .set_channel_enabled(&world.admin, world.mailbox, true, Timestamp::now())?;
    let ws = world.ws.clone();
    eventually(15, || {
        (conversation_with(&ws, "off1@customer.test") > 0).then_some(())
    })
    .await?;

    // Removed with its history kept: the sync ends, the conversation stays.
    world
        .ws
        .remove_channel_account(&world.admin, world.mailbox, false, Timestamp::now())?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    servers.deliver(
        SUPPORT,
        &customer_mail("gone1@customer.test", "After removal", "Hello", None),
    )?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        conversation_with(&world.ws, "gone1@customer.test") < 1,
        "not synced"
    );
    assert!(conversation_with(&world.ws, "off1@customer.test") > 0);
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_tests_a_mailbox_and_prints_each_step() -> TestResult {
    let servers = MailServers::start()?;
    let earlier = Timestamp::now().plus_seconds(-30);
    let world = mail_world_at(&servers, SUPPORT, earlier)?;
    let (out, _dir) = channel_cli(world, "test", &[])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for step in [
        "ok\tIMAP sign-in",
        "ok\tSynced folder",
        "ok\tSent folder",
        "ok\tSMTP sign-in",
    ] {
        assert!(stdout.contains(step), "{step} missing: {stdout}");
    }
    assert!(!stdout.contains(MAIL_PASSWORD) && !stderr.contains(MAIL_PASSWORD));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_the_server_refused_is_fetched_again_on_retry_and_filed() -> TestResult {
    use appcare_core::channel::mail::MailItem;
    let servers = MailServers::start()?;
    servers.deliver(
        SUPPORT,
        &customer_mail("first@customer.test", "First", "Hello", None),
    )?;
    let world = mail_world(&servers, SUPPORT)?;
    sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    // The next mail was refused by the server when the sync met it (UID 2): set aside
    // with nothing kept, the sync went past it.
    servers.deliver(
        SUPPORT,
        &customer_mail("refused@customer.test", "Second", "My order", None),
    )?;
    let uidvalidity = u32::try_from(query_i64(&world.ws, "SELECT uidvalidity FROM mail_folders"))?;
    world.ws.delivery().apply_mail(
        world.mailbox,
        "INBOX",
        uidvalidity,
        &[MailItem::SetAside {
            uid: 2,
            size: 0,
            reason: "the server would not return it (NO)".into(),
            from_address: String::new(),
            subject: String::new(),
            raw: None,
            key: None,
        }],
        Timestamp::now(),
    )?;
    let aside = world
        .ws
        .set_aside_mail(&world.admin, world.mailbox, Timestamp::now())?;
    assert_eq!(aside.len(), 1);

    // After the fix, "Try again": the runtime fetches it by folder and UID and files it.
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    world
        .ws
        .retry_set_aside_mail(&world.admin, world.mailbox, aside[0].id, Timestamp::now())?;
    let ws = world.ws.clone();
    eventually(15, || {
        (conversation_with(&ws, "refused@customer.test") > 0).then_some(())
    })
    .await?;
    assert!(world
        .ws
        .set_aside_mail(&world.admin, world.mailbox, Timestamp::now())?
        .is_empty());
    let (offered, stored, set_aside, duplicates) = (
        query_i64(&world.ws, "SELECT offered FROM mail_folders"),
        query_i64(&world.ws, "SELECT stored FROM mail_folders"),
        query_i64(&world.ws, "SELECT set_aside FROM mail_folders"),
        query_i64(&world.ws, "SELECT duplicates FROM mail_folders"),
    );
    assert_eq!(offered, stored + set_aside + duplicates);
    assert_eq!(set_aside, 0);
    runtime.stop().await;
    Ok(())
}

/// Issue 22 item 5: the runtime learns how large a mail the real Postfix takes (its
/// `SIZE`: this test server takes 200 MB), the composer's context says how much may be
/// attached (20 MB, the most any reply carries),
/// files together over it are refused before anything is queued, and a reply with two
/// files reaches the customer with both (and the Test connection report names the limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_carries_several_files_within_what_the_server_takes() -> TestResult {
    use appcare_core::channel::outbound::OutboundAttachment;
    use base64::Engine;
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let first = format!(
        "From: Ana Customer <{CUSTOMER}>\r\nTo: {SUPPORT}\r\nSubject: Photos of the damage\r\n\
         Message-ID: <files-q1@customer.test>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\n\
         What do you need from me?\r\n"
    );
    customer_sends(&servers, first.as_bytes()).await?;
    let ws = world.ws.clone();
    let conversation = eventually(20, || {
        let c = conversation_with(&ws, "files-q1@customer.test");
        (c > 0).then_some(c)
    })
    .await?;
    let id = appcare_core::ConversationId::new(conversation);
    let (ws, admin) = (world.ws.clone(), world.admin.clone());
    let context = eventually(20, move || {
        ws.mail_reply_context(&admin, id, Timestamp::now())
            .ok()
            .filter(|c| c.server_limit.is_some())
    })
    .await?;
    assert_eq!(
        context.server_limit,
        Some(209_715_200),
        "tests/mail/main.cf.in"
    );
    assert_eq!(context.files_limit, 20 * 1024 * 1024);
    let file = |name: &str, mime: &str, data: &[u8]| OutboundAttachment {
        file_name: name.into(),
        mime_type: mime.into(),
        data_base64: base64::engine::general_purpose::STANDARD.encode(data),
    };
    let reply =
        |attachments: Vec<OutboundAttachment>| appcare_core::service::mail_recipients::MailReply {
            body: "Here is the form and our label.".into(),
            cc: vec![],
            bcc: vec![],
            attachments,
            formatted: false,
            quote_history: false,
        };
    // Together over what the server takes: refused in words, nothing queued.
    let big = vec![0x42_u8; 11 * 1024 * 1024];
    let before = messages(&world.ws);
    match world.ws.reply_mail(
        &world.admin,
        id,
        &reply(vec![
            file("a.bin", "application/octet-stream", &big),
            file("b.bin", "application/octet-stream", &big),
        ]),
        None,
        Timestamp::now(),
    ) {
        Err(appcare_core::CoreError::InvalidInput { field, reason }) => {
            assert_eq!(field, "attachment");
            assert!(
                reason.contains("22.0 MB together") && reason.contains("at most 20.0 MB"),
                "{reason}"
            );
        }
        other => return Err(format!("not refused: {:?}", other.map(|m| m.id)).into()),
    }
    assert_eq!(messages(&world.ws), before);
    let shown = world.ws.reply_mail(
        &world.admin,
        id,
        &reply(vec![
            file(
                "return-form.pdf",
                "application/pdf",
                b"%PDF-1.4 return form",
            ),
            file("label.png", "image/png", b"\x89PNG\r\n\x1a\n label"),
        ]),
        None,
        Timestamp::now(),
    )?;
    assert_eq!(
        shown
            .attachments
            .iter()
            .map(|a| a.file_name.as_str())
            .collect::<Vec<_>>(),
        ["return-form.pdf", "label.png"]
    );
    let delivered = servers.wait_for_count(CUSTOMER, "INBOX", 1, Duration::from_secs(20))?;
    let text = String::from_utf8_lossy(&delivered[0]);
    assert!(text.contains("Here is the form and our label."), "{text}");
    for (name, bytes) in [
        ("return-form.pdf", &b"%PDF-1.4 return form"[..]),
        ("label.png", &b"\x89PNG\r\n\x1a\n label"[..]),
    ] {
        assert!(text.contains(name), "{name} is attached");
        // Text-like bytes may travel as they are, others in base64.
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        let plain = std::str::from_utf8(bytes).ok().filter(|t| text.contains(t));
        assert!(
            plain.is_some() || text.contains(&encoded),
            "{name}'s bytes are in the mail"
        );
    }
    assert_eq!(
        header(&delivered[0], "In-Reply-To").as_deref(),
        Some("<files-q1@customer.test>"),
        "still a reply in the thread"
    );
    let report = mailbox_tested(&world).await?;
    let step = report
        .steps
        .iter()
        .find(|s| s.name == "Largest mail")
        .ok_or("no size step")?;
    assert!(
        step.detail.contains("up to 200.0 MB") && step.detail.contains("20.0 MB of files"),
        "{}",
        step.detail
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_picked_folder_syncs_on_its_own_trash_stays_out_and_sent_joins_its_thread(
) -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    let question = customer_mail("ask1@customer.test", "Refund", "Where is my refund?", None);
    servers.deliver(SUPPORT, &question)?;
    // A folder with a name beyond ASCII (the server lists it in modified UTF-7), and trash.
    servers.deliver_to(
        SUPPORT,
        "Réclamations",
        &customer_mail("claim1@customer.test", "Broken", "It arrived broken", None),
    )?;
    servers.deliver_to(
        SUPPORT,
        "Trash",
        &customer_mail("bin1@customer.test", "Old", "Thrown away", None),
    )?;
    // A stranger writes as the support address, answering the customer's thread: never
    // taken for one of our replies.
    let spoof = format!(
        "From: Support <{SUPPORT}>\r\nTo: {CUSTOMER}\r\nSubject: Re: Refund\r\n\
         Message-ID: <spoof1@elsewhere.test>\r\nIn-Reply-To: <ask1@customer.test>\r\n\
         Date: Tue, 24 Nov 2026 10:30:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nPay here instead.\r\n"
    );
    servers.deliver(SUPPORT, spoof.as_bytes())?;
    let fetched = sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    assert_eq!(fetched, 2, "only the main folder until others are picked");
    let aside = |ws: &Workspace| query_i64(ws, "SELECT count(*) FROM mail_set_aside");
    assert_eq!(aside(&world.ws), 1, "the spoof is set aside");
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out'"
        ),
        0
    );

    let folders = world
        .ws
        .mail_folders(&world.admin, world.mailbox, Timestamp::now())?;
    let find = |shown: &str| {
        folders
            .iter()
            .find(|f| f.shown == shown)
            .cloned()
            .ok_or(format!("no folder {shown:?} in {folders:?}"))
    };
    let claims = find("Réclamations")?;
    assert_eq!(
        claims.name, "R&AOk-clamations",
        "the server's own name is kept"
    );
    assert!(!claims.synced && !claims.left_out_by_default);
    let trash = find("Trash")?;
    assert_eq!(trash.special_use, "trash");
    assert!(trash.left_out_by_default && !trash.synced);
    assert_eq!(find("Sent")?.special_use, "sent");
    assert!(find("INBOX")?.main && find("INBOX")?.synced);

    let refused = world
        .ws
        .set_mail_folders(
            &world.admin,
            world.mailbox,
            &["Nowhere".into()],
            Timestamp::now(),
        )
        .err()
        .ok_or("a folder the server does not have was accepted")?;
    assert!(refused.to_string().contains("no folder"), "{refused}");

    // An agent answered from another mail client: the copy in Sent joins the thread as ours.
    let from_thunderbird = format!(
        "From: Support <{SUPPORT}>\r\nTo: {CUSTOMER}\r\nSubject: Re: Refund\r\n\
         Message-ID: <tb1@example.test>\r\nIn-Reply-To: <ask1@customer.test>\r\n\
         References: <ask1@customer.test>\r\nDate: Tue, 24 Nov 2026 11:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nIt left our warehouse today.\r\n"
    );
    servers.deliver_to(SUPPORT, "Sent", from_thunderbird.as_bytes())?;
    // A forward to the warehouse names the thread but goes to no one on it: set aside.
    let to_warehouse = format!(
        "From: Support <{SUPPORT}>\r\nTo: stock@warehouse.test\r\nSubject: Fwd: Refund\r\n\
         Message-ID: <tb2@example.test>\r\nReferences: <ask1@customer.test>\r\n\
         Date: Tue, 24 Nov 2026 11:05:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nPlease check stock.\r\n"
    );
    servers.deliver_to(SUPPORT, "Sent", to_warehouse.as_bytes())?;
    let picked = world.ws.set_mail_folders(
        &world.admin,
        world.mailbox,
        &[claims.name.clone(), "Sent".into()],
        Timestamp::now(),
    )?;
    assert_eq!(picked.iter().filter(|f| f.synced).count(), 3);
    let fetched = sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    assert_eq!(
        fetched, 3,
        "Réclamations and Sent, each from its own first UID"
    );
    assert_eq!(
        aside(&world.ws),
        2,
        "the forward to the warehouse is set aside"
    );
    assert_eq!(
        messages(&world.ws),
        2,
        "the claim came in; trash stayed out"
    );
    let thread = conversation_with(&world.ws, "ask1@customer.test");
    assert_eq!(conversation_with(&world.ws, "tb1@example.test"), thread);
    assert_eq!(
        query_text(
            &world.ws,
            &format!(
                "SELECT body FROM messages WHERE conversation_id = {thread} AND direction = 'out'"
            )
        )
        .trim_end(),
        "It left our warehouse today."
    );
    let claims_now = world
        .ws
        .mail_folders(&world.admin, world.mailbox, Timestamp::now())?
        .into_iter()
        .find(|f| f.shown == "Réclamations")
        .ok_or("Réclamations")?;
    assert_eq!(claims_now.stored, 1);
    assert_eq!(
        sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?,
        0,
        "each folder remembers where it stands"
    );

    // Running: IDLE watches INBOX (not the folder synced last) and ends at the poll
    // interval, so the other picked folders are looked at too.
    let mut options = mail_runtime_options();
    options.mail.poll_interval = Duration::from_secs(8);
    let runtime = ChannelRuntime::start(world.ws.clone(), options)?;
    let ws = world.ws.clone();
    eventually(20, || {
        (query_text(&ws, "SELECT state FROM mail_folders WHERE folder = 'INBOX'") == "idle")
            .then_some(())
    })
    .await?;
    servers.deliver(
        SUPPORT,
        &customer_mail("ask2@customer.test", "Refund again", "Any news?", None),
    )?;
    let ws = world.ws.clone();
    // Well within the poll interval: only IDLE on INBOX explains it.
    eventually(4, || {
        (conversation_with(&ws, "ask2@customer.test") > 0).then_some(())
    })
    .await?;
    servers.deliver_to(
        SUPPORT,
        "Réclamations",
        &customer_mail("claim2@customer.test", "Still broken", "Any news?", None),
    )?;
    let ws = world.ws.clone();
    eventually(20, || {
        (conversation_with(&ws, "claim2@customer.test") > 0).then_some(())
    })
    .await?;
    runtime.stop().await;
    Ok(())
}

fn unread(ws: &Workspace, conversation: i64) -> i64 {
    query_i64(
        ws,
        &format!("SELECT unread_count FROM conversations WHERE id = {conversation}"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_here_is_read_there_read_there_is_read_here_and_deleted_there_is_marked_not_erased(
) -> TestResult {
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    for (id, subject) in [("r1", "One"), ("r2", "Two"), ("r3", "Three")] {
        servers.deliver(
            SUPPORT,
            &customer_mail(&format!("{id}@customer.test"), subject, "Hello", None),
        )?;
    }
    sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    assert!(
        !servers.is_seen(SUPPORT, "r1@customer.test")?,
        "the sync only peeks"
    );

    // Read here: opening the conversation sets \Seen in the mailbox (the runtime does it).
    let runtime = ChannelRuntime::start(world.ws.clone(), mail_runtime_options())?;
    let first = appcare_core::ConversationId::new(conversation_with(&world.ws, "r1@customer.test"));
    world
        .ws
        .open_conversation(&world.admin, first, None, Timestamp::now())?;
    eventually(10, || {
        servers
            .is_seen(SUPPORT, "r1@customer.test")
            .ok()
            .filter(|seen| *seen)
            .map(drop)
    })
    .await?;
    assert!(
        !servers.is_seen(SUPPORT, "r2@customer.test")?,
        "only what was opened"
    );
    runtime.stop().await;

    // Read in another mail program: read here too.
    let second = conversation_with(&world.ws, "r2@customer.test");
    assert_eq!(unread(&world.ws, second), 1);
    servers.mark_read(SUPPORT, "r2@customer.test")?;
    sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    assert_eq!(
        unread(&world.ws, second),
        0,
        "read in the mailbox, read here"
    );

    // Deleted in another mail program: marked here, and still here.
    servers.expunge(SUPPORT, "r3@customer.test")?;
    sync_once(world.ws.clone(), &world.endpoint()?, &mail_options()).await?;
    let third = appcare_core::ConversationId::new(conversation_with(&world.ws, "r3@customer.test"));
    let view = world
        .ws
        .open_conversation(&world.admin, third, None, Timestamp::now())?;
    assert_eq!(view.messages.len(), 1, "never erased by the mailbox");
    assert_eq!(
        view.messages[0].mail.as_ref().map(|m| m.gone_from_mailbox),
        Some(true)
    );
    let first_view = world
        .ws
        .open_conversation(&world.admin, first, None, Timestamp::now())?;
    assert_eq!(
        first_view.messages[0]
            .mail
            .as_ref()
            .map(|m| m.gone_from_mailbox),
        Some(false)
    );
    Ok(())
}

/// One sync pass of INBOX on an open session.
async fn inbox_pass(
    world: &appcare_tests::mail_setup::MailWorld,
    session: &mut appcare_channels::email::imap::Session,
    memo: &mut appcare_channels::email::sync::ReadStateMemo,
) -> TestResult<usize> {
    let endpoint = world.endpoint()?;
    Ok(appcare_channels::email::sync::sync_folder(
        &world.ws,
        &endpoint,
        session,
        "INBOX",
        &mail_options(),
        None,
        memo,
    )
    .await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_unchanged_since_its_state_was_read_is_not_searched_again() -> TestResult {
    use appcare_channels::email::{imap, sync};
    let servers = MailServers::start()?;
    let world = mail_world(&servers, SUPPORT)?;
    for id in ["q1", "q2"] {
        servers.deliver(
            SUPPORT,
            &customer_mail(&format!("{id}@customer.test"), "Hello", "Hello", None),
        )?;
    }
    let endpoint = world.endpoint()?;
    let policy = world.ws.delivery().egress_policy()?;
    let options = mail_options();
    let (mut session, _) = imap::connect(&endpoint, &policy, options.timeout).await?;
    // Dovecot offers QRESYNC: an unchanged HIGHESTMODSEQ means nothing changed.
    let mut memo = sync::ReadStateMemo::new(imap::offers_qresync(&mut session).await);
    assert_eq!(inbox_pass(&world, &mut session, &mut memo).await?, 2);
    assert_eq!((memo.checked, memo.skipped), (1, 0), "first read: searched");
    inbox_pass(&world, &mut session, &mut memo).await?;
    assert_eq!(
        (memo.checked, memo.skipped),
        (1, 1),
        "nothing changed: not searched"
    );

    // Read in another mail program: the folder changed, so it is searched and applied.
    let second = conversation_with(&world.ws, "q2@customer.test");
    assert_eq!(unread(&world.ws, second), 1);
    servers.mark_read(SUPPORT, "q2@customer.test")?;
    inbox_pass(&world, &mut session, &mut memo).await?;
    assert_eq!((memo.checked, memo.skipped), (2, 1));
    assert_eq!(unread(&world.ws, second), 0, "read there, read here");
    inbox_pass(&world, &mut session, &mut memo).await?;
    assert_eq!((memo.checked, memo.skipped), (2, 2));

    // Deleted there: searched again and marked.
    servers.expunge(SUPPORT, "q1@customer.test")?;
    inbox_pass(&world, &mut session, &mut memo).await?;
    assert_eq!(
        (memo.checked, memo.skipped),
        (3, 2),
        "an expunge is a change"
    );
    let first = appcare_core::ConversationId::new(conversation_with(&world.ws, "q1@customer.test"));
    let view = world
        .ws
        .open_conversation(&world.admin, first, None, Timestamp::now())?;
    assert_eq!(
        view.messages[0].mail.as_ref().map(|m| m.gone_from_mailbox),
        Some(true)
    );
    let _ = session.logout().await;
    Ok(())
}
