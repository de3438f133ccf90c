import Foundation
import GRDB

/// Which data a new sandbox starts with.
public enum SeedKind: String, Sendable, CaseIterable {
    /// A lived-in account: contacts in several languages and channels, unread conversations,
    /// tags, lists, segments, notes and campaigns in every state.
    case demo
    /// Only the three channels: nothing else.
    case empty
}

/// Phrases and names the seed and the inbound simulator draw from.
enum SeedText {
    static let people: [(first: [String], last: [String], lang: Int)] = [
        (["Sarah", "James", "Emily", "Michael", "Olivia", "Daniel", "Grace", "Henry", "Chloe", "Lucas"],
         ["Johnson", "Miller", "O'Brien", "Nguyen", "Smith", "García", "Okafor", "Kowalski", "Dubois", "Rossi"], 0),
        (["نورة", "محمد", "فاطمة", "عبدالله", "ليلى", "خالد", "سارة", "يوسف"],
         ["العتيبي", "الحربي", "القحطاني", "الشهري", "المطيري", "الزهراني"], 1),
        (["Noura", "Omar", "Layla", "Hassan", "Mariam", "Karim"], ["Al-Otaibi", "Haddad", "Mansour", "El-Sayed", "Farouk"], 0),
        (["太郎", "花子", "健", "美咲", "翔"], ["山田", "佐藤", "鈴木", "高橋", "田中"], 2),
        (["伟", "芳", "娜", "强", "静"], ["王", "李", "张", "刘", "陈"], 3),
        (["민준", "서연", "지호", "하은"], ["김", "이", "박", "최"], 4),
    ]

    static let inbound: [[String]] = [
        ["Hi, where is my order? It was supposed to arrive yesterday.", "Can I change the delivery address?",
         "The app keeps logging me out 😩", "Do you have this in size M?", "Thanks so much, that fixed it! 🙏",
         "I was charged twice this month.", "Is the Pro plan billed monthly or yearly?", "Can someone call me back?",
         "The tracking link doesn't work.", "Hello?? Still waiting for an answer", "Great service, thank you 👍🏽",
         "My promo code SPRING26 isn't accepted", "I'd like a refund please.", "What are your opening hours on Friday?",
         "Order #48213 arrived damaged 📦💥", "Can I add another user to my account?"],
        ["مرحبا، متى يصل طلبي؟", "شكراً جزيلاً على المساعدة 🌹", "هل يمكنني تغيير العنوان؟", "لم تصلني رسالة التأكيد",
         "أريد استرجاع المبلغ من فضلك", "هل لديكم فرع في الرياض؟"],
        ["注文した商品はいつ届きますか？", "ありがとうございます！🎉", "パスワードをリセットできません", "領収書を送ってもらえますか"],
        ["我的订单什么时候发货？", "谢谢你的帮助 😊", "可以开发票吗？", "我想退款"],
        ["주문 상태를 확인하고 싶어요", "감사합니다! 👍", "배송지 변경 가능한가요?"],
    ]

    static let outbound = [
        "Hi! Thanks for reaching out, let me check that for you.", "I've just sent you a new tracking link.",
        "Sorry about that — I've issued a refund, it should show in 3–5 days.", "Could you share your order number?",
        "Done! Anything else I can help with?", "We're open 9:00–18:00 Sunday to Thursday.",
        "I've escalated this to our billing team.", "Your appointment is confirmed for tomorrow at 2pm.",
    ]

    static let tags = ["VIP", "Hot Lead", "Newsletter", "Refund", "Billing", "Priority", "Wholesale", "Churn Risk"]
    static let notes = ["Called today — interested in Pro plan.", "Prefers Arabic. Reply after 5pm.",
                        "Asked for a callback about invoice 2291.", "Escalated to billing, waiting on Finance.",
                        "VIP: always offer free shipping.", "Sent replacement unit via DHL."]
}

extension SandboxStore {
    /// Fills an empty store. `size` is the number of conversations (demo default 240); large
    /// sizes get ten messages each, for benchmarks.
    public func seed(_ kind: SeedKind, size: Int? = nil, seed: UInt64 = 42) async throws {
        let now = self.now
        try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM channels") == 0 else { return }
            for (i, (name, type, phone)) in [("Business WhatsApp", "whatsapp", "+14155550100"),
                                             ("Support Telegram", "telegram", "+14155550101"),
                                             ("Brand Instagram", "instagram", nil)].enumerated() {
                try db.execute(sql: "INSERT INTO channels(id, name, type, phone, connected, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                               arguments: [i + 5, name, type, phone, now - 90 * Self.day])
            }
            guard kind == .demo else { return }
            try Self.seedDemo(db, conversations: size ?? 240, now: now, seed: seed)
        }
    }

    static func seedDemo(_ db: Database, conversations: Int, now: Int64, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        func number(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        let large = conversations > 1000
        for (i, title) in SeedText.tags.enumerated() {
            try db.execute(sql: "INSERT INTO tags(id, title, created_at) VALUES (?, ?, ?)", arguments: [i + 1, title, now - 60 * day])
        }
        let insertContact = try db.makeStatement(sql: """
            INSERT INTO contacts(id, name, email, phone, type, status, blacklisted, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertMessage = try db.makeStatement(sql: """
            INSERT INTO messages(contact_id, direction, channel, content, status, sent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let updateConversation = try db.makeStatement(sql: """
            UPDATE contacts SET last_message_at = ?, last_message = ?, unread_count = ? WHERE id = ?
            """)
        let insertTag = try db.makeStatement(sql: "INSERT OR IGNORE INTO contact_tags(contact_id, tag_id) VALUES (?, ?)")
        let hostile = ["\u{1B}]0;pwned\u{07}Eve \u{1B}[31mRed\u{1B}[0m", "Zoë \u{202E}gnp.exe", "👩‍👩‍👧‍👦 Family Shop",
                       "Ａｎｎａ 🇸🇦", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚ͧo̤", "Tab\tName\u{0007}"]
        for index in 1...conversations {
            let culture = pick(SeedText.people)
            var name = culture.lang == 2 || culture.lang == 3 || culture.lang == 4
                ? pick(culture.last) + pick(culture.first) : pick(culture.first) + " " + pick(culture.last)
            if !large, index % 47 == 0 { name = hostile[(index / 47) % hostile.count] }
            let type = index % 5 == 0 ? "instagram" : index % 3 == 0 ? "telegram" : "whatsapp"
            let phone = type == "instagram" ? nil : "+1415\(String(format: "%07d", 5_550_000 + index))"
            let email = index % 4 == 0 ? nil : "customer\(index)@example.com"
            let created = now - Int64(number(20...120)) * day
            try insertContact.execute(arguments: [index, name, email, phone, type, index % 31 == 0 ? "inactive" : "active",
                                                  index % 53 == 0, created, created])
            let count = large ? 10 : number(2...14)
            // Newest conversations first: index 1 is the most recent.
            let last = now - Int64(index) * (large ? 60 : Int64(number(200...5400))) * 1_000_000
            let unread = large ? (index % 7 == 0 ? 2 : 0) : (index <= 60 && index % 2 == 1 ? number(1...3) : 0)
            var at = last - Int64(count) * 600 * 1_000_000
            var lastText = ""
            let texts = SeedText.inbound[min(culture.lang, SeedText.inbound.count - 1)]
            for m in 0..<count {
                at += Int64(number(60...1200)) * 1_000_000
                let stamp = m == count - 1 ? last : min(at, last - Int64(count - m) * 1_000_000)
                let inbound = m >= count - unread || m % 2 == 0
                lastText = inbound ? pick(texts) : pick(SeedText.outbound)
                let status = inbound ? "delivered" : "read"
                try insertMessage.execute(arguments: [index, inbound ? "inbound" : "outbound", type, lastText, status, stamp, stamp])
            }
            try updateConversation.execute(arguments: [last, lastText, unread, index])
            if index % 3 == 0 { try insertTag.execute(arguments: [index, 1 + index % SeedText.tags.count]) }
            if index % 7 == 0 { try insertTag.execute(arguments: [index, 1 + (index / 7) % SeedText.tags.count]) }
        }
        try db.execute(sql: "INSERT INTO lists(id, name, status, created_at) VALUES (3, 'Q1 Leads', 1, ?), (7, 'Spring Campaign Targets', 1, ?), (8, 'Dormant', 0, ?)",
                       arguments: [now - 50 * day, now - 30 * day, now - 20 * day])
        try db.execute(sql: "INSERT INTO segments(id, title, status, created_at) VALUES (2, 'High Value Customers', 1, ?), (4, 'Arabic Speakers', 1, ?)",
                       arguments: [now - 40 * day, now - 25 * day])
        try db.execute(sql: "INSERT INTO list_members(list_id, contact_id) SELECT 3, id FROM contacts WHERE id % 4 = 1 AND id <= 400")
        try db.execute(sql: "INSERT INTO list_members(list_id, contact_id) SELECT 7, id FROM contacts WHERE id % 5 = 2 AND id <= 400")
        try db.execute(sql: "INSERT INTO segment_members(segment_id, contact_id) SELECT 2, id FROM contacts WHERE id % 6 = 0 AND id <= 400")
        for contact in stride(from: 2, through: min(conversations, 240), by: 4) {
            for n in 0..<(contact % 3) {
                let at = now - Int64(contact * 3600 + n * 600) * 1_000_000
                try db.execute(sql: "INSERT INTO notes(contact_id, content, created_at, updated_at) VALUES (?, ?, ?, ?)",
                               arguments: [contact, pick(SeedText.notes), at, at])
            }
        }
        let messages = #"[{"type":"text","content":"Hi! We have a special offer just for you 🎉"},{"type":"text","content":"Reply YES to learn more, or STOP to unsubscribe."}]"#
        let campaigns: [(String, String, Bool, Int64?)] = [
            ("Spring Promo 2026", "running", false, now - 3 * day), ("Ramadan Offers", "paused", true, now - 6 * day),
            ("Winter Clearance", "completed", false, now - 30 * day), ("VIP Preview", "draft", false, nil),
            ("Old Newsletter", "cancelled", false, now - 12 * day),
        ]
        for (i, (name, status, isNew, started)) in campaigns.enumerated() {
            let id = 10 + i
            let campaignDay = started.map { Int((now - $0) / day) + 1 } ?? 0
            try db.execute(sql: """
                INSERT INTO campaigns(id, name, status, channel_id, messages, is_new_number, campaign_day, messages_sent_today,
                                      started_at, completed_at, created_at) VALUES (?, ?, ?, 5, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, name, status, messages, isNew, campaignDay,
                                 // Today's sends are done: the campaign resumes on the next simulated day.
                                 status == "running" ? 200 : 0,
                                 started, status == "completed" ? now - 20 * day : nil, (started ?? now) - day])
            let members = try Int64.fetchAll(db, sql: "SELECT id FROM contacts WHERE id % 9 = ? AND id <= 240", arguments: [i])
            for (n, contact) in members.enumerated() {
                let state = status == "completed" ? (n % 10 == 0 ? "failed" : "sent")
                    : status == "draft" ? "pending" : (n < members.count / 2 ? "sent" : "pending")
                try db.execute(sql: """
                    INSERT INTO campaign_contacts(campaign_id, contact_id, status, phone, sent_at, error)
                    SELECT ?, id, ?, phone, ?, ? FROM contacts WHERE id = ?
                    """, arguments: [id, state, state == "pending" ? nil : (started ?? now) + Int64(n) * 60_000_000,
                                     state == "failed" ? "Number is not on WhatsApp." : nil, contact])
            }
        }
    }

    /// A random inbound message from a random contact who has a conversation (simulator).
    func simulateInbound(rng: inout SplitMix64) async throws -> JSON? {
        let pickIndex = rng.next()
        let textIndex = rng.next()
        let target = try await read { db -> (Int64, Int)? in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contacts WHERE blacklisted = 0") ?? 0
            guard count > 0 else { return nil }
            guard let row = try Row.fetchOne(db, sql: "SELECT id, name FROM contacts WHERE blacklisted = 0 LIMIT 1 OFFSET ?",
                                             arguments: [Int(pickIndex % UInt64(min(count, 60)))]) else { return nil }
            let name: String = row["name"]
            let lang = name.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) } ? 1
                : name.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) } ? 2
                : name.unicodeScalars.contains { (0xAC00...0xD7AF).contains($0.value) } ? 4
                : name.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } ? 3 : 0
            return (row["id"], lang)
        }
        guard let (contactID, lang) = target else { return nil }
        let texts = SeedText.inbound[lang]
        return try await receive(contactID: contactID, text: texts[Int(textIndex % UInt64(texts.count))])
    }
}
