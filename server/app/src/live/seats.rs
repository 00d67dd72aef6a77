//! How many live streams each partner has open on this node, bounded: a partner (or a stolen
//! token) must not be able to open thousands. Held in the app's state; knows nothing else.

/// Most live streams one partner may have open at once: each reads the store as the log grows,
/// so a partner (or a stolen token) must not be able to open thousands.
pub const MAX_SOCKETS_PER_PARTNER: usize = 32;

/// Open partner streams per partner, on this node.
#[derive(Debug, Default)]
pub struct PartnerSockets(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, usize>>>);

/// One open stream's place; freed when dropped.
#[derive(Debug)]
pub struct Seat {
    partner_id: uuid::Uuid,
    open: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, usize>>>,
}

impl PartnerSockets {
    /// A place for one more stream of `partner_id`, unless it has [`MAX_SOCKETS_PER_PARTNER`].
    pub fn take(&self, partner_id: uuid::Uuid) -> Option<Seat> {
        let mut open = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(partner_id).or_default();
        if *count >= MAX_SOCKETS_PER_PARTNER {
            return None;
        }
        *count += 1;
        Some(Seat { partner_id, open: self.0.clone() })
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.partner_id) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.partner_id);
            }
        }
    }
}
