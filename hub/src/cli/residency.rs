//! `appcare residency --data-dir DIR`: where each kind of data of a workspace lives. An
//! operator's view (key access, no session), the same report admins see in the app.

use super::{open_workspace, CliResult, DataDirArg};

pub fn run(args: DataDirArg) -> CliResult {
    let ws = open_workspace(&args.data_dir)?;
    let r = appcare_core::service::residency::report_offline(&ws)?;
    let size = |b: i64| format!("{:.1} MB", b as f64 / 1_000_000.0);
    println!("Region:            {}", r.region);
    println!(
        "Database:          {} ({} database, {} of it attachments, encrypted)",
        r.data_folder,
        size(r.database_bytes),
        size(r.attachments_bytes)
    );
    println!("Volume:            {}", r.volume);
    println!("Database key:      {}", r.key_store);
    for line in &r.channel_accounts {
        println!("Channel account:   {line}");
    }
    if r.channel_accounts.is_empty() {
        println!("Channel accounts:  none connected");
    }
    println!(
        "Mail servers:      {}",
        if r.mail_servers.is_empty() {
            "none connected".into()
        } else {
            r.mail_servers.join(", ")
        }
    );
    println!(
        "Team hub:          {}",
        r.hub
            .as_deref()
            .unwrap_or("none: this workspace is used on this computer only")
    );
    println!(
        "Backups:           {}",
        if r.backups.is_empty() {
            "no scheduled backups".into()
        } else {
            r.backups.join(", ")
        }
    );
    println!(
        "Allowed hosts:     {} (and this computer)",
        r.allowed_hosts.join(", ")
    );
    let keep = |d: i64| {
        if d == 0 {
            "kept".to_string()
        } else {
            format!("{d} days")
        }
    };
    println!(
        "Retention:         WhatsApp {}, Messenger {}, email {}",
        keep(r.retention.whatsapp_days),
        keep(r.retention.messenger_days),
        keep(r.retention.email_days)
    );
    Ok(())
}
