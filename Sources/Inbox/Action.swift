import SkyLight

/// Everything that can change the state: keys, time, and the results of effects.
public enum Action: Sendable {
    /// The inbox opened: load the conversations and the account's tags.
    case start
    case key(Key)
    /// A clock tick; `jitter` (0…1) spreads many agents' polls apart.
    case tick(now: Timestamp, jitter: Double)
    case conversationsLoaded(Page<Conversation>, isPoll: Bool)
    case conversationsFailed(SkyLightError, isPoll: Bool)
    case threadLoaded(contactID: Int, page: Page<Message>, pageNumber: Int)
    case threadFailed(contactID: Int, pageNumber: Int, SkyLightError)
    /// A load for a conversation the agent has since moved past was not made : it is asked for again when the agent comes back.
    case loadSkipped(Effect)
    case contactLoaded(Contact)
    case notesLoaded(contactID: Int, [Note])
    case tagsLoaded([Tag])
    case searchResults(query: String, Result<Page<Contact>, SkyLightError>)
    case sendFinished(outboxID: String, Result<Message, SkyLightError>)
    /// The history checked after a send whose answer was lost.
    case sendReconciled(outboxID: String, found: Message?)
    /// Fresh history fetched before a send, to catch a colleague's reply.
    case preSendChecked(outboxID: String, newer: [Message])
    case blacklistFinished(contactID: Int, expected: Bool, Result<Contact, SkyLightError>)
    /// A tag assigned or removed, with the contact read back (nil when that read failed: the
    /// change itself was made).
    case tagChanged(contactID: Int, Result<Contact?, SkyLightError>, description: String)
    case noteAdded(contactID: Int, text: String, Result<Note, SkyLightError>)
    /// The text the editor saved, or nil with why not (`failure` nil: the agent quit without
    /// saving); both when it saved and then ended with an error.
    case editorFinished(contactID: Int, text: String?, failure: String? = nil)
    /// Contacts whose reply an editor was writing when it was cut off (the link dropped): its
    /// unsaved text waits to be recovered with `E`.
    case editorTextKept(contactIDs: [Int])
    case themeResult(name: String, error: String?)
    case restored(drafts: [Int: String], noteDrafts: [Int: [String]], outbox: [OutboxEntry], readMarks: [Int: Timestamp], conversations: [Conversation])
    /// Cached messages, contacts, notes and tags, shown until the server's answer replaces them.
    case restoredDetails(threads: [Int: [Message]], contacts: [Contact], notes: [Int: [Note]], tags: [Tag])
    case terminalFocus(Bool)
    /// Something about the terminal the agent should know, such as a stand-in terminal type.
    case terminalNote(String)
    /// Writes to the cache began failing (why, such as a full disk or a lock held elsewhere),
    /// or, with nil, work again.
    case cacheWrites(failing: String?)
    /// The terminal's layout: rows of the list (in conversations), lines of the thread,
    /// whether the sidebar fits beside them, whether the terminal is too small to draw in, and its width.
    case viewport(listItems: Int, threadLines: Int, sidebarFits: Bool, tooSmall: Bool = false, width: Int = 80)
    /// How far the view scrolled the selected conversation's thread and sidebar.
    case scrollShown(ShownScroll)
}

/// Work the reducer asks for; run by ``EffectRunner`` (network, storage) or by the terminal
/// (editor, theme, bell).
public enum Effect: Equatable, Sendable {
    case loadConversations(page: Int, isPoll: Bool)
    case loadThread(contactID: Int, page: Int)
    case loadContact(Int)
    case loadNotes(Int)
    /// The conversation the agent moved to: loads for it go ahead of those still waiting.
    case lookingAt(Int)
    case loadTags
    case searchContacts(String)
    case checkBeforeSend(OutboxEntry, seenLatestID: Int?)
    case send(OutboxEntry)
    case reconcile(OutboxEntry)
    case toggleBlacklist(contactID: Int, expected: Bool)
    case assignTag(contactID: Int, tagID: Int?, title: String)
    case unassignTag(contactID: Int, tagID: Int, title: String)
    case addNote(contactID: Int, text: String)
    case saveDraft(contactID: Int, text: String)
    case saveOutbox(OutboxEntry)
    /// Replaces the notes kept in the cache (see ``InboxState/unsavedNotes``).
    case saveNoteDrafts([Int: [String]])
    case removeOutbox(id: String)
    case saveReadMark(contactID: Int, at: Timestamp?)
    case cacheConversations([Conversation])
    /// Drops what the cache holds of a contact the server deleted (its row, thread, details and
    /// read mark); its draft stays.
    case forgetContact(Int)
    case openEditor(contactID: Int, text: String)
    case applyTheme(String)
    case bell
    case notify(title: String, body: String)
    case redraw
    /// Stops the inbox until the shell continues it (Ctrl-Z, then fg).
    case suspend
}
