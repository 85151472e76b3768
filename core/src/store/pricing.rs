//! SQL for the pricing Meta reports per message we sent, and its monthly sums.

use crate::channel::pricing::PricingMonth;
use crate::channel::Pricing;
use crate::error::Result;
use crate::ids::{MessageId, TeamId};
use rusqlite::{params, Connection};

/// Keeps the newest pricing Meta reported for `message`.
pub fn record(conn: &Connection, message: MessageId, pricing: &Pricing) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO message_pricing (message_id, billable, pricing_model, pricing_type, category)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (message_id) DO UPDATE SET billable = ?2, pricing_model = ?3,
             pricing_type = ?4, category = ?5",
        params![
            message,
            pricing.billable,
            pricing.model,
            pricing.kind,
            pricing.category
        ],
    )?;
    Ok(())
}

/// Sums per account, month (UTC) and category, newest month first; only conversations
/// of `teams` when given (a lead's), all otherwise.
pub fn monthly(conn: &Connection, teams: Option<&[TeamId]>) -> Result<Vec<PricingMonth>> {
    let teams_json = teams.map(|t| {
        serde_json::to_string(&t.iter().map(|id| id.get()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into())
    });
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name, strftime('%Y-%m', m.created_at, 'unixepoch') AS month,
                p.category, count(*), sum(p.billable)
         FROM message_pricing p
         JOIN messages m ON m.id = p.message_id
         JOIN conversations c ON c.id = m.conversation_id
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE ?1 IS NULL OR c.team_id IN (SELECT value FROM json_each(?1))
         GROUP BY a.id, month, p.category
         ORDER BY month DESC, a.name, a.id, p.category",
    )?;
    let rows = stmt
        .query_map([teams_json], |r| {
            Ok(PricingMonth {
                account: r.get(0)?,
                account_name: r.get(1)?,
                month: r.get(2)?,
                category: r.get(3)?,
                messages: r.get(4)?,
                billable: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
