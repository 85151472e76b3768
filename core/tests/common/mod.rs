//! Shared test context: a temporary encrypted workspace, a controlled clock, and an
//! "authenticator app" that computes codes from the enrolment key.

#![allow(dead_code)]

use appcare_core::auth::totp;
use appcare_core::auth::Role;
use appcare_core::ids::UserId;
use appcare_core::service::users::NewUser;
use appcare_core::workspace::Region;
use appcare_core::{
    CreateOptions, KeySource, Password, SessionToken, Timestamp, Workspace, WorkspaceDir,
};
use zeroize::Zeroizing;

pub mod mail;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub const ADMIN: &str = "maria";
pub const ADMIN_PASSWORD: &str = "plum tractor window 42";
pub const PASSPHRASE: &str = "workspace passphrase for tests";
pub const T0: i64 = 1_795_550_105;

pub struct Ctx {
    pub dir: tempfile::TempDir,
    pub ws: Workspace,
    pub admin: UserId,
    pub now: Timestamp,
}

pub fn create_options() -> CreateOptions {
    CreateOptions {
        region: Region::parse("DE").expect("known region"),
        admin_username: ADMIN.into(),
        admin_display_name: "Maria Admin".into(),
        admin_password: Password::new(ADMIN_PASSWORD),
        key_source: KeySource::Passphrase(Password::new(PASSPHRASE)),
    }
}

/// A new passphrase-mode workspace in a temporary folder.
pub fn workspace() -> Ctx {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = Timestamp::from_unix(T0);
    let (ws, admin) = Workspace::create(
        &WorkspaceDir::new(dir.path().join("ws")),
        create_options(),
        now,
    )
    .expect("workspace created");
    Ctx {
        dir,
        ws,
        admin,
        now,
    }
}

/// An authenticator app holding one account's secret.
pub struct Authenticator {
    pub secret: Zeroizing<Vec<u8>>,
}

impl Authenticator {
    pub fn code(&self, now: Timestamp) -> String {
        totp::code_at(&self.secret, totp::step_of(now))
            .expect("code")
            .to_string()
    }

    pub fn code_at_offset(&self, now: Timestamp, steps: i64) -> String {
        totp::code_at(&self.secret, totp::step_of(now) + steps)
            .expect("code")
            .to_string()
    }
}

/// Signs in for the first time: password, enrolment, first code. Returns the session,
/// the authenticator and the recovery codes.
pub fn enrol(
    ws: &Workspace,
    username: &str,
    password: &str,
    now: Timestamp,
) -> (SessionToken, Authenticator, Vec<String>) {
    use appcare_core::service::login::NextStep;
    // A user an admin made (`new_user`) first signs in with the password the admin typed,
    // then chooses `password`, their own.
    let first = if password == password_of(username) {
        initial_password_of(username)
    } else {
        password.to_string()
    };
    let challenge = ws
        .begin_sign_in(username, &Password::new(first), now)
        .expect("password step");
    if challenge.next == NextStep::NewPassword {
        ws.set_new_password(&challenge.token, &Password::new(password), now)
            .expect("own password chosen");
    } else {
        assert_eq!(challenge.next, NextStep::Enrol);
    }
    let enrolment = ws
        .start_enrolment(&challenge.token, now)
        .expect("enrolment");
    let app = Authenticator {
        secret: totp::secret_from_manual_key(&enrolment.manual_key).expect("key decodes"),
    };
    let (_, codes) = ws
        .confirm_enrolment(&challenge.token, &app.code(now), now)
        .expect("confirmed");
    (challenge.token, app, codes.codes)
}

/// Signs in an enrolled user with password and code.
pub fn sign_in(
    ws: &Workspace,
    username: &str,
    password: &str,
    app: &Authenticator,
    now: Timestamp,
) -> SessionToken {
    let challenge = ws
        .begin_sign_in(username, &Password::new(password), now)
        .expect("password step");
    ws.submit_code(&challenge.token, &app.code(now), now)
        .expect("code accepted");
    challenge.token
}

pub fn new_user(username: &str, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("{username} display"),
        role,
        password: Password::new(initial_password_of(username)),
        teams: vec![],
    }
}

/// The password an admin types for `username` in `new_user`; at first sign-in (`enrol`)
/// the user replaces it with `password_of(username)`.
pub fn initial_password_of(username: &str) -> String {
    format!(
        "first pear lantern 3 {}",
        username.chars().rev().collect::<String>()
    )
}

/// A user's own password (chosen at first sign-in), which passes the policy (it must not
/// contain the username).
pub fn password_of(username: &str) -> String {
    format!(
        "orange bicycle 7 {}",
        username.chars().rev().collect::<String>()
    )
}

/// Every file under `dir`, recursively.
pub fn all_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

use appcare_core::ids::{ChannelAccountId, ConversationId, TeamId};
use appcare_core::service::ingest::InboundMessage;

/// A workspace with two teams, their agents and lead, signed in, and one WhatsApp account
/// per team.
pub struct Team {
    pub ctx: Ctx,
    pub admin: SessionToken,
    pub support: TeamId,
    pub billing: TeamId,
    pub support_account: ChannelAccountId,
    pub billing_account: ChannelAccountId,
    pub alex: (UserId, SessionToken),
    pub bea: (UserId, SessionToken),
    pub carl: (UserId, SessionToken),
    pub lena: (UserId, SessionToken),
}

pub fn team() -> Team {
    let ctx = workspace();
    let now = ctx.now;
    let (admin, _, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, now);
    let support = ctx.ws.create_team(&admin, "Support", now).expect("team").id;
    let billing = ctx.ws.create_team(&admin, "Billing", now).expect("team").id;
    let member = |name: &str, role: Role, team: TeamId| {
        let mut new = new_user(name, role);
        new.teams = vec![team];
        let user = ctx.ws.create_user(&admin, new, now).expect("user").id;
        let (token, _, _) = enrol(&ctx.ws, name, &password_of(name), now);
        (user, token)
    };
    let alex = member("alex", Role::Agent, support);
    let bea = member("bea", Role::Agent, support);
    let carl = member("carl", Role::Agent, billing);
    let lena = member("lena", Role::Lead, support);
    let support_account = ctx
        .ws
        .create_channel_account(
            &admin,
            "whatsapp",
            "Support line",
            "106540352242922",
            Some(support),
            now,
        )
        .expect("account")
        .id;
    let billing_account = ctx
        .ws
        .create_channel_account(
            &admin,
            "email",
            "Billing mailbox",
            "billing@example.com",
            Some(billing),
            now,
        )
        .expect("account")
        .id;
    Team {
        ctx,
        admin,
        support,
        billing,
        support_account,
        billing_account,
        alex,
        bea,
        carl,
        lena,
    }
}

/// A customer writes: returns the conversation.
pub fn customer_writes(
    ws: &Workspace,
    account: ChannelAccountId,
    who: &str,
    external_id: &str,
    body: &str,
    at: Timestamp,
) -> ConversationId {
    ws.ingest(
        InboundMessage {
            account,
            contact_external_id: who,
            contact_name: &format!("Customer {who}"),
            external_id: Some(external_id),
            subject: "",
            body,
            sent_at: at,
            choice: None,
            has_media: false,
            attachments: vec![],
        },
        at,
    )
    .expect("ingested")
    .conversation
}
