//! A mailbox's settings edited and its password rotated: read back without the password;
//! a new password and port stored (the runtime's endpoint has them), an empty password
//! keeps the stored one, what the form does not show (the signature) stays; a bad server
//! or security, and a new server without the password typed again, are refused at their
//! field with nothing changed; agents and leads may not.
//!
//! Real parts: SQLCipher. The sync restarting with new settings against real servers is
//! in `tests/tests/email_servers.rs`.

mod common;

use appcare_core::service::mail_settings::MailSettings;
use appcare_core::CoreError;
use common::mail::*;
use common::*;

fn password_of_endpoint(t: &Team) -> String {
    t.ctx.ws.delivery().email_endpoints().expect("endpoints")[0]
        .password
        .expose()
        .to_string()
}

#[test]
fn settings_change_and_the_password_rotates_without_being_read_back() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    ws.set_mail_signature(&t.admin, account, "Help team", now)?;
    let mut s = ws.mail_settings(&t.admin, account, now)?;
    assert_eq!(
        (s.imap_host.as_str(), s.imap_port, s.imap_security.as_str()),
        ("127.0.0.1", 993, "tls")
    );
    assert_eq!(s.password, "", "never read back");
    assert_eq!(password_of_endpoint(&t), "mail-password-123");

    s.imap_port = 143;
    s.imap_security = "starttls".into();
    s.password = "rotated-password-456".into();
    let view = ws.update_mail_settings(&t.admin, account, &s, now)?;
    assert_eq!(
        view.email.as_ref().map(|e| e.signature.as_str()),
        Some("Help team")
    );
    assert_eq!(password_of_endpoint(&t), "rotated-password-456");
    let endpoint = &ws.delivery().email_endpoints()?[0];
    assert_eq!(
        (endpoint.config.imap.port, endpoint.config.address.as_str()),
        (143, "help@example.com")
    );

    // An empty password keeps the stored one.
    let mut again = ws.mail_settings(&t.admin, account, now)?;
    again.folder = "Support".into();
    ws.update_mail_settings(&t.admin, account, &again, now)?;
    assert_eq!(password_of_endpoint(&t), "rotated-password-456");
    assert_eq!(ws.delivery().email_endpoints()?[0].config.folder, "Support");
    Ok(())
}

#[test]
fn bad_settings_are_refused_at_their_field_and_only_admins_may_change_them() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    for (field, change) in [
        (
            "IMAP server",
            Box::new(|s: &mut MailSettings| s.imap_host = "imap example com".into())
                as Box<dyn Fn(&mut MailSettings)>,
        ),
        (
            "SMTP security",
            Box::new(|s: &mut MailSettings| s.smtp_security = "none".into()),
        ),
        (
            "password",
            Box::new(|s: &mut MailSettings| s.password = "x".repeat(2000)),
        ),
        // The stored password is not sent to a server it was not typed for.
        (
            "password",
            Box::new(|s: &mut MailSettings| s.imap_host = "imap.elsewhere.test".into()),
        ),
    ] {
        let mut s = ws.mail_settings(&t.admin, account, now)?;
        change(&mut s);
        match ws.update_mail_settings(&t.admin, account, &s, now) {
            Err(CoreError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!(
                "{field}: expected a field error, got {:?}",
                other.map(|_| ())
            ),
        }
    }
    assert_eq!(
        password_of_endpoint(&t),
        "mail-password-123",
        "nothing changed"
    );
    assert_eq!(
        ws.delivery().email_endpoints()?[0].config.imap.host,
        "127.0.0.1"
    );
    for token in [&t.lena.1, &t.alex.1] {
        assert!(matches!(
            ws.mail_settings(token, account, now),
            Err(CoreError::Forbidden { .. })
        ));
        let s = ws.mail_settings(&t.admin, account, now)?;
        assert!(matches!(
            ws.update_mail_settings(token, account, &s, now),
            Err(CoreError::Forbidden { .. })
        ));
    }
    Ok(())
}
