//! The sample conversations a new workspace can be filled with: short, readable exchanges
//! a support team really has (questions, answers, a private note, a handoff), one
//! customer who writes on WhatsApp and by e-mail, one who did too but under a name written
//! differently (a merge to suggest). Text only; no real person or address.

/// Who wrote a line of a sample conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Customer,
    Agent,
    /// A private note, seen by colleagues only.
    Note,
    /// A handoff note: the conversation goes to the team lead with it.
    Handoff,
}

/// One sample conversation: its channel (`whatsapp`, `messenger`, `email`), the
/// customer, an e-mail subject, its lines oldest first with their age in minutes, and
/// how it ends.
pub struct Script {
    pub channel: &'static str,
    pub customer: &'static str,
    /// The customer's address on that channel, made up (a phone, a page-scoped id, a mail).
    pub address: &'static str,
    pub subject: &'static str,
    pub lines: &'static [(Who, u32, &'static str)],
    pub status: &'static str,
}

use Who::*;

pub const SCRIPTS: &[Script] = &[
    Script {
        channel: "whatsapp",
        customer: "Ana Souza",
        address: "5511900000001",
        subject: "",
        lines: &[
            (Customer, 95, "Hi! I ordered the blue rain jacket on Monday (order 48213) and it still says \"preparing\". Will it arrive before Saturday?"),
            (Agent, 88, "Hi Ana, thanks for writing. I can see order 48213: it left our warehouse this morning and the courier expects to deliver it on Thursday."),
            (Customer, 80, "Great, thank you! Can I still change the size from M to L?"),
            (Note, 78, "Size changes after dispatch need a return: sent her the exchange link by e-mail as well."),
        ],
        status: "open",
    },
    Script {
        channel: "email",
        customer: "Ana Souza",
        address: "ana.souza@example.com",
        subject: "Exchange for order 48213",
        lines: &[
            (Customer, 60, "Hello,\n\nI used the exchange link you sent, but it asks for a receipt number. Where do I find it?\n\nThanks,\nAna"),
        ],
        status: "open",
    },
    Script {
        channel: "messenger",
        customer: "Omar Haddad",
        address: "7700000000000001",
        subject: "",
        lines: &[
            (Customer, 240, "My card was charged twice for the same order. Can you refund one of them?"),
            (Agent, 230, "I'm sorry about that, Omar. I can see two payments of 59.90 on 2 December. I've asked our billing team to refund the second one."),
            (Handoff, 228, "Double charge confirmed in the payment log (same order, two captures). Billing, please refund the second capture and let him know when it's done."),
        ],
        status: "open",
    },
    Script {
        channel: "whatsapp",
        customer: "Li Wei",
        address: "8613800000002",
        subject: "",
        lines: &[
            (Customer, 30, "Is the store on Market Street open on Sunday?"),
        ],
        status: "open",
    },
    Script {
        channel: "email",
        customer: "Kwame Mensah",
        address: "kwame.mensah@example.org",
        subject: "Warranty repair for my headphones",
        lines: &[
            (Customer, 600, "Good morning,\n\nThe left side of my headphones stopped working after eight months. They are still under warranty. How do I send them in?\n\nKind regards,\nKwame Mensah"),
            (Agent, 540, "Dear Kwame,\n\nThank you for your message. I have created repair request R-1187 for you; you will receive a prepaid shipping label by e-mail within the hour.\n\nBest regards"),
            (Customer, 520, "Label received, thank you. I will drop them off today."),
        ],
        status: "pending",
    },
    Script {
        channel: "messenger",
        customer: "Priya Raman",
        address: "7700000000000002",
        subject: "",
        lines: &[
            (Customer, 1500, "Do you ship to Norway?"),
            (Agent, 1490, "Yes, we do! Delivery to Norway takes 3 to 5 working days; customs fees are included at checkout."),
            (Customer, 1485, "Perfect, thanks!"),
        ],
        status: "resolved",
    },
    Script {
        channel: "whatsapp",
        customer: "Jonas Berg",
        address: "4670000000003",
        subject: "",
        lines: &[
            (Customer, 15, "Hello, my voucher code WINTER10 says it has expired, but the e-mail says it's valid until the end of the month."),
        ],
        status: "open",
    },
    // The same person as on WhatsApp, but the mail client writes the name in lower case:
    // not linked by itself, so the customer panel suggests merging the two.
    Script {
        channel: "email",
        customer: "jonas berg",
        address: "jonas.berg@example.com",
        subject: "Voucher WINTER10",
        lines: &[
            (Customer, 10, "Hi,\n\nI also wrote on WhatsApp: the voucher WINTER10 is refused at checkout although the e-mail says it is valid until the end of the month.\n\nJonas"),
        ],
        status: "open",
    },
    Script {
        channel: "email",
        customer: "Yuki Sato",
        address: "yuki.sato@example.net",
        subject: "Change of delivery address",
        lines: &[
            (Customer, 45, "Hello,\n\nI have moved since placing order 48377. Could you send it to my new address instead? I will reply with the address once you confirm this is possible.\n\nYuki"),
        ],
        status: "open",
    },
];

/// More customers for workspaces asked for more conversations than there are scripts:
/// each gets a name of its own, so no two sample customers share one.
pub const FIRST_NAMES: &[&str] = &[
    "Sheena", "Maria", "Tom", "Fatima", "Lars", "Elena", "Marco", "Aisha", "Noah", "Mei",
];
pub const LAST_NAMES: &[&str] = &[
    "Nelson",
    "Garcia",
    "Okafor",
    "Novak",
    "Lindqvist",
    "Rossi",
    "Khan",
    "Dubois",
    "Tanaka",
    "Silva",
];

/// What those customers ask (one question each; they wait in the queue).
pub const QUESTIONS: &[&str] = &[
    "Hi, where can I find the invoice for my last order?",
    "Can I pick up my order in the store instead of having it delivered?",
    "The parcel arrived but one item is missing. What should I do?",
    "How long does a refund take once you have received my return?",
    "Is the grey sofa back in stock soon?",
    "I forgot my account password and the reset e-mail never came.",
    "Do you offer gift wrapping?",
    "My tracking link has not changed for three days. Is the parcel lost?",
];
