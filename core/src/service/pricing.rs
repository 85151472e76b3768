//! What Meta charged for the WhatsApp messages we sent, per account, month and category
//! (issue 21 item 9): for leads (their teams' conversations) and admins (all).

use crate::auth::Role;
use crate::channel::pricing::PricingMonth;
use crate::error::Result;
use crate::secret::SessionToken;
use crate::store::pricing;
use crate::time::Timestamp;
use crate::workspace::Workspace;

impl Workspace {
    /// Sent messages Meta priced, summed per account, month and category, newest first.
    pub fn whatsapp_pricing(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<Vec<PricingMonth>> {
        let caller = self.authorize(token, now, Role::Lead, "see what Meta charges")?;
        let teams = (caller.role != Role::Admin).then_some(caller.teams.as_slice());
        self.store.read(|c| pricing::monthly(c, teams))
    }
}
